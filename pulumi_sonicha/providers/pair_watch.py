"""Watching a pair through an action: both units asked, waits bounded, progress shown.

HaFailover and HaSynchronize act on a pair with the vendor's actions and then wait
for the pair to reach a state (the other unit ACTIVE, the Backup STANDBY again).
What they share lives here:

- **Both units can be asked.** Each unit reports the whole pair
  (`primary_state`, `secondary_state`) and names itself in `status` ("Primary
  Standby", "Secondary Active"). A wait asks the Primary at its own address and,
  when the Primary does not answer (rebooting, lost), the Backup at its own: one
  unit gone never blinds the wait. A unit's session is held across polls and opened
  again after a failure.
- **Bounded waits with progress.** One progress line per change of state, and one
  every few seconds while a unit is gone; a deadline after which the pair is left as
  it is and the error says where each unit stands (each unit asked once more, in
  its own words); Ctrl-C (the provider host stopping) ends the wait the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from .. import progress
from ..errors import (
    ApplianceError,
    ApplianceUnreachableError,
    HaWaitTimeoutError,
    PairNotReadyError,
    RunInterruptedError,
    SonicHaError,
)
from ..ha_state import HaView
from ..models.ha_pair import settings_from_api
from ..serials import normalize_serial
from ..settings import Settings
from ..sonicos import ApplianceSession, SonicOSClient, hold_units
from . import run

# Seconds between polls: quick at first (the simulator and small pairs move fast),
# then once a second; a line every GONE_EVERY seconds while a unit is away.
POLL_STEPS = (0.1, 0.2, 0.4, 0.8)
POLL_MAX = 1.0
GONE_EVERY = 5.0
ROLE_NAMES = {"primary": "Primary", "backup": "Backup"}


@dataclass(frozen=True)
class Unit:
    """One unit of the pair as the resource knows it."""

    role: str  # "primary" or "backup"
    host: str
    serial: str | None

    @property
    def name(self) -> str:
        return ROLE_NAMES[self.role]

    def label(self) -> str:
        serial = f" (serial {self.serial})" if self.serial else ""
        return f"the {self.name} {self.host}{serial}"


@dataclass(frozen=True)
class PairIdentity:
    """Who the pair is, from the HA settings of the unit at primary_host."""

    primary_serial: str
    backup_serial: str
    mode: str  # the API's mode key: "active_standby", "active_active_dpi", ...
    settings: dict[str, Any]  # HaPair's observed inputs (links, preempt...)


def identify_pair(unit: ApplianceSession, who: str) -> PairIdentity:
    """The unit has HA on, and is the Primary its HA settings name (a pair's address
    answers on whichever unit is Active: then this is the Backup). Reads only."""
    system = unit.system()
    api = unit.ha_settings()
    mode = api.get("mode") or {}
    if not mode:
        raise unit.error(
            "High Availability is off on this unit; declare the HaPair first (this"
            " resource acts on a synchronized pair); nothing was done",
            PairNotReadyError,
        )
    name = next(iter(mode))
    fields = mode.get(name) or {}
    primary_serial = normalize_serial(fields.get("primary_serial")) or system.serial
    if system.serial != primary_serial:
        raise unit.error(
            f"primary_host reaches the Backup (serial {system.serial}), not the"
            f" Primary ({primary_serial}): it is the pair's address while the Backup is"
            " Active, or the Backup's own address. Set primary_host to the Primary's own HA"
            " monitoring address (HaMonitoring primary_ip), which stays the Primary's after"
            " a failover; nothing was done",
            PairNotReadyError,
        )
    ours = settings_from_api(api)
    return PairIdentity(system.serial, ours["backup_serial"] or "", name, ours)


class PairWatch:
    """Sessions on the two units of one pair, held while an operation watches it."""

    def __init__(
        self,
        settings: Settings,
        who: str,
        primary: Unit,
        backup: Unit | None,
        also: tuple[str, ...] = (),
    ) -> None:
        self.settings = settings
        self.who = who  # how progress lines and errors name the resource
        self.units = {"primary": primary, **({"backup": backup} if backup else {})}
        self._stacks: dict[str, ExitStack] = {}
        self._sessions: dict[str, ApplianceSession] = {}
        # Every unit's lock first, in the one global order (as HaPair and HaInterface
        # take theirs): sessions opened later re-enter them, so an operation on the same
        # units in another worker thread waits instead of deadlocking. `also`: other
        # addresses this operation logs in at (the pair's).
        clients = [SonicOSClient(u.host, settings, serial=u.serial) for u in self.units.values()]
        clients += [SonicOSClient(host, settings) for host in also if host]
        self._locks = ExitStack()
        self._locks.enter_context(hold_units(clients))

    def know_serials(self, primary: str, backup: str) -> None:
        """The serials the Primary's HA settings name: each unit is checked against its
        own from now on (the address of the other would be refused)."""
        self.units["primary"] = Unit("primary", self.units["primary"].host, primary)
        if "backup" in self.units:
            self.units["backup"] = Unit("backup", self.units["backup"].host, backup)

    # -- sessions ---------------------------------------------------------------
    def session(self, role: str) -> ApplianceSession:
        """The held session on one unit, opened (and its serial checked) on first use."""
        if role in self._sessions:
            return self._sessions[role]
        unit = self.units[role]
        stack = ExitStack()
        try:
            client = SonicOSClient(unit.host, self.settings, serial=unit.serial)
            session = stack.enter_context(client.session())
            found = session.system().serial
        except BaseException:
            stack.close()
            raise
        if unit.serial and found != unit.serial:
            stack.close()
            raise ApplianceError(
                f"{self.who}: {unit.host} answers with serial {found}, not the {unit.name}'s"
                f" {unit.serial}; nothing was done there. Set {unit.role}_host to the"
                f" {unit.name}'s own HA monitoring address, which stays its own after a"
                " failover (a pair's interface address answers on whichever unit is Active)",
                host=unit.host,
                serial=found,
            )
        self._stacks[role], self._sessions[role] = stack, session
        return session

    def drop(self, role: str) -> None:
        """Close one unit's session (logged out, best effort)."""
        self._sessions.pop(role, None)
        stack = self._stacks.pop(role, None)
        if stack is not None:
            try:
                stack.close()
            except SonicHaError:
                pass

    def close(self) -> None:
        for role in list(self._stacks):
            self.drop(role)
        self._locks.close()

    def __enter__(self) -> PairWatch:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------
    def view(self, role: str) -> HaView:
        """What one unit says of the pair (its session held; dropped after a failure, so
        the next poll opens a new one: a reboot ends every session)."""
        try:
            return self.session(role).ha_view()
        except SonicHaError:
            self.drop(role)
            raise

    def any_view(self, prefer: str = "primary") -> tuple[HaView, str, str | None]:
        """The pair as the preferred unit says it, or as the other one does when that one
        does not answer: (view, role asked, why the preferred one did not answer)."""
        order = [prefer, *[r for r in self.units if r != prefer]]
        missed: str | None = None
        for role in order:
            if role not in self.units:
                continue
            try:
                return self.view(role), role, missed
            except ApplianceUnreachableError as exc:
                missed = f"{self.units[role].label()} did not answer ({_reason(exc)})"
        raise ApplianceUnreachableError(
            f"{self.who}: neither unit answers: {missed}; check both units and the network"
            " path to their HA monitoring addresses",
            host=self.units[prefer].host,
            serial=self.units[prefer].serial,
        )

    def where_each_stands(self) -> str:
        """Each unit asked once more, in its own words (a short sentence per unit)."""
        parts = []
        for role, unit in self.units.items():
            try:
                view = self.view(role)
                parts.append(f"{unit.label()} says {view.status or '?'} ({view.describe()})")
            except SonicHaError as exc:
                parts.append(f"{unit.label()} did not answer ({_reason(exc)})")
        return "; ".join(parts)

    # -- waiting --------------------------------------------------------------------
    def wait_until(
        self,
        done: Callable[[HaView], bool],
        what: str,
        max_seconds: float,
        prefer: str = "primary",
        gone: Callable[[HaView], bool] | None = None,
        only: bool = False,
    ) -> tuple[HaView, float]:
        """Poll until `done(view)`; (the view, seconds it took). A line per change of
        state, and every GONE_EVERY seconds while `gone(view)` (a unit away) or while
        the preferred unit does not answer. On the deadline or Ctrl-C: the pair is left
        as it is, and the error says where each unit stands. `only`: ask the preferred
        unit alone (to wait until that one answers)."""
        started = time.monotonic()
        deadline = started + max_seconds
        seen: tuple[str, str] | None = None
        last_line = started
        step = 0
        while True:
            now = time.monotonic()
            try:
                if only:
                    view, asked, missed = self.view(prefer), prefer, None
                else:
                    view, asked, missed = self.any_view(prefer)
            except ApplianceUnreachableError as exc:
                view, asked, missed = None, "", _reason(exc)
            now = time.monotonic()
            elapsed = now - started
            if view is not None and done(view):
                progress.report(f"{self.who}: {what}: done in {elapsed:.1f} s ({view.describe()})")
                return view, elapsed
            state = (view.describe() if view else "no answer", missed or "")
            away = view is None or missed is not None or (gone is not None and gone(view))
            if state != seen or (away and now - last_line >= GONE_EVERY):
                seen, last_line = state, now
                said = (
                    f"{ROLE_NAMES.get(asked, '?')} says {view.status or '?'}, {view.describe()}"
                    if view
                    else "no unit answers"
                )
                extra = f"; {missed}" if missed else ""
                progress.report(
                    f"{self.who}: waiting until {what}: {said}{extra}"
                    f" ({elapsed:.0f} s of {max_seconds:.0f} s)"
                )
            if run.stopping():
                self._give_up(what, elapsed, interrupted=True)
            if now >= deadline:
                self._give_up(what, elapsed, interrupted=False)
            pause = POLL_STEPS[step] if step < len(POLL_STEPS) else POLL_MAX
            step += 1
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))

    def _give_up(self, what: str, elapsed: float, *, interrupted: bool) -> None:
        stands = self.where_each_stands()
        primary = self.units["primary"]
        if interrupted:
            message = (
                f"{self.who}: interrupted (the provider host is stopping) after {elapsed:.0f} s"
                f" waiting until {what}; the pair was left as it is: {stands}"
            )
            run.warn(message)
            raise RunInterruptedError(message, host=primary.host, serial=primary.serial)
        raise HaWaitTimeoutError(
            f"{self.who}: not done within max_seconds ({elapsed:.0f} s) waiting until {what};"
            f" the pair was left as it is: {stands}",
            host=primary.host,
            serial=primary.serial,
        )


def _reason(exc: SonicHaError) -> str:
    """The part of an error after the unit's name (messages here name the unit once)."""
    text = exc.message
    host = getattr(exc, "host", None)
    if host and text.startswith(host):
        text = text.split(": ", 1)[-1]
    return text
