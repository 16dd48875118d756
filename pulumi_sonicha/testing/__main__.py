"""`python -m pulumi_sonicha.testing {preview,up,refresh,destroy}`: the CLI's part, offline.

Prints a plan or result summary in the Pulumi CLI's words (`+ create`,
`~ update`, `+- replace`, `- delete`, drift lines) and exits 1 on error or,
with `--expect-no-changes`, when there are changes. Config comes from
`Pulumi.<stack>.yaml` (plain values) and `--config`/`--secret` (which win);
encrypted (`secure:`) entries must be given with `--secret`. Secret values
are never printed: every line is redacted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi.output import Unknown

from .host import HarnessError, redact
from .lifecycle import (
    CREATE,
    DELETE,
    DRIFT,
    GONE,
    REPLACE,
    UPDATE,
    Lifecycle,
    LifecycleError,
    Result,
    load_stack_config,
)

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


def _pairs(items: Sequence[str] | None, flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: {flag} expects KEY=VALUE, got {item.split('=')[0]!r}")
        pairs[key] = value
    return pairs


def _value(value: Any) -> str:
    if isinstance(value, Unknown):
        return "[unknown]"
    return json.dumps(value, default=lambda v: "[unknown]" if isinstance(v, Unknown) else str(v))


def render(result: Result, title: str) -> str:
    """The result as the Pulumi CLI would summarize it."""
    lines = [f"{_HEADERS.get(result.operation, result.operation)} ({title}):"]
    for step in result.steps:
        if step.error is not None:
            lines.append(f"  ** {step.op:<8} {step.type}  {step.name}  failed: {step.error}")
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
            detail = " [drift: " + ", ".join(f"~{k}" for k in step.diff_keys) + "]"
        if step.op == GONE:
            detail = " [gone]"
        lines.append(f"  {symbol:<2} {step.op:<8} {step.type}  {step.name}{detail}")
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_sonicha.testing",
        description="Run a Pulumi Python program's lifecycle offline (dynamic resources).",
    )
    parser.add_argument("command", choices=["preview", "up", "refresh", "destroy"])
    parser.add_argument("--cwd", default=".", help="project directory (holds Pulumi.yaml)")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--config", action="append", metavar="KEY=VALUE")
    parser.add_argument("--secret", action="append", metavar="KEY=VALUE")
    parser.add_argument("--state", help="state file (default <cwd>/.pulumi-harness/<stack>.json)")
    parser.add_argument("--refresh", action="store_true", help="refresh before preview/up")
    parser.add_argument(
        "--expect-no-changes", action="store_true", help="exit 1 if there are changes"
    )
    args = parser.parse_args(argv)

    secrets_given = _pairs(args.secret, "--secret")
    try:
        config, encrypted = load_stack_config(args.cwd, args.stack)
        stack = Lifecycle(args.cwd, stack=args.stack, state_file=args.state)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    config.update({stack.config_key(k): v for k, v in _pairs(args.config, "--config").items()})
    missing = encrypted - {stack.config_key(k) for k in secrets_given}
    if missing:
        names = ", ".join(sorted(missing))
        print(
            f"error: encrypted config in Pulumi.{args.stack}.yaml cannot be read here;"
            f" pass it with --secret: {names}",
            file=sys.stderr,
        )
        return 1
    for key, value in config.items():
        stack.set_config(key, value)
    for key, value in secrets_given.items():
        stack.set_config(key, value, secret=True)
    secret_values = list(secrets_given.values())
    title = f"{stack.project}/{stack.stack}"

    try:
        with stack:
            if args.command == "preview":
                result = stack.preview(refresh=args.refresh)
            elif args.command == "up":
                result = stack.up(refresh=args.refresh)
            elif args.command == "refresh":
                result = stack.refresh()
            else:
                result = stack.destroy()
    except HarnessError as exc:
        partial = exc.result if isinstance(exc, LifecycleError) else None
        if partial is not None:
            print(redact(render(partial, title), secret_values))
        print(f"error: {redact(str(exc), secret_values)}", file=sys.stderr)
        return 1

    print(redact(render(result, title), secret_values))
    if args.expect_no_changes and result.has_changes:
        happened = "proposed" if args.command == "preview" else "occurred"
        print(f"error: no changes were expected but changes were {happened}", file=sys.stderr)
        return 1
    if args.state is None and args.command != "preview":
        print(f"\nstate: {Path(stack.state_file)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
