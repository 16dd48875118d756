"""Run every benchmark, print the tables, write the JSON (`python -m benchmarks --help`).

Exit status 1 when a target measured in this run is missed, so a scheduled
job notices; targets not measured (the 50-pair speed-up under `--quick`)
are reported as n/a.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from . import refresh, requests_per_op, sizes
from .report import Target, table

DEFAULT_OUT = Path(__file__).parent / "results.json"
DEFAULT_PAIRS = (1, 10, 50)
QUICK_PAIRS = (1, 3)
SPEEDUP_PAIRS = 50
SPEEDUP_TARGET = 3.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Requests per operation, refresh wall time against the naive way, and"
        " provider sizes, against the simulator.",
    )
    parser.add_argument(
        "--pairs",
        default=",".join(map(str, DEFAULT_PAIRS)),
        help="fleet sizes to refresh, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=50.0,
        help="latency the simulator adds to every request during the refresh (default: 50)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"refresh {','.join(map(str, QUICK_PAIRS))} pairs only (a smoke test)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="JSON file to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        pairs = QUICK_PAIRS if args.quick else tuple(int(p) for p in args.pairs.split(",") if p)
    except ValueError:
        parser.error(f"--pairs must be whole numbers separated by commas, got {args.pairs!r}")
    if not pairs or min(pairs) < 1:
        parser.error("--pairs needs at least one fleet size >= 1")
    args.pair_counts = tuple(sorted(set(pairs)))
    return args


def refresh_targets(results: list[refresh.RefreshResult]) -> list[Target]:
    """Speed-up at 50 pairs, and the concurrency rules the speed-up must keep."""
    at_target = next((r for r in results if r.pairs == SPEEDUP_PAIRS), None)
    largest = results[-1]
    return [
        Target(
            f"refresh speed-up at {SPEEDUP_PAIRS} pairs",
            f">= {SPEEDUP_TARGET:g}x the naive way",
            f"{at_target.speedup:.1f}x ({at_target.naive_seconds:.1f} s -> "
            f"{at_target.provider_seconds:.1f} s)"
            if at_target
            else f"not run (pairs {','.join(str(r.pairs) for r in results)})",
            at_target.speedup >= SPEEDUP_TARGET if at_target else None,
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
            f"{largest.parallelism:.2f} in flight",
            largest.parallelism > 1.0 if largest.pairs > 1 else None,
        ),
        Target(
            "refresh: unchanged fleet, same GETs as naive",
            "no drift, identical GETs",
            "no drift"
            if not any(r.drift for r in results)
            else "drift in " + "; ".join(d for r in results for d in r.drift),
            not any(r.drift for r in results) and all(r.same_gets for r in results),
        ),
    ]


def _writes(op: requests_per_op.OpResult) -> str:
    parts: list[str] = []
    for server, record in op.writes():
        path = record.path.removeprefix("/api/sonicos/").removeprefix("/api/v1/")
        path = re.sub(r"/assoc-[^/]+", "/{id}", path)
        if (record.method, record.path) == requests_per_op.COMMIT:
            parts.append(f"{server}: commit")
            continue
        body = record.body if isinstance(record.body, dict) else {}
        inner = next(iter(body.values()), None) if len(body) == 1 else None
        keys = f" {{{', '.join(inner)}}}" if isinstance(inner, dict) else ""
        parts.append(f"{server}: {record.method} {path}{keys}")
    return "; ".join(parts) or "-"


def render(results: dict[str, Any]) -> str:
    ops = results["_ops"]
    op_rows = []
    for resource, by_op in ops.items():
        for name in requests_per_op.OPERATIONS:
            op = by_op[name]
            if not op.applicable:
                op_rows.append([resource, name, op.description, "", "", "", "n/a", "-"])
                continue
            counts = [op.count(s) for s in requests_per_op.SERVERS]
            op_rows.append([resource, name, op.description, *counts, op.total, _writes(op)])
    refresh_rows = [
        [
            r.pairs,
            r.resources,
            f"{r.provider_seconds:.2f}",
            r.provider_requests,
            f"{r.parallelism:.2f}",
            f"{r.naive_seconds:.2f}",
            r.naive_requests,
            f"{r.speedup:.1f}x",
            f"{r.host_memory_kib['after_refresh']['VmHWM'] / 1024:.1f}",
        ]
        for r in results["_refresh"]
    ]
    size_rows = [
        [
            resource,
            s.size,
            s.pickled_bytes,
            f"yes ({s.class_path})" if s.by_reference else "NO",
        ]
        for resource, s in results["_sizes"].items()
    ]
    target_rows = [[t.name, t.target, t.measured, t.verdict] for t in results["_targets"]]
    latency = results["options"]["latency_ms"]
    return "\n\n".join(
        [
            "Requests per operation (in-process provider, simulator request log)",
            table(
                ["resource", "operation", "what", "primary", "backup", "portal", "total", "writes"],
                op_rows,
            ),
            f"Refresh (Read of every resource) through one provider host, {latency:g} ms per"
            " request; naive = the same GETs one at a time, each in its own login/logout",
            table(
                [
                    "pairs",
                    "resources",
                    "provider s",
                    "provider requests",
                    "in flight",
                    "naive s",
                    "naive requests",
                    "speed-up",
                    "host peak MiB",
                ],
                refresh_rows,
            ),
            "Serialized __provider",
            table(["resource", "base64 chars", "pickle bytes", "by reference"], size_rows),
            "Targets",
            table(["target", "goal", "measured", "verdict"], target_rows),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def progress(text: str) -> None:
        print(f"[benchmarks] {text}", file=sys.stderr, flush=True)

    progress("requests per operation")
    ops = requests_per_op.measure()
    progress("provider sizes")
    provider_sizes = sizes.measure()
    refreshes: list[refresh.RefreshResult] = []
    for pairs in args.pair_counts:
        progress(f"refresh of {pairs} pair(s), {args.latency_ms:g} ms latency")
        refreshes.append(refresh.measure(pairs, args.latency_ms))

    found = (
        requests_per_op.targets(ops) + sizes.targets(provider_sizes) + refresh_targets(refreshes)
    )
    largest = refreshes[-1]
    results: dict[str, Any] = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "environment": {
            "python": platform.python_version(),
            "pulumi": metadata.version("pulumi"),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "options": {
            "pairs": list(args.pair_counts),
            "latency_ms": args.latency_ms,
            "quick": args.quick,
        },
        "requests_per_operation": {
            resource: {name: op.to_json() for name, op in by_op.items()}
            for resource, by_op in ops.items()
        },
        "refresh": [r.to_json() for r in refreshes],
        "provider_sizes": {resource: s.to_json() for resource, s in provider_sizes.items()},
        "host_peak_memory": {
            "pairs": largest.pairs,
            "VmHWM_kib": largest.host_memory_kib["after_refresh"]["VmHWM"],
            "VmHWM_kib_at_start": largest.host_memory_kib["started"]["VmHWM"],
        },
        "targets": [t.to_json() for t in found],
        "all_targets_met": all(t.passed is not False for t in found),
    }
    print(
        render(
            {
                **results,
                "_ops": ops,
                "_refresh": refreshes,
                "_sizes": provider_sizes,
                "_targets": found,
            }
        )
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    progress(f"wrote {args.out}")
    return 0 if results["all_targets_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
