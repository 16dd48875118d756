"""HaFailover: which unit of a pair should be Active, and failover drills as code.

Nothing of this lives in a unit's configuration: which unit is Active is a state
the pair reports (`GET /reporting/high-availability`), and a drill is a sequence
of the vendor's `force-failover` action with waits between. So the only input a
unit can contradict is `active` (read reports the Active unit, and a drift
preview shows it); the others say what `up` does and are kept as declared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field, Schema

ROLES = ("primary", "backup")
DEFAULT_MAX_SECONDS = 120

# Outputs that record the last drill; empty until one ran.
DRILL_OUTPUTS = (
    "drilled_at",
    "drill_result",
    "failover_seconds",
    "failback_seconds",
    "states_before",
    "states_after",
)


def _rules(inputs: dict[str, Any]) -> Iterable[Failure]:
    label = SCHEMA.label(inputs)
    yield from schema.backup_host_is_another_unit(inputs, label)
    pair, primary = inputs.get("pair_host"), inputs.get("primary_host")
    if isinstance(pair, str) and isinstance(primary, str) and schema.same_host(pair, primary):
        yield Failure(
            "pair_host",
            f"{label}: pair_host is the same address as primary_host ({pair}); primary_host"
            " must be the Primary's own address (its HA monitoring address), which stays the"
            " Primary's after a failover, and pair_host an address of the pair (an interface"
            " address), which moves to whichever unit is Active",
        )


SCHEMA = Schema(
    resource="HaFailover",
    fields=(
        Field("primary_host", str, replace=True, normalize=schema.host, observed=False),
        Field("backup_host", str, normalize=schema.host, observed=False),
        Field("pair_host", str, default=None, normalize=schema.host, observed=False),
        Field("active", str, default=None, choices=ROLES),
        Field("drill", str, default=None, observed=False),
        Field(
            "max_seconds",
            int,
            default=DEFAULT_MAX_SECONDS,
            minimum=1,
            maximum=3600,
            unit="seconds",
            observed=False,
        ),
    ),
    rules=(_rules,),
)
