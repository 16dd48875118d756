"""`python -m pulumi_sonicha.testing {preview,up,refresh,destroy}`: the CLI's part, offline.

Streams what the Pulumi CLI streams: the stack it works on (its config file and its
state file), each step as it starts and as it ends, and every diagnostic of the
provider host as it arrives (its stderr lines: progress of long waits, warnings such
as a misspelled SONICHA_* variable; the warnings providers send to the engine). It
ends with a summary in the CLI's words (what changed from what to what, outputs,
counts) and what the state file now holds.

`up` previews first, as the CLI does: a bad input anywhere in the program fails
before any resource is written (`--skip-preview` goes straight to the update; with
`--expect-no-changes` an `up` whose preview proposes changes stops there).

Stacks as the CLI keeps them: `--stack` (default `dev`) names the stack; its config
comes from `Pulumi.<stack>.yaml` in the project (plain values; `secure:` entries
cannot be decrypted here: give those settings in the environment, e.g.
SONICHA_PASSWORD, or with `--secret`), then `--config`/`--secret` (which win); its
state file (default `<project>/.pulumi-harness/<stack>.json`) belongs to it: a state
file of another stack is refused, naming both.

Exit codes: 0 done (and, with `--expect-no-changes`, nothing to change); 1 an error;
2 changes or drift with `--expect-no-changes`; 3 a pair found unhealthy with
`--expect-healthy` (not synchronized, an HA link down: not drift); 130 Ctrl-C.

Credentials are best given in the environment (`SONICHA_PASSWORD`,
`SONICHA_PORTAL_PASSWORD`, which the provider host inherits): a `--secret` value
sits in shell history and the process list, so the command warns when one is
used. Where a provider's message says `pulumi config set ... sonicha:<key>` or
`pulumi up`, the harness says what its user does instead (`words`). Secret values
are never printed: every line is redacted.

`--diff` shows each changed input with its old and new value, as `pulumi preview
--diff` does; drift lines always do. Ctrl-C acts as in the CLI: the first lets the
running steps complete and starts nothing more, the second stops the provider host;
either way the command says what completed and what the state file holds, and exits
130.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import health
from .display import LiveDisplay
from .host import HarnessError, redact
from .lifecycle import (
    Lifecycle,
    LifecycleError,
    LifecycleInterrupted,
    Result,
    SecretLeakError,
    load_stack_config,
)
from .secrets import SECRET_ENV
from .summary import header, render
from .words import COMMAND, ENV_OF_KEY, for_harness

__all__ = ["harness_advice", "main", "render"]

EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_UNHEALTHY = 3
EXIT_INTERRUPTED = 130

harness_advice = for_harness  # the name this module gave it first


def _pairs(items: Sequence[str] | None, flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: {flag} expects KEY=VALUE, got {item.split('=')[0]!r}")
        pairs[key] = value
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description="Run a Pulumi Python program's lifecycle offline (dynamic resources),"
        " as the Pulumi CLI would.",
        epilog="Exit codes: 0 done, 1 error, 2 changes or drift with --expect-no-changes,"
        " 3 unhealthy with --expect-healthy, 130 Ctrl-C.",
    )
    parser.add_argument("command", choices=["preview", "up", "refresh", "destroy"])
    parser.add_argument("--cwd", default=".", help="project directory (holds Pulumi.yaml)")
    parser.add_argument(
        "--stack", default="dev", help="stack name; its config is Pulumi.<stack>.yaml (default dev)"
    )
    parser.add_argument("--config", action="append", metavar="KEY=VALUE")
    parser.add_argument("--secret", action="append", metavar="KEY=VALUE")
    parser.add_argument("--state", help="state file (default <cwd>/.pulumi-harness/<stack>.json)")
    parser.add_argument("--refresh", action="store_true", help="refresh before preview/up")
    parser.add_argument(
        "--skip-preview", action="store_true", help="up: apply without previewing first"
    )
    parser.add_argument(
        "--expect-no-changes",
        action="store_true",
        help="exit 2 if there are changes or drift (an up stops after its preview)",
    )
    parser.add_argument(
        "--diff", action="store_true", help="show each changed input with its old and new value"
    )
    parser.add_argument(
        "--expect-healthy",
        action="store_true",
        help="exit 3 if a pair is not synchronized or an HA link is down (read by the command)",
    )
    args = parser.parse_args(argv)
    if args.skip_preview and args.command != "up":
        parser.error("--skip-preview goes with up")
    try:
        return _main(args)
    except KeyboardInterrupt:
        print("interrupted: nothing was started", file=sys.stderr)
        return EXIT_INTERRUPTED


def _warn_secret_flags(secrets_given: dict[str, str]) -> None:
    if not secrets_given:
        return
    names = ", ".join(sorted(secrets_given))
    envs = ", ".join(
        sorted({ENV_OF_KEY[k] for k in secrets_given if k in ENV_OF_KEY})
    ) or "the SONICHA_* variables"
    print(
        f"warning: --secret {names}: a value on the command line stays in shell history"
        f" and is visible to other users in the process list; set {envs} in the"
        " environment instead (the provider host inherits it)",
        file=sys.stderr,
    )


def _stack(args: argparse.Namespace, secrets_given: dict[str, str]) -> tuple[Lifecycle, str]:
    """The stack with its config (Pulumi.<stack>.yaml, then the flags), and where the
    config came from, for the first lines."""
    config, encrypted = load_stack_config(args.cwd, args.stack)
    stack = Lifecycle(args.cwd, stack=args.stack, state_file=args.state, start_ahead=False)
    file = stack.project_dir / f"Pulumi.{args.stack}.yaml"
    flags = {stack.config_key(k): v for k, v in _pairs(args.config, "--config").items()}
    missing = encrypted - {stack.config_key(k) for k in secrets_given}
    # A provider setting set in the environment needs no config value: the provider host
    # inherits the environment, and settings fall back to it.
    missing = {k for k in missing if not os.environ.get(ENV_OF_KEY.get(k, ""), "")}
    if missing:
        names = ", ".join(sorted(missing))
        envs = [f"{ENV_OF_KEY[k]}" for k in sorted(missing) if k in ENV_OF_KEY]
        instead = f"set {', '.join(envs)} in the environment, or " if envs else ""
        raise HarnessError(
            f"encrypted config in {file.name} cannot be read here; {instead}pass it with"
            f" --secret: {names}"
        )
    for key, value in {**config, **flags}.items():
        stack.set_config(key, value)
    for key, value in secrets_given.items():
        stack.set_config(key, value, secret=True)
    sources = []
    if file.exists():
        sources.append(f"{file.name} ({len(config) + len(encrypted)} keys)")
    if flags or secrets_given:
        sources.append(f"{len(flags) + len(secrets_given)} from the command line")
    return stack, ", ".join(sources) or f"none ({file.name} does not exist)"


def _holds(stack: Lifecycle) -> str:
    names = stack.resource_names()
    if not names:
        return "no resources" if stack.state_file.exists() else "no resources (a new stack)"
    return f"{len(names)} resource{'s' if len(names) != 1 else ''} ({', '.join(names)})"


def _main(args: argparse.Namespace) -> int:
    secrets_given = _pairs(args.secret, "--secret")
    _warn_secret_flags(secrets_given)
    env_secrets = [os.environ.get(name, "") for name in SECRET_ENV]
    secret_values = [*secrets_given.values(), *env_secrets]
    try:
        stack, config_from = _stack(args, secrets_given)
        title = f"{stack.project}/{stack.stack}"
        display = LiveDisplay(secrets=secret_values)
        display.say(f"Stack {title}")
        display.say(f"    config  {config_from}")
        display.say(f"    state   {stack.state_file}: {_holds(stack)}")
    except HarnessError as exc:
        print(f"error: {for_harness(redact(str(exc), secret_values))}", file=sys.stderr)
        return EXIT_ERROR
    stack.on_event = display
    stack.on_cancel = lambda line: print(line, file=sys.stderr, flush=True)

    def finish(result: Result) -> None:
        display.say(render(result, title, args.diff, live=True))

    try:
        with stack:
            if args.command == "up" and not args.skip_preview:
                display.say(header("preview", title))
                plan = stack.preview(refresh=args.refresh)
                finish(plan)
                if args.expect_no_changes and plan.has_changes:
                    print(
                        "error: no changes were expected but changes were proposed; nothing"
                        " was written",
                        file=sys.stderr,
                    )
                    return EXIT_CHANGES
                display.say("")
            display.say(header(args.command, title))
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
            finish(partial)
        message = for_harness(redact(str(exc), secret_values))
        if isinstance(exc, LifecycleInterrupted):
            print(f"interrupted: {message}", file=sys.stderr)
            return EXIT_INTERRUPTED
        display.say(f"\nState {stack.state_file}: {_holds(stack)}")
        if isinstance(exc, SecretLeakError) and isinstance(exc.__cause__, HarnessError):
            # The command's own failure first, then the leak that also fails it.
            cause = for_harness(redact(str(exc.__cause__), secret_values))
            print(f"error: {cause}", file=sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        return EXIT_ERROR

    finish(result)
    written = "" if args.command != "preview" else "; a preview writes nothing"
    display.say(f"\nState {stack.state_file}: {_holds(stack)}{written}")
    if args.expect_no_changes and result.has_changes:
        happened = "proposed" if args.command == "preview" else "occurred"
        print(f"error: no changes were expected but changes were {happened}", file=sys.stderr)
        return EXIT_CHANGES
    if args.expect_healthy:
        found = health.problems(_observed(result, stack))
        if found:
            for line in found:
                print(f"unhealthy: {redact(line, secret_values)}", file=sys.stderr)
            print("error: the pair is not healthy (--expect-healthy)", file=sys.stderr)
            return EXIT_UNHEALTHY
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
