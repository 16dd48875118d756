"""`python -m pulumi_sonicha.preflight`: prove a pair before a change, for the ticket.

    python -m pulumi_sonicha.preflight --project . --stack prod [--json]
    python -m pulumi_sonicha.preflight --primary 10.0.0.1 --backup 10.0.0.3 \\
        --primary-serial 2CB8ED0A1B2C --backup-serial 2CB8ED0A9F00 [--json]

Reads only (no config mode is taken, nothing is written), prints one table per
pair (check, unit, found, expected, fix) or, with `--json`, one JSON document,
and exits 1 when any check fails (2 for a usage or settings error). Provider
settings as the provider reads them: the stack's `sonicha:*` keys, else the
`SONICHA_*` environment variables (the password: `SONICHA_PASSWORD`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import SonicHaError
from ..schema import InvalidValue, host, interface, serial
from ..settings import Settings
from . import Link, Plan, Report, run
from .stack import StackPair, pairs_of, read_stack


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pulumi_sonicha.preflight",
        description="Check, with reads only, that two SonicWall units can be paired as the"
        " stack (or the options) say; exit 1 when a check fails.",
    )
    p.add_argument("--project", type=Path, default=Path("."), help="project directory")
    p.add_argument("--stack", help="read the pair(s) from Pulumi.<stack>.yaml there")
    p.add_argument("--namespace", default="ha", help="config namespace of the hosts (ha)")
    p.add_argument("--primary", help="the Primary's address (host or host:port)")
    p.add_argument("--backup", help="the Backup's address: its monitoring address")
    p.add_argument("--primary-serial", help="the Primary's serial, as on its label")
    p.add_argument("--backup-serial", help="the Backup's serial, as on its label")
    p.add_argument("--control-interface", help="HA control link (default X5)")
    p.add_argument("--data-interface", help="HA data link (default X4)")
    p.add_argument(
        "--unassign-zone",
        action="store_true",
        help="the links' zones will be set to Unassigned (HaInterface unassign_zone=True)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return p


def plans(args: argparse.Namespace) -> tuple[list[tuple[str, Plan]], Settings]:
    """The plans to prove and the provider settings, from the stack or the options."""
    config: dict[str, str] = {}
    if args.stack:
        config, _encrypted = read_stack(args.project, args.stack, args.namespace)
        pairs = pairs_of(config, args.namespace)
    elif args.primary:
        pairs = [
            StackPair(
                name="pair",
                primary_host=args.primary,
                backup_host=args.backup,
                primary_serial=args.primary_serial,
                backup_serial=args.backup_serial,
                control_interface=args.control_interface,
                data_interface=args.data_interface,
            )
        ]
    else:
        raise SonicHaError("give --stack (with --project), or --primary (and --backup ...)")
    keys = [key for key in config if key.startswith("sonicha:")]
    settings = Settings.load(config.get, config_keys=keys)
    return [(pair.name, _plan(pair, args, settings)) for pair in pairs], settings


def _plan(pair: StackPair, args: argparse.Namespace, settings: Settings) -> Plan:
    try:
        links = tuple(
            Link(interface(name), purpose, unassign_zone=args.unassign_zone)
            for name, purpose in (
                (pair.control_interface or args.control_interface or "X5", "control"),
                (pair.data_interface or args.data_interface or "X4", "data"),
            )
        )
        return Plan(
            primary_host=host(pair.primary_host),
            backup_host=host(pair.backup_host) if pair.backup_host else None,
            primary_serial=serial(pair.primary_serial) if pair.primary_serial else None,
            backup_serial=serial(pair.backup_serial) if pair.backup_serial else None,
            links=links,
            override_session=settings.override_session,
        )
    except InvalidValue as exc:
        raise SonicHaError(f"pair {pair.name}: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        wanted, settings = plans(args)
        reports = [(name, run(plan, settings)) for name, plan in wanted]
    except SonicHaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ok = all(report.ok for _, report in reports)
    if args.json:
        doc = {"ok": ok, "pairs": {name: report.as_dict() for name, report in reports}}
        print(json.dumps(doc, indent=2))
    else:
        for name, report in reports:
            print(_summary(name, report))
            print(report.table())
            print()
        print("preflight passed" if ok else "preflight FAILED: fix the FAIL rows, then run again")
    return 0 if ok else 1


def _summary(name: str, report: Report) -> str:
    failed = len(report.failures)
    verdict = "passed" if report.ok else f"{failed} problem{'s' if failed != 1 else ''}"
    plan = report.plan
    units = plan.primary_host + (f" + {plan.backup_host}" if plan.backup_host else "")
    return f"## {name} ({units}): {verdict}"
