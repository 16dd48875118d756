"""HaInterface: the HA link, the same interface on both units, zone Unassigned, cabled.

Sections in the usual order: check/diff (base class), create, read, update,
delete. create, update and delete hold one admin session on each unit at the
same time (taken in sorted host order, so two operations on the same pair
wait for each other instead of deadlocking), check everything on both units
before writing anything, stage the change where it is needed and commit once
per unit. When the
second commit fails the first unit is put back as it was, so a failed apply
changes neither unit. What an unassign replaced (zone and IP settings) is
kept in the outputs, so delete can put it back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from ..errors import (
    ApplianceError,
    CommitUncertainError,
    NotFoundError,
    SessionHeldError,
    SonicHaError,
)
from ..models import ha_interface as model
from ..models.ha_interface import ROLE_NAMES, ROLES, UNASSIGNED
from ..sonicos import ApplianceSession, LinkStatus, SonicOSClient, SystemInfo
from .base import SonicHaProvider

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

    # -- create ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._apply(self.inputs_of(props), olds={})
        return CreateResult(id_=f"{outs['primary_serial']}/{outs['interface']}", outs=outs)

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Per unit: log in, the interface (zone), its link, log out; both units at once
        (each under its own host lock, one after the other would double a refresh)."""
        name = props["interface"]
        with ThreadPoolExecutor(max_workers=len(ROLES)) as pool:
            ports = pool.map(lambda role: self._observe(props, role, name), ROLES)
            observed = dict(zip(ROLES, ports, strict=True))
        if observed["primary"] is None:
            return self.gone()
        outs = {key: value for key, value in props.items() if key != "__provider"}
        for role, port in observed.items():
            outs[f"{role}_zone"] = port.zone if port else None
            outs[f"{role}_link"] = port.link.text if port else None
        return ReadResult(id_=id_, outs=outs, inputs=self.inputs_of(outs))

    def _observe(self, props: dict[str, Any], role: str, name: str) -> _Port | None:
        """The interface on one unit, or None when that unit no longer has it."""
        client = SonicOSClient(
            props[f"{role}_host"], self.settings, serial=props.get(f"{role}_serial")
        )
        with client.session() as unit:
            try:
                ipv4 = unit.interface(name)
            except NotFoundError:
                return None
            return _Port(ipv4=ipv4, link=unit.link_status(name))

    # -- update ---------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._apply(self.inputs_of(news), olds=olds))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Put back the zones this resource removed, where nobody set one since: both
        units checked first, one commit each, the first set back if the second fails."""
        name = props["interface"]
        previous_zones = props.get("previous_zones") or {}
        previous_ips = props.get("previous_ip_assignments") or {}
        if not any(role in previous_zones or role in previous_ips for role in ROLES):
            return  # it changed nothing: no request at all
        with self._units(props) as units:
            restore: list[str] = []
            currents: dict[str, dict[str, Any]] = {}
            for role in ROLES:
                if role not in previous_zones and role not in previous_ips:
                    continue
                unit = units[role]
                self.require_serial(unit.session, props.get(f"{role}_serial"), "restore a zone")
                try:
                    current = unit.session.interface(name)
                    zone = model.zone_of(current)
                except NotFoundError:
                    log.warning(
                        "%s (serial %s): interface %s no longer exists on the %s; nothing to"
                        " restore",
                        unit.session.host,
                        unit.system.serial,
                        name,
                        unit.name,
                    )
                    continue
                if zone != UNASSIGNED:
                    log.warning(
                        "%s (serial %s): %s on the %s is in zone %s, set after HaInterface"
                        " unassigned it; left as it is (zone %s not restored)",
                        unit.session.host,
                        unit.system.serial,
                        name,
                        unit.name,
                        zone,
                        previous_zones.get(role, "?"),
                    )
                    continue
                ip_assignment = previous_ips.get(role) or {"zone": previous_zones[role]}
                currents[role] = current
                try:
                    unit.session.put_interface(model.restored(current, ip_assignment))
                except SonicHaError as exc:  # nothing committed yet: all staged is discarded
                    self._restore_failed(units, role, name, previous_zones, [], exc)
                restore.append(role)
            self._commit_restore(units, restore, name, previous_zones, currents)

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
    def _apply(self, inputs: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        """Check both units, unassign the zone where needed, commit on both or neither."""
        name = inputs["interface"]
        with self._units(inputs) as units:
            for role in ROLES:
                if olds.get(f"{role}_serial") not in (None, units[role].system.serial):
                    self.require_serial(units[role].session, olds[f"{role}_serial"], "write")
            ports = {role: self._port(units[role], name) for role in ROLES}
            self._validate(inputs, units, ports)
            changed = {role: port for role, port in ports.items() if port.zone != UNASSIGNED}
            for role in changed:  # someone configuring either unit: fail before any write
                units[role].session.check_config_mode_free()
            for role, port in changed.items():
                units[role].session.put_interface(model.unassigned(port.ipv4))
            self._commit(units, changed, name)
        previous_zones = dict(olds.get("previous_zones") or {})
        previous_ips = dict(olds.get("previous_ip_assignments") or {})
        for role, port in changed.items():
            previous_zones.setdefault(role, port.zone)
            previous_ips.setdefault(role, model.ip_assignment_of(port.ipv4))
        outs = dict(inputs)
        for role in ROLES:
            outs[f"{role}_zone"] = UNASSIGNED
            outs[f"{role}_serial"] = units[role].system.serial
            outs[f"{role}_link"] = ports[role].link.text
        outs["previous_zones"] = previous_zones
        outs["previous_ip_assignments"] = previous_ips
        return outs

    @contextmanager
    def _units(self, inputs: dict[str, Any]) -> Iterator[dict[str, _Unit]]:
        """Both units, each with an open session, taken in sorted host order."""
        clients = {role: SonicOSClient(inputs[f"{role}_host"], self.settings) for role in ROLES}
        if model.same_host(clients["primary"].host, clients["backup"].host):
            raise ApplianceError(
                "primary_host and backup_host are the same address; set backup_host to the"
                " Backup unit's address",
                host=clients["backup"].host,
            )
        first, second = sorted(ROLES, key=lambda role: clients[role].host)
        with ExitStack() as stack:
            units: dict[str, _Unit] = {}
            session = stack.enter_context(clients[first].session())
            units[first] = _Unit(first, session, session.system())
            try:
                session = stack.enter_context(clients[second].session())
            except SessionHeldError as held:
                # Two addresses of one unit: our own first session holds it. Find out
                # with the first one closed, else it is another administrator's.
                stack.close()
                self._raise_held_or_same(inputs, clients[second], units[first], held)
            units[second] = _Unit(second, session, session.system())
            if units["primary"].system.serial == units["backup"].system.serial:
                self._raise_same_unit(inputs, units["primary"].system.serial)
            yield units

    def _raise_held_or_same(
        self, inputs: dict[str, Any], client: SonicOSClient, other: _Unit, held: SessionHeldError
    ) -> NoReturn:
        with client.session() as session:
            serial = session.system().serial
        if serial == other.system.serial:
            self._raise_same_unit(inputs, serial)
        raise held

    @staticmethod
    def _raise_same_unit(inputs: dict[str, Any], serial: str) -> NoReturn:
        raise ApplianceError(
            f"primary_host {inputs['primary_host']} and backup_host {inputs['backup_host']}"
            " reach the same unit; set backup_host to the address of the Backup, the other"
            " unit of the pair",
            host=inputs["backup_host"],
            serial=serial,
        ) from None

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
