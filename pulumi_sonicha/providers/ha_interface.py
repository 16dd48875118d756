"""HaInterface: the HA link, the same interface on both units, zone Unassigned, cabled.

Sections in the usual order: check/diff (base class), create, read, update,
delete. create, update and delete hold one admin session on each unit at the
same time (taken in sorted host order, so two operations on the same pair
wait for each other instead of deadlocking), check everything on both units
before writing anything, stage the change where it is needed and commit once
per unit. When the
second commit fails the first unit is put back as it was, so a failed apply
changes neither unit. What an unassign replaced (zone and IP settings) is
kept in the outputs, so delete can put it back: what was there before this
resource first touched the port (recorded by create only; an update that
repairs a zone set by hand does not record the hand-made zone).

A unit holds one zone per port: a replacement deletes first
(`delete_before_replace`), and delete only touches a unit whose port is still as
this resource left it (Unassigned, and not set by another resource during this
run: `run.CLAIMS`). A unit that cannot be reached, or that refuses its old zone
back, is reported as a warning and the delete completes, leaving the port
Unassigned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from .. import preflight
from ..errors import (
    ApplianceError,
    ApplianceUnreachableError,
    CommitUncertainError,
    NotFoundError,
    SessionHeldError,
    SonicHaError,
    TooManySessionsError,
    UnitReplacedError,
)
from ..models import ha_interface as model
from ..models.ha_interface import ROLE_NAMES, ROLES, UNASSIGNED
from ..models.ha_pair import ha_link_role, settings_from_api
from ..schema import is_unknown, same_host
from ..sonicos import ApplianceSession, LinkStatus, SonicOSClient, SystemInfo, hold_units
from . import run
from .base import SonicHaProvider, primary_paired, with_backup_hint

log = logging.getLogger("pulumi_sonicha")


@dataclass
class _Unit:
    """One unit of the pair with its open admin session."""

    role: str  # "primary" | "backup"
    session: ApplianceSession
    system: SystemInfo

    @property
    def name(self) -> str:
        return ROLE_NAMES[self.role]

    def error(self, message: str, **kw: Any) -> ApplianceError:
        return self.session.error(message, **kw)


@dataclass
class _Port:
    """What one unit reports for the HA interface."""

    ipv4: dict[str, Any]
    link: LinkStatus

    @property
    def zone(self) -> str:
        return model.zone_of(self.ipv4)


class HaInterfaceProvider(SonicHaProvider):
    schema = model.SCHEMA
    host_serials = {"primary_host": "primary_serial", "backup_host": "backup_serial"}
    delete_before_replace = True

    # -- preflight of a replacement (diff) -------------------------------------
    def preflight_plan(self, inputs: dict[str, Any]) -> preflight.Plan | None:
        """The new link: both units answering, the port zoned (or to be unassigned) and
        cabled on both, neither unit in a pair with a third unit (a Backup whose Primary
        is not at primary_host: a typo there would otherwise move a working pair's link
        to another firewall)."""
        if any(is_unknown(value) for value in inputs.values()):
            return None
        link = preflight.Link(
            inputs["interface"],
            inputs["purpose"],
            unassign_zone=bool(inputs["unassign_zone"]),
            require_link=bool(inputs["require_link"]),
        )
        return preflight.Plan(
            primary_host=inputs["primary_host"],
            backup_host=inputs["backup_host"],
            links=(link,),
            pairing=False,
            override_session=self.settings.override_session,
        )

    # -- create ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._apply(self.declared_inputs(self.with_defaults(props)), olds={})
        id_ = f"{outs['primary_serial']}/{outs['interface']}"
        return CreateResult(id_=id_, outs=self.claimed_outputs(outs, {}, id_))

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Per unit: log in, the interface (zone), its link, log out; both units at once
        (each under its own host lock, one after the other would double a refresh)."""
        props = self.with_defaults(props)
        name = props["interface"]
        try:
            with ThreadPoolExecutor(max_workers=len(ROLES)) as pool:
                ports = pool.map(lambda role: self._observe(props, role, name), ROLES)
                observed = dict(zip(ROLES, ports, strict=True))
        except TooManySessionsError:
            # Both addresses reach one unit now: after a failover the pair's address
            # answers on the Backup. A read is safe one unit after the other.
            observed = {role: self._observe(props, role, name) for role in ROLES}
            run.warn(
                f"HaInterface {id_}: primary_host {props['primary_host']} and backup_host"
                f" {props['backup_host']} could not be read at once (one unit answers both:"
                " after a failover the pair's address answers on the Backup), so they were"
                " read one after the other. Declare each unit's own HA monitoring address as"
                " its host, which stays its own after a failover"
            )
        if observed["primary"] is None:
            return self.gone()
        outs = {key: value for key, value in props.items() if key != "__provider"}
        for role, port in observed.items():
            outs[f"{role}_zone"] = port.zone if port else None
            outs[f"{role}_link"] = port.link.text if port else None
        return ReadResult(id_=id_, outs=outs, inputs=self.inputs_of(outs))

    def _observe(self, props: dict[str, Any], role: str, name: str) -> _Port | None:
        """The interface on one unit, or None when that unit no longer has it."""
        paired = lambda: primary_paired(self._client(props, "primary"))  # noqa: E731
        with self._session(self._client(props, role), role, paired) as unit:
            try:
                ipv4 = unit.interface(name)
            except NotFoundError:
                # Before saying "gone": is this still the unit we manage? (1 request)
                self.check_serial_on_read(unit, props.get(f"{role}_serial"))
                return None
            if model.zone_of(ipv4) != UNASSIGNED:  # before reporting drift, likewise
                self.check_serial_on_read(unit, props.get(f"{role}_serial"))
            return _Port(ipv4=ipv4, link=unit.link_status(name))

    # -- update ---------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        olds, news = self.with_defaults(olds), self.with_defaults(news)
        # Every update checks both units: purpose, unassign_zone and require_link change
        # nothing there, but an update is also how a zone set by hand gets repaired.
        outs = self._apply(self.declared_inputs(news), olds=olds)
        return UpdateResult(outs=self.claimed_outputs(outs, olds, id_))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Put back the zones this resource removed, on each unit still as this resource
        left it: the units checked first, one commit each, the first set back if the
        second's commit fails. A unit out of reach, or refusing its old zone, is a
        warning: the delete completes and the port stays Unassigned."""
        props = self.with_defaults(props)
        name = props["interface"]
        previous_zones = props.get("previous_zones") or {}
        previous_ips = props.get("previous_ip_assignments") or {}
        with self.releasing(props, id_):
            roles = [
                role
                for role in ROLES
                if (role in previous_zones or role in previous_ips)
                and not self.left_alone(
                    ("port", props.get(f"{role}_serial"), name),
                    props,
                    f"HaInterface {id_}: left {name} on the {ROLE_NAMES[role]}"
                    f" {props.get(f'{role}_host')} (serial {props.get(f'{role}_serial')}) as it"
                    " is: another HaInterface manages that port (declared or set in this run:"
                    " a rename or a replacement), so zone"
                    f" {previous_zones.get(role, '?')} is not put back",
                )
            ]
            if not roles:
                return  # it changed nothing, or someone else owns it now: no request at all
            with self._reachable_units(props, roles, previous_zones) as units:
                self._restore(units, name, props, previous_zones, previous_ips)

    def _restore(
        self,
        units: dict[str, _Unit],
        name: str,
        props: dict[str, Any],
        previous_zones: dict[str, str],
        previous_ips: dict[str, Any],
    ) -> None:
        restore: list[str] = []
        currents: dict[str, dict[str, Any]] = {}
        if self._link_in_use(units, name, props, previous_zones):
            return
        for role, unit in units.items():
            try:
                self.require_serial(
                    unit.session, props.get(f"{role}_serial"), "restore a zone", unit.system.serial
                )
            except UnitReplacedError as exc:
                run.warn(
                    f"HaInterface: left {name} on the {unit.name} address {unit.session.host}"
                    f" alone ({exc.message}); zone {previous_zones.get(role, '?')} not restored"
                    " there, and the resource was removed from the stack anyway"
                )
                continue
            try:
                current = unit.session.interface(name)
                zone = model.zone_of(current)
            except NotFoundError:
                run.warn(
                    f"{unit.session.host} (serial {unit.system.serial}): interface {name} no"
                    f" longer exists on the {unit.name}; nothing to restore"
                )
                continue
            if zone != UNASSIGNED:
                run.warn(
                    f"{unit.session.host} (serial {unit.system.serial}): {name} on the"
                    f" {unit.name} is in zone {zone}, set after HaInterface unassigned it;"
                    f" left as it is (zone {previous_zones.get(role, '?')} not restored)"
                )
                continue
            ip_assignment = previous_ips.get(role) or {"zone": previous_zones[role]}
            currents[role] = current
            try:
                # The whole object as read now, the old zone and IP settings put back.
                unit.session.put_interface(model.restored(current, ip_assignment))
            except SonicHaError as exc:  # nothing committed yet: all staged is discarded
                if getattr(exc, "status", None) == 400:
                    self._refused(units, role, name, previous_zones, exc)
                    return
                self._restore_failed(units, role, name, previous_zones, [], exc)
            restore.append(role)
        self._commit_restore(units, restore, name, previous_zones, currents)

    def _link_in_use(
        self,
        units: dict[str, _Unit],
        name: str,
        props: dict[str, Any],
        previous_zones: dict[str, str],
    ) -> bool:
        """The port is an HA link in the HA settings of either unit (the Primary's, or the
        copy a Backup synchronized): then no zone goes back on either unit, which would
        take the pair's link away (one GET of the HA settings per unit, only when there
        is a zone to restore). A unit that is not the one this resource manages is not
        asked (its settings say nothing about this pair)."""
        for role, unit in units.items():
            if unit.system.serial != props.get(f"{role}_serial"):
                continue
            link = ha_link_role(unit.session.ha_settings(), name)
            if link is None:
                continue
            kinds = set(previous_zones.values())
            zones = (
                next(iter(kinds))
                if len(kinds) == 1
                else ", ".join(f"{z} on the {ROLE_NAMES[r]}" for r, z in previous_zones.items())
            )
            run.warn(
                f"HaInterface {props.get('primary_serial')}/{name}: {name} is the HA {link}"
                f" link of the pair on the {unit.name} {unit.session.label}, so it stays"
                f" Unassigned: zone {zones or '?'} was not put back on either unit (the"
                " resource was removed from the stack). Turn HA off first (delete the HaPair:"
                ' its delete does, unless on_delete="retain"; with a backup_host on the'
                " Backup too), then set the zone by hand if you want it back"
            )
            return True
        return False

    @staticmethod
    def _refused(
        units: dict[str, _Unit], role: str, name: str, zones: dict[str, str], exc: SonicHaError
    ) -> None:
        """A unit refuses the old zone (a Backup still holding an HA copy naming the link,
        HA kept with on_delete="retain", the zone deleted from the unit): restore nothing on
        either unit, keep the link Unassigned, and say why."""
        for unit in units.values():
            unit.session.discard_quietly()
        unit = units[role]
        run.warn(
            f"{unit.session.host} (serial {unit.system.serial}): restoring zone"
            f" {zones.get(role, '?')} of {name} on the {unit.name} failed, so nothing was"
            f" restored on either unit and {name} stays Unassigned on both; the resource was"
            " removed from the stack. If the unit still has HA settings naming this link (a"
            ' Backup keeps the copy it synchronized, an HaPair with on_delete="retain"'
            " keeps HA on), turn HA off there first: give the HaPair a backup_host so its"
            f" delete does that, or do it by hand. Then set the zone of {name} by hand."
            f" Cause: {exc}"
        )

    @contextmanager
    def _reachable_units(
        self, props: dict[str, Any], roles: list[str], zones: dict[str, str]
    ) -> Iterator[dict[str, _Unit]]:
        """A session on each of `roles`' units that answers (all locks taken first, in the
        global order); a unit out of reach is a warning, not a failure."""
        name = props["interface"]

        def out_of_reach(role: str) -> AbstractContextManager[None]:
            return self.unit_gone_is_a_warning(
                f"HaInterface {props.get('primary_serial')}/{name}",
                ROLE_NAMES[role],
                props[f"{role}_host"],
                props.get(f"{role}_serial"),
                f"put zone {zones.get(role, '?')} back on {name}",
                "set the zone by hand",
            )

        clients: dict[str, SonicOSClient] = {}
        for role in roles:
            with out_of_reach(role):
                clients[role] = self._client(props, role)
        with hold_units(list(clients.values())), ExitStack() as stack:
            units: dict[str, _Unit] = {}
            for role in sorted(clients, key=lambda r: clients[r].lock_keys):
                with out_of_reach(role):
                    session = stack.enter_context(clients[role].session())
                    units[role] = _Unit(role, session, session.system())
            yield {role: units[role] for role in ROLES if role in units}  # Primary first

    def _commit_restore(
        self,
        units: dict[str, _Unit],
        roles: list[str],
        name: str,
        zones: dict[str, str],
        currents: dict[str, dict[str, Any]],
    ) -> None:
        done: list[str] = []
        for role in roles:
            try:
                units[role].session.commit()
            except SonicHaError as exc:
                for other in done:  # Unassigned again, as the link is still in use
                    units[other].session.put_interface(model.unassigned(currents[other]))
                    units[other].session.commit()
                self._restore_failed(units, role, name, zones, done, exc)
            done.append(role)

    @staticmethod
    def _restore_failed(
        units: dict[str, _Unit],
        role: str,
        name: str,
        zones: dict[str, str],
        done: list[str],
        exc: SonicHaError,
    ) -> NoReturn:
        undone = (
            f"; the {units[done[0]].name} was set back to Unassigned, so neither unit changed"
            if done
            else "; nothing was changed on either unit"
        )
        hint = (
            " If the unit still has HA settings naming this link (a Backup keeps the copy"
            " it synchronized), turn HA off there first: give the HaPair a backup_host so"
            " its delete does that, or do it by hand."
            if getattr(exc, "status", None) == 400
            else ""
        )
        raise units[role].error(
            f"restoring zone {zones.get(role, '?')} of {name} on the {units[role].name}"
            f" failed{undone}.{hint} Cause: {exc}"
        ) from None

    # -- shared steps ---------------------------------------------------------
    def unit_objects(self, props: dict[str, Any], id_: str) -> list[run.UnitObject]:
        """The port on each unit."""
        name = props.get("interface")
        return [
            ("port", props[f"{role}_serial"], name) for role in ROLES if props.get(f"{role}_serial")
        ]

    def _apply(self, inputs: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        """Check both units, unassign the zone where needed, commit on both or neither."""
        name = inputs["interface"]
        with self._units(inputs) as units:
            managed = [olds[f"{r}_serial"] for r in ROLES if olds.get(f"{r}_serial")]
            for role in ROLES:
                # The roles may have been exchanged (the same two units): each unit must
                # be one this resource manages, or the Backup the managed Primary's HA
                # settings name now (the Backup replaced by a new unit: RMA).
                found = units[role].system.serial
                if managed and found not in managed and not self._pair_backup(
                    units, role, found, managed
                ):
                    self.require_serial(units[role].session, olds[f"{role}_serial"], "write", found)
            ports = {role: self._port(units[role], name) for role in ROLES}
            self._validate(inputs, units, ports)
            changed = {role: port for role, port in ports.items() if port.zone != UNASSIGNED}
            for role in changed:  # someone configuring either unit: fail before any write
                units[role].session.check_config_mode_free()
            for role, port in changed.items():
                units[role].session.put_interface(model.unassigned(port.ipv4))
            self._commit(units, changed, name)
        serials = {role: units[role].system.serial for role in ROLES}
        previous_zones = model.by_unit(olds.get("previous_zones"), olds, serials)
        previous_ips = model.by_unit(olds.get("previous_ip_assignments"), olds, serials)
        if not olds:
            # What delete puts back is what was there before this resource first touched
            # the port: recorded at create only. A zone an update unassigns again was
            # set by hand after that (drift), and is not the one to restore.
            for role, port in changed.items():
                previous_zones.setdefault(role, port.zone)
                previous_ips.setdefault(role, model.ip_assignment_of(port.ipv4))
        outs = dict(inputs)
        outs.update(self.expectations_declared(inputs))
        for role in ROLES:
            outs[f"{role}_zone"] = UNASSIGNED
            outs[f"{role}_serial"] = units[role].system.serial
            outs[f"{role}_link"] = ports[role].link.text
        outs["previous_zones"] = previous_zones
        outs["previous_ip_assignments"] = previous_ips
        return outs

    @staticmethod
    def _pair_backup(units: dict[str, _Unit], role: str, found: str, managed: list[str]) -> bool:
        """`found` is the Backup that the Primary this resource manages names in its HA
        settings (one GET, only when the Backup answers with a serial not managed here):
        after an RMA the HaPair names the new unit, and the link follows it."""
        primary = units["primary"]
        if role != "backup" or primary.system.serial not in managed:
            return False
        named = settings_from_api(primary.session.ha_settings())["backup_serial"]
        if named != found:
            return False
        log.info(
            "%s: the Primary's HA settings name this unit (%s) as the Backup: the HA link"
            " now manages it (the Backup was replaced)",
            units["backup"].session.host,
            found,
        )
        return True

    @contextmanager
    def _units(self, inputs: dict[str, Any]) -> Iterator[dict[str, _Unit]]:
        """Both units, each with an open session, taken in sorted host order."""
        clients = {
            "primary": self.primary_client(inputs, inputs.get("primary_serial")),
            "backup": SonicOSClient(inputs["backup_host"], self.settings),
        }
        if same_host(clients["primary"].host, clients["backup"].host):
            raise ApplianceError(
                "primary_host and backup_host are the same address; set backup_host to the"
                " Backup unit's address",
                host=clients["backup"].host,
            )
        # Both locks first, in the one global order (by unit key: serial when known, else
        # the address in one spelling), so `FW1` and `fw1:443` cannot deadlock.
        first, second = sorted(ROLES, key=lambda role: clients[role].lock_keys)
        with hold_units(list(clients.values())), ExitStack() as stack:
            units: dict[str, _Unit] = {}

            def paired() -> bool | None:
                opened = units.get("primary")
                return primary_paired(clients["primary"], opened.session if opened else None)

            session = stack.enter_context(self._session(clients[first], first, paired))
            units[first] = _Unit(first, session, session.system())
            try:
                session = stack.enter_context(self._session(clients[second], second, paired))
            except SessionHeldError as held:
                # Two addresses of one unit: our own first session holds it. Find out
                # with the first one closed, else it is another administrator's.
                stack.close()
                self._raise_held_or_same(inputs, clients[second], units[first], held)
            units[second] = _Unit(second, session, session.system())
            if units["primary"].system.serial == units["backup"].system.serial:
                raise self.same_unit_error(inputs, units["primary"].system.serial)
            expected = inputs.get("primary_serial")
            if expected and units["primary"].system.serial != expected:
                raise units["primary"].error(
                    f"primary_host answers with serial {units['primary'].system.serial}, but"
                    f" primary_serial is {expected}: this is not the Primary you named. Fix"
                    " primary_host or primary_serial; nothing was written"
                )
            yield units

    def _client(self, props: dict[str, Any], role: str) -> SonicOSClient:
        """The client of one unit this resource manages (the Primary's through setup_host
        while its own address does not answer)."""
        serial = props.get(f"{role}_serial")
        if role == "primary":
            return self.primary_client(props, serial)
        return SonicOSClient(props[f"{role}_host"], self.settings, serial=serial)

    @staticmethod
    @contextmanager
    def _session(
        client: SonicOSClient, role: str, paired: Callable[[], bool | None] = lambda: None
    ) -> Iterator[ApplianceSession]:
        """A session on one unit; the Backup not answering says what to do, by whether
        `paired()` (HA on at the Primary: it then answers only at its monitoring address)."""
        try:
            with client.session() as unit:
                yield unit
        except ApplianceUnreachableError as exc:
            # The body runs inside this block: a Primary failure raised while the
            # Backup's session is open passes here too, and gets no Backup advice.
            if role != "backup" or isinstance(exc, CommitUncertainError) or exc.host != client.host:
                raise
            raise with_backup_hint(exc, client.host, paired()) from None

    def _raise_held_or_same(
        self, inputs: dict[str, Any], client: SonicOSClient, other: _Unit, held: SessionHeldError
    ) -> NoReturn:
        with client.session() as session:
            serial = session.system().serial
        if serial == other.system.serial:
            raise self.same_unit_error(inputs, serial) from None
        raise held

    @staticmethod
    def _port(unit: _Unit, name: str) -> _Port:
        try:
            ipv4 = unit.session.interface(name)
        except NotFoundError:
            raise unit.error(
                f"interface {name} not found on the {unit.name}; set interface to a port that"
                " exists on both units (e.g. X4), the same name on each"
            ) from None
        return _Port(ipv4=ipv4, link=unit.session.link_status(name))

    @staticmethod
    def _validate(inputs: dict[str, Any], units: dict[str, _Unit], ports: dict[str, _Port]) -> None:
        """Every reason to refuse, before anything is written."""
        name = inputs["interface"]
        if not inputs["unassign_zone"]:
            for role in ROLES:
                zone = ports[role].zone
                if zone != UNASSIGNED:
                    raise units[role].error(
                        f"interface {name} on the {units[role].name} is in zone {zone}; an HA"
                        f" link must be in zone {UNASSIGNED}. Set unassign_zone=true to have"
                        f" it unassigned (and restored on delete), or set the zone of {name}"
                        f" to {UNASSIGNED} on the {units[role].name} yourself"
                    )
        if inputs["require_link"]:
            for role in ROLES:
                link = ports[role].link
                if not link.connected:
                    status = link.text or "no link status"
                    raise units[role].error(
                        f'interface {name} on the {units[role].name} reports "{status}";'
                        f" connect {name} on the Primary directly to {name} on the Backup with a"
                        " cable (no switch in between), or set require_link=false to skip this"
                        " check"
                    )

    def _commit(self, units: dict[str, _Unit], changed: dict[str, _Port], name: str) -> None:
        """Commit on each unit; if one fails, put back the units already committed."""
        committed: list[str] = []
        for role in ROLES:
            if role not in changed:
                continue
            try:
                units[role].session.commit()
            except SonicHaError as exc:
                for done in committed:
                    self._put_back(units[done], changed[done], name, cause=exc)
                if isinstance(exc, CommitUncertainError):
                    self._raise_uncertain(units, role, changed[role], name, committed, exc)
                undone = (
                    f"; the change already committed on the {units[committed[0]].name} was put"
                    " back, so neither unit changed"
                    if committed
                    else "; nothing was changed"
                )
                error = units[role].error(
                    f"unassigning the zone of {name} could not be committed{undone}. Try again."
                    f" Cause: {exc}"
                )
                # The cause's text already ends with its API code: keep it once.
                error.code = getattr(exc, "code", None)
                error.status = getattr(exc, "status", None)
                raise error from None
            committed.append(role)

    @staticmethod
    def _raise_uncertain(
        units: dict[str, _Unit],
        role: str,
        port: _Port,
        name: str,
        committed: list[str],
        exc: CommitUncertainError,
    ) -> NoReturn:
        """A commit without an answer: say the zone there is unknown, and how to settle it."""
        unit = units[role]
        undone = "".join(
            f"; the change committed on the {units[done].name} was put back" for done in committed
        )
        raise unit.error(
            f"the commit unassigning the zone of {name} on the {unit.name} got no answer, so"
            f" {name} there may now be Unassigned or still in zone {port.zone}{undone}. Check"
            f" {name} on the {unit.name}: if it is Unassigned, put it back in zone {port.zone},"
            f" then run `pulumi up` again. Cause: {exc}",
            cls=CommitUncertainError,
            code=exc.code,
            status=exc.status,
        ) from None

    @staticmethod
    def _put_back(unit: _Unit, port: _Port, name: str, cause: SonicHaError) -> None:
        try:
            unit.session.put_interface(model.wire(port.ipv4))
            unit.session.commit()
        except SonicHaError as exc:
            raise unit.error(
                f"the zone of {name} was unassigned here but the other unit's commit failed"
                f" ({cause}), and putting zone {port.zone} back failed too ({exc}); set the"
                f" zone of {name} on the {unit.name} back to {port.zone} by hand, or run the"
                " update again"
            ) from None
