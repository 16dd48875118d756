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
from ..schema import About, Failure, Field, Output, Schema

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
        Field(
            "primary_host",
            str,
            replace=True,
            normalize=schema.host,
            observed=False,
            doc="The Primary's own management address: its HA monitoring address (HaMonitoring"
            " primary_ip), which stays the Primary's after a failover. Not the pair's address,"
            " which answers on whichever unit is Active.",
        ),
        Field(
            "backup_host",
            str,
            normalize=schema.host,
            observed=False,
            doc="The Backup's own management address (its HA monitoring address): a drill"
            " fails back there, and the Backup is asked there when the Primary does not"
            " answer.",
        ),
        Field(
            "pair_host",
            str,
            default=None,
            normalize=schema.host,
            observed=False,
            doc="An address of the pair (an interface address, e.g. X0's), which moves to the"
            " Active unit: after each failover of a drill it must answer on the unit now"
            " Active. Leave it out: not checked.",
        ),
        Field(
            "active",
            str,
            default=None,
            choices=ROLES,
            doc='Which unit should be Active: "primary" or "backup". A drift preview flags a'
            " pair whose Active unit is another one; `up` moves it back after checking the"
            " pair is synchronized and its links are up. Leave it out: no alert, nothing"
            " moved.",
        ),
        Field(
            "drill",
            str,
            default=None,
            observed=False,
            doc="Any text (a date, a ticket number): when it changes (and at create, when"
            " given), `up` runs a drill: fail over to the other unit, check the pair's"
            " address, fail back, each step waited for and timed.",
        ),
        Field(
            "max_seconds",
            int,
            default=DEFAULT_MAX_SECONDS,
            minimum=1,
            maximum=3600,
            unit="seconds",
            observed=False,
            doc="How long each wait of a failover may take; then the pair is left as it is and"
            " the error says where each unit stands.",
        ),
    ),
    rules=(_rules,),
    outputs=(
        Output("primary_serial", "str", "The Primary's serial number."),
        Output(
            "backup_serial",
            "str",
            "The Backup's serial number (as the Primary's HA settings name it).",
        ),
        Output(
            "active_unit",
            "str",
            'Which unit is Active: "primary", "backup", or "none" (the pair is not steady).',
        ),
        Output("ha_status", "str", 'The HA status of the unit asked (e.g. "Primary Active").'),
        Output("primary_state", "str", "The Primary's HA state (ACTIVE, STANDBY, ...)."),
        Output("backup_state", "str", "The Backup's HA state."),
        Output("drilled_at", "str | None", "When the last drill started (UTC, ISO 8601)."),
        Output("drill_result", "str | None", "What the last drill did, with its timings."),
        Output(
            "failover_seconds",
            "float | None",
            "Seconds the last drill took to fail over (until the other unit was ACTIVE and the"
            " first STANDBY).",
        ),
        Output("failback_seconds", "float | None", "Seconds the last drill took to fail back."),
        Output(
            "states_before", "dict[str, str] | None", "Each unit's HA state before the last drill."
        ),
        Output(
            "states_after", "dict[str, str] | None", "Each unit's HA state after the last drill."
        ),
    ),
    about=About(
        summary="Which unit of a pair should be Active, kept so, and failover drills on demand"
        " (opt-in).",
        id="`<primary_serial>`.",
        replacement="A new `primary_host` replaces the resource; nothing on the units changes"
        " for it.",
        delete="Changes nothing on the units.",
    ),
)
