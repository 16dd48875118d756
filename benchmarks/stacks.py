"""Past one provider host: the same fleet as 1, 2, 4... stacks, their drift jobs run at once.

Why: the SDK's provider host serves four operations at a time, and a stack has
one host per command, so one stack's refresh cannot go faster than its
round trips / 4. Fleets grow by stacks (one per site or region); each runs
its own command with its own host, and stacks run at once in parallel
processes. This measures that through the lifecycle harness: the fleet
example (`examples/fleet`) with `ha:pairs` split into N contiguous groups,
one state file per stack, and per stack `preview --refresh` (the drift job)
in its own process (`stack_job`), all N started together. The harness sends
a refresh's reads `PARALLEL` at a time, as the engine does (`--parallel`).

Each stack is first brought up (no latency) by `up` through the harness; the
second and later splits adopt what the first set up (creates write only what
differs, here nothing).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_sonicha.simulator import PRIMARY_MONITORING_IP

from .fleet import SECRET_ENV, SECRET_KEYS, Fleet, fleet
from .refresh import HOST_WORKERS, Traffic
from .simfleet import PairInfo
from .sizes import busy_share, machine_cpu

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "examples" / "fleet"
#: Reads a refresh sends at once: the Pulumi CLI's `--parallel` default (16, per the
#: CLI reference for `pulumi refresh`).
PARALLEL = 16
JOB_TIMEOUT_S = 900


@dataclass
class StackPoint:
    """One split of the fleet: N stacks' drift jobs run at once."""

    stacks: int
    pairs: int
    seconds: float = 0.0
    per_stack_seconds: list[float] = field(default_factory=list)
    traffic: Traffic = field(default_factory=Traffic)
    drift: list[str] = field(default_factory=list)
    up_seconds: float = 0.0
    #: Share of the machine's CPUs busy while the drift jobs ran.
    machine_busy: float = 0.0

    def limit_seconds(self, latency_ms: float, connect_round_trips: int) -> float:
        """N hosts of four workers each, every round trip waited out once."""
        rounds = self.traffic.requests + self.traffic.connections * connect_round_trips
        return rounds * latency_ms / 1000.0 / (HOST_WORKERS * self.stacks)

    def to_json(self, latency_ms: float, connect_round_trips: int) -> dict[str, Any]:
        limit = self.limit_seconds(latency_ms, connect_round_trips)
        return {
            "stacks": self.stacks,
            "pairs": self.pairs,
            "seconds": round(self.seconds, 3),
            "per_stack_seconds": [round(s, 3) for s in self.per_stack_seconds],
            **self.traffic.to_json(),
            "limit_seconds": round(limit, 3),
            "limit_share": round(limit / self.seconds, 3) if self.seconds else 0.0,
            "drift": self.drift,
            "up_seconds": round(self.up_seconds, 3),
            "machine_busy": round(self.machine_busy, 3),
        }


@dataclass
class StacksResult:
    pairs: int
    latency_ms: float
    connect_round_trips: int
    points: list[StackPoint] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "latency_ms": self.latency_ms,
            "connect_round_trips": self.connect_round_trips,
            "parallel": PARALLEL,
            "project": "examples/fleet",
            "points": [p.to_json(self.latency_ms, self.connect_round_trips) for p in self.points],
        }


def _entry(pair: PairInfo) -> dict[str, str]:
    """The example's entry: the Primary at its own monitoring address (same port), the
    simulator's address of it as the pair's (the first contact, before HA is on)."""
    port = pair.primary_host.rpartition(":")[2]
    return {
        "name": f"pair-{pair.index:03d}",
        "primaryHost": f"{PRIMARY_MONITORING_IP}:{port}",
        "pairHost": pair.primary_host,
        "backupHost": pair.backup_host,
        "primarySerial": pair.primary_serial,
        "backupSerial": pair.backup_serial,
    }


def split(items: list[Any], parts: int) -> list[list[Any]]:
    """`items` in `parts` contiguous groups of nearly equal size (a stack per site)."""
    size, extra = divmod(len(items), parts)
    groups, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        groups.append(items[start:end])
        start = end
    return [g for g in groups if g]


def _jobs(started: Fleet, workdir: Path, stacks: int) -> list[Path]:
    """One job file per stack: its pairs, the fleet's provider config, its state file."""
    files = []
    config = started.stack_config()
    for index, group in enumerate(split(started.pairs, stacks)):
        job = {
            "project": str(PROJECT),
            # The secrets travel in the job's environment (`SECRET_ENV`), never in
            # a file on disk.
            "config": {
                "ha:pairs": json.dumps([_entry(p) for p in group]),
                **{k: v for k, v in config.items() if k not in SECRET_KEYS},
            },
            "secret_keys": sorted(SECRET_KEYS),
            "state_file": str(workdir / f"split{stacks}-stack{index}.json"),
            "parallel": PARALLEL,
        }
        path = workdir / f"split{stacks}-stack{index}.job.json"
        path.write_text(json.dumps(job))
        files.append(path)
    return files


def _secret_env(started: Fleet) -> dict[str, str]:
    """The fleet's secrets as the environment the job reads them from (`SECRET_ENV`)."""
    config = started.stack_config()
    return {env: config[key] for key, env in SECRET_ENV.items()}


def _run_at_once(
    command: str, jobs: list[Path], secrets: dict[str, str]
) -> tuple[float, list[dict[str, Any]]]:
    """Start every stack's command together; (wall seconds until the last ended, each
    stack's JSON result)."""
    env = {**os.environ, **secrets}
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.stack_job", command, "--job", str(job)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    outputs = [proc.communicate(timeout=JOB_TIMEOUT_S) for proc in procs]
    seconds = time.perf_counter() - started
    results = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            raise RuntimeError(f"stack {command} failed ({proc.returncode}):\n{out}\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return seconds, results


def measure(
    pairs: int,
    stack_counts: tuple[int, ...],
    latency_ms: float,
    *,
    connect_round_trips: int = 2,
    sim_processes: int = 2,
) -> StacksResult:
    """Bring the fleet up per split, then time each split's drift jobs run at once."""
    outcome = StacksResult(pairs, latency_ms, connect_round_trips)
    with (
        tempfile.TemporaryDirectory(prefix="bench-stacks-") as tmp,
        fleet(pairs, tmp, processes=sim_processes) as started,
    ):
        workdir = Path(tmp)
        for count in stack_counts:
            point = StackPoint(min(count, pairs), pairs)
            jobs = _jobs(started, workdir, count)
            started.set_latency(0.0)
            point.up_seconds, _ = _run_at_once("up", jobs, _secret_env(started))
            started.set_latency(latency_ms / 1000.0, connect_round_trips)
            started.clear_requests()
            before = machine_cpu()
            point.seconds, results = _run_at_once("drift", jobs, _secret_env(started))
            point.machine_busy = busy_share(before, machine_cpu())
            point.per_stack_seconds = [r["seconds"] for r in results]
            point.drift = [name for r in results for name in r["drift"]]
            point.traffic = Traffic.of(started.stats())
            outcome.points.append(point)
        started.set_latency(0.0)
    return outcome
