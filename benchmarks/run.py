"""Run every benchmark, print the tables, write the JSON and docs/performance.md's tables.

`python -m benchmarks` is the one command: it measures, writes
`benchmarks/results.json`, and regenerates the benchmark tables of docs/performance.md
from that JSON (between `<!-- benchmarks:NAME -->` markers). `--quick` is a
smoke test with tiny sizes: it writes nothing unless `--out` names a file,
and never the committed results. `--tables-only` regenerates the page from
the JSON without measuring.

Exit status 1 when a target measured in this run is missed, so a scheduled
job notices; targets not measured (the 50-pair ones under `--quick`) are
reported as n/a.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from . import refresh, requests_per_op, sizes, stacks
from .report import Target, render, update_page

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path(__file__).parent / "results.json"
PAGE = ROOT / "docs" / "performance.md"
DEFAULT_PAIRS = (1, 10, 50, 200)
DEFAULT_STACKS = (1, 2, 4)
QUICK_PAIRS = (1, 2)
QUICK_STACKS = (1, 2)
QUICK_LATENCY_MS = 10.0
TARGET_PAIRS = 50
SPEEDUP_TARGET = 7.5
LIMIT_TARGET = 0.90
PARALLEL_MIN_PAIRS = 10


def _counts(text: str, flag: str, parser: argparse.ArgumentParser) -> tuple[int, ...]:
    try:
        counts = tuple(sorted({int(p) for p in text.split(",") if p}))
    except ValueError:
        parser.error(f"{flag} must be whole numbers separated by commas, got {text!r}")
    if not counts or min(counts) < 1:
        parser.error(f"{flag} needs at least one number >= 1")
    return counts


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Requests and connections per operation, refresh wall time against the"
        " naive way and the host's limit, stacks run at once, provider sizes.",
    )
    parser.add_argument(
        "--pairs",
        default=",".join(map(str, DEFAULT_PAIRS)),
        help="fleet sizes to refresh, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        help=f"latency on every request (default: 50; {QUICK_LATENCY_MS:g} with --quick)",
    )
    parser.add_argument(
        "--connect-round-trips",
        type=int,
        default=2,
        help="latencies a new connection costs (TCP + TLS; default: %(default)s)",
    )
    parser.add_argument(
        "--sim-processes",
        type=int,
        default=2,
        help="worker processes the simulated fleet runs in (default: %(default)s)",
    )
    parser.add_argument(
        "--naive-max-pairs",
        type=int,
        default=TARGET_PAIRS,
        help="run the naive baseline up to this fleet size (it grows linearly;"
        " default: %(default)s)",
    )
    parser.add_argument(
        "--stacks",
        default=",".join(map(str, DEFAULT_STACKS)),
        help="split the stack fleet into these numbers of stacks (default: %(default)s)",
    )
    parser.add_argument(
        "--stack-pairs",
        type=int,
        default=TARGET_PAIRS,
        help="pairs of the fleet split into stacks (default: %(default)s; 0 skips it)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke test: {','.join(map(str, QUICK_PAIRS))} pairs, stacks"
        f" {','.join(map(str, QUICK_STACKS))} of 2 pairs, {QUICK_LATENCY_MS:g} ms; writes"
        " only to --out, never the committed results",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"JSON file to write (default: {DEFAULT_OUT.relative_to(ROOT)}; --quick: none)",
    )
    parser.add_argument(
        "--note",
        default="",
        help="conditions of the run to record with it (e.g. what else ran on the machine)",
    )
    parser.add_argument(
        "--tables-only",
        action="store_true",
        help="regenerate docs/performance.md's tables from the JSON (--out) without measuring",
    )
    args = parser.parse_args(argv)
    if args.quick:
        if args.out is not None and args.out.resolve() == DEFAULT_OUT.resolve():
            parser.error("--quick never writes the committed results; give another --out")
        args.pair_counts = QUICK_PAIRS
        args.stack_counts = QUICK_STACKS
        args.stack_pairs = 2
        args.sim_processes = min(args.sim_processes, 1)
        if args.latency_ms is None:
            args.latency_ms = QUICK_LATENCY_MS
    else:
        args.pair_counts = _counts(args.pairs, "--pairs", parser)
        args.stack_counts = _counts(args.stacks, "--stacks", parser)
        if args.out is None:
            args.out = DEFAULT_OUT
        if args.latency_ms is None:
            args.latency_ms = 50.0
    return args


def refresh_targets(results: list[refresh.RefreshResult]) -> list[Target]:
    """Speed-up and share of the host's limit at 50 pairs, and the rules they must keep."""
    at = next((r for r in results if r.pairs == TARGET_PAIRS), None)
    ran = ",".join(str(r.pairs) for r in results)
    largest = results[-1]
    found = [
        Target(
            f"refresh speed-up at {TARGET_PAIRS} pairs",
            f">= {SPEEDUP_TARGET:g}x the naive way (a connection per call)",
            f"{at.speedup:.1f}x ({at.naive_seconds:.1f} s -> {at.provider_seconds:.1f} s)"
            if at and at.speedup is not None and at.naive_seconds is not None
            else f"not run (pairs {ran})",
            at.speedup >= SPEEDUP_TARGET if at and at.speedup is not None else None,
        ),
        Target(
            f"refresh at {TARGET_PAIRS} pairs against the host's limit",
            f">= {LIMIT_TARGET:.0%} of (requests x latency + connection set-ups) / 4",
            f"{at.limit_share:.0%} ({at.limit_seconds:.2f} s limit, {at.provider_seconds:.2f}"
            f" s measured, {at.round_trips_in_flight:.2f} round trips in flight)"
            if at
            else f"not run (pairs {ran})",
            at.limit_share >= LIMIT_TARGET if at else None,
        ),
        Target(
            "refresh: connections reused",
            "<= 1 new connection per unit per refresh",
            f"max {max(r.provider.max_unit_connections for r in results)} per unit",
            all(r.provider.max_unit_connections <= 1 for r in results),
        ),
        Target(
            "refresh: one appliance serialized",
            "<= 1 admin session per unit at a time",
            f"max {max(r.max_sessions_per_unit for r in results)} session(s) per unit",
            all(r.max_sessions_per_unit <= 1 for r in results),
        ),
        Target(
            "refresh: different appliances in parallel",
            f"> 1 request in flight on average at {largest.pairs} pairs",
            f"{largest.in_flight:.2f} in flight",
            # A fleet of a few pairs is over before parallelism shows (timing noise).
            largest.in_flight > 1.0 if largest.pairs >= PARALLEL_MIN_PAIRS else None,
        ),
        Target(
            "refresh: unchanged fleet, same GETs as naive",
            "no drift, identical GETs",
            "no drift"
            if not any(r.drift for r in results)
            else "drift in " + "; ".join(d for r in results for d in r.drift),
            not any(r.drift for r in results) and all(r.same_gets is not False for r in results),
        ),
    ]
    return found


