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
import errno
import json
import signal
import socket
import sys
import threading
from pathlib import Path

from . import (
    BACKUP_SERIAL,
    DEFAULT_BACKUP_PORT,
    DEFAULT_FAILOVER_SECONDS,
    DEFAULT_FIRMWARE,
    DEFAULT_HOST,
    DEFAULT_PORTAL_PORT,
    DEFAULT_PRIMARY_PORT,
    DEFAULT_REBOOT_SECONDS,
    DEFAULT_SYNC_SECONDS,
    FIRMWARES,
    PRIMARY_SERIAL,
    Simulator,
)
from .ctl import help_text, run
from .envfile import DEFAULT_STATE_DIR, ENV_FILENAME, remove_if_ours
from .envfile import env_text as _env_text
from .envfile import write_private as _write_private
from .pair import PRIMARY_MONITORING_IP


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_sonicha.simulator",
        description="Simulated SonicWall HA pair (Primary, Backup) and MySonicWall portal.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    for server, usual in (
        ("primary", DEFAULT_PRIMARY_PORT),
        ("backup", DEFAULT_BACKUP_PORT),
        ("portal", DEFAULT_PORTAL_PORT),
    ):
        parser.add_argument(
            f"--{server}-port",
            type=int,
            default=0,
            metavar="PORT",
            help=f"the {server}'s port (default: a free one; e.g. {usual}); the env file"
            " names the ports",
        )
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
    parser.add_argument("--primary-model", help="the Primary's model (default NSa 2700)")
    parser.add_argument(
        "--backup-model", help="the Backup's model, e.g. 'NSa 3700' for a model mismatch"
    )
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
        help="SonicOS personality of the units: the fields they show and accept",
    )
    parser.add_argument(
        "--backup-firmware",
        choices=sorted(FIRMWARES),
        help="the Backup's, when it differs from --firmware (such a pair never synchronizes)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        metavar="N",
        help="N pairs sharing one portal (a fleet), each with serials of its own; the env"
        " file names pair K's units SONICHA_SIM_PAIRK_* (pair 1: SONICHA_SIM_*) and one CA"
        " bundle for all",
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
        help=f"where the running simulator wrote {ENV_FILENAME} (default: the SONICHA_SIM_*"
        f" variables of this shell, else {DEFAULT_STATE_DIR})",
    )
    ctl.add_argument(
        "--env-file", metavar="PATH", help="the env file the running simulator wrote"
    )
    ctl.add_argument(
        "--unit", choices=("primary", "backup", "portal"), help="which server (default: Primary)"
    )
    ctl.add_argument(
        "--pair", type=int, default=1, help="with --pairs N: which pair (default 1)"
    )
    ctl.add_argument("--json", action="store_true", help="show: print JSON")
    ctl.add_argument("action", help="see the actions below")
    ctl.add_argument("args", nargs=argparse.REMAINDER, help="the action's arguments")
    return parser


def pair_serials(number: int) -> tuple[str, str]:
    """(Primary, Backup) serials of pair `number` of `--pairs`: pair 1 has the documented
    ones, pair K 2CB8EE0K1B2C and 2CB8EE0K9F00 (K in hexadecimal)."""
    if number == 1:
        return PRIMARY_SERIAL, BACKUP_SERIAL
    return f"2CB8EE{number:02X}1B2C", f"2CB8EE{number:02X}9F00"


def _serve(args: argparse.Namespace) -> int:
    if not 1 <= args.pairs <= 99:
        print("error: --pairs takes 1 to 99", file=sys.stderr)
        return 2
    if args.pairs > 1 and (args.primary_port or args.backup_port or args.backup_ip):
        print(
            "error: --pairs gives each pair free ports and the default addresses; leave out"
            " --primary-port, --backup-port and --backup-ip",
            file=sys.stderr,
        )
        return 2
    state_dir = Path(args.state_dir).resolve()
    sims: list[Simulator] = []
    for number in range(1, args.pairs + 1):
        primary_serial, backup_serial = pair_serials(number)
        first = sims[0] if sims else None
        sims.append(
            Simulator(
                host=args.host,
                primary_port=args.primary_port,
                backup_port=args.backup_port,
                portal_port=args.portal_port if first is None else 0,
                sync_seconds=args.sync_seconds,
                failover_seconds=args.failover_seconds,
                reboot_seconds=args.reboot_seconds,
                latency_s=args.latency_ms / 1000.0,
                connect_round_trips=args.connect_round_trips,
                backup_model=args.backup_model,
                primary_model=args.primary_model,
                state_dir=str(state_dir if first is None else state_dir / f"pair{number}"),
                firmware=args.firmware,
                backup_firmware=args.backup_firmware,
                auth=args.auth,
                backup_ip=args.backup_ip,
                monitoring=not args.no_monitoring,
                primary_serial=primary_serial,
                backup_serial=backup_serial,
                portal=None if first is None else first.portal,
            )
        )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    ready = Path(args.ready_file) if args.ready_file else None
    env_path = state_dir / ENV_FILENAME
    started: list[Simulator] = []
    try:
        _check_ports(args, sims[0])
        for sim in sims:  # the first owns the portal: started first, stopped last
            sim.start()
            started.append(sim)
    except (PortTaken, OSError) as exc:
        for sim in reversed(started):
            sim.stop()
        why = str(exc) if isinstance(exc, PortTaken) else _why(exc)
        print(f"error: the simulator cannot start: {why}", file=sys.stderr)
        return 1
    for stale in (ready, env_path):  # left by a killed run; a waiting script must not use them
        if stale is not None:
            stale.unlink(missing_ok=True)
    env_text = _env_text(fleet_env(sims, state_dir))
    try:
        for sim in sims:
            for iface in args.link_down:
                sim.uncable(iface)
            if args.hold_session:
                sim.primary.hold_session(args.hold_session)
                sim.backup.hold_session(args.hold_session)
        _write_private(env_path, env_text)
        print(_banner(sims, env_path, env_text), flush=True)
        if ready is not None:
            _write_private(ready, env_text)
        while not stop.wait(0.5):
            pass
        print("Simulator stopped.", flush=True)
    finally:
        for sim in reversed(sims):
            sim.stop()
        for done in (ready, env_path):  # nothing points at a simulator that is gone
            remove_if_ours(done, env_text)
    return 0


