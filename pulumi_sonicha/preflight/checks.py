"""The preflight checks: pure functions of a `Plan` and the facts read from its units.

Every check yields a row whether it passes or not, so the table shows what was
proven as well as what was not, and every problem is reported at once: a unit
that cannot be read fails its "reachable" row and skips the checks that need it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..models import ha_pair as pair_model
from ..models.ha_interface import UNASSIGNED
from ..serials import normalize_serial
from .facts import NOT_REPORTED, UnitFacts
from .plan import Link, Plan

MANAGED_MODES = ", ".join(pair_model.MODE_KEYS.values())


@dataclass(frozen=True)
class Row:
    """One line of the table: what was checked on which unit, what was found there, what
    the plan needs, and (when it fails) what to do."""

    check: str
    unit: str
    found: str
    expected: str
    fix: str
    ok: bool


def evaluate(plan: Plan, primary: UnitFacts, backup: UnitFacts | None) -> list[Row]:
    """Every check of `plan` against the facts read (the Backup's only with a
    `backup_host`)."""
    rows = list(_reachable(plan, primary))
    if backup is not None:
        rows += _reachable(plan, backup)
    p = primary if primary.error is None else None
    b = backup if backup is not None and backup.error is None else None
    if p is not None:
        rows += _primary_serial(plan, p)
    if b is not None:
        rows += _backup_serial(plan, p, b)
    if p is not None and b is not None:
        rows += _same_hardware(p, b)
    if p is not None and p.ha is not None:
        rows += _primary_ha(plan, p)
    if b is not None and b.ha is not None:
        rows += _backup_ha(p, b)
    for unit in (p, b):
        if unit is None:
            continue
        if unit.zones is not None:
            rows += _links(plan.links, unit)
        if unit.restart_read:
            rows += _restart(unit)
        if unit.login is not None:
            rows += _config_mode(plan, unit)
    if p is not None and p.monitoring is not None and plan.pairing and plan.backup_host:
        rows += _backup_after_pairing(plan, p, b)
    return rows


# -- reachable, serials, hardware -------------------------------------------------------
def _reachable(plan: Plan, unit: UnitFacts) -> Iterator[Row]:
    key = "primary_host" if unit.role == "Primary" else "backup_host"
    if unit.error is None:
        yield Row("reachable", unit.label, "answers the API", "answers the API", "", True)
        return
    fix = (
        f"check {key} (address and port), that the unit is on and its SonicOS API enabled,"
        " and sonicha:username / sonicha:password"
    )
    if unit.role == "Backup" and plan.pairing:
        fix += (
            "; a paired Backup answers management only at its own HA monitoring address"
            " with management allowed: give that address as backup_host"
        )
    yield Row("reachable", unit.label, unit.error, "answers the API", fix, False)


def _serial(unit: UnitFacts) -> str:
    return unit.system.serial if unit.system else ""


def _primary_serial(plan: Plan, p: UnitFacts) -> Iterator[Row]:
    serial = _serial(p)
    expected = plan.primary_serial or "(primary_serial not declared)"
    if plan.backup_serial and serial == plan.backup_serial:
        yield Row(
            "serial",
            p.label,
            f"{serial}: the Backup's (backup_serial)",
            expected if plan.primary_serial else "the Primary's serial",
            "primary_host is the Backup's address: set it to the Primary's",
            False,
        )
    elif plan.primary_serial and serial != plan.primary_serial:
        yield Row(
            "serial",
            p.label,
            serial,
            plan.primary_serial,
            "primary_host reaches another unit than primary_serial names: fix primary_host"
            " (a typo?) or primary_serial",
            False,
        )
    else:
        yield Row("serial", p.label, serial, expected, "", True)


def _backup_serial(plan: Plan, p: UnitFacts | None, b: UnitFacts) -> Iterator[Row]:
    serial = _serial(b)
    expected = plan.backup_serial or "(backup_serial not declared)"
    fix = ""
    if p is not None and serial == _serial(p):
        fix = "primary_host and backup_host reach the same unit: set backup_host to the Backup's"
    elif plan.primary_serial and serial == plan.primary_serial:
        fix = "backup_host is the Primary's address: set it to the Backup's"
    elif plan.backup_serial and serial != plan.backup_serial:
        fix = "backup_host reaches another unit than backup_serial names: fix one of them"
    yield Row("serial", b.label, serial, expected, fix, not fix)


def _same_hardware(p: UnitFacts, b: UnitFacts) -> Iterator[Row]:
    assert p.system is not None and b.system is not None
    yield Row(
        "model",
        b.label,
        b.system.model,
        f"{p.system.model} (the Primary's)",
        "an HA pair needs two units of the same model",
        b.system.model == p.system.model,
    )
    yield Row(
        "firmware",
        b.label,
        b.system.firmware_version,
        f"{p.system.firmware_version} (the Primary's)",
        "upgrade one unit so both run the same SonicOS release before pairing",
        b.system.firmware_version == p.system.firmware_version,
    )


# -- HA state and mode ----------------------------------------------------------------------
def _named_backup(ha: dict[str, Any] | None) -> str | None:
    """The Backup (`secondary_serial`) a unit's HA settings name, normalized."""
    key = pair_model.mode_key(ha or {})
    body = ((ha or {}).get("mode") or {}).get(key) if key else None
    value = body.get("secondary_serial") if isinstance(body, dict) else None
    return normalize_serial(str(value)) if value else None


