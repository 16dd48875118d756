"""HaMonitoring: each unit's own monitoring address on one interface, set on the Primary.

Sections in the usual order: check/diff (base class), create, read, update,
delete. Every operation holds one admin session on the Primary, where the entry
lives (it reaches the Backup when the pair synchronizes). A write reads the whole
entry, changes the keys our inputs own and PUTs it whole, only when an input
differs, and commits once; on failure the staged change is discarded (the
session does that), so the Primary keeps what it had.

Create on an interface that already has monitoring takes it over and records
what was there (`previous_entry`), so delete puts that back instead of clearing
it. Delete leaves the entry alone, with a warning, when:

- another HaMonitoring, declared or set in this run, manages it (a rename:
  `run.CLAIMS`);
- it was changed by hand since this resource set it;
- HA is on and the entry, as read now, allows management at its Backup address
  while no other interface does: after pairing that is the only address where the
  Backup answers, so removing it would cut off the Backup (the address HaPair and
  HaInterface use as `backup_host`). Delete the HaPair first (its delete turns HA
  off), or keep this resource. An interface replacement (X0 -> X1) creates the new
  entry first, so the old one goes.

Create and update run the same check before writing: a change that would take
management away from the address the paired Backup answers at fails, naming the
safe way (one GET of the HA settings, only when such a change is asked).

Outputs may lack `primary_ip`/`backup_ip`: a refresh that saw one unset reports
None, and the provider host drops None (fact 11). Nothing indexes them.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from ..errors import (
    ApplianceError,
    CommitNotHeldError,
    NotFoundError,
    SonicHaError,
)
from ..models import ha_monitoring as model
from ..models.ha_pair import is_enabled, settings_from_api
from ..schema import is_unknown
from ..sonicos import ApplianceSession, SonicOSClient
from . import run
from .base import SonicHaProvider

ROLE_SWAP_STEPS = (
    "Swap the roles in two runs: 1. turn HA off on both units: remove the HaPair (and"
    " what takes its outputs, e.g. the LicenseAssociation) from the program, or `pulumi"
    " destroy --target <HaPair URN> --target-dependents`, keeping this HaMonitoring as it"
    " is, and run `pulumi up` (first, if the HaPair has no backup_host or says"
    ' on_delete="retain", set backup_host to the Backup\'s address and on_delete to'
    ' "disable" and run `pulumi up`: its delete turns HA off on the Backup only through'
    " backup_host, and a Backup that keeps its synchronized copy is still a Backup);"
    " 2. swap the roles everywhere in one change (HaPair and HaInterface"
    " primary_host/backup_host and the serials; here primary_host, with primary_ip and"
    " backup_ip exchanged) and run `pulumi up`: the entry is written on the new Primary"
    " while HA is off, then HA goes on again from it"
)


class HaMonitoringProvider(SonicHaProvider):
    schema = model.SCHEMA
    host_serials = {"primary_host": "primary_serial"}
    # A replacement (another interface, another Primary) creates the new entry before
    # the old one goes: the Backup stays reachable throughout.
    delete_before_replace = False

    # -- diff -----------------------------------------------------------------
    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """The base diff, but a new primary_host that is the current pair's Backup (a
        role swap in one change) fails the preview: the replacement would write the
        entry on a synchronized Backup, which takes no configuration (a unit that took
        it would lose it at the next sync), so the pair would end without it."""
        olds, news = self.with_defaults(olds), self.with_defaults(news)
        new_host, old_host = news.get("primary_host"), olds.get("primary_host")
        if isinstance(new_host, str) and not is_unknown(new_host) and new_host != old_host:
            self._refuse_role_swap(olds, new_host)
        return super().diff(id_, olds, news)

    def _refuse_role_swap(self, olds: dict[str, Any], new_host: str) -> None:
        """Two sessions, only when primary_host changes: the old Primary's HA settings,
        then (HA on) the serial at the new address."""
        serial = olds.get("primary_serial")
        try:
            with SonicOSClient(olds["primary_host"], self.settings).session() as unit:
                if serial and unit.system().serial != serial:
                    return  # not our Primary any more: nothing to learn there
                peer = settings_from_api(unit.ha_settings())["backup_serial"]
            if not peer:
                return
            with SonicOSClient(new_host, self.settings).session() as unit:
                found = unit.system().serial
        except SonicHaError:
            return  # the base diff checks the new address and says what fails
        if found == peer:
            raise SonicHaError(
                f"HaMonitoring {olds.get('interface')}: primary_host changed from"
                f" {olds['primary_host']} to {new_host}, which is the Backup (serial {peer})"
                f" of the pair the Primary {olds['primary_host']} (serial {serial}) has HA on"
                " with: a role swap in one change. The monitoring entry lives on the Primary,"
                " and a synchronized Backup takes no configuration, so this would leave the"
                f" pair without it; nothing was changed. {ROLE_SWAP_STEPS}"
            )

    # -- create ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.declared_inputs(self.with_defaults(props))
        outs = self._apply(inputs, olds={})
        id_ = f"{outs['primary_serial']}/{outs['interface']}"
        return CreateResult(id_=id_, outs=self.claimed_outputs(outs, {}, id_))

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = self.with_defaults(props)
        serial = props.get("primary_serial") or None
        with self.primary_client(props, serial).session() as unit:
            try:
                entry = unit.ha_monitoring(props["interface"])
            except NotFoundError:
                # Before saying "gone": is this still the unit we manage? (1 request)
                self.check_serial_on_read(unit, serial)
                return self.gone()
            observed = model.inputs_from_api(entry)
            if self.schema.changed_keys(
                self.inputs_of(props), self.inputs_of({**props, **observed})
            ):
                self.check_serial_on_read(unit, serial)  # before reporting drift, likewise
        outs = {key: value for key, value in props.items() if key != "__provider"}
        outs.update(observed)
        return ReadResult(id_=id_, outs=outs, inputs=self.inputs_of(outs))

    # -- update ---------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        olds, news = self.with_defaults(olds), self.with_defaults(news)
        outs = self._apply(self.declared_inputs(news), olds=olds)
        return UpdateResult(outs=self.claimed_outputs(outs, olds, id_))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        props = self.with_defaults(props)
        name, serial = props["interface"], props.get("primary_serial")
        with self.releasing(props, id_) as objects:
            if objects and self.left_alone(
                objects[0],
                props,
                f"HaMonitoring {id_}: left the monitoring of {name} on the Primary"
                f" {props['primary_host']} as it is: another HaMonitoring manages it (declared"
                " or set in this run: a rename or a replacement), so this delete does not"
                " undo it",
            ):
                return
            with (
                self.unit_gone_is_a_warning(
                    f"HaMonitoring {id_}",
                    "Primary",
                    props["primary_host"],
                    serial,
                    f"put the monitoring of {name} back",
                    "set it by hand (High Availability > Monitoring)",
                ),
                self.primary_client(props, serial).session() as unit,
            ):
                self._restore(unit, id_, props)

    def _restore(self, unit: ApplianceSession, id_: str, props: dict[str, Any]) -> None:
        """Put back what was there before this resource (or clear), if the entry is still
        as this resource left it and the Backup stays reachable."""
        name = props["interface"]
        self.require_serial(unit, props.get("primary_serial"), "change HA monitoring")
        try:
            current = unit.ha_monitoring(name)
        except NotFoundError:
            run.warn(f"HaMonitoring {id_}: {name} no longer exists on {unit.label}; nothing to do")
            return
        if model.differs(current, self.inputs_of(props)):
            primary = self._paired_primary_of(unit, props.get("primary_serial"))
            if primary:
                run.warn(
                    f"HaMonitoring {id_}: left the monitoring of {name} on {unit.label} as it"
                    f" is: this unit is now the Backup of the Primary {primary} (the roles"
                    " were swapped), whose entry it holds; the Primary's HaMonitoring"
                    " manages it"
                )
                return
            run.warn(
                f"HaMonitoring {id_}: the monitoring of {name} on {unit.label} was changed"
                " after this resource set it; left as it is (a delete does not undo what"
                " someone else set)"
            )
            return
        previous = props.get("previous_entry") or {}
        if previous:
            target = model.restored_entry(current, previous)
        else:
            # Every address of the entry is set: the unit's other entries show how it
            # spells "not set" (one GET, only then).
            others = [] if model.shown_unset(current) is not None else unit.ha_monitoring_all()
            target = model.cleared_entry(current, model.unset_spelling(current, others))
        if model.owned_part(target) == model.owned_part(current):
            return  # what was there before is what is there: no write
        address = model.backup_address(current)
        if self._cuts_off_backup(unit, name, current, target):
            run.warn(
                f"HaMonitoring {id_}: left the monitoring of {name} on {unit.label} as it is:"
                f" HA is on, and management at the Backup's address {address} is"
                " how the Backup is reached after pairing (it answers nowhere else), so"
                " removing it would cut the Backup off. Delete the HaPair first (its delete"
                " turns HA off), then this resource; or change the entry by hand"
            )
            return
        unit.put_ha_monitoring(target)
        unit.commit()

    @staticmethod
    def _paired_primary_of(unit: ApplianceSession, serial: str | None) -> str | None:
        """The Primary's serial when this unit's HA settings name it (`serial`) as the
        Backup (one request; only asked when the entry is not as this resource left
        it)."""
        settings = unit.ha_settings()
        if not serial or settings_from_api(settings)["backup_serial"] != serial:
            return None
        fields = next(iter((settings.get("mode") or {}).values()), None) or {}
        return str(fields.get("primary_serial") or "?")

    @staticmethod
    def _cuts_off_backup(
        unit: ApplianceSession, name: str, current: dict[str, Any], target: dict[str, Any]
    ) -> bool:
        """Writing `target` over `current` removes management at the address the Backup
        is reached at now (the entry as read, not what the state remembers: a refresh may
        have seen it unset) while HA is on, and no other interface allows management
        there (an interface replacement creates the new entry first)."""
        address = model.backup_address(current)
        if address is None or model.backup_address(target) == address:
            return False
        if not is_enabled(unit.ha_settings()):  # one request, only when it matters
            return False
        others = [
            entry
            for entry in unit.ha_monitoring_all()
            if str(entry.get("name", "")).upper() != name.upper()
        ]
        return all(model.backup_address(entry) != address for entry in others)

    # -- shared steps ---------------------------------------------------------
    def unit_objects(self, props: dict[str, Any], id_: str) -> list[run.UnitObject]:
        """The interface's monitoring entry on the Primary."""
        serial = props.get("primary_serial")
        return [("monitoring", serial, props.get("interface"))] if serial else []

    def _apply(self, inputs: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        """Bring the Primary's entry for the interface to `inputs` (adopting what is there)."""
        name = inputs["interface"]
        serial = olds.get("primary_serial") or inputs.get("primary_serial") or None
        with self.primary_client(inputs, serial).session() as unit:
            system = unit.system()
            self.require_serial(unit, serial, "change HA monitoring", found=system.serial)
            try:
                current = unit.ha_monitoring(name)
            except NotFoundError:
                raise unit.error(
                    f"interface {name} not found on the Primary (no HA monitoring entry);"
                    " set interface to a port that exists on the unit (e.g. X0)"
                ) from None
            if model.differs(current, inputs):
                desired = model.desired_entry(current, inputs)
                if self._cuts_off_backup(unit, name, current, desired):
                    raise unit.error(_cut_off_hint(current, inputs, name)) from None
                try:
                    unit.put_ha_monitoring(desired)
                    unit.commit()
                except CommitNotHeldError as exc:
                    # The unit may hold part of it: put back the entry read before.
                    try:
                        unit.put_ha_monitoring(model.restored_entry(current, current))
                        unit.commit()
                        outcome = f"The previous monitoring of {name} was put back."
                    except SonicHaError as again:
                        outcome = f"Putting the previous monitoring back failed too ({again})."
                    raise unit.error(
                        f"{str(exc).split(': ', 1)[-1]} {outcome}", CommitNotHeldError
                    ) from None
                except ApplianceError as exc:
                    if exc.status != 400:
                        raise
                    raise unit.error(_rejected_hint(exc, name), code=exc.code, status=400) from None
        outs = dict(inputs)
        outs.update(self.expectations_declared(inputs))
        outs["primary_serial"] = system.serial
        if olds:
            outs["previous_entry"] = olds.get("previous_entry") or {}
        else:
            # What delete puts back: what was there before this resource first wrote the
            # entry, recorded at create only (a later repair of a hand-made change is drift,
            # not the thing to restore).
            outs["previous_entry"] = (
                model.owned_part(current) if model.is_configured(current) else {}
            )
        return outs


def _cut_off_hint(current: dict[str, Any], inputs: dict[str, Any], name: str) -> str:
    """Why an update that would cut the paired Backup off was refused, and the safe way."""
    address = model.backup_address(current)
    field = "allow_management" if not inputs["allow_management"] else "backup_ip"
    value = inputs[field]
    return (
        f"not setting {field}={value} on the HA monitoring of {name}; nothing was changed:"
        f" HA is on and the Backup answers management only at {address} (this entry's"
        " backup_ip with allow_management), so the change would cut the Backup off (it"
        " answers nowhere else, and HaPair/HaInterface reach it there as backup_host)."
        " Safe: keep management at that address on another interface first (another"
        f" HaMonitoring with backup_ip={address} and allow_management=True), or turn HA"
        " off first (remove the HaPair; `pulumi up`), change this entry, then pair again"
        " with backup_host at the Backup's new address"
    )


def _rejected_hint(exc: ApplianceError, name: str) -> str:
    """The Primary refused the entry (400): its reason, and which inputs to look at."""
    reason = str(exc).split(": ", 1)[-1].removesuffix(f" [{exc.code}]").rstrip(".")
    return (
        f"the Primary refused the HA monitoring of {name}, nothing was changed ({reason})."
        f" Fix: primary_ip and backup_ip must be two free addresses on {name}'s subnet, one"
        " per unit, different from the interface's own address; logical_probe_ip a host"
        " beyond the interface"
    )