def fleet_env(sims: list[Simulator], state_dir: Path) -> dict[str, str]:
    """The env file's variables: pair 1 as SONICHA_SIM_*, pair K as SONICHA_SIM_PAIRK_*,
    all of them as SONICHA_SIM_PAIRS_JSON; with several pairs one CA bundle of every
    pair's CA (each pair has its own; the portal's certificate is pair 1's), so one
    SONICHA_CA_BUNDLE reaches them all."""
    env = sims[0].env(include_hosts=True)
    # Every pair as the fleet example's `ha:pairs` takes them (`--config "ha:pairs=$..."`).
    env["SONICHA_SIM_PAIRS_JSON"] = json.dumps(
        [
            {
                "name": f"site-{number}",
                # The Primary's own (monitoring) address, and the pair's for the first
                # contact, as the fleet example names them.
                "primaryHost": sim.primary.address(PRIMARY_MONITORING_IP),
                "pairHost": sim.primary.host,
                "backupHost": sim.backup.host,
                "primarySerial": sim.primary.serial,
                "backupSerial": sim.backup.serial,
            }
            for number, sim in enumerate(sims, start=1)
        ]
    )
    if len(sims) == 1:
        return env
    bundle = state_dir / "sonicha-sim-ca-bundle.pem"
    bundle.write_text("".join(Path(sim.ca_path).read_text() for sim in sims))
    env["SONICHA_CA_BUNDLE"] = str(bundle)
    env["SONICHA_SIM_PAIRS"] = str(len(sims))
    for number, sim in enumerate(sims[1:], start=2):
        for key, value in sim.env(include_hosts=True).items():
            if key.startswith("SONICHA_SIM_"):
                env[key.replace("SONICHA_SIM_", f"SONICHA_SIM_PAIR{number}_", 1)] = value
    return env


def _check_ports(args: argparse.Namespace, sim: Simulator) -> None:
    """Each port asked for is free at the address its server listens on; else PortTaken
    naming the flag, the address and what to do (a clash would otherwise surface as a
    bare OSError out of a server thread's bind)."""
    wanted = [
        ("--primary-port", args.primary_port, sim.primary_ip),
        ("--backup-port", args.backup_port, sim.backup_ip),
        ("--portal-port", args.portal_port, sim.primary_ip),
    ]
    for flag, port, address in wanted:
        if not port:
            continue
        bind = args.host if args.host in ("0.0.0.0", "::") else address
        probe = socket.socket(socket.AF_INET6 if ":" in bind else socket.AF_INET)
        try:
            probe.bind((bind, port))
        except OSError as exc:
            raise PortTaken(
                f"{bind}:{port} ({flag}) is taken: {exc.strerror}. Another simulator may be"
                " running there (`python -m pulumi_sonicha.simulator ctl show` finds one that"
                f" wrote its env file here); choose another {flag}, or leave the ports out"
                " to get free ones",
            ) from None
        finally:
            probe.close()


class PortTaken(Exception):
    """A port asked for is in use; the text names the flag, the address and the fix."""


def _why(exc: OSError) -> str:
    """An OSError of the start in one sentence with what to do (no traceback)."""
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"{exc.strerror}: an address to listen on is not on this machine (the Backup's"
            " --backup-ip needs a loopback alias on systems other than Linux)"
        )
    return f"{exc.strerror or exc} (check --host, --backup-ip and the ports)"


def _banner(sims: list[Simulator], env_path: Path, env_text: str) -> str:
    lines = ["SonicWall HA simulator running"]
    for number, sim in enumerate(sims, start=1):
        if len(sims) > 1:
            lines.append(f"  Pair {number} (ctl --pair {number})")
        lines += [
            f"  {unit.name.capitalize():8} {unit.url:26} serial {unit.serial}  model"
            f" {unit.model}  ({unit.firmware})"
            for unit in (sim.primary, sim.backup)
        ]
    first = sims[0]
    cabled = ", ".join(first.cabled_ports()) or "none"
    return "\n".join(
        [
            *lines,
            f"  Cabled   {cabled} (Primary <-> Backup; X0/X1 show link to a switch)",
            f"  Portal   {first.portal.url} (API under /api/v1)",
            f"  CA       {first.ca_path if len(sims) == 1 else 'one bundle for all (below)'}",
            f"  Logins   appliance user {first.username!r}, portal user"
            f" {first.portal_username!r} (passwords in the env block below)",
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
        env_file=args.env_file,
        url=args.url,
        ca=args.ca,
        unit=args.unit,
        as_json=args.json,
        pair=args.pair,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "ctl":
        return _ctl(args)
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
