"""`python -m pulumi_sonicha.simulator`: run the simulated HA pair and portal.

    python -m pulumi_sonicha.simulator --ready-file .sonicha-sim/ready &  # serve until stopped
    . .sonicha-sim/sonicha-sim.env                     # once ready: point Pulumi at it
    python -m pulumi_sonicha.simulator ctl show        # what the units and the portal hold
    python -m pulumi_sonicha.simulator ctl uncable X4  # pull the X4 cable at runtime

`ctl` (ctl.py) talks to the loopback-only `POST /_simulator/{action}` surface of
a unit or the portal, trusting the CA named in the env file (or `--ca`).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from . import (
    DEFAULT_BACKUP_PORT,
    DEFAULT_FAILOVER_SECONDS,
    DEFAULT_FIRMWARE,
    DEFAULT_HOST,
    DEFAULT_PORTAL_PORT,
    DEFAULT_PRIMARY_PORT,
    DEFAULT_REBOOT_SECONDS,
    DEFAULT_SYNC_SECONDS,
    FIRMWARES,
    Simulator,
)
from .ctl import help_text, run
from .envfile import DEFAULT_STATE_DIR, ENV_FILENAME, remove_if_ours
from .envfile import env_text as _env_text
from .envfile import write_private as _write_private


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
    parser.add_argument(
        "--failover-seconds",
        type=float,
        default=DEFAULT_FAILOVER_SECONDS,
        help="how long a failover takes (the unit giving Active up resynchronizes; a Primary"
        " with preempt waits as long before taking Active back)",
    )
    parser.add_argument(
        "--reboot-seconds",
        type=float,
        default=DEFAULT_REBOOT_SECONDS,
        help="how long a restarting unit answers nothing (restart, a synchronize's reboot)",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    parser.add_argument(
        "--connect-round-trips",
        type=int,
        default=0,
        help="latencies added to every new connection (2: TCP + TLS on a WAN link; default 0)",
    )
    parser.add_argument(
        "--state-dir", default=DEFAULT_STATE_DIR, help="where the CA and env file are written"
    )
    parser.add_argument("--backup-model", help="e.g. 'NSa 3700' to simulate a model mismatch")
    parser.add_argument(
        "--backup-ip",
        help="the Backup's own address (default 127.0.0.2 with the default --host)",
    )
    parser.add_argument(
        "--no-monitoring",
        action="store_true",
        help="start with no HA monitoring (by default X0 names each unit's own address with"
        " management allowed); a paired Backup then answers nowhere until some names it",
    )
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
        "--ready-file",
        metavar="PATH",
        help="write the env file here once listening (removed at start and at stop):"
        " scripts wait for it",
    )

    sub = parser.add_subparsers(dest="command")
    ctl = sub.add_parser(
        "ctl",
        help="change or inspect a running simulator (show, cable, zones, faults, portal...)",
        epilog=help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ctl.add_argument("--url", help="server URL (default: from the env file)")
    ctl.add_argument("--ca", help="CA PEM to trust (default: from the env file)")
    ctl.add_argument(
        "--state-dir",
        dest="ctl_state_dir",
        default=DEFAULT_STATE_DIR,
        help=f"where the running simulator wrote {ENV_FILENAME} (default {DEFAULT_STATE_DIR})",
    )
    ctl.add_argument(
        "--unit", choices=("primary", "backup", "portal"), help="which server (default: Primary)"
    )
    ctl.add_argument("--json", action="store_true", help="show: print JSON")
    ctl.add_argument("action", help="see the actions below")
    ctl.add_argument("args", nargs=argparse.REMAINDER, help="the action's arguments")
    return parser


def _serve(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve()
    sim = Simulator(
        host=args.host,
        primary_port=args.primary_port,
        backup_port=args.backup_port,
        portal_port=args.portal_port,
        sync_seconds=args.sync_seconds,
        failover_seconds=args.failover_seconds,
        reboot_seconds=args.reboot_seconds,
        latency_s=args.latency_ms / 1000.0,
        connect_round_trips=args.connect_round_trips,
        backup_model=args.backup_model,
        state_dir=str(state_dir),
        firmware=args.firmware,
        auth=args.auth,
        backup_ip=args.backup_ip,
        monitoring=not args.no_monitoring,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    ready = Path(args.ready_file) if args.ready_file else None
    env_path = state_dir / ENV_FILENAME
    sim.start()
    for stale in (ready, env_path):  # left by a killed run; a waiting script must not use them
        if stale is not None:
            stale.unlink(missing_ok=True)
    env_text = _env_text(sim.env(include_hosts=True))
    try:
        for iface in args.link_down:
            sim.uncable(iface)
        if args.hold_session:
            sim.primary.hold_session(args.hold_session)
            sim.backup.hold_session(args.hold_session)
        _write_private(env_path, env_text)
        print(_banner(sim, env_path, env_text), flush=True)
        if ready is not None:
            _write_private(ready, env_text)
        while not stop.wait(0.5):
            pass
        print("Simulator stopped.", flush=True)
    finally:
        sim.stop()
        for done in (ready, env_path):  # nothing points at a simulator that is gone
            remove_if_ours(done, env_text)
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
            "Inspect and change it: python -m pulumi_sonicha.simulator ctl show"
            " (ctl --help lists the actions)",
            "Press Ctrl-C to stop (kill %1 when started in the background with &).",
        ]
    )


def _ctl(args: argparse.Namespace) -> int:
    return run(
        args.action,
        args.args,
        state_dir=args.ctl_state_dir,
        url=args.url,
        ca=args.ca,
        unit=args.unit,
        as_json=args.json,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "ctl":
        return _ctl(args)
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
