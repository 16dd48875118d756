"""HaPair: High Availability on the Primary, naming the Backup by serial.

Sections in the usual order: check/diff (base class), create, read, update,
delete. Every operation holds one admin session on the Primary. A write reads
the whole HA object, changes the keys our inputs own and PUTs it whole (the
unit replaces the object), only when an input differs, and commits once; config
mode is held only for that window and given back before (with
`wait_for_sync`) polling the HA status until the Backup is synchronized, with
one progress line per change of state. When the Backup does not synchronize in
time, or sends no heartbeat within the HA timers' own window, the object read
before is put back exactly and committed, so a failed apply leaves the Primary
as it was.

A unit holds one HA configuration: a replacement deletes first
(`delete_before_replace`), and delete leaves a unit alone when another resource
set its HA since (same run: `run.CLAIMS`; any run: the unit's settings no longer
name this pair's Backup). A unit that cannot be reached is reported as a
warning and the delete completes.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NoReturn

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from .. import preflight, progress
from ..errors import (
    ApplianceError,
    ApplianceUnreachableError,
    CommitNotHeldError,
    CommitUncertainError,
    NoHeartbeatError,
    NotFoundError,
    RunInterruptedError,
    SessionHeldError,
    SonicHaError,
    SyncTimeoutError,
)
from ..ha_state import HaView
from ..models import ha_pair as model
from ..schema import is_unknown, same_host
from ..sonicos import ApplianceSession, SonicOSClient, SystemInfo, hold_units
from . import run
from .base import SonicHaProvider, with_backup_hint

# Seconds between HA status polls: quick at first (the simulator and small
# configs sync fast), then once a second.
_POLL_STEPS = (0.1, 0.2, 0.4, 0.8)
_POLL_MAX = 1.0


def no_heartbeat_window(inputs: dict[str, Any]) -> float:
    """Seconds after which a Backup that sent no heartbeat never will: the HA timers'
    own failover window (heartbeat interval x trigger level) plus the election delay,
    with a margin of a quarter (at least 2 s) for a slow link or poll."""
    base = float(inputs["heartbeat_interval_ms"]) / 1000.0 * float(
        inputs["failover_trigger_level"]
    ) + float(inputs["election_delay_s"])
    return base + max(2.0, base / 4.0)


_LINK_PURPOSES = (
    ("control_interface", "control"),
    ("data_interface", "data"),
    ("dpi_interface", "dpi"),
)


class HaPairProvider(SonicHaProvider):
    schema = model.SCHEMA
    host_serials = {"primary_host": "primary_serial"}
    delete_before_replace = True
    # The inputs no unit holds (behaviour-only, and no replacement): changing only those
    # sends nothing.
    behaviour_only = frozenset(
        f.name for f in model.SCHEMA.fields if f.behaviour_only and not f.replace
    )

    # -- preflight of a replacement (diff) -------------------------------------
    def preflight_plan(self, inputs: dict[str, Any]) -> preflight.Plan | None:
        """The new pair: both units by address and serial, its HA links cabled (their
        zones are HaInterface's to set, in the same plan), and the Backup reachable
        after pairing. A Primary that leads a pair naming another Backup fails: the
        replacement would take that pair over."""
        if any(is_unknown(value) for value in inputs.values()):
            return None
        links = tuple(
            preflight.Link(inputs[key], purpose, unassign_zone=True)
            for key, purpose in _LINK_PURPOSES
            if inputs.get(key)
        )
        return preflight.Plan(
            primary_host=inputs["primary_host"],
            backup_host=inputs.get("backup_host"),
            primary_serial=inputs.get("primary_serial"),
            backup_serial=inputs["backup_serial"],
            links=links,
            override_session=self.settings.override_session,
        )

    # -- create ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        props = self.with_defaults(props)
        outs = self._apply(props)
        id_ = outs["primary_serial"]
        return CreateResult(id_=id_, outs=self.claimed_outputs(outs, {}, id_))

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = self.with_defaults(props)
        with self.primary_client(props, id_ or None).session() as unit:
            current = unit.ha_settings()
            if not model.is_enabled(current):
                # Before saying "gone": is this still the unit we manage? (1 request)
                self.check_serial_on_read(unit, id_ or None)
                return self.gone()
            status = unit.ha_status()
            if HaView.parse(status).role == "Secondary":
                # The pair's address, answered by the Backup since a failover: its copy of
                # the settings is the synchronized one, so reading it is safe; writing is
                # refused (require_serial says why).
                run.warn(
                    f"HaPair {id_}: primary_host {props['primary_host']} answers on the Backup"
                    f" ({status.get('status')}): it is an address of the pair, and the pair has"
                    " failed over. Read the Backup's synchronized copy of the HA settings;"
                    " changes are refused until the Primary is Active again. Set primary_host"
                    " to the Primary's own HA monitoring address to manage it in any case"
                )
            outs = {**props, **model.settings_from_api(current), **model.status_outputs(status)}
            # What a commit said is owed until the unit stops reporting it (asked only then).
            outs["restart_required"] = self._still_owed(unit, props.get("restart_required"))
            if self.schema.changed_keys(self.inputs_of(props), self.inputs_of(outs)):
                # Before reporting drift, likewise. Unchanged settings cost no extra request.
                self.check_serial_on_read(unit, id_ or None)
        outs.pop("__provider", None)
        return ReadResult(id_=id_, outs=outs, inputs=self.inputs_of(outs))

    # -- update ---------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        olds, news = self.with_defaults(olds), self.with_defaults(news)
        if self.only_behaviour_changed(olds, news):
            # What delete does, how long to wait, where the Backup answers: no unit
            # holds these, so nothing is sent and nothing is waited for.
            outs = {k: v for k, v in olds.items() if k != "__provider"}
            outs.update({f.name: news.get(f.name) for f in self.schema.fields if not f.expectation})
        else:
            outs = self._apply(news, serial=id_, owed=olds.get("restart_required"))
        moved = news.get("backup_host") and not same_host(
            str(olds.get("backup_host") or ""), str(news["backup_host"])
        )
        if moved and outs.get("synchronized"):
            # The stack now reaches the Backup at another address: it must answer there.
            backup = SonicOSClient(news["backup_host"], self.settings)
            self._require_backup_reachable(backup, news)
        return UpdateResult(outs=self.claimed_outputs(outs, olds, id_))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        props = self.with_defaults(props)
        with self.releasing(props, id_):
            if props.get("on_delete") == "retain":
                return
            primary_done = self._disable_unless_taken(
                "Primary", props["primary_host"], id_ or None, props
            )
            if not props.get("backup_host"):
                if primary_done:
                    run.warn(
                        f"HaPair {props.get('primary_serial') or id_}: HA is off on the"
                        f" Primary, but the Backup ({props.get('backup_serial')}) keeps the HA"
                        " settings it synchronized (this HaPair has no backup_host to reach"
                        " it): it still answers management only at its monitoring address"
                        " and cannot be set up again (as a Primary, or in another pair) while"
                        " it holds them. Turn HA off there by hand"
                        " (High Availability > Settings, mode None), or next time give the"
                        " HaPair backup_host before removing it"
                    )
                return
            # The Backup keeps the copy it synchronized from the Primary, and while that
            # copy names the HA links it refuses to put them back in a zone
            # (HaInterface's delete): turn HA off there too when we can reach it.
            try:
                self._disable_unless_taken(
                    "Backup", props["backup_host"], props.get("backup_serial"), props
                )
            except SonicHaError as exc:
                first = "HA is off on the Primary now" if primary_done else "The Primary is done"
                raise SonicHaError(
                    f"{first}, but turning it off on the Backup failed:"
                    f" {exc} Run `pulumi destroy` again, or turn HA off on the Backup by hand"
                ) from None

    def _disable_unless_taken(
        self, role: str, host: str, serial: str | None, props: dict[str, Any]
    ) -> bool:
        """Turn HA off on one unit, unless another resource manages it now, or the unit
        cannot be reached (a warning; the delete completes). True when turned off."""
        who = f"HaPair {props.get('primary_serial') or serial}"
        if serial and self.left_alone(
            ("ha", serial),
            props,
            f"{who}: left HA on at the {role} {host} (serial {serial}): another HaPair"
            " manages it (declared or set in this run: a rename or a replacement), so this"
            " delete does not undo it",
        ):
            return False
        done = False
        by_hand = "turn HA off there by hand (High Availability > Settings, mode None)"
        with self.unit_gone_is_a_warning(who, role, host, serial, "turn HA off", by_hand):
            client = (
                self.primary_client(props, serial, turning_ha_off=True)
                if role == "Primary"
                else SonicOSClient(host, self.settings, serial=serial)
            )
            done = self._disable(client, serial, props.get("backup_serial"))
        return done

    def _disable(
        self, client: SonicOSClient, serial: str | None, backup_serial: str | None = None
    ) -> bool:
        """HA off on one unit, if its settings are still the ones this pair left there
        (they name the pair's Backup); True when turned off."""
        with client.session() as unit:
            self.require_serial(unit, serial, "turn HA off")
            current = unit.ha_settings()
            if not model.is_enabled(current):
                return False
            unmanaged = model.unmanaged_mode(current)
            if unmanaged:
                run.warn(
                    f"{unit.host} (serial {serial or '?'}): left HA on: the unit runs mode"
                    f" {unmanaged}, which pulumi_sonicha does not manage (set by hand since),"
                    " so delete does not turn it off; do so by hand if it is to go"
                )
                return False
            named = model.settings_from_api(current)["backup_serial"]
            if backup_serial and named and named != backup_serial:
                run.warn(
                    f"{unit.host} (serial {serial or '?'}): left HA on: its settings name the"
                    f" Backup {named}, not this pair's {backup_serial}, so another pair was set"
                    " up on this unit after this one; delete does not undo that"
                )
                return False
            unit.put_ha_settings(model.disabled_settings(current))  # the rest as read
            unit.commit()
            return True

    def unit_objects(self, props: dict[str, Any], id_: str) -> list[run.UnitObject]:
        """The HA configuration of both units (the Backup holds the synchronized copy)."""
        serials = [props.get("primary_serial") or id_, props.get("backup_serial")]
        return [("ha", serial) for serial in serials if serial]

    # -- shared steps ---------------------------------------------------------
    @staticmethod
    def _still_owed(unit: ApplianceSession, owed: str | None) -> str:
        """The restart a commit said the unit needs (`owed`), while the unit still reports
        one pending (`GET /reporting/status/system`, one request, only while one is owed);
        "NONE" once it does not. A unit that does not say keeps what the commit said."""
        if not owed or owed == "NONE":
            return "NONE"
        try:
            pending = unit.restart_pending()
        except NotFoundError:
            return owed
        return "NONE" if pending is None else owed

    def _apply(
        self, inputs: dict[str, Any], serial: str | None = None, owed: str | None = None
    ) -> dict[str, Any]:
        """Bring the Primary's HA settings to `inputs` (adopting what is there).

        Only the Primary is asked, but when HA is being turned on with a backup_host:
        the Backup is then checked (serial, model) before anything is written. Once
        paired, the Primary's HA status names the peer, and the Backup answers only at
        its monitoring address. Both units' locks are taken first (one global order),
        as HaInterface does, since the Backup may be asked while the Primary's session
        is open."""
        client = self.primary_client(inputs, serial)
        backup_client = (
            SonicOSClient(inputs["backup_host"], self.settings)
            if inputs.get("backup_host")
            else None
        )
        units = [client] if backup_client is None else [client, backup_client]
        try:
            outs, backup_changed = self._apply_on(
                client, backup_client, units, inputs, serial, owed
            )
        except _BackupHeld as exc:
            self._raise_held_or_same(exc.client, inputs, exc.primary, exc.held)
        if backup_client is not None and backup_changed and outs["synchronized"]:
            self._require_backup_reachable(backup_client, inputs)
        return outs

    def _require_backup_reachable(self, client: SonicOSClient, inputs: dict[str, Any]) -> None:
        """Once synchronized, the Backup answers management only at its own monitoring
        address with management allowed: check that backup_host, the address the stack
        uses for it, is one (one session on the Backup, only when this apply turned HA
        on or named another Backup), and fail with the fix when it is not. HA stays on:
        turning it off on the Primary would not give the Backup its address back (it
        keeps the settings it synchronized)."""
        serial = inputs["backup_serial"]
        stays = (
            "HA stays on (turning it off on the Primary would not bring the Backup back"
            " there: it keeps the HA settings it synchronized)"
        )
        try:
            with client.session() as backup:
                found = backup.system().serial
        except ApplianceUnreachableError as exc:
            raise ApplianceError(
                f"the pair is synchronized, but the Backup does not answer at backup_host"
                f" {client.host} ({_cause(exc)}): a paired Backup answers management only at"
                " its own HA monitoring address of an interface with management allowed, so"
                " declare an HaMonitoring with allow_management=True whose backup_ip is the"
                f" address used as backup_host ({client.host.split(':')[0]}), or set"
                f" backup_host to the Backup's monitoring address; {stays}. Run `pulumi up`"
                " again after the fix",
                host=client.host,
                serial=serial,
            ) from None
        if found != serial:
            raise ApplianceError(
                f"the pair is synchronized, but backup_host {client.host} answers with serial"
                f" {found}, not the Backup {serial}; set backup_host to the address where the"
                f" Backup answers (its HA monitoring address); {stays}",
                host=client.host,
                serial=found,
            )

    def _apply_on(
        self,
        client: SonicOSClient,
        backup_client: SonicOSClient | None,
        units: list[SonicOSClient],
        inputs: dict[str, Any],
        serial: str | None,
        owed: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """The outputs, and whether this apply turned HA on or named another Backup (when
        the Backup's reachability at backup_host is checked once synchronized)."""
        with hold_units(units) as held, client.session() as unit:
            system = unit.system()
            self.require_serial(unit, serial, "change HA settings", found=system.serial)
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
            before = unit.ha_settings()
            backup: SystemInfo | None = None
            if backup_client is not None and not model.is_enabled(before):
                try:  # HA is being turned on: is backup_host the Backup named?
                    backup = self._backup_info(backup_client)
                except SessionHeldError as held:
                    raise _BackupHeld(held, backup_client, system.serial) from None
                self._check_backup(inputs, system, backup)
            self._preflight(unit, inputs, system, before, backup)
            if backup_client is not None:
                # The Backup is not asked again in this session: let others reach it
                # meanwhile (the sync wait can take minutes).
                held.release(set(backup_client.lock_keys) - set(client.lock_keys))
            backup_changed = (
                not model.is_enabled(before)
                or model.settings_from_api(before)["backup_serial"] != inputs["backup_serial"]
            )
            if inputs["virtual_mac"] and not model.supports_virtual_mac(
                before, system.firmware_version
            ):
                raise unit.error(
                    f"virtual_mac=true, but this unit runs SonicOS {system.firmware_version},"
                    " whose HA settings have no virtual_mac (SonicOS 7.0.1 has none, 7.2 has"
                    " it). Set virtual_mac=false or upgrade the firmware; nothing was written"
                )
            changed = model.differs(before, inputs)
            if serial is None:
                self._say_if_adopted(unit, system.serial, before, inputs, bool(changed))
            if changed:
                desired = model.desired_settings(
                    before, inputs, model.supports_virtual_mac(before, system.firmware_version)
                )
                try:
                    unit.put_ha_settings(desired)
                    unit.commit()
                    run.WRITTEN.note(system.serial)
                except CommitNotHeldError as exc:
                    # The unit may hold part of it: put back what was read before.
                    raise self._put_back_after(unit, before, exc) from None
                except ApplianceError as exc:
                    if exc.status != 400:
                        raise
                    raise unit.error(
                        _rejected_hint(exc, inputs), code=exc.code, status=400
                    ) from None
                if unit.restart_required:
                    progress.report(
                        f"HaPair on {unit.label}: the unit says the change needs a restart"
                        f" (restart_required={unit.restart_required}); restart the Primary for"
                        " it to take effect",
                        logging.WARNING,
                    )
            if inputs["wait_for_sync"]:
                # Also when nothing was written (a pair adopted as it is): the
                # resource promises a synchronized Backup. Nobody is locked out of
                # configuring the unit meanwhile.
                unit.release_config_mode()
                status = self._wait_for_sync(unit, inputs, before, bool(changed))
            else:
                status = unit.ha_status()
            restart = unit.restart_required or self._still_owed(unit, owed)
        outs = {key: inputs.get(key) for key in self.schema.keys}
        outs.update(
            self.expectations_declared(inputs),
            primary_serial=system.serial,
            model=system.model,
            firmware_version=system.firmware_version,
            restart_required=restart,
            **model.status_outputs(status),
        )
        return outs, backup_changed

    @staticmethod
    def _preflight(
        unit: ApplianceSession,
        inputs: dict[str, Any],
        system: SystemInfo,
        before: dict[str, Any],
        backup: SystemInfo | None,
    ) -> None:
        """The preflight's checks on what this apply has just read, before its first
        write, at no request of its own: a mode we do not manage (clustering) is refused,
        never overwritten; primary_host must not be a Backup; both units run the same
        firmware. An update may point the pair at another Backup (a unit replaced)."""
        plan = preflight.Plan(
            primary_host=unit.host,
            backup_host=inputs.get("backup_host"),
            primary_serial=inputs.get("primary_serial"),
            backup_serial=inputs["backup_serial"],
            other_backup_allowed=True,
        )
        primary = preflight.UnitFacts("Primary", unit.host, system=system, ha=before)
        host = plan.backup_host or ""
        other = preflight.UnitFacts("Backup", host, system=backup) if backup else None
        report = preflight.Report(plan, tuple(preflight.evaluate(plan, primary, other)))
        if not report.ok:
            raise preflight.PreflightError(f"HaPair on {unit.label}", report)

    @staticmethod
    def _say_if_adopted(
        unit: ApplianceSession,
        serial: str,
        before: dict[str, Any],
        inputs: dict[str, Any],
        changed: bool,
    ) -> None:
        """A create that finds HA already on naming this Backup takes the pair over: say
        so, since the usual reason is a rename without `aliases`, whose old resource's
        delete must then leave the pair alone (docs/guides/renames-and-replacements.md)."""
        if not model.is_enabled(before):
            return
        named = model.settings_from_api(before)["backup_serial"]
        if named != inputs["backup_serial"]:
            return
        how = "as declared" if not changed else "(its other settings now set as declared)"
        run.warn(
            f"HaPair {serial}: the Primary {unit.host} already has HA on {how}, naming the"
            f" Backup {named}: this resource takes the pair over. If another resource still"
            " manages it (a rename without aliases), its delete leaves the pair alone only in"
            " a run that also declares this resource; a `pulumi destroy` of the other stack"
            " would turn HA off. Say the old name with `aliases` to move it instead"
        )

    def _wait_for_sync(
        self,
        unit: ApplianceSession,
        inputs: dict[str, Any],
        before: dict[str, Any],
        written: bool,
    ) -> dict[str, Any]:
        """Poll until one unit is ACTIVE and the other STANDBY, one progress line per change
        of the pair's state; give up early when no heartbeat can be coming."""
        limit = float(inputs["sync_timeout_s"])
        window = no_heartbeat_window(inputs)
        started = time.monotonic()
        deadline = started + limit
        seen: tuple[str, str, str] | None = None
        silent_since: float | None = None
        step = 0
        while True:
            status = unit.ha_status()
            now = time.monotonic()
            outs = model.status_outputs(status)
            state = (outs["ha_status"], outs["primary_state"], outs["backup_state"])
            if state != seen:
                seen = state
                progress.report(
                    f"HaPair on {unit.label}: {outs['ha_status'] or 'HA status ?'}, Primary"
                    f" {outs['primary_state'] or '?'}, Backup {outs['backup_state'] or '?'}"
                    f" ({now - started:.0f} s of {limit:.0f} s)"
                )
            if outs["synchronized"]:
                return status
            if outs["backup_state"] == "NONE":
                silent_since = now if silent_since is None else silent_since
                if now - silent_since >= window:
                    self._fail_sync(unit, inputs, before, written, status, no_heartbeat=window)
            else:
                silent_since = None
            if now >= deadline or run.stopping():
                break
            pause = _POLL_STEPS[step] if step < len(_POLL_STEPS) else _POLL_MAX
            step += 1
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        self._fail_sync(unit, inputs, before, written, status)

    def _fail_sync(
        self,
        unit: ApplianceSession,
        inputs: dict[str, Any],
        before: dict[str, Any],
        written: bool,
        status: dict[str, Any],
        no_heartbeat: float | None = None,
    ) -> NoReturn:
        """Put the object read before back (when we wrote), then say why and what to do."""
        try:
            if not written:
                restored = "Nothing was changed on the unit."
            else:
                self._restore(unit, before)
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
        if run.stopping():
            message = (
                f"interrupted (the provider host is stopping) while waiting for the Backup"
                f" ({inputs['backup_serial']}) to synchronize. {restored} Run `pulumi up` again:"
                " it compares with the unit and applies what still differs"
            )
            run.warn(f"{unit.host} (serial {unit.serial}): {message}")
            raise unit.error(message, RunInterruptedError)
        outs = model.status_outputs(status)
        seen = (
            f"last HA status {outs['ha_status'] or '?'}, Primary {outs['primary_state'] or '?'},"
            f" Backup {outs['backup_state'] or '?'}"
        )
        control = inputs["control_interface"]
        if no_heartbeat is not None:
            timers = (
                f"{int(inputs['heartbeat_interval_ms'])} ms x"
                f" {int(inputs['failover_trigger_level'])} + election delay"
                f" {int(inputs['election_delay_s'])} s"
            )
            raise unit.error(
                f"no heartbeat from the Backup ({inputs['backup_serial']}) within"
                f" {no_heartbeat:.0f} s (the HA timers' own window, {timers}, with margin), so"
                f" waiting up to sync_timeout_s cannot help; {seen}. {restored} Likely causes:"
                " the Backup is powered off or still booting; the HA control link"
                f" {control} is not cabled directly between the units; backup_serial is not"
                " the serial of the unit at the other end; or the Backup's HA control"
                f" interface is not {control} (control interface mismatch)",
                NoHeartbeatError,
            )
        raise unit.error(
            f"the Backup ({inputs['backup_serial']}) did not synchronize within"
            f" {int(inputs['sync_timeout_s'])} s; {seen}. {restored}"
            " Check that backup_serial is the Backup's serial, that"
            f" the control link {control} is cabled directly between the"
            " units, and that both units are the same model",
            SyncTimeoutError,
        )

    @classmethod
    def _put_back_after(
        cls, unit: ApplianceSession, before: dict[str, Any], exc: CommitNotHeldError
    ) -> ApplianceError:
        """The error for a commit the unit does not hold, after putting back the object
        read before (the unit may hold part of the change)."""
        try:
            cls._restore(unit, before)
            outcome = "The previous HA settings were put back."
        except SonicHaError as again:
            outcome = f"Putting the previous HA settings back failed too ({again})."
        return unit.error(f"{str(exc).split(': ', 1)[-1]} {outcome}", CommitNotHeldError)

    @staticmethod
    def _restore(unit: ApplianceSession, before: dict[str, Any]) -> None:
        """Write back exactly the object read before the change (a PUT replaces it)."""
        unit.put_ha_settings(before)
        unit.commit()

    @staticmethod
    def _backup_info(client: SonicOSClient) -> SystemInfo:
        """What the unit at `backup_host` is (serial, model), checked before HA is turned
        on at the Primary: not answering then is not the pairing's doing (HA is off)."""
        try:
            with client.session() as backup:
                return backup.system()
        except ApplianceUnreachableError as exc:
            raise with_backup_hint(exc, client.host, paired=False) from None

    def _raise_held_or_same(
        self, client: SonicOSClient, inputs: dict[str, Any], primary: str, held: SessionHeldError
    ) -> NoReturn:
        """The unit at backup_host refused a session while ours on the Primary was open:
        another address of the Primary (our own session holds it), or someone else's.
        Asked again with the Primary's session closed."""
        with client.session() as backup:
            serial = backup.system().serial
        if serial == primary:
            raise self.same_unit_error(inputs, serial)
        raise held

    def _check_backup(
        self, inputs: dict[str, Any], primary: SystemInfo, backup: SystemInfo
    ) -> None:
        """The unit at `backup_host` is the Backup named by `backup_serial`, and not the
        Primary under another address (two addresses answering with one serial)."""
        host = SonicOSClient(inputs["backup_host"], self.settings).host
        if backup.serial == primary.serial:
            raise self.same_unit_error(inputs, backup.serial)
        if backup.serial != inputs["backup_serial"]:
            raise ApplianceError(
                f"backup_host answers with serial {backup.serial}, but backup_serial is"
                f" {inputs['backup_serial']}; fix backup_serial or backup_host",
                host=host,
                serial=backup.serial,
            )
        if backup.model != primary.model:
            raise ApplianceError(
                f"the Backup ({backup.serial}) is a {backup.model} but this Primary is a"
                f" {primary.model}; an HA pair needs two units of the same model",
                host=SonicOSClient(inputs["primary_host"], self.settings).host,
                serial=primary.serial,
            )


class _BackupHeld(Exception):
    """The Backup refused a session while the Primary's was open (leaves that session)."""

    def __init__(self, held: SessionHeldError, client: SonicOSClient, primary: str) -> None:
        super().__init__(str(held))
        self.held = held
        self.client = client
        self.primary = primary


def _cause(exc: ApplianceError) -> str:
    """An error's text without the unit it names (the caller names it)."""
    return str(exc).split(": ", 1)[-1].removesuffix("; nothing was committed")


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
