"""Targets, plain-text tables, and the README's benchmark tables, all from the JSON.

Everything shown (terminal and README) is rendered from the results JSON
(`benchmarks/results.json`), never from objects of the run, so the README can
be regenerated from the committed JSON (`python -m benchmarks --readme-only`)
and `tests/examples/test_benchmarks.py` checks that README and JSON agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

OPERATIONS = ("create", "read", "check_diff_unchanged", "update", "delete")
SERVERS = ("primary", "backup", "portal")
COMMIT = ("POST", "/api/sonicos/config/pending")


@dataclass(frozen=True)
class Target:
    """One target of the issue and how this run did against it.

    `passed` is None when this run did not measure it (e.g. the 50-pair
    speed-up in a `--quick` run).
    """

    name: str
    target: str
    measured: str
    passed: bool | None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table with padded columns: readable in a terminal and in the README."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _writes(op: dict[str, Any]) -> str:
    """What an operation wrote, compactly: `primary: PUT high-availability/base {keys}`."""
    parts: list[str] = []
    for write in op["writes"]:
        server, method, path = write["server"], write["method"], write["path"]
        if (method, path) == COMMIT:
            parts.append(f"{server}: commit")
            continue
        path = path.removeprefix("/api/sonicos/").removeprefix("/api/v1/")
        path = re.sub(r"/assoc-[^/]+", "/{id}", path)
        body = write["body"] if isinstance(write["body"], dict) else {}
        inner = next(iter(body.values()), None) if len(body) == 1 else None
        keys = ""
        if isinstance(inner, dict):  # a whole object (the unit replaces it on PUT) is long
            keys = f" {{{', '.join(inner)}}}" if len(inner) <= 3 else " (whole object)"
        parts.append(f"{server}: {method} {path}{keys}")
    return "; ".join(parts) or "-"


def _share(value: float | None) -> str:
    """A 0..1 share as a percentage; "-" for results from before it was measured."""
    return "-" if value is None else f"{value:.0%}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def operations_table(results: dict[str, Any]) -> str:
    rows = []
    for resource, by_op in results["requests_per_operation"].items():
        for name in OPERATIONS:
            op = by_op[name]
            if not op["applicable"]:
                rows.append([resource, name, op["description"], "", "", "", "n/a", "", "-"])
                continue
            counts = [op["requests"][s] for s in SERVERS]
            connections = sum(op.get("connections", {}).values())
            rows.append(
                [resource, name, op["description"], *counts, op["total"], connections, _writes(op)]
            )
    headers = ["resource", "operation", "what", "primary", "backup", "portal", "total"]
    return table([*headers, "connections", "writes"], rows)


def refresh_table(results: dict[str, Any]) -> str:
    rows = []
    for r in results["refresh"]:
        provider, naive = r["provider"], r["naive"] or {}
        rows.append(
            [
                r["pairs"],
                r["resources"],
                f"{provider['seconds']:.2f}",
                provider["requests"],
                provider["connections"],
                provider["max_connections_per_unit"],
                f"{provider['requests_in_flight_avg']:.2f}",
                f"{provider['limit_seconds']:.2f}",
                f"{provider['limit_share']:.0%}",
                _seconds(naive.get("seconds")),
                naive.get("requests", "-"),
                naive.get("connections", "-"),
                "-" if r["speedup"] is None else f"{r['speedup']:.1f}x",
                f"{provider['host_cpu_seconds']:.1f}",
                _share(provider.get("machine_busy")),
                f"{r['host_memory_kib']['after_refresh']['VmHWM'] / 1024:.1f}",
            ]
        )
    return table(
        [
            "pairs",
            "resources",
            "provider s",
            "requests",
            "connections",
            "max conn/unit",
            "in flight",
            "limit s",
            "of limit",
            "naive s",
            "naive requests",
            "naive connections",
            "speed-up",
            "host CPU s",
            "machine busy",
            "host peak MiB",
        ],
        rows,
    )


def stacks_table(results: dict[str, Any]) -> str:
    stacks = results.get("stacks") or {"points": []}
    rows = [
        [
            p["stacks"],
            p["pairs"],
            f"{p['seconds']:.2f}",
            " / ".join(f"{s:.2f}" for s in p["per_stack_seconds"]),
            p["requests"],
            p["connections"],
            f"{p['limit_seconds']:.2f}",
            _share(p.get("machine_busy")),
            "none" if not p["drift"] else ", ".join(p["drift"]),
        ]
        for p in stacks["points"]
    ]
    return table(
        [
            "stacks",
            "pairs",
            "all done s",
            "each stack s",
            "requests",
            "connections",
            "limit s",
            "machine busy",
            "drift",
        ],
        rows,
    )


def targets_table(results: dict[str, Any]) -> str:
    rows = [[t["name"], t["target"], t["measured"], t["verdict"]] for t in results["targets"]]
    return table(["target", "goal", "measured", "verdict"], rows)


def sizes_table(results: dict[str, Any]) -> str:
    rows = [
        [resource, s["serialized_length"], s["pickled_bytes"], "yes" if s["by_reference"] else "NO"]
        for resource, s in results["provider_sizes"].items()
    ]
    return table(["resource", "base64 chars", "pickle bytes", "by reference"], rows)


def conditions(results: dict[str, Any]) -> str:
    """One line: when, on what, under which load, with which options."""
    env, options = results["environment"], results["options"]
    load = env.get("load_average")
    return (
        f"Run {results['generated']}: Python {env['python']}, pulumi {env['pulumi']},"
        f" {env['cpus']} CPUs"
        + (f" (load average {load} at the start)" if load else "")
        + f"; {options['latency_ms']:g} ms per request,"
        f" {options['connect_round_trips']} round trips per new connection,"
        f" simulators in {options['sim_processes']} process(es)."
        + (f" {options['note']}" if options.get("note") else "")
    )


#: README blocks generated from the JSON: name -> renderer.
BLOCKS = {
    "conditions": conditions,
    "requests-per-operation": operations_table,
    "refresh": refresh_table,
    "stacks": stacks_table,
    "targets": targets_table,
}


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- benchmarks:{name} -->", f"<!-- /benchmarks:{name} -->"


def readme_blocks(text: str) -> dict[str, str]:
    """The generated blocks found in a README text, by name (content between markers)."""
    found = {}
    for name in BLOCKS:
        start, end = _markers(name)
        match = re.search(re.escape(start) + r"\n(?:(.*?)\n)?" + re.escape(end), text, re.S)
        if match:
            found[name] = match.group(1) or ""
    return found


def update_readme(text: str, results: dict[str, Any]) -> str:
    """`text` with every generated block replaced by what `results` renders; a README
    without a block's markers keeps the rest as it is."""
    for name, render in BLOCKS.items():
        start, end = _markers(name)
        pattern = re.compile(re.escape(start) + r"\n(?:.*?\n)?" + re.escape(end), re.S)
        block = f"{start}\n{render(results)}\n{end}"
        text = pattern.sub(lambda _match, block=block: block, text)
    return text


def render(results: dict[str, Any]) -> str:
    """What `python -m benchmarks` prints."""
    return "\n\n".join(
        [
            conditions(results),
            "Requests per operation (in-process provider, simulator request log; connections"
            " from an empty pool)",
            operations_table(results),
            "Refresh (Read of every resource) through one provider host; naive = the same"
            " GETs one at a time, each in its own login/logout, a connection per call",
            refresh_table(results),
            "The same fleet as N stacks, their drift jobs (preview --refresh) run at once",
            stacks_table(results),
            "Serialized __provider",
            sizes_table(results),
            "Targets",
            targets_table(results),
        ]
    )
