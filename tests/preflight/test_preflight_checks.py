"""The preflight's checks as pure functions of what was read (no unit needed): each
problem makes its own row fail, every problem shows at once, a unit not read skips
the checks that need it, and the table and JSON carry every column."""

from __future__ import annotations

import copy
import json
from typing import Any

from pulumi_sonicha.preflight import Link, Plan, Report, UnitFacts, evaluate
from pulumi_sonicha.preflight.facts import NOT_REPORTED
from pulumi_sonicha.preflight.report import PreflightError
from pulumi_sonicha.sonicos import LinkStatus, LoginInfo, SystemInfo

P, B = "2CB8ED0A1B2C", "2CB8ED0A9F00"
FREE = LoginInfo(False, None, None, None, None)
UP = LinkStatus(True, "1 Gbps Full Duplex")
PLAN = Plan(
    primary_host="10.0.0.1",
    backup_host="10.0.0.3",
    primary_serial=P,
    backup_serial=B,
    links=(Link("X5", "control"), Link("X4", "data")),
)


def ha(secondary: str | None, key: str = "active_standby") -> dict[str, Any]:
    mode = {key: {"secondary_serial": secondary, "control_interface": "X5"}} if secondary else {}
    return {"heartbeat_interval": 1000, "mode": mode}


def unit(role: str, serial: str, **changes: Any) -> UnitFacts:
    facts = UnitFacts(
        role=role,
        host="10.0.0.1" if role == "Primary" else "10.0.0.3",
        system=SystemInfo(serial, "NSa 2700", "7.2.0-7015"),
        login=FREE,
        ha=ha(None),
        status={"status": "Primary Disabled"},
        restart=None,
        restart_read=True,
        zones={"X4": "Unassigned", "X5": "Unassigned"},
        links={"X4": UP, "X5": UP},
        monitoring=(
            [
                {
                    "name": "X0",
                    "primary": "10.0.0.2",
                    "secondary": "10.0.0.3",
                    "allow_management": True,
                }
            ]
            if role == "Primary"
            else None
        ),
    )
    for key, value in changes.items():
        setattr(facts, key, value)
    return facts


def failures(plan: Plan, primary: UnitFacts, backup: UnitFacts | None) -> set[tuple[str, str]]:
    return {(r.check, r.unit.split()[0]) for r in evaluate(plan, primary, backup) if not r.ok}


def test_a_ready_pair_passes_every_check() -> None:
    rows = evaluate(PLAN, unit("Primary", P), unit("Backup", B))
    assert all(row.ok for row in rows)
    assert {row.check for row in rows} == {
        "reachable",
        "serial",
        "model",
        "firmware",
        "HA state",
        "X5 (control link) zone",
        "X5 (control link) cable",
        "X4 (data link) zone",
        "X4 (data link) cable",
        "restart pending",
        "config mode",
        "reachable after pairing",
    }


def test_every_problem_at_once() -> None:
    primary = unit(
        "Primary",
        P,
        restart="APPLIANCE",
        login=LoginInfo(False, "WEB", "192.0.2.7", "alice", 5),
        monitoring=[],
    )
    backup = unit(
        "Backup",
        B,
        system=SystemInfo(B, "NSa 3700", "7.0.1-5145"),
        zones={"X4": "LAN", "X5": "Unassigned"},
        links={"X4": UP, "X5": LinkStatus(False, "No link")},
    )
    assert failures(PLAN, primary, backup) == {
        ("model", "Backup"),
        ("firmware", "Backup"),
        ("X4 (data link) zone", "Backup"),
        ("X5 (control link) cable", "Backup"),
        ("restart pending", "Primary"),
        ("config mode", "Primary"),
        ("reachable after pairing", "Backup"),
    }
    # Zones the plan sets itself, and a session allowed to preempt: no longer problems.
    lenient = Plan(
        **{
            **PLAN.__dict__,
            "links": (Link("X5", "control", True), Link("X4", "data", True)),
            "override_session": True,
        }
    )
    assert ("X4 (data link) zone", "Backup") not in failures(lenient, primary, backup)
    assert ("config mode", "Primary") not in failures(lenient, primary, backup)


