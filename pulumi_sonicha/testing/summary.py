"""The summary a command ends with, in the Pulumi CLI's words (`+ create`, `~ update`,
`+- replace`, `- delete`, drift lines with their values), then outputs and counts."""

from __future__ import annotations

import json
from typing import Any

from pulumi.output import Unknown

from .lifecycle import CREATE, DELETE, DRIFT, GONE, REPLACE, UPDATE, Result

_SYMBOLS = {CREATE: "+", UPDATE: "~", REPLACE: "+-", DELETE: "-", DRIFT: "~", GONE: "-"}
_HEADERS = {
    "preview": "Previewing update",
    "up": "Updating",
    "refresh": "Refreshing",
    "destroy": "Destroying",
}
_PLANNED = {
    CREATE: "to create",
    UPDATE: "to update",
    REPLACE: "to replace",
    DELETE: "to delete",
    DRIFT: "drifted",
    GONE: "gone",
}
_DONE = {
    CREATE: "created",
    UPDATE: "updated",
    REPLACE: "replaced",
    DELETE: "deleted",
    DRIFT: "drifted",
    GONE: "gone",
}


def _value(value: Any) -> str:
    if isinstance(value, Unknown):
        return "[unknown]"
    return json.dumps(value, default=lambda v: "[unknown]" if isinstance(v, Unknown) else str(v))


def _change(key: str, before: Any, after: Any) -> str:
    return f"{key} {_value(before)} => {_value(after)}"


def header(operation: str, title: str) -> str:
    """"Updating (project/stack):", as the CLI starts a command."""
    return f"{_HEADERS.get(operation, operation)} ({title}):"


def render(result: Result, title: str, diff: bool = False, *, live: bool = False) -> str:
    """The result as the Pulumi CLI would summarize it (`diff`: as with `--diff`).

    `live`: the summary after the live lines (`display`), which showed the header and
    each step already: only the steps with more to say (what changed, from what to
    what, a failure, an alias) come again, under "Details:"."""
    lines = [] if live else [header(result.operation, title)]
    details: list[str] = []
    for step in result.steps:
        if step.error is not None:
            if live:
                continue  # the command's error line says it
            details.append(f"  ** {step.op:<8} {step.type}  {step.name}  failed: {step.error}")
            continue
        symbol = _SYMBOLS.get(step.op)
        if symbol is None:
            continue  # same / read: counted below
        detail = ""
        if step.op in (UPDATE, REPLACE) and step.diff_keys:
            detail = " [diff: " + ", ".join(f"~{k}" for k in step.diff_keys) + "]"
        if step.op == REPLACE and step.delete_before_replace:
            detail += " (delete before replace)"
        if step.op == DRIFT:
            detail = (
                " [drift: "
                + ", ".join(_change(k, *step.diff_values[k]) for k in step.diff_keys)
                + "]"
                if step.diff_values and set(step.diff_keys) <= set(step.diff_values)
                else " [drift: " + ", ".join(f"~{k}" for k in step.diff_keys) + "]"
            )
        if step.op == GONE:
            detail = " [gone]"
        if step.aliased_from:
            detail += f" (was {step.aliased_from}: aliases)"
        values = []
        if diff and step.op in (UPDATE, REPLACE):
            for key in step.diff_keys:
                if key in step.diff_values:
                    values.append(f"        ~ {_change(key, *step.diff_values[key])}")
        if live and not detail and not values:
            continue  # the live line said it all
        details.append(f"  {symbol:<2} {step.op:<8} {step.type}  {step.name}{detail}")
        details += values
    if live and details:
        lines += ["", "Details:"]
    lines += details
    if result.diagnostics:
        lines += ["", "Diagnostics:", *(f"    {m}" for m in result.diagnostics)]
    if result.operation in ("preview", "up") and result.outputs:
        lines += ["", "Outputs:"]
        for name in sorted(result.outputs):
            shown = "[secret]" if name in result.secret_outputs else _value(result.outputs[name])
            lines.append(f"    {name}: {shown}")
    words = _PLANNED if result.operation == "preview" else _DONE
    lines += ["", "Resources:"]
    for op, count in result.changes.items():
        lines.append(f"    {_SYMBOLS.get(op, '**'):<2} {count} {words.get(op, op)}")
    if result.failures:
        lines.append(f"    ** {len(result.failures)} failed")
    unchanged = len({s.name for s in result.steps if s.op in ("same", "read")})
    if unchanged:
        lines.append(f"    {unchanged} unchanged")
    return "\n".join(lines)
