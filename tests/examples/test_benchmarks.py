"""Smoke test of `python -m benchmarks --quick`: it runs, and the request-count targets hold;
and the README's benchmark tables are the committed JSON's.

Request counts are deterministic (the simulator's request log), so they are
asserted here; wall times are not (they depend on the machine), only that
they were measured. The quick run uses tiny sizes (1 and 2 pairs, 10 ms).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import run
from benchmarks.report import BLOCKS, readme_blocks, update_readme

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "benchmarks" / "results.json"
OPERATIONS = ("create", "read", "check_diff_unchanged", "update", "delete")
RESOURCES = ("HaInterface", "HaPair", "LicenseAssociation")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    committed, readme = COMMITTED.read_bytes(), (ROOT / "README.md").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| HaPair read " in done.stdout  # the targets table is printed
    # A quick run leaves the committed results and the README alone.
    assert COMMITTED.read_bytes() == committed
    assert (ROOT / "README.md").read_bytes() == readme
    return json.loads(out.read_text())


def test_structure(results: dict[str, Any]) -> None:
    assert set(results) >= {
        "environment",
        "options",
        "requests_per_operation",
        "refresh",
        "provider_sizes",
        "host_peak_memory",
        "targets",
        "all_targets_met",
    }
    assert results["options"]["pairs"] == [1, 2] and results["options"]["quick"] is True
    for resource in RESOURCES:
        assert tuple(results["requests_per_operation"][resource]) == OPERATIONS
    assert [r["pairs"] for r in results["refresh"]] == [1, 2]
    for entry in results["refresh"]:
        assert entry["provider"]["seconds"] > 0 and entry["naive"]["seconds"] > 0
        assert entry["resources"] == 3 * entry["pairs"]
    assert results["host_peak_memory"]["VmHWM_kib"] > 0
    verdicts = {t["name"]: t["verdict"] for t in results["targets"]}
    assert verdicts["refresh speed-up at 50 pairs"] == "n/a"  # not measured by --quick
    assert verdicts["refresh at 50 pairs against the host's limit"] == "n/a"
    assert results["all_targets_met"] is True, results["targets"]


def test_reads_cost_at_most_four_requests_per_unit(results: dict[str, Any]) -> None:
    ops = results["requests_per_operation"]
    assert ops["HaPair"]["read"]["calls"]["primary"] == [
        "POST /api/sonicos/auth",
        "GET /api/sonicos/high-availability/base",
        "GET /api/sonicos/reporting/high-availability",
        "DELETE /api/sonicos/auth",
    ]
    assert ops["HaPair"]["read"]["total"] == 4
    link = ops["HaInterface"]["read"]["requests"]
    assert link["primary"] <= 4 and link["backup"] <= 4 and link["portal"] == 0


def test_unchanged_check_and_diff_send_nothing(results: dict[str, Any]) -> None:
    for resource in RESOURCES:
        assert results["requests_per_operation"][resource]["check_diff_unchanged"]["total"] == 0


def test_update_writes_only_the_changed_object_and_commits_once(results: dict[str, Any]) -> None:
    pair = results["requests_per_operation"]["HaPair"]["update"]
    # Config mode only for the write window (given back before the sync wait), one PUT of
    # the whole object (the unit replaces it), one commit.
    assert [(w["server"], w["method"], w["path"]) for w in pair["writes"]] == [
        ("primary", "POST", "/api/sonicos/config-mode"),
        ("primary", "PUT", "/api/sonicos/high-availability/base"),
        ("primary", "POST", "/api/sonicos/config/pending"),
        ("primary", "POST", "/api/sonicos/non-config-mode"),
    ]
    assert pair["writes"][1]["body"]["high_availability"]["heartbeat_interval"] == 2000
    link = results["requests_per_operation"]["HaInterface"]["update"]
    assert [(w["server"], w["method"], w["path"]) for w in link["writes"]] == [
        ("backup", "POST", "/api/sonicos/config-mode"),
        ("backup", "PUT", "/api/sonicos/interfaces/ipv4"),
        ("backup", "POST", "/api/sonicos/config/pending"),
    ]
    for update in (pair, link):
        assert update["changed_object_only"] is True
        assert sum(update["commits"].values()) == 1
    assert results["requests_per_operation"]["LicenseAssociation"]["update"]["applicable"] is False


def test_provider_is_small_and_pickled_by_reference(results: dict[str, Any]) -> None:
    for resource in RESOURCES:
        size = results["provider_sizes"][resource]
        assert size["serialized_length"] < 300
        assert size["by_reference"] is True
        assert size["imports"] == [size["class"]]
        assert size["class"].startswith("pulumi_sonicha.providers.")


def test_refresh_serializes_each_unit_and_beats_naive_on_requests(
    results: dict[str, Any],
) -> None:
    for entry in results["refresh"]:
        assert entry["provider"]["max_sessions_per_unit"] == 1
        assert entry["same_gets"] is True and entry["drift"] == []
        # Per pair: 4 per unit for the link, 4 for the pair, 1 for the association; the
        # portal token is shared by the whole host (one login). The host's first login
        # to each unit meets the Digest challenge (one 401 per unit, 2 per pair).
        assert entry["provider"]["requests"] <= 15 * entry["pairs"] + 1
        # Naive: 6 appliance GETs per pair, each in its own session whose login meets the
        # challenge too (4 requests each), plus 2 portal requests.
        assert entry["naive"]["requests"] == 26 * entry["pairs"]


def test_connections_are_counted_and_reused(results: dict[str, Any]) -> None:
    for entry in results["refresh"]:
        provider, naive = entry["provider"], entry["naive"]
        # One kept-alive connection per unit for the whole refresh...
        assert provider["max_connections_per_unit"] == 1
        assert provider["connections"] <= 2 * entry["pairs"] + 4  # + the portal's, <= 4
        # ...where a script opens one per call: 3 per appliance GET (login, GET, logout),
        # 2 per portal GET.
        assert naive["connections"] == 20 * entry["pairs"]
        assert provider["limit_seconds"] > 0 and provider["round_trips_in_flight_avg"] > 0
    ops = results["requests_per_operation"]
    # From an empty pool an operation opens one connection per server it talks to.
    assert ops["HaPair"]["read"]["connections"] == {"primary": 1, "backup": 0, "portal": 0}
    assert ops["HaInterface"]["read"]["connections"] == {"primary": 1, "backup": 1, "portal": 0}


def test_stacks_split_the_same_fleet_and_find_no_drift(results: dict[str, Any]) -> None:
    stacks = results["stacks"]
    assert [p["stacks"] for p in stacks["points"]] == [1, 2]
    for point in stacks["points"]:
        assert point["pairs"] == 2 and point["drift"] == []
        assert len(point["per_stack_seconds"]) == point["stacks"]
        assert point["max_connections_per_unit"] <= point["stacks"]  # one host per stack


def test_quick_never_writes_the_committed_results() -> None:
    assert run.parse_args(["--quick"]).out is None
    with pytest.raises(SystemExit):
        run.parse_args(["--quick", "--out", str(COMMITTED)])
    assert run.parse_args([]).out == run.DEFAULT_OUT


def test_readme_tables_are_the_committed_results() -> None:
    """The README's benchmark tables are generated from benchmarks/results.json
    (`python -m benchmarks --readme-only` regenerates them): they cannot disagree."""
    readme = (ROOT / "README.md").read_text()
    committed = json.loads(COMMITTED.read_text())
    assert set(readme_blocks(readme)) == set(BLOCKS)
    assert readme_blocks(update_readme(readme, committed)) == readme_blocks(readme)
    for name, render in BLOCKS.items():
        assert readme_blocks(readme)[name] == render(committed), name


def test_the_readme_check_would_catch_a_stale_table() -> None:
    readme = (ROOT / "README.md").read_text()
    committed = json.loads(COMMITTED.read_text())
    op = committed["requests_per_operation"]["HaPair"]["delete"]
    op["total"] += 1
    assert readme_blocks(update_readme(readme, committed)) != readme_blocks(readme)


def test_stack_job_files_hold_no_secret(tmp_path: Path) -> None:
    """The stacks point writes a job file per stack; the passwords travel in the job's
    environment instead (`SECRET_ENV`), so no file on disk holds one."""
    from types import SimpleNamespace

    from benchmarks import stacks
    from benchmarks.fleet import SECRET_ENV, SECRET_KEYS
    from benchmarks.simfleet import PairInfo

    config = {"sonicha:password": "pw-A1b2", "sonicha:portalPassword": "pw-C3d4"}
    config["sonicha:portalUrl"] = "https://127.0.0.1:1"
    pairs = [PairInfo(i, "127.0.0.1:1", "127.0.0.2:1", f"S{i}", f"B{i}") for i in range(3)]
    fleet = SimpleNamespace(pairs=pairs, stack_config=lambda: dict(config))
    files = stacks._jobs(fleet, tmp_path, 2)  # type: ignore[arg-type]
    assert len(files) == 2
    for path in files:
        text = path.read_text()
        assert "pw-A1b2" not in text and "pw-C3d4" not in text
        assert "sonicha:portalUrl" in text
    env = stacks._secret_env(fleet)  # type: ignore[arg-type]
    assert env == {SECRET_ENV[k]: config[k] for k in SECRET_KEYS}