def test_serials_and_addresses() -> None:
    # primary_host reaches the Backup; backup_host reaches the Primary.
    assert failures(PLAN, unit("Primary", B), unit("Backup", P)) == {
        ("serial", "Primary"),
        ("serial", "Backup"),
    }
    # Both addresses reach one unit.
    assert ("serial", "Backup") in failures(PLAN, unit("Primary", P), unit("Backup", P))
    # Another unit than declared.
    other = "2CB8EE000C01"
    assert failures(PLAN, unit("Primary", other), unit("Backup", B)) >= {("serial", "Primary")}


def test_ha_roles_and_modes() -> None:
    # A clustering pair is refused on either unit, never taken for "HA off".
    for key in ("active_active_clustering", "active_active_clustering_dpi"):
        primary = unit("Primary", P, ha=ha(B, key))
        assert failures(PLAN, primary, unit("Backup", B)) == {("HA mode", "Primary")}
    # primary_host is a synchronized Backup.
    secondary = unit("Primary", P, ha=ha(P), status={"status": "Secondary Standby"})
    assert ("HA role", "Primary") in failures(PLAN, secondary, unit("Backup", B))
    # The Primary leads a pair naming another Backup: refused, unless the plan allows it.
    leads_other = unit("Primary", P, ha=ha("2CB8EF000C02"))
    assert ("HA state", "Primary") in failures(PLAN, leads_other, unit("Backup", B))
    allowed = Plan(**{**PLAN.__dict__, "other_backup_allowed": True})
    assert ("HA state", "Primary") not in failures(allowed, leads_other, unit("Backup", B))
    # The Backup is in a pair whose Primary is not at primary_host.
    paired = unit("Backup", B, ha=ha(B))
    assert failures(PLAN, unit("Primary", P), paired) == {("HA pair", "Backup")}
    assert not failures(PLAN, unit("Primary", P, ha=ha(B)), paired)
    # The Backup leads a pair of its own.
    assert ("HA role", "Backup") in failures(PLAN, unit("Primary", P), unit("Backup", B, ha=ha(P)))


def test_an_unreachable_unit_fails_one_row_and_skips_the_rest() -> None:
    gone = UnitFacts(role="Backup", host="10.0.0.3", error="10.0.0.3: connection refused")
    rows = evaluate(PLAN, unit("Primary", P), gone)
    assert [(r.check, r.unit) for r in rows if not r.ok] == [("reachable", "Backup 10.0.0.3")]
    (row,) = [r for r in rows if not r.ok]
    assert "monitoring address" in row.fix


def test_what_was_not_read_is_not_checked() -> None:
    """HaPair's apply evaluates only what it has read (no zones, links, monitoring,
    restart or login): those rows are absent, not passed."""
    primary = UnitFacts(role="Primary", host="10.0.0.1", system=SystemInfo(P, "NSa 2700", "7.2"))
    primary.ha = ha(None)
    checks = {r.check for r in evaluate(PLAN, primary, None)}
    assert checks == {"reachable", "serial", "HA state"}
    no_status = unit("Primary", P, restart=NOT_REPORTED)
    (row,) = [r for r in evaluate(PLAN, no_status, None) if r.check == "restart pending"]
    assert row.ok and "not reported" in row.found


def test_table_and_json_carry_every_column() -> None:
    backup = unit("Backup", B, system=SystemInfo(B, "NSa 3700", "7.2.0-7015"))
    report = Report(PLAN, tuple(evaluate(PLAN, unit("Primary", P), backup)))
    assert not report.ok and len(report.failures) == 1
    table = report.table().splitlines()
    header = [cell.strip() for cell in table[0].split("|")[1:-1]]
    assert header == ["result", "check", "unit", "found", "expected", "fix"]
    (fail,) = [line for line in table if line.startswith("| FAIL")]
    assert "model" in fail and "NSa 3700" in fail and "same model" in fail
    doc = json.loads(json.dumps(report.as_dict()))
    assert doc["ok"] is False and doc["failures"] == 1
    assert {"check", "unit", "found", "expected", "fix", "ok"} == set(doc["rows"][0])
    error = PreflightError("HaPair on 10.0.0.1", report)
    assert "nothing was written" in str(error) and "NSa 3700" in str(error)
    assert copy.copy(error.report) == report