def _unmanaged(unit: UnitFacts) -> Row | None:
    mode = pair_model.unmanaged_mode(unit.ha or {})
    if mode is None:
        return None
    return Row(
        "HA mode",
        unit.label,
        f"HA on, mode {mode}",
        f"HA off, or mode {MANAGED_MODES}",
        f"this pair runs {mode}, which pulumi_sonicha does not manage and never overwrites:"
        " leave it out of the stack, or change its mode on the unit by hand first (High"
        " Availability > Base Setup)",
        False,
    )


def _primary_ha(plan: Plan, p: UnitFacts) -> Iterator[Row]:
    unmanaged = _unmanaged(p)
    if unmanaged is not None:
        yield unmanaged
        return
    own = _serial(p)
    named = _named_backup(p.ha)
    status = str((p.status or {}).get("status", "")).strip()
    if named == own or status.lower().startswith("secondary"):
        yield Row(
            "HA role",
            p.label,
            f"the Backup of a pair ({status or 'HA on'})",
            "the Primary",
            "primary_host is a Backup's address (HA Secondary): set it to the Primary's",
            False,
        )
        return
    key = pair_model.mode_key(p.ha or {})
    found = f"HA on ({key}), naming the Backup {named}" if key else "HA off"
    wanted = plan.backup_serial
    if (
        plan.pairing
        and key
        and wanted
        and named
        and named != wanted
        and not plan.other_backup_allowed
    ):
        yield Row(
            "HA state",
            p.label,
            found,
            f"HA off, or naming backup_serial {wanted}",
            "this unit already leads another pair: fix primary_host or backup_serial, or turn"
            " HA off there first if that pair is to be replaced",
            False,
        )
        return
    expected = f"HA off, or naming {wanted}" if plan.pairing and wanted else "any"
    yield Row("HA state", p.label, found, expected, "", True)


def _backup_ha(p: UnitFacts | None, b: UnitFacts) -> Iterator[Row]:
    unmanaged = _unmanaged(b)
    if unmanaged is not None:
        yield unmanaged
        return
    own = _serial(b)
    named = _named_backup(b.ha)
    key = pair_model.mode_key(b.ha or {})
    if key and named and named != own:
        yield Row(
            "HA role",
            b.label,
            f"the Primary of a pair of its own (HA on, naming the Backup {named})",
            "HA off, or the Backup of this pair",
            "backup_host reaches a unit that leads another pair: fix backup_host, or turn HA"
            " off there first",
            False,
        )
        return
    if key and named == own and p is not None and _named_backup(p.ha) != own:
        yield Row(
            "HA pair",
            b.label,
            "the Backup of another Primary (its HA settings name it as Backup; the unit at"
            " primary_host does not)",
            f"HA off, or the Backup of {p.label}",
            "primary_host must be this Backup's Primary (a typo?); if that Primary is gone"
            " for good, turn HA off on the Backup first",
            False,
        )
        return
    found = "the Backup of this pair" if key else "HA off"
    yield Row("HA state", b.label, found, "HA off, or the Backup of this pair", "", True)


