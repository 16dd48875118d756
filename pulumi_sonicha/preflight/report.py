"""The preflight's answer: its rows, as a table for a person or JSON for a job.

The table is Markdown, so it pastes into a change ticket as it is; one line per
row with the columns check, unit, found, expected, fix (the fix only where the
row failed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import SonicHaError
from .checks import Row
from .plan import Plan

COLUMNS = ("result", "check", "unit", "found", "expected", "fix")


@dataclass(frozen=True)
class Report:
    plan: Plan
    rows: tuple[Row, ...]

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> list[Row]:
        return [row for row in self.rows if not row.ok]

    def table(self) -> str:
        return render(self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "failures": len(self.failures),
            "plan": asdict(self.plan),
            "rows": [asdict(row) for row in self.rows],
        }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(rows: tuple[Row, ...] | list[Row]) -> str:
    """A Markdown table, columns padded so it reads in a terminal too."""
    cells = [list(COLUMNS)] + [
        [
            "ok" if row.ok else "FAIL",
            row.check,
            row.unit,
            row.found,
            row.expected,
            "" if row.ok else row.fix,
        ]
        for row in rows
    ]
    cells = [[_cell(c) for c in line] for line in cells]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


class PreflightError(SonicHaError):
    """A preflight found problems: the message holds the whole table; nothing was written."""

    def __init__(self, what: str, report: Report) -> None:
        failed = len(report.failures)
        super().__init__(
            f"{what}: the preflight found {failed} problem{'s' if failed != 1 else ''}, so"
            f" nothing was written:\n{render(report.failures)}\n"
            "Fix each row as its fix says and run again (`python -m pulumi_sonicha.preflight`"
            " shows the whole table)."
        )
        self.report = report
