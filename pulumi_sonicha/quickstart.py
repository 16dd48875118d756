"""The main job on a fresh machine: start the simulator and apply the root project to it.

    python -m pulumi_sonicha.quickstart [--project DIR] [--cli | --harness]
                                        [--keep-running [--ready-file PATH]]

With a Pulumi CLI on PATH it runs the real thing (`pulumi up`, then
`pulumi preview --refresh --expect-no-changes`) on a throw-away local backend
under `.sonicha-state/`, so your own Pulumi login is left alone. Without one,
it runs the same program through our lifecycle harness
(`pulumi_sonicha.testing`), which drives the SDK's own provider host as the
engine would. Either way it then checks there is no drift, and prints the
stack outputs. `--keep-running` then keeps the simulator up, prints its
addresses and `export` lines and writes them to `.sonicha-sim/sonicha-sim.env`
(what `python -m pulumi_sonicha.simulator ctl` reads), and to `--ready-file`,
and prints the drift check to run from another shell.

The stack is called `quickstart`. Its config (addresses, serials, the CA, the portal;
no password) is in `Pulumi.quickstart.yaml` in the project, as `pulumi config set`
keeps it, so the harness's commands find it with `--stack quickstart`; its state
is `.sonicha-state/quickstart.json` (harness) or a local backend there (CLI).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from .errors import SettingsError
from .settings import Settings
from .simulator import PRIMARY_MONITORING_IP, Simulator
from .simulator.envfile import (
    DEFAULT_STATE_DIR,
    ENV_FILENAME,
    env_text,
    remove_if_ours,
    write_private,
)
from .transport import insecure_message

STACK = "quickstart"


def stack_config(sim: Simulator) -> tuple[dict[str, str], set[str]]:
    """The stack config pointing the root program and the provider at `sim`."""
    config = {
        "ha:primaryHost": sim.primary.address(PRIMARY_MONITORING_IP),
        "ha:pairHost": sim.primary.host,
        "ha:backupHost": sim.backup.host,
        "ha:primarySerial": sim.primary.serial,
        "ha:backupSerial": sim.backup.serial,
        "sonicha:username": sim.username,
        "sonicha:password": sim.password,
        "sonicha:caBundle": sim.ca_path,
        "sonicha:portalUrl": sim.portal.url,
        "sonicha:portalUsername": sim.portal_username,
        "sonicha:portalPassword": sim.portal_password,
    }
    return config, {"sonicha:password", "sonicha:portalPassword"}


def write_stack_file(project: Path, sim: Simulator) -> Path:
    """`Pulumi.quickstart.yaml`: the stack's config without its secrets (those come from
    the environment, e.g. the simulator's env file), so `--stack quickstart` finds it."""
    config, secret_keys = stack_config(sim)
    file = project / f"Pulumi.{STACK}.yaml"
    lines = ["# Written by python -m pulumi_sonicha.quickstart: the simulator it started."]
    lines += ["config:"]
    lines += [f"  {key}: {json.dumps(value)}" for key, value in config.items()
              if key not in secret_keys]
    file.write_text("\n".join(lines) + "\n")
    return file


def _shown(path: Path) -> str:
    """`path` relative to the current directory when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def drift_check(project: Path, state_dir: Path, cli: bool) -> str:
    """The command that checks the quickstart's stack for drift, from a shell in which
    the simulator's env file was sourced."""
    if cli:
        return (
            f"PULUMI_BACKEND_URL={state_dir.resolve().as_uri()} PULUMI_CONFIG_PASSPHRASE={STACK}"
            f" pulumi preview --refresh --expect-no-changes --stack {STACK}"
            + ("" if project.resolve() == Path.cwd() else f" --cwd {_shown(project)}")
        )
    where = "" if project.resolve() == Path.cwd() else f" --cwd {_shown(project)}"
    return (
        f"python -m pulumi_sonicha.testing preview --refresh --expect-no-changes"
        f" --stack {STACK} --state {_shown(state_dir / f'{STACK}.json')}{where}"
    )


class _QuickDisplay:
    """The harness's live events in the quickstart's format: each resource as its step
    ends, the provider host's progress and warnings as they come."""

    def __init__(self, secrets: list[str]) -> None:
        from .testing.display import LiveDisplay

        self._live = LiveDisplay(secrets=secrets)

    def __call__(self, event: Any) -> None:
        from .testing.events import DIAGNOSTIC, DONE
        from .testing.results import READ

        if event.kind == DONE and event.op != READ:
            short = event.type.rsplit(":", 1)[-1]
            self._live.say(f"   {event.op:<8} {short:<20} {event.name}")
        elif event.kind == DIAGNOSTIC:
            self._live(event)


def run_with_harness(project: Path, sim: Simulator, state_dir: Path) -> int:
    from .testing import Lifecycle, LifecycleError

    config, secret_keys = stack_config(sim)
    try:
        insecure = Settings.load(config.get).insecure
    except SettingsError:
        insecure = False  # the provider reports a bad SONICHA_* value itself, on its first use
    if insecure:
        # The harness keeps the provider host's stderr, where the provider says this.
        for server in sim.servers:
            print(f"warning: {insecure_message(server.url)}", file=sys.stderr, flush=True)
    stack = Lifecycle(
        project,
        config=config,
        secret_keys=secret_keys,
        state_file=state_dir / f"{STACK}.json",
        stack=STACK,
    )
    stack.on_event = _QuickDisplay([config[key] for key in secret_keys])
    try:
        with stack:
            print("== up (through the lifecycle harness: no Pulumi CLI found)", flush=True)
            plan = stack.preview()  # as `pulumi up` does: a bad input fails before a write
            print(f"   preview: {_counts(plan.changes)}", flush=True)
            stack.up()
            print("== outputs")
            print(json.dumps(stack.outputs, indent=2, sort_keys=True, default=str))
            print("== preview --refresh --expect-no-changes", flush=True)
            check = stack.preview(refresh=True)
            if check.has_changes:
                print(f"unexpected changes: {check.changes}", file=sys.stderr)
                return 1
            print("   no changes, no drift")
    except LifecycleError as exc:
        from .testing.words import for_harness

        print(f"error: {for_harness(str(exc))}", file=sys.stderr)
        return 1
    return 0


