"""HaFailover: keep the declared unit Active, and run failover drills as code.

Sections in the usual order: check/diff (base class), create, read, update, delete.

- **read** asks the Primary at its own address which unit is Active (the Backup at
  its own when the Primary does not answer): with `active` declared, a pair whose
  Active unit is another one reads as drift, and a warning says since when.
- **create/update** move the pair to the declared unit when it is not there, and
  run a drill when `drill` changes (at create too, when given). Both start with the
  same checks, before anything is sent: the pair is synchronized (one unit ACTIVE,
  the other STANDBY) and its HA links are up on the Primary; the Backup answers at
  backup_host with the serial the Primary's HA settings name.
- **a drill**: force a failover on the Active unit; wait until the other unit is
  ACTIVE and the first STANDBY; check that `pair_host` now answers on the new Active
  unit; fail back the same way (unless `active` says the Backup; with preempt on, the
  Primary takes Active back by itself and the drill waits for that instead). Each wait
  is bounded by `max_seconds`; on a timeout or Ctrl-C the pair is left as it is and the
  error says where each unit stands.
- **delete** changes nothing on the units: which unit is Active stays as it is.

A failover is only asked of the Active unit (a Standby takes no configuration), and an
action is never sent twice (a failover sent twice fails back).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from .. import progress
from ..errors import (
    ApplianceError,
    ApplianceUnreachableError,
    PairNotReadyError,
    SonicHaError,
)
from ..ha_state import HaView, role_word
from ..models import ha_failover as model
from ..sonicos import ApplianceSession, SonicOSClient
from . import run
from .base import SonicHaProvider
from .pair_watch import PairIdentity, PairWatch, Unit, identify_pair

OTHER = {"primary": "backup", "backup": "primary"}


class HaFailoverProvider(SonicHaProvider):
    schema = model.SCHEMA
    host_serials = {"primary_host": "primary_serial"}
    behaviour_only = frozenset({"backup_host", "pair_host", "max_seconds"})

    # -- create ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.with_defaults(props)
        outs = self._apply(inputs, {}, drill=inputs.get("drill") is not None)
        return CreateResult(id_=outs["primary_serial"], outs=outs)

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = self.with_defaults(props)
        outs = {key: value for key, value in props.items() if key != "__provider"}
        with self._watch(props) as watch:
            view, asked, missed = watch.any_view()
        if missed:
            run.warn(f"HaFailover {id_}: {missed}; read what the Backup says of the pair")
        outs.update(self._status_outputs(view))
        declared = props.get("active")
        if view.active and view.active != (declared or "primary"):
            run.warn(self._since_text(id_, view, declared))
        inputs = self.inputs_of(outs)
        if declared is not None:
            inputs["active"] = view.active  # drift: the unit Active now, or none
            outs["active"] = view.active
        return ReadResult(id_=id_, outs=outs, inputs=inputs)

    # -- update ---------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        olds, news = self.with_defaults(olds), self.with_defaults(news)
        drill = news.get("drill") is not None and news.get("drill") != olds.get("drill")
        if not drill and news.get("active") == olds.get("active"):
            # Addresses (the same units: diff checked), the bound, or `drill` taken out:
            # nothing to do on the pair, so nothing is sent.
            outs = {k: v for k, v in olds.items() if k != "__provider"}
            outs.update({f.name: news.get(f.name) for f in self.schema.fields})
            return UpdateResult(outs=outs)
        return UpdateResult(outs=self._apply(news, olds, drill=drill, serial=id_ or None))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing on the units: the pair keeps whichever unit is Active now."""

    # -- the work ---------------------------------------------------------------
    def _apply(
        self,
        inputs: dict[str, Any],
        olds: dict[str, Any],
        *,
        drill: bool,
        serial: str | None = None,
    ) -> dict[str, Any]:
        """Check the pair, move it to the declared unit if needed, drill if asked."""
        who = f"HaFailover on {inputs['primary_host']}"
        with self._watch(inputs, serial) as watch:
            found = identify_pair(watch.session("primary"), who)
            view = watch.session("primary").ha_view()
            home = inputs.get("active") or "primary"
            outs = {f.name: inputs.get(f.name) for f in self.schema.fields}
            outs.update({key: olds.get(key) for key in model.DRILL_OUTPUTS if key in olds})
            outs.update(primary_serial=found.primary_serial, backup_serial=found.backup_serial)
            move = inputs.get("active") is not None and view.active != home
            if not (move or drill):
                # Nothing to do on the pair: just where it stands (a create that watches).
                outs.update(self._status_outputs(view))
                return outs
            pair = self._check_pair(watch, found)
            view = pair.view
            if view.active != home:
                if inputs.get("active") is None:
                    raise watch.session("primary").error(
                        f"not starting the drill: {role_word(view.active)} is Active"
                        f" ({view.describe()}), and a drill starts from the Primary Active."
                        ' Declare active="primary" (up then moves the pair back first, after'
                        " the same checks), or fail back on the unit; nothing was done",
                        PairNotReadyError,
                    )
                self._refuse_preempt_conflict(watch, who, pair, home)
                progress.report(f"{who}: {role_word(view.active)} is Active; moving to {home}")
                view, _ = self._move(watch, who, inputs, view, home)
            if drill:
                outs.update(self._drill(watch, who, inputs, pair, view, home))
                view = watch.any_view()[0]
            outs.update(self._status_outputs(view))
        return outs

    def _check_pair(self, watch: PairWatch, found: PairIdentity) -> _Pair:
        """Before a failover: an active/standby pair, synchronized, links up on the
        Primary; the Backup answers at backup_host. Nothing is sent but reads."""
        unit = watch.session("primary")
        if found.mode != "active_standby":
            raise unit.error(
                f"the pair runs in mode {found.mode}; failover drills are for mode"
                " active-standby (in the Active/Active modes both units carry traffic);"
                " nothing was done",
                PairNotReadyError,
            )
        ours = found.settings
        backup_serial = found.backup_serial
        view = unit.ha_view()
        if not view.synchronized:
            raise unit.error(
                f"the pair is not synchronized ({view.status or '?'}: {view.describe()};"
                " a drill or a move needs one unit ACTIVE and the other STANDBY, or the"
                " Backup could not take over); nothing was done. Wait for the HA sync (HaPair"
                " waits for it), or look at High Availability > Status on the unit",
                PairNotReadyError,
            )
        down = []
        for link in {ours.get("control_interface"), ours.get("data_interface")} - {None}:
            status = unit.link_status(str(link))
            if not status.connected:
                down.append(f"{link} ({status.text})")
        if down:
            raise unit.error(
                f"HA link {', '.join(sorted(down))} is down on the Primary; a failover"
                " now could leave the pair without its peer. Cable the HA ports directly"
                " between the units; nothing was done",
                PairNotReadyError,
            )
        watch.know_serials(found.primary_serial, backup_serial)
        try:
            watch.view("backup")
        except ApplianceUnreachableError as exc:
            raise ApplianceError(
                f"the Backup does not answer at backup_host"
                f" {watch.units['backup'].host} ({exc.message}); a drill needs both units"
                " reachable at their own addresses (the Backup's HA monitoring address with"
                " management allowed); nothing was done",
                host=watch.units["backup"].host,
                serial=backup_serial,
            ) from None
        return _Pair(found.primary_serial, backup_serial, bool(ours.get("preempt")), view)

    def _refuse_preempt_conflict(self, watch: PairWatch, who: str, pair: _Pair, home: str) -> None:
        if home == "backup" and pair.preempt:
            raise watch.session("primary").error(
                'active="backup", but preempt is on in the pair\'s HA settings: the'
                " Primary takes Active back by itself, so the Backup cannot stay Active."
                ' Turn preempt off (HaPair preempt=false) or declare active="primary";'
                " nothing was done",
                PairNotReadyError,
            )

    def _move(
        self,
        watch: PairWatch,
        who: str,
        inputs: dict[str, Any],
        view: HaView,
        to: str,
        preempt: bool = False,
    ) -> tuple[HaView, float]:
        """Force a failover on the Active unit and wait until `to` is ACTIVE, the other
        STANDBY; then check that the pair's address answers on `to`. With `preempt` (to
        the Backup), the Primary may take Active back before a poll sees the Backup
        steady: the Backup seen ACTIVE, then the Primary steady again, ends the wait too."""
        source = OTHER[to]
        if view.active != source:
            raise watch.session("primary").error(
                f"expected {role_word(source)} Active before failing over, but the"
                f" pair says {view.describe()}; nothing was done",
                PairNotReadyError,
            )
        unit = watch.session(source)
        unit.force_failover()
        self._release(unit)
        progress.report(
            f"{who}: failover asked of {watch.units[source].label()}; waiting for {role_word(to)}"
        )
        reached = {"to": False}

        def done(v: HaView) -> bool:
            reached["to"] = reached["to"] or v.active == to
            if v.is_(to):
                return True
            return preempt and to == "backup" and reached["to"] and v.is_("primary")

        seen, seconds = watch.wait_until(
            done,
            f"{role_word(to)} is ACTIVE and {role_word(source)} STANDBY",
            float(inputs["max_seconds"]),
        )
        if seen.is_(to):
            self._check_pair_host(watch, who, inputs, to)
        return seen, seconds

    def _drill(
        self,
        watch: PairWatch,
        who: str,
        inputs: dict[str, Any],
        pair: _Pair,
        view: HaView,
        home: str,
    ) -> dict[str, Any]:
        """Fail over to the other unit and back (unless `active` is that unit)."""
        started = dt.datetime.now(dt.UTC)
        before = view.states()
        away = OTHER[home]
        progress.report(
            f"{who}: drill {inputs['drill']!r}: failing over from {role_word(home)} to"
            f" {role_word(away)}"
        )
        view, over = self._move(watch, who, inputs, view, away, preempt=pair.preempt)
        result = f"failed over to {role_word(away)} in {over:.1f} s"
        # Back to where `active` says the pair belongs (the Primary when unset).
        if pair.preempt and home == "primary" and view.is_("primary"):
            back = 0.0
            result += ", the Primary took Active back by itself (preempt) before the next poll"
        elif pair.preempt and home == "primary":
            # With preempt on, the Primary takes Active back by itself: a failover asked
            # now would hand Active to the Backup once more.
            progress.report(f"{who}: preempt is on: waiting for the Primary to take Active back")
            view, back = watch.wait_until(
                lambda v: v.is_("primary"),
                "the Primary takes Active back (preempt)",
                float(inputs["max_seconds"]),
            )
            self._check_pair_host(watch, who, inputs, "primary")
            result += f", the Primary took Active back by itself (preempt) in {back:.1f} s"
        else:
            view, back = self._move(watch, who, inputs, watch.any_view()[0], home)
            result += f", failed back to {role_word(home)} in {back:.1f} s"
        progress.report(f"{who}: drill {inputs['drill']!r} passed: {result}")
        return {
            "drilled_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "drill_result": f"passed: {result}",
            "failover_seconds": round(over, 1),
            "failback_seconds": round(back, 1),
            "states_before": before,
            "states_after": view.states(),
        }

    def _check_pair_host(self, watch: PairWatch, who: str, inputs: dict[str, Any], to: str) -> None:
        """The pair's address answers on the unit now Active (its serial), when given. No
        session may be open on that unit meanwhile: a unit takes one API session."""
        pair_host = inputs.get("pair_host")
        if not pair_host:
            return
        expected = watch.units[to]
        watch.drop(to)
        try:
            with SonicOSClient(pair_host, self.settings).session() as unit:
                found = unit.system().serial
        except SonicHaError as exc:
            raise ApplianceError(
                f"after the failover {role_word(to)} is ACTIVE, but the pair's address"
                f" pair_host {pair_host} does not answer ({exc.message}); the pair was left as"
                f" it is: {watch.where_each_stands()}",
                host=pair_host,
            ) from None
        if found != expected.serial:
            raise ApplianceError(
                f"after the failover {role_word(to)} ({expected.serial}) is ACTIVE, but"
                f" the pair's address pair_host {pair_host} answers with serial {found}: the"
                " pair's addresses did not move to the Active unit (check pair_host is an"
                f" interface address of the pair); the pair was left as it is:"
                f" {watch.where_each_stands()}",
                host=pair_host,
                serial=found,
            )
        progress.report(f"{who}: the pair's address {pair_host} answers on {role_word(to)}")

    # -- helpers ---------------------------------------------------------------
    def _watch(self, props: dict[str, Any], serial: str | None = None) -> PairWatch:
        primary = Unit("primary", props["primary_host"], serial or props.get("primary_serial"))
        backup = Unit("backup", props["backup_host"], props.get("backup_serial"))
        who = f"HaFailover on {props['primary_host']}"
        return PairWatch(self.settings, who, primary, backup, also=(props.get("pair_host"),))

    @staticmethod
    def _release(unit: ApplianceSession) -> None:
        """Config mode back after an action (nobody locked out while we wait)."""
        try:
            unit.release_config_mode()
        except SonicHaError as exc:  # the action is sent; the session times out anyway
            logging.getLogger("pulumi_sonicha").debug("release failed: %s", exc.message)

    @staticmethod
    def _status_outputs(view: HaView) -> dict[str, Any]:
        return {
            "active_unit": view.active or "none",
            "ha_status": view.status,
            "primary_state": view.primary_state,
            "backup_state": view.backup_state,
        }

    @staticmethod
    def _since_text(id_: str, view: HaView, declared: str | None) -> str:
        seconds = view.up_time_seconds()
        since = ""
        if seconds is not None:
            when = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
            since = f" since {when.strftime('%Y-%m-%d %H:%M UTC')} ({view.active_up_time})"
        expected = role_word(declared or "primary")
        return (
            f"HaFailover {id_}: {role_word(view.active)} has been Active{since}, not"
            f" {expected} ({view.describe()}): the pair failed over."
            + (
                f" `pulumi up` moves it back to {expected} after checking the pair is"
                " synchronized and its links are up"
                if declared
                else ' Declare active="primary" to have a drift preview flag this'
            )
        )


class _Pair:
    """What the checks found: the serials, preempt, and the pair's status."""

    def __init__(self, primary_serial: str, backup_serial: str, preempt: bool, view: HaView):
        self.primary_serial = primary_serial
        self.backup_serial = backup_serial
        self.preempt = preempt
        self.view = view