def stack_targets(result: stacks.StacksResult | None) -> list[Target]:
    if result is None or not result.points:
        return []
    drift = [name for p in result.points for name in p.drift]
    return [
        Target(
            "stacks: unchanged fleet in every split",
            "no drift in any stack",
            "no drift" if not drift else "drift in " + ", ".join(drift),
            not drift,
        )
    ]


def environment() -> dict[str, Any]:
    load = None
    try:
        load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "pulumi": metadata.version("pulumi"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": load,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def progress(text: str) -> None:
        print(f"[benchmarks] {text}", file=sys.stderr, flush=True)

    if args.tables_only:
        results = json.loads(args.out.read_text())
        PAGE.write_text(update_page(PAGE.read_text(), results))
        progress(f"docs/performance.md tables regenerated from {args.out}")
        return 0

    env = environment()
    progress("requests per operation")
    ops = requests_per_op.measure()
    progress("provider sizes")
    provider_sizes = sizes.measure()
    refreshes: list[refresh.RefreshResult] = []
    for pairs in args.pair_counts:
        naive = pairs <= args.naive_max_pairs
        progress(
            f"refresh of {pairs} pair(s), {args.latency_ms:g} ms latency"
            + ("" if naive else " (no naive run)")
        )
        refreshes.append(
            refresh.measure(
                pairs,
                args.latency_ms,
                connect_round_trips=args.connect_round_trips,
                sim_processes=args.sim_processes,
                naive=naive,
            )
        )
    stacked = None
    if args.stack_pairs > 0:
        progress(f"{args.stack_pairs} pairs as {args.stack_counts} stacks at once")
        stacked = stacks.measure(
            args.stack_pairs,
            args.stack_counts,
            args.latency_ms,
            connect_round_trips=args.connect_round_trips,
            sim_processes=args.sim_processes,
        )

    found = (
        requests_per_op.targets(ops)
        + sizes.targets(provider_sizes)
        + refresh_targets(refreshes)
        + stack_targets(stacked)
    )
    largest = refreshes[-1]
    results: dict[str, Any] = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "environment": env,
        "options": {
            "pairs": list(args.pair_counts),
            "latency_ms": args.latency_ms,
            "connect_round_trips": args.connect_round_trips,
            "sim_processes": args.sim_processes,
            "naive_max_pairs": args.naive_max_pairs,
            "quick": args.quick,
            "note": args.note,
        },
        "requests_per_operation": {
            resource: {name: op.to_json() for name, op in by_op.items()}
            for resource, by_op in ops.items()
        },
        "refresh": [r.to_json() for r in refreshes],
        "stacks": stacked.to_json() if stacked else None,
        "provider_sizes": {resource: s.to_json() for resource, s in provider_sizes.items()},
        "host_peak_memory": {
            "pairs": largest.pairs,
            "VmHWM_kib": largest.host_memory_kib["after_refresh"]["VmHWM"],
            "VmHWM_kib_at_start": largest.host_memory_kib["started"]["VmHWM"],
        },
        "targets": [t.to_json() for t in found],
        "all_targets_met": all(t.passed is not False for t in found),
    }
    print(render(results))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
        progress(f"wrote {args.out}")
    if not args.quick and args.out.resolve() == DEFAULT_OUT.resolve():
        PAGE.write_text(update_page(PAGE.read_text(), results))
        progress(f"docs/performance.md tables regenerated from {args.out}")
    return 0 if results["all_targets_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
