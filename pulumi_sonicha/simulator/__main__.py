"""`python -m pulumi_sonicha.simulator`: run the simulated HA pair and portal.

    python -m pulumi_sonicha.simulator                 # serve until Ctrl-C / SIGTERM
    . .sonicha-sim/sonicha-sim.env                     # point Pulumi at it
    python -m pulumi_sonicha.simulator ctl uncable X4  # pull the X4 cable at runtime

`ctl` talks to the loopback-only `POST /_simulator/{action}` surface of an
appliance server, trusting the CA named in the env file (or `--ca`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from . import (
    DEFAULT_BACKUP_PORT,
    DEFAULT_FIRMWARE,
    DEFAULT_HOST,
    DEFAULT_PORTAL_PORT,
    DEFAULT_PRIMARY_PORT,
    DEFAULT_SYNC_SECONDS,
    FIRMWARES,
    Simulator,
)

ENV_FILENAME = "sonicha-sim.env"
DEFAULT_STATE_DIR = ".sonicha-sim"
CTL_ACTIONS = (
    "uncable",
    "cable",
    "set-zone",
    "set-ha",
    "hold-session",
    "release-session",
    "expire-sessions",
    "fail",
    "latency",
    "clear-faults",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_sonicha.simulator",
        description="Simulated SonicWall HA pair (Primary, Backup) and MySonicWall portal.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--primary-port", type=int, default=DEFAULT_PRIMARY_PORT)
    parser.add_argument("--backup-port", type=int, default=DEFAULT_BACKUP_PORT)
    parser.add_argument("--portal-port", type=int, default=DEFAULT_PORTAL_PORT)
    parser.add_argument(
        "--sync-seconds",
        type=float,
        default=DEFAULT_SYNC_SECONDS,
        help="duration of INIT -> SYNCHRONIZING -> ACTIVE (0 = instant)",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    parser.add_argument(
        "--state-dir", default=DEFAULT_STATE_DIR, help="where the CA and env file are written"
    )
    parser.add_argument("--backup-model", help="e.g. 'NSa 3700' to simulate a model mismatch")
    parser.add_argument(
        "--firmware",
        choices=sorted(FIRMWARES),
        default=DEFAULT_FIRMWARE,
        help="SonicOS personality of both units: the fields they show and accept",
    )
    parser.add_argument(
        "--auth",
        choices=("digest", "basic"),
        default="digest",
        help="digest: RFC 7616 on every request (7.x session security); basic: RFC 2617 login",
    )
    parser.add_argument(
        "--hold-session",
        metavar="ADMIN",
        help="another administrator holds the configuration session on both units",
    )
    parser.add_argument(
        "--link-down",
        metavar="IFACE",
        action="append",
        default=[],
        help="start with this unit-to-unit cable unplugged (repeatable)",
    )
    parser.add_argument(
        "--ready-file", metavar="PATH", help="write the env file here once listening"
    )

    sub = parser.add_subparsers(dest="command")
    ctl = sub.add_parser("ctl", help="change a running simulator (cable, faults, sessions...)")
    ctl.add_argument("--url", help="appliance URL (default: the Primary from the env file)")
    ctl.add_argument("--ca", help="CA PEM to trust (default: from the env file)")
    ctl.add_argument("--state-dir", dest="ctl_state_dir", default=DEFAULT_STATE_DIR)
    ctl.add_argument(
        "--times", type=int, default=1, help="fail: how many requests (0 = until cleared)"
    )
    ctl.add_argument("action", choices=CTL_ACTIONS)
    ctl.add_argument(
        "args",
        nargs="*",
        help="uncable/cable IFACE | set-zone IFACE ZONE | set-ha JSON | hold-session [ADMIN] | "
        "fail METHOD PATH_REGEX [STATUS [CODE [MESSAGE]]] | latency MS",
    )
    return parser


def _env_text(env: dict[str, str]) -> str:
    lines = ["# pulumi_sonicha simulator: `source` this file to point Pulumi at it"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
    return "\n".join(lines) + "\n"


def _write_private(path: Path, text: str) -> None:
    """Write atomically (scripts poll for the file) and owner-only (it holds passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _serve(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve()
    sim = Simulator(
        host=args.host,
        primary_port=args.primary_port,
        backup_port=args.backup_port,
        portal_port=args.portal_port,
        sync_seconds=args.sync_seconds,
        latency_s=args.latency_ms / 1000.0,
        backup_model=args.backup_model,
        state_dir=str(state_dir),
        firmware=args.firmware,
        auth=args.auth,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    sim.start()
    try:
        for iface in args.link_down:
            sim.uncable(iface)
        if args.hold_session:
            sim.primary.hold_session(args.hold_session)
            sim.backup.hold_session(args.hold_session)
        env_text = _env_text(sim.env(include_hosts=True))
        env_path = state_dir / ENV_FILENAME
        _write_private(env_path, env_text)
        print(_banner(sim, env_path, env_text), flush=True)
        if args.ready_file:
            _write_private(Path(args.ready_file), env_text)
        while not stop.wait(0.5):
            pass
        print("Simulator stopped.", flush=True)
    finally:
        sim.stop()
    return 0


def _banner(sim: Simulator, env_path: Path, env_text: str) -> str:
    units = [
        f"  {unit.name.capitalize():8} {unit.url:26} serial {unit.serial}  model {unit.model}  "
        f"({unit.firmware})"
        for unit in (sim.primary, sim.backup)
    ]
    cabled = ", ".join(sim.cabled_ports()) or "none"
    return "\n".join(
        [
            "SonicWall HA simulator running",
            *units,
            f"  Cabled   {cabled} (Primary <-> Backup; X0/X1 show link to a switch)",
            f"  Portal   {sim.portal.url} (API under /api/v1)",
            f"  CA       {sim.ca_path}",
            f"  Logins   appliance user {sim.username!r}, portal user {sim.portal_username!r}"
            " (passwords in the env block below)",
            "",
            f"Environment (also in {env_path}):",
            env_text.rstrip(),
            "",
            "Runtime control: python -m pulumi_sonicha.simulator ctl uncable X4",
            "Press Ctrl-C to stop.",
        ]
    )


def _read_env_file(state_dir: str) -> dict[str, str]:
    path = Path(state_dir) / ENV_FILENAME
    if not path.exists():
        return {}
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            env[key] = value
    return env


def _ctl_body(action: str, words: list[str], times: int) -> dict[str, Any]:
    """Turn `ctl ACTION ARGS...` into the JSON body of POST /_simulator/{action}."""
    need = {"uncable": 1, "cable": 1, "set-zone": 2, "set-ha": 1, "fail": 2, "latency": 1}
    if len(words) < need.get(action, 0):
        raise SystemExit(f"ctl {action}: missing arguments (see --help)")
    if action in ("uncable", "cable"):
        return {"interface": words[0]}
    if action == "set-zone":
        return {"interface": words[0], "zone": words[1]}
    if action == "set-ha":
        return json.loads(words[0])
    if action == "hold-session":
        return {"admin": words[0]} if words else {}
    if action == "fail":
        body: dict[str, Any] = {"method": words[0], "path": words[1], "times": times or None}
        for key, value in zip(("status", "code", "message"), words[2:], strict=False):
            body[key] = int(value) if key == "status" else value
        return body
    if action == "latency":
        return {"ms": float(words[0])}
    return {}


def _ctl(args: argparse.Namespace) -> int:
    import requests  # only the ctl subcommand needs an HTTP client

    env = _read_env_file(args.ctl_state_dir)
    url = args.url or (
        f"https://{env['SONICHA_SIM_PRIMARY_HOST']}" if "SONICHA_SIM_PRIMARY_HOST" in env else None
    )
    ca = args.ca or env.get("SONICHA_CA_BUNDLE")
    if not url or not ca:
        print("ctl: pass --url and --ca, or --state-dir of a running simulator", file=sys.stderr)
        return 2
    body = _ctl_body(args.action, args.args, args.times)
    try:
        answer = requests.post(
            f"{url.rstrip('/')}/_simulator/{args.action}", json=body, verify=ca, timeout=10
        )
    except requests.RequestException as exc:
        print(f"ctl: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(answer.json(), indent=2), flush=True)
    return 0 if answer.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "ctl":
        return _ctl(args)
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
