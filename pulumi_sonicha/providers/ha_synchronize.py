"""HaSynchronize: synchronize the Backup from the Primary, on create and on a new trigger.

Sections in the usual order: check/diff (base class), create, read, update, delete.

The vendor's action (`POST /high-availability/synchronize/settings|firmware`, O70/O72)
is asked of the Active unit, the Primary here; the Backup takes the settings or the
firmware and reboots ("The Idle unit will reboot", 5.8.1 guide), then comes back
STANDBY. The wait follows it through the reboot on the Primary's HA status (the
Backup is gone meanwhile: a progress line every few seconds says so), bounded by
`max_seconds`; then, with `backup_host`, the Backup must answer at its own address
again. The outputs record when and how long.

Before anything is sent: the Primary is the Primary of a pair with HA on, it is
Active, and it hears the Backup (a unit without heartbeats cannot be synchronized).
No unit keeps a trace of a synchronization, so read reports what was recorded (no
request, no drift), and delete changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from .. import progress
from ..errors import PairNotReadyError
from ..ha_state import HaView
from ..models import ha_synchronize as model
from .base import SonicHaProvider
from .pair_watch import PairWatch, Unit, identify_pair

# A Backup that has not left STANDBY this long after the call did not reboot (a
# release that synchronizes without one): the synchronization is then taken as done.
REBOOT_START_S = 30.0


class HaSynchronizeProvider(SonicHaProvider):
    schema = model.SCHEMA
    host_serials = {"primary_host": "primary_serial"}
    behaviour_only = frozenset({"backup_host", "what", "max_seconds"})

    # -- create ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.with_defaults(props)
        outs = self._synchronize(inputs, None)
        return CreateResult(id_=outs["primary_serial"], outs=outs)

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Nothing on a unit records a synchronization: what was recorded, no request."""
        outs = {k: v for k, v in self.with_defaults(props).items() if k != "__provider"}
        return ReadResult(id_=id_, outs=outs, inputs=self.inputs_of(outs))

    # -- update ---------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        olds, news = self.with_defaults(olds), self.with_defaults(news)
        if news.get("trigger") == olds.get("trigger"):
            # Only a new trigger synchronizes (addresses, what, the bound: nothing sent).
            outs = {k: v for k, v in olds.items() if k != "__provider"}
            outs.update({f.name: news.get(f.name) for f in self.schema.fields})
            return UpdateResult(outs=outs)
        return UpdateResult(outs=self._synchronize(news, id_ or None))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing on the units: a synchronization cannot be undone."""

    # -- the work ---------------------------------------------------------------
    def _synchronize(self, inputs: dict[str, Any], serial: str | None) -> dict[str, Any]:
        who = f"HaSynchronize on {inputs['primary_host']}"
        what = inputs["what"]
        limit = float(inputs["max_seconds"])
        primary = Unit("primary", inputs["primary_host"], serial)
        backup = Unit("backup", inputs["backup_host"], None) if inputs.get("backup_host") else None
        with PairWatch(self.settings, who, primary, backup) as watch:
            unit = watch.session("primary")
            found = identify_pair(unit, who)
            watch.know_serials(found.primary_serial, found.backup_serial)
            view = unit.ha_view()
            self._refuse_unless_ready(unit, who, view)
            if backup is not None:
                watch.view("backup")  # it answers there, with the serial the Primary names
                watch.drop("backup")  # its reboot ends every session
            started_at = dt.datetime.now(dt.UTC)
            started = time.monotonic()
            unit.synchronize(what)
            unit.release_config_mode()
            progress.report(
                f"{who}: synchronizing the {what} to the Backup ({found.backup_serial}); it"
                " reboots and comes back STANDBY"
            )
            left = {"standby": True}

            def back(v: HaView) -> bool:
                if v.backup_state != "STANDBY":
                    left["standby"] = False
                if left["standby"] and time.monotonic() - started >= min(REBOOT_START_S, limit / 2):
                    return v.is_("primary")  # it never rebooted: nothing to wait for
                return not left["standby"] and v.is_("primary")

            view, _ = watch.wait_until(
                back,
                "the Backup is STANDBY again",
                limit,
                gone=lambda v: v.backup_state not in ("STANDBY", "ACTIVE"),
            )
            if backup is not None:
                remaining = max(1.0, limit - (time.monotonic() - started))
                watch.wait_until(
                    lambda v: True,
                    f"the Backup answers at backup_host {backup.host}",
                    remaining,
                    prefer="backup",
                    only=True,
                )
            seconds = time.monotonic() - started
        rebooted = "" if not left["standby"] else " (the Backup did not reboot)"
        progress.report(f"{who}: the {what} synchronized in {seconds:.1f} s{rebooted}")
        outs = {f.name: inputs.get(f.name) for f in self.schema.fields}
        outs.update(
            primary_serial=found.primary_serial,
            backup_serial=found.backup_serial,
            synchronized_at=started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            sync_seconds=round(seconds, 1),
            states_after=view.states(),
            sync_result=f"the {what} synchronized in {seconds:.1f} s{rebooted}",
        )
        return outs

    @staticmethod
    def _refuse_unless_ready(unit: Any, who: str, view: HaView) -> None:
        """The Primary is Active and hears the Backup; otherwise nothing is sent."""
        if view.primary_state != "ACTIVE":
            raise unit.error(
                f"the Primary is {view.primary_state or '?'} ({view.describe()}): a"
                " synchronization is asked of the Active unit and reboots the idle one. Fail"
                ' back first (HaFailover active="primary") or wait until the pair settles;'
                " nothing was done",
                PairNotReadyError,
            )
        if view.backup_state in ("", "NONE", "REBOOT"):
            state = "rebooting" if view.backup_state == "REBOOT" else "sending no heartbeat"
            raise unit.error(
                f"the Backup is {state} ({view.describe()}), so a synchronization"
                " cannot reach it. Check that the Backup is powered on and the HA control"
                " link is cabled directly between the units, and run again; nothing was done",
                PairNotReadyError,
            )
