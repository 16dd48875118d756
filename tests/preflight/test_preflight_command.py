"""`python -m pulumi_sonicha.preflight` run as an administrator runs it for a change
ticket: a subprocess against the simulator, from options or from a stack file. Reads
only: the units' request logs show no write and no config mode taken."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pulumi_sonicha.simulator import Simulator

READS = [
    "POST /api/sonicos/auth",
    "GET /api/sonicos/version",
    "GET /api/sonicos/high-availability/base",
    "GET /api/sonicos/reporting/high-availability",
    "GET /api/sonicos/reporting/status/system",
    "GET /api/sonicos/interfaces/ipv4",
    "GET /api/sonicos/reporting/interfaces/ipv4/status",
]


def preflight(sim: Simulator, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SONICHA_")},
        "SONICHA_PASSWORD": sim.password,
        "SONICHA_USERNAME": sim.username,
        "SONICHA_CA_BUNDLE": sim.ca_path,
    }
    return subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.preflight", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def hosts(sim: Simulator) -> list[str]:
    return [
        "--primary",
        sim.primary.host,
        "--backup",
        sim.backup.host,
        "--primary-serial",
        sim.primary.serial,
        "--backup-serial",
        sim.backup.serial,
    ]


def calls(unit: Any) -> list[str]:
    """The unit's requests, the Digest challenge's 401 left out."""
    return [f"{r.method} {r.path}" for r in unit.requests if r.status != 401]


def failed(doc: dict[str, Any], pair: str = "pair") -> set[tuple[str, str]]:
    return {
        (row["check"], row["unit"].split()[0])
        for row in doc["pairs"][pair]["rows"]
        if not row["ok"]
    }


def test_ready_pair_passes_with_reads_only(sim: Simulator) -> None:
    done = preflight(sim, *hosts(sim))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "preflight passed" in done.stdout
    assert "| ok     | reachable after pairing" in done.stdout
    # Per unit: one session, the reads the checks need, nothing written, no config mode.
    assert calls(sim.primary) == [
        *READS,
        "GET /api/sonicos/high-availability/monitoring/ipv4",
        "DELETE /api/sonicos/auth",
    ]
    assert calls(sim.backup) == [*READS, "DELETE /api/sonicos/auth"]
    assert sim.primary.writes() == [] and sim.backup.writes() == []


def test_every_problem_at_once_as_json_exit_1(sim: Simulator) -> None:
    sim.uncable("X5")
    sim.backup.set_zone("X4", "LAN")
    sim.primary.hold_session(admin="alice", kind="WEB", ip="192.0.2.7")
    sim.backup.restart_pending = "APPLIANCE"  # a committed change waits for a restart
    done = preflight(sim, *hosts(sim), "--json", "--backup-serial", "2CB8ED0A9F11")
    assert done.returncode == 1, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["ok"] is False
    assert failed(doc) == {
        ("serial", "Backup"),
        ("X5 (control link) cable", "Primary"),
        ("X5 (control link) cable", "Backup"),
        ("X4 (data link) zone", "Backup"),
        ("config mode", "Primary"),
        ("restart pending", "Backup"),
    }
    row = next(r for r in doc["pairs"]["pair"]["rows"] if r["check"] == "config mode")
    assert "alice" in row["found"] and "overrideSession" in row["fix"]
    assert sim.primary.writes() == [] and sim.backup.writes() == []
    # The zones will be set by the plan's HaInterfaces: no longer a problem.
    done = preflight(sim, *hosts(sim), "--json", "--unassign-zone")
    assert ("X4 (data link) zone", "Backup") not in failed(json.loads(done.stdout))


def test_the_backups_address_as_primary_and_a_unit_that_does_not_answer(sim: Simulator) -> None:
    args = ["--primary", sim.backup.host, "--backup", "127.0.0.1:9", "--json"]
    done = preflight(sim, *args, "--backup-serial", sim.backup.serial)
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert failed(doc) >= {("serial", "Primary"), ("reachable", "Backup")}
    rows = {(r["check"], r["unit"].split()[0]): r for r in doc["pairs"]["pair"]["rows"]}
    assert "Backup's address" in rows[("serial", "Primary")]["fix"]
    assert sim.password not in done.stdout + done.stderr


def test_stack_file_of_the_fleet_example(sim: Simulator, tmp_path: Path) -> None:
    """The stack's own config, as `pulumi config set` wrote it (the password encrypted,
    so it comes from the environment): one table per pair."""
    (tmp_path / "Pulumi.yaml").write_text("name: sonicwall-fleet\nruntime: python\n")
    pairs = [
        {
            "name": "site-a",
            "primaryHost": sim.primary.host,
            "backupHost": sim.backup.host,
            "primarySerial": sim.primary.serial,
            "backupSerial": sim.backup.serial,
        }
    ]
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n"
        f"  sonicha:caBundle: {sim.ca_path}\n"
        "  sonicha:password:\n    secure: AAABAKx0c2VjcmV0\n"
        f"  ha:pairs: '{json.dumps(pairs)}'\n"
    )
    done = preflight(sim, "--stack", "prod", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "## site-a (" in done.stdout and "preflight passed" in done.stdout
    sim.backup.set_zone("X5", "DMZ")
    done = preflight(sim, "--stack", "prod", cwd=tmp_path)
    assert done.returncode == 1
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("| FAIL")]
    assert "X5 (control link) zone" in line and "| Backup " in line and "| DMZ " in line


def test_usage_errors_exit_2(sim: Simulator, tmp_path: Path) -> None:
    done = preflight(sim)
    assert done.returncode == 2 and "give --stack" in done.stderr
    done = preflight(sim, "--primary", sim.primary.host, "--control-interface", "Q9")
    assert done.returncode == 2 and "Q9" in done.stderr
    done = preflight(sim, "--stack", "nope", cwd=tmp_path)
    assert done.returncode == 2 and "Pulumi.nope.yaml" in done.stderr
