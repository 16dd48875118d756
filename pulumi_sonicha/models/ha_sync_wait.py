"""HaSyncWait: inputs <-> the pairs one fleet-wide wait watches.

A pair's HaPair with `wait_for_sync=False` returns once its settings are
committed; one HaSyncWait then waits for every pair of the fleet at once, on
threads of its own, instead of each HaPair holding one of the provider host's four
workers for a whole sync time. Each entry names one pair the way the Primary-side
resources reach it (`primary_host`, `setup_host`, `primary_serial`) and carries a
`revision`: any text that changes when the pair's settings change, so that the wait
runs again (an update) whenever one pair of the fleet is changed or added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field, InvalidValue, Schema, is_unknown

#: The keys of one `pairs` entry: (field, required).
PAIR_FIELDS = (
    Field("name", str),
    Field("primary_host", str, normalize=schema.host),
    Field("setup_host", str, default=None, normalize=schema.host),
    Field("primary_serial", str, normalize=schema.serial),
    Field("backup_serial", str, normalize=schema.serial),
    Field("revision", str, default=""),
)

SCHEMA = Schema(
    resource="HaSyncWait",
    fields=(
        Field("timeout_s", int, default=600, minimum=1, maximum=86400, unit="seconds"),
        Field("parallel", int, default=16, minimum=1, maximum=256, unit="pairs at once"),
    ),
)


def check_pairs(value: Any) -> tuple[list[dict[str, Any]] | Any, list[Failure]]:
    """`pairs` normalized (each entry as `PAIR_FIELDS` say), or the failures, each naming
    the entry; an entry not known yet (preview) is kept as it is."""
    if is_unknown(value):
        return value, []
    if not isinstance(value, list) or not value:
        return value, [Failure("pairs", "HaSyncWait: pairs must be a non-empty list of pairs")]
    checked: list[dict[str, Any]] = []
    failures: list[Failure] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(value):
        where = f"HaSyncWait: pairs[{index}]"
        if is_unknown(entry):
            checked.append(entry)
            continue
        if not isinstance(entry, dict):
            failures.append(Failure("pairs", f"{where} must be an object"))
            continue
        if isinstance(entry.get("name"), str):
            where += f' ("{entry["name"]}")'
        unknown = sorted(set(entry) - {f.name for f in PAIR_FIELDS})
        if unknown:
            failures.append(Failure("pairs", f"{where}: unknown key(s) {', '.join(unknown)}"))
        out: dict[str, Any] = {}
        for f in PAIR_FIELDS:
            item = entry.get(f.name)
            if is_unknown(item):
                out[f.name] = item
            elif item is None:
                if f.required:
                    failures.append(Failure("pairs", f"{where}: {f.name} is required"))
                out[f.name] = f.default
            else:
                try:
                    out[f.name] = f.coerce(item)
                except InvalidValue as exc:
                    failures.append(Failure("pairs", f"{where}: {f.name} {exc}"))
        name = out.get("name")
        if isinstance(name, str):
            if name in seen:
                failures.append(Failure("pairs", f"{where}: name is also pairs[{seen[name]}]'s"))
            seen[name] = index
        checked.append(out)
    return checked, failures


def pair_label(pair: dict[str, Any]) -> str:
    """How messages name a pair: its name, the Primary's address and serial."""
    return f"{pair['name']} (Primary {pair['primary_host']}, serial {pair['primary_serial']})"


def waiting_text(states: dict[str, dict[str, Any]], pairs: Iterable[dict[str, Any]]) -> str:
    """Every pair not synchronized, with the state last seen."""
    lines = []
    for pair in pairs:
        state = states.get(pair["name"]) or {}
        if state.get("synchronized"):
            continue
        seen = state.get("error") or (
            f"{state.get('ha_status') or 'HA status ?'}, Primary"
            f" {state.get('primary_state') or '?'}, Backup {state.get('backup_state') or '?'}"
        )
        lines.append(f"{pair_label(pair)}: {seen}")
    return "; ".join(lines)
