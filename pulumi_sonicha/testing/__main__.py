"""`python -m pulumi_sonicha.testing {preview,up,refresh,destroy}`: the CLI's part, offline.

Prints a plan or result summary in the Pulumi CLI's words (`+ create`,
`~ update`, `+- replace`, `- delete`, drift lines) and exits 1 on error or,
with `--expect-no-changes`, when there are changes. Config comes from
`Pulumi.<stack>.yaml` (plain values) and `--config`/`--secret` (which win);
encrypted (`secure:`) entries must be given with `--secret`. Secret values
are never printed: every line is redacted.

Credentials are best given in the environment (`SONICHA_PASSWORD`,
`SONICHA_PORTAL_PASSWORD`, which the provider host inherits): a `--secret` value
sits in shell history and the process list, so the command warns when one is
used. The harness has no Pulumi config store: where a provider's message says
`pulumi config set ... sonicha:<key>`, the harness says which environment
variable to set instead.

`--diff` shows each changed input with its old and new value, as `pulumi preview
--diff` does; drift lines always do. `--expect-healthy` (after `refresh`, `up` or
`preview --refresh`) exits 1 when a pair is not synchronized or an HA link is
down: not drift, but what a scheduled job may want to fail on. Ctrl-C stops
the provider host as the engine does; the command prints one line and exits 130.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi.output import Unknown

from ..settings import CONFIG_KEY, ENV_VAR
from . import health
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
    LifecycleInterrupted,
    Result,
    SecretLeakError,
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


def _change(key: str, before: Any, after: Any) -> str:
    return f"{key} {_value(before)} => {_value(after)}"


_CONFIG_ADVICE = re.compile(r"`pulumi config set (?:--secret )?(sonicha:\w+)(?: [^`]*)?`")
_ENV_OF_KEY = {key: ENV_VAR[attr] for attr, key in CONFIG_KEY.items()}


def harness_advice(text: str) -> str:
    """A provider's `pulumi config set sonicha:<key>` advice, said for the harness user:
    the environment variable to set (the harness has no config store)."""

    def env(match: re.Match[str]) -> str:
        variable = _ENV_OF_KEY.get(match.group(1))
        if variable is None:
            return f"--config {match.group(1)}=..."
        return f"the environment variable {variable} (export {variable}=...)"

    return _CONFIG_ADVICE.sub(env, text)


def render(result: Result, title: str, diff: bool = False) -> str:
    """The result as the Pulumi CLI would summarize it (`diff`: as with `--diff`)."""
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
        lines.append(f"  {symbol:<2} {step.op:<8} {step.type}  {step.name}{detail}")
        if diff and step.op in (UPDATE, REPLACE):
            for key in step.diff_keys:
                if key in step.diff_values:
                    lines.append(f"        ~ {_change(key, *step.diff_values[key])}")
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
    parser.add_argument(
        "--diff", action="store_true", help="show each changed input with its old and new value"
    )
    parser.add_argument(
        "--expect-healthy",
        action="store_true",
        help="exit 1 if a pair is not synchronized or an HA link is down (read by the command)",
    )
    args = parser.parse_args(argv)
    try:
        return _main(args)
    except KeyboardInterrupt:
        print("interrupted: nothing more was started", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    secrets_given = _pairs(args.secret, "--secret")
    if secrets_given:
        names = ", ".join(sorted(secrets_given))
        envs = (
            ", ".join(sorted({_ENV_OF_KEY[k] for k in secrets_given if k in _ENV_OF_KEY}))
            or "the SONICHA_* variables"
        )
        print(
            f"warning: --secret {names}: a value on the command line stays in shell history"
            f" and is visible to other users in the process list; set {envs} in the"
            " environment instead (the provider host inherits it)",
            file=sys.stderr,
        )
    try:
        config, encrypted = load_stack_config(args.cwd, args.stack)
        stack = Lifecycle(args.cwd, stack=args.stack, state_file=args.state, start_ahead=False)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    config.update({stack.config_key(k): v for k, v in _pairs(args.config, "--config").items()})
    missing = encrypted - {stack.config_key(k) for k in secrets_given}
    # A provider setting set in the environment needs no config value: the provider host
    # inherits the environment, and settings fall back to it.
    missing = {k for k in missing if not os.environ.get(_ENV_OF_KEY.get(k, ""), "")}
    if missing:
        names = ", ".join(sorted(missing))
        envs = [f"{_ENV_OF_KEY[k]}" for k in sorted(missing) if k in _ENV_OF_KEY]
        instead = f"set {', '.join(envs)} in the environment, or " if envs else ""
        print(
            f"error: encrypted config in Pulumi.{args.stack}.yaml cannot be read here;"
            f" {instead}pass it with --secret: {names}",
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
        stack.on_cancel = lambda line: print(line, file=sys.stderr, flush=True)
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
            print(redact(render(partial, title, args.diff), secret_values))
        message = harness_advice(redact(str(exc), secret_values))
        if isinstance(exc, LifecycleInterrupted):
            print(f"interrupted: {message}", file=sys.stderr)
            return 130
        if isinstance(exc, SecretLeakError) and isinstance(exc.__cause__, HarnessError):
            # The command's own failure first, then the leak that also fails it.
            cause = harness_advice(redact(str(exc.__cause__), secret_values))
            print(f"error: {cause}", file=sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        return 1

    print(redact(render(result, title, args.diff), secret_values))
    if args.expect_healthy:
        found = health.problems(_observed(result, stack))
        if found:
            for line in found:
                print(f"unhealthy: {redact(line, secret_values)}", file=sys.stderr)
            print("error: the pair is not healthy (--expect-healthy)", file=sys.stderr)
            return 1
    if args.expect_no_changes and result.has_changes:
        happened = "proposed" if args.command == "preview" else "occurred"
        print(f"error: no changes were expected but changes were {happened}", file=sys.stderr)
        return 1
    if args.state is None and args.command != "preview":
        print(f"\nstate: {Path(stack.state_file)}")
    return 0


def _observed(result: Result, stack: Lifecycle) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, type, outputs) of each resource: as this command read or wrote it, else as
    the state holds it."""
    latest: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for entry in stack.state.get("resources", []):
        latest[entry["urn"]] = (entry["name"], entry["type"], entry.get("outputs") or {})
    for step in result.steps:
        if step.outputs is not None and step.error is None:
            latest[step.urn] = (step.name, step.type, step.outputs)
    return list(latest.values())


if __name__ == "__main__":
    sys.exit(main())