def _counts(changes: dict[str, int]) -> str:
    return ", ".join(f"{count} to {op}" for op, count in changes.items()) or "no changes"


def run_with_cli(pulumi: str, project: Path, sim: Simulator, state_dir: Path) -> int:
    config, secret_keys = stack_config(sim)
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": state_dir.resolve().as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", "quickstart"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }

    def pulumi_cmd(*args: str, stdin: str | None = None) -> int:
        print("$ pulumi " + " ".join(args), flush=True)
        done = subprocess.run(
            [pulumi, *args, "--cwd", str(project)], env=env, input=stdin, text=True, check=False
        )
        return done.returncode

    steps: list[tuple[tuple[str, ...], str | None]] = [
        (("stack", "select", "--create", STACK, "--non-interactive"), None)
    ]
    for key, value in config.items():
        if key in secret_keys:
            # Piped on stdin: a secret on the command line shows in the process list.
            steps.append((("config", "set", "--secret", key, "--stack", STACK), value))
        else:
            steps.append((("config", "set", key, value, "--stack", STACK), None))
    steps.append((("up", "--yes", "--non-interactive", "--stack", STACK), None))
    steps.append((("stack", "output", "--json", "--stack", STACK), None))
    steps.append(
        (
            ("preview", "--refresh", "--expect-no-changes", "--non-interactive", "--stack", STACK),
            None,
        )
    )
    for args, stdin in steps:
        code = pulumi_cmd(*args, stdin=stdin)
        if code != 0:
            return code
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pulumi_sonicha.quickstart")
    parser.add_argument("--project", default=".", help="Pulumi project dir (default: .)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--cli", action="store_true", help="require the Pulumi CLI")
    mode.add_argument("--harness", action="store_true", help="use the harness even with a CLI")
    parser.add_argument("--sync-seconds", type=float, default=3.0)
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="afterwards keep the simulator up until Ctrl-C, print its addresses and export"
        f" lines, and write them to {DEFAULT_STATE_DIR}/{ENV_FILENAME} (what ctl reads)",
    )
    parser.add_argument(
        "--ready-file",
        metavar="PATH",
        help="with --keep-running: write the env file here too once the stack is up",
    )
    args = parser.parse_args(argv)
    if args.ready_file and not args.keep_running:
        parser.error("--ready-file goes with --keep-running")

    project = Path(args.project).resolve()
    if not any((project / name).is_file() for name in ("Pulumi.yaml", "Pulumi.yml")):
        print(
            f"error: no Pulumi project in {project} (no Pulumi.yaml). Run this from the root"
            " of a pulumi-sonicha checkout, or pass --project /path/to/pulumi-sonicha",
            file=sys.stderr,
        )
        return 2
    state_dir = project / ".sonicha-state"
    shutil.rmtree(state_dir, ignore_errors=True)  # the simulator starts fresh every time
    state_dir.mkdir(parents=True)
    (project / f"Pulumi.{STACK}.yaml").unlink(missing_ok=True)  # the last run's simulator
    pulumi = shutil.which("pulumi")
    if args.cli and not pulumi:
        print("error: --cli given but no `pulumi` on PATH", file=sys.stderr)
        return 2

    with Simulator(sync_seconds=args.sync_seconds, state_dir=str(state_dir / "sim")) as sim:
        _print_simulator(sim)
        cli = bool(pulumi and not args.harness)
        stack_file = _shown(project / f"Pulumi.{STACK}.yaml")
        print(f"== stack {STACK} (config in {stack_file})", flush=True)
        if cli:
            code = run_with_cli(pulumi, project, sim, state_dir)
        else:
            write_stack_file(project, sim)
            code = run_with_harness(project, sim, state_dir)
        if code == 0 and args.keep_running:
            check = drift_check(project, state_dir, cli)
            keep_running(sim, Path(args.ready_file) if args.ready_file else None, check)
    return code


def keep_running(sim: Simulator, ready: Path | None, drift: str = "") -> None:
    """Serve until Ctrl-C or SIGTERM, with the env file written for the shell and `ctl`;
    `drift`: the stack's drift check, to run in a shell that sourced the env file."""
    env_path = Path(DEFAULT_STATE_DIR) / ENV_FILENAME
    text = env_text(sim.env(include_hosts=True))
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    write_private(env_path, text)
    print(f"== simulator still running (Ctrl-C to stop); environment, also in {env_path}:")
    print(text.rstrip())
    print("   then: python -m pulumi_sonicha.simulator ctl show")
    if drift:
        print(f"   drift check (in a shell that ran `. {_shown(env_path)}`):")
        print(f"   {drift}")
    print("", end="", flush=True)
    try:
        if ready is not None:
            write_private(ready, text)
        stop.wait()
    finally:
        for done in (env_path, ready):  # nothing points at a simulator that is gone
            remove_if_ours(done, text)


def _print_simulator(sim: Any) -> None:
    print("== simulator (python -m pulumi_sonicha.simulator)")
    print(f"   Primary {sim.primary.url}  serial {sim.primary.serial}")
    print(f"   Backup  {sim.backup.url}  serial {sim.backup.serial}")
    print(f"   Portal  {sim.portal.url}")
    print(f"   CA      {sim.ca_path}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
