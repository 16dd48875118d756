"""HaPair: High Availability on the Primary, naming the Backup by serial.

Sections in the usual order: check/diff (base class), create, read, update,
delete. Every operation holds one admin session on the Primary, writes only
the top-level HA keys that differ, commits once, and (with `wait_for_sync`)
polls the HA status until the Backup is synchronized. When the Backup does
not synchronize in time, the previous HA settings are put back and
committed, so a failed apply leaves the Primary as it was.
"""

from __future__ import annotations

import time
from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from ..errors import ApplianceError, CommitUncertainError, SonicHaError, SyncTimeoutError
from ..models import ha_pair as model
from ..sonicos import ApplianceSession, SonicOSClient, SystemInfo
from .base import SonicHaProvider

# Seconds between HA status polls: quick at first (the simulator and small
# configs sync fast), then once a second.
_POLL_STEPS = (0.1, 0.2, 0.4, 0.8)
_POLL_MAX = 1.0


class HaPairProvider(SonicHaProvider):
    schema = model.SCHEMA
    host_serials = {"primary_host": "primary_serial"}

    # -- create ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        backup = self._backup_info(props) if props.get("backup_host") else None
        outs = self._apply(props, backup=backup)
        return CreateResult(id_=outs["primary_serial"], outs=outs)

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = SonicOSClient(props["primary_host"], self.settings, serial=id_ or None)
        with client.session() as unit:
            current = unit.ha_settings()
            if not model.is_enabled(current):
                return self.gone()
            status = unit.ha_status()
        outs = {**props, **model.settings_from_api(current), **model.status_outputs(status)}
        outs.pop("__provider", None)
        return ReadResult(id_=id_, outs=outs, inputs=self.inputs_of(outs))

    # -- update ---------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        backup = self._backup_info(news) if news.get("backup_host") else None
        return UpdateResult(outs=self._apply(news, serial=id_, backup=backup))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("on_delete") == "retain":
            return
        self._disable(props["primary_host"], serial=id_ or None)
        if props.get("backup_host"):
            # The Backup keeps the copy it synchronized from the Primary, and while that
            # copy names the HA links it refuses to put them back in a zone
            # (HaInterface's delete): turn HA off there too when we can reach it.
            try:
                self._disable(props["backup_host"], serial=props.get("backup_serial"))
            except SonicHaError as exc:
                raise SonicHaError(
                    f"HA is off on the Primary now, but turning it off on the Backup failed:"
                    f" {exc} Run `pulumi destroy` again, or turn HA off on the Backup by hand"
                ) from None

    def _disable(self, host: str, serial: str | None) -> None:
        with SonicOSClient(host, self.settings, serial=serial).session() as unit:
            self.require_serial(unit, serial, "turn HA off")
            if model.is_enabled(unit.ha_settings()):
                unit.put_ha_settings({"mode": {}})
                unit.commit()

    # -- shared steps ---------------------------------------------------------
    def _apply(
        self,
        inputs: dict[str, Any],
        serial: str | None = None,
        backup: SystemInfo | None = None,
    ) -> dict[str, Any]:
        """Bring the Primary's HA settings to `inputs` (adopting what is there)."""
        client = SonicOSClient(inputs["primary_host"], self.settings, serial=serial)
        with client.session() as unit:
            system = unit.system()
            if serial and system.serial != serial:
                self.require_serial(unit, serial, "change HA settings")
            expected = inputs.get("primary_serial")
            if expected and system.serial != expected:
                raise unit.error(
                    f"primary_host answers with serial {system.serial}, but primary_serial is"
                    f" {expected}: this is not the Primary you named. Fix primary_host or"
                    " primary_serial; nothing was written"
                )
            if system.serial == inputs["backup_serial"]:
                raise unit.error(
                    f"backup_serial {inputs['backup_serial']} is this unit's own serial;"
                    " give the serial of the Backup unit"
                )
            if backup is not None and backup.model != system.model:
                raise unit.error(
                    f"the Backup ({backup.serial}) is a {backup.model} but this Primary is a"
                    f" {system.model}; an HA pair needs two units of the same model"
                )
            before = unit.ha_settings()
            changes = model.changed_settings(before, inputs)
            if changes:
                try:
                    unit.put_ha_settings(changes)
                    unit.commit()
                except ApplianceError as exc:
                    if exc.status != 400:
                        raise
                    raise unit.error(
                        _rejected_hint(exc, inputs), code=exc.code, status=400
                    ) from None
            if inputs["wait_for_sync"]:
                # Also when nothing was written (a pair adopted as it is): the
                # resource promises a synchronized Backup.
                status = self._wait_for_sync(unit, inputs, before, changes)
            else:
                status = unit.ha_status()
        outs = {key: inputs.get(key) for key in self.schema.keys}
        outs.update(
            self.expectations_declared(inputs),
            primary_serial=system.serial,
            model=system.model,
            firmware_version=system.firmware_version,
            **model.status_outputs(status),
        )
        return outs

    def _wait_for_sync(
        self,
        unit: ApplianceSession,
        inputs: dict[str, Any],
        before: dict[str, Any],
        changes: dict[str, Any],
    ) -> dict[str, Any]:
        deadline = time.monotonic() + float(inputs["sync_timeout_s"])
        step = 0
        while True:
            status = unit.ha_status()
            if model.status_outputs(status)["synchronized"]:
                return status
            if time.monotonic() >= deadline:
                break
            pause = _POLL_STEPS[step] if step < len(_POLL_STEPS) else _POLL_MAX
            step += 1
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        try:
            if not changes:
                restored = "Nothing was changed on the unit."
            else:
                self._restore(unit, before, changes)
                restored = "The previous HA settings were restored."
        except SonicHaError as exc:
            now = (
                "either the previous or the new ones are committed now"
                if isinstance(exc, CommitUncertainError)
                else "the new ones stay committed"
            )
            restored = (
                f"Putting the previous HA settings back failed too ({exc.message}), so {now}."
            )
        detail = f": {str(status['message']).rstrip('.')}" if status.get("message") else ""
        raise unit.error(
            f"the Backup ({inputs['backup_serial']}) did not synchronize within"
            f" {int(inputs['sync_timeout_s'])} s; last HA status {status.get('status', '?')},"
            f" Backup state {status.get('secondary_state', '?')}{detail}. {restored}"
            " Check that backup_serial is the Backup's serial, that"
            f" the control link {inputs['control_interface']} is cabled directly between the"
            " units, and that both units are the same model",
            SyncTimeoutError,
        )

    @staticmethod
    def _restore(unit: ApplianceSession, before: dict[str, Any], changes: dict[str, Any]) -> None:
        """Put back the keys we changed, as they were."""
        previous = {key: before[key] for key in changes if key in before}
        if "mode" in changes and "mode" not in previous:
            previous["mode"] = {}
        unit.put_ha_settings(previous)
        unit.commit()

    def _backup_info(self, inputs: dict[str, Any]) -> SystemInfo:
        """With `backup_host`, make sure it is reachable and is the unit named by
        `backup_serial` before anything is written on the Primary."""
        client = SonicOSClient(inputs["backup_host"], self.settings)
        with client.session() as backup:
            info = backup.system()
        if info.serial != inputs["backup_serial"]:
            raise ApplianceError(
                f"backup_host answers with serial {info.serial}, but backup_serial is"
                f" {inputs['backup_serial']}; fix backup_serial or backup_host",
                host=client.host,
                serial=info.serial,
            )
        return info


def _rejected_hint(exc: ApplianceError, inputs: dict[str, Any]) -> str:
    """The Primary refused the HA settings (400): its reason, plus which inputs to look at."""
    reason = str(exc).split(": ", 1)[-1].removesuffix(f" [{exc.code}]").rstrip(".")
    if "zone" in reason.lower():
        what = (
            "an HA link (control_interface / data_interface) must be in zone Unassigned on"
            " both units: declare an HaInterface for it with unassign_zone=True and pass its"
            " `interface` output, or set the zone to Unassigned by hand"
        )
    else:
        links = ", ".join(
            f"{key}={inputs[key]}" for key in ("control_interface", "data_interface") if inputs[key]
        )
        what = f"check the HaPair inputs it names ({links}, backup_serial, the timers)"
    return f"the Primary refused the HA settings, nothing was changed ({reason}). Fix: {what}"