# -- links, restart, config mode ----------------------------------------------------------
def _links(links: tuple[Link, ...], unit: UnitFacts) -> Iterator[Row]:
    for link in links:
        name = link.interface.upper()
        what = f"{name} ({link.purpose} link)"
        zone = (unit.zones or {}).get(name)
        if zone is None:
            yield Row(
                what,
                unit.label,
                "no such interface",
                "the same port on both units",
                "name a port both units have",
                False,
            )
            continue
        ok = zone == UNASSIGNED or link.unassign_zone
        expected = UNASSIGNED + (" (set by the plan)" if link.unassign_zone else "")
        yield Row(
            f"{what} zone",
            unit.label,
            zone,
            expected,
            ""
            if ok
            else "declare an HaInterface for it with unassign_zone=True, or set the"
            " zone to Unassigned by hand",
            ok,
        )
        if link.require_link:
            status = (unit.links or {}).get(name)
            up = status is not None and status.connected
            yield Row(
                f"{what} cable",
                unit.label,
                status.text if status else "not in the link status",
                "link up",
                ""
                if up
                else f"cable the two units' {name} ports directly (no switch) and"
                " check both are enabled",
                up,
            )


def _restart(unit: UnitFacts) -> Iterator[Row]:
    if unit.restart == NOT_REPORTED:
        found = "not reported (no GET /reporting/status/system on this unit)"
        yield Row("restart pending", unit.label, found, "none", "", True)
        return
    ok = unit.restart is None
    yield Row(
        "restart pending",
        unit.label,
        "none" if ok else f"restart required ({unit.restart})",
        "none",
        ""
        if ok
        else "restart the unit (the change it waits for takes effect then), then run again",
        ok,
    )


def _config_mode(plan: Plan, unit: UnitFacts) -> Iterator[Row]:
    login = unit.login
    if login is None or not login.holder_type:  # (None: not read, see evaluate)
        yield Row("config mode", unit.label, "free", "free", "", True)
        return
    held = f"held by {login.holder()}"
    if plan.override_session:
        yield Row(
            "config mode", unit.label, held, "free, or taken (sonicha:overrideSession)", "", True
        )
        return
    yield Row(
        "config mode",
        unit.label,
        held,
        "free",
        "wait until they are done, or set sonicha:overrideSession=true to preempt them"
        " (their unsaved changes are lost)",
        False,
    )


# -- the Backup after pairing -----------------------------------------------------------
def address_of(host: str) -> str:
    """`10.0.0.2:443` -> `10.0.0.2` (the address in a host input)."""
    text = host.strip().removeprefix("https://").rstrip("/")
    return text.rpartition(":")[0] if text.count(":") == 1 else text


def _backup_after_pairing(plan: Plan, p: UnitFacts, b: UnitFacts | None) -> Iterator[Row]:
    """Once paired, the Backup answers management only at its own monitoring address on
    an interface with management allowed (set on the Primary): that must be the address
    the stack uses as backup_host."""
    assert plan.backup_host is not None
    address = address_of(plan.backup_host)
    label = b.label if b is not None else f"Backup {plan.backup_host}"
    entry = next(
        (
            e
            for e in p.monitoring or []
            if e.get("allow_management") and str(e.get("secondary", "")) == address
        ),
        None,
    )
    expected = f"{address}: a monitoring address with management allowed"
    if entry is not None:
        found = f"{address}: the monitoring address on {entry.get('name')}, management allowed"
        yield Row("reachable after pairing", label, found, expected, "", True)
        return
    yield Row(
        "reachable after pairing",
        label,
        f"no interface's HA monitoring gives the Backup {address} with management allowed",
        expected,
        "declare an HaMonitoring (allow_management=True) whose backup_ip is the address used"
        " as backup_host: once paired, the Backup answers management only there",
        False,
    )
