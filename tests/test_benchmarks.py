"""Smoke test of `python -m benchmarks --quick`: it runs, and the request-count targets hold.

Request counts are deterministic (the simulator's request log), so they are
asserted here; wall times are not (they depend on the machine), only that
they were measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ("create", "read", "check_diff_unchanged", "update", "delete")
RESOURCES = ("HaInterface", "HaPair", "LicenseAssociation")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "| HaPair read " in run.stdout  # the targets table is printed
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
    assert results["options"]["pairs"] == [1, 3] and results["options"]["quick"] is True
    for resource in RESOURCES:
        assert tuple(results["requests_per_operation"][resource]) == OPERATIONS
    assert [r["pairs"] for r in results["refresh"]] == [1, 3]
    for entry in results["refresh"]:
        assert entry["provider"]["seconds"] > 0 and entry["naive"]["seconds"] > 0
        assert entry["resources"] == 3 * entry["pairs"]
    assert results["host_peak_memory"]["VmHWM_kib"] > 0
    verdicts = {t["name"]: t["verdict"] for t in results["targets"]}
    assert verdicts["refresh speed-up at 50 pairs"] == "n/a"  # not measured by --quick
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
