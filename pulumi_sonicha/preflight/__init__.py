"""Preflight: prove a pair's plan before the first write, with reads only.

Both units are read (one session each, no config mode) and every check yields a
row of one table (check, unit, found, expected, fix), so every problem shows at
once: both units' model and firmware equal; serials as declared, and neither
address answering the other's serial; HA state and mode (a mode this provider
does not manage, such as `active_active_clustering`, is refused, never
overwritten); the HA links zoned and cabled on both units; the Backup reachable
now and after pairing (an HA monitoring address with management allowed at the
address used as `backup_host`); no restart pending; config mode not held by
someone else.

Used three ways: by `diff`, which plans a delete-first replacement only when the
new resource's preflight passes (otherwise the preview fails with the table);
by HaPair's create and update before the first write; and as a command for
change tickets (`python -m pulumi_sonicha.preflight`).
"""

from __future__ import annotations

from ..settings import Settings
from .checks import Row, evaluate
from .facts import UnitFacts, read_unit
from .plan import Link, Plan
from .report import PreflightError, Report, render

__all__ = [
    "Link",
    "Plan",
    "PreflightError",
    "Report",
    "Row",
    "UnitFacts",
    "evaluate",
    "render",
    "run",
]


def run(plan: Plan, settings: Settings) -> Report:
    """Read both units (the Primary first, then the Backup, one session at a time) and
    evaluate every check."""
    primary = read_unit(
        "Primary",
        plan.primary_host,
        settings,
        links=bool(plan.links),
        monitoring=plan.pairing and bool(plan.backup_host),
    )
    backup = (
        read_unit("Backup", plan.backup_host, settings, links=bool(plan.links), monitoring=False)
        if plan.backup_host
        else None
    )
    return Report(plan, tuple(evaluate(plan, primary, backup)))
