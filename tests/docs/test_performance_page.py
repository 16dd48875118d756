"""docs/performance.md's benchmark tables are generated from benchmarks/results.json
(`python -m benchmarks --tables-only` regenerates them): they cannot disagree."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.report import BLOCKS, page_blocks, update_page

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "benchmarks" / "results.json"
PAGE = ROOT / "docs" / "performance.md"


def test_page_tables_are_the_committed_results() -> None:
    page = PAGE.read_text()
    committed = json.loads(COMMITTED.read_text())
    assert set(page_blocks(page)) == set(BLOCKS)
    assert page_blocks(update_page(page, committed)) == page_blocks(page)
    for name, render in BLOCKS.items():
        assert page_blocks(page)[name] == render(committed), name


def test_the_page_check_would_catch_a_stale_table() -> None:
    page = PAGE.read_text()
    committed = json.loads(COMMITTED.read_text())
    op = committed["requests_per_operation"]["HaPair"]["delete"]
    op["total"] += 1
    assert page_blocks(update_page(page, committed)) != page_blocks(page)
