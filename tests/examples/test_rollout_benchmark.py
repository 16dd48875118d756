"""The rollout benchmark: a tiny run of the real thing, and its committed table.

`python -m benchmarks.rollout` (50 pairs, 10 s sync) is the measurement; here a
fleet of two pairs with a short sync runs the same three modes, so the command keeps
working, and the table in examples/fleet/README.md is the committed result's.
"""

from __future__ import annotations

import json

from benchmarks import rollout


def test_the_committed_table_is_the_committed_result():
    result = json.loads(rollout.DEFAULT_OUT.read_text())
    text = rollout.GUIDE.read_text()
    assert rollout.with_table(text, result) == text
    assert result["pairs"] == 50 and result["sync_seconds"] == 10.0
    assert set(result["modes"]) == {"writes", "per-pair", "fleet"}


def test_a_tiny_rollout_measures_every_mode(tmp_path):
    result = rollout.measure(pairs=2, sync_seconds=0.5, workdir=tmp_path)
    for mode in ("writes", "per-pair", "fleet"):
        assert result["modes"][mode]["create_s"] > 0
        assert result["modes"][mode]["timer_change_s"] > 0
    # Per-pair waits include each pair's 0.5 s sync; the fleet's wait overlaps them.
    assert result["modes"]["per-pair"]["create_s"] >= 0.5
    assert set(result["checks"]) == {
        "create_within_writes_plus_1_5_sync",
        "create_speedup",
        "timer_change_within_writes_plus_1_5_sync",
        "timer_change_speedup",
    }
    assert "| fleet wait (FirewallFleet, one HaSyncWait) |" in rollout.table(result)
