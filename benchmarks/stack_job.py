"""One stack's command through the lifecycle harness, in a process of its own.

`python -m benchmarks.stack_job {up,drift} --job FILE.json`: FILE names the
project, the state file, the stack config and the parallelism; the result
(wall seconds, changes, drift, failures) is printed as one JSON line. A
process per stack because the harness runs the program under the SDK's mocks,
which are process-wide: stacks run at once as separate processes, as separate
`pulumi` commands (or Automation API workspaces) do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from pulumi_sonicha.testing import Lifecycle

from .fleet import SECRET_ENV


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stack_job")
    parser.add_argument("command", choices=("up", "drift"))
    parser.add_argument("--job", type=Path, required=True)
    args = parser.parse_args()
    job = json.loads(args.job.read_text())
    # The job file on disk holds no secret: they come in the environment.
    config = {**job["config"], **{k: os.environ[e] for k, e in SECRET_ENV.items()}}
    stack = Lifecycle(
        job["project"],
        config=config,
        secret_keys=set(job["secret_keys"]),
        state_file=job["state_file"],
        parallel=int(job["parallel"]),
    )
    started = time.perf_counter()
    with stack:
        # The drift job: `pulumi preview --refresh --expect-no-changes`.
        result = stack.up() if args.command == "up" else stack.preview(refresh=True)
    seconds = time.perf_counter() - started
    drift = sorted(step.name for step in result.steps if step.op == "drift")
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "changes": result.changes,
                "drift": drift,
                "failures": [f"{s.name}: {s.error}" for s in result.failures],
            }
        )
    )
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
