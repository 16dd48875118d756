"""The harness sends a refresh's reads `parallel` at a time, as the engine does.

The engine reads every resource of a refresh at once (up to `--parallel`), so
a drift job over a fleet waits for its slowest unit, not for the sum of them.
Checked without timing: site A's Backup holds its first read until site B's
Primary has been asked something; only reads in flight together get past it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pulumi_sonicha.simulator.server import Request, Response

from ..examples.test_examples_lifecycle import two_site_fleet


def _refresh_overlaps(tmp_path: Path, parallel: int, wait_s: float) -> bool:
    """Up the two-pair fleet, then refresh with `parallel`: whether site B's Primary was
    asked while site A's Backup held its first read."""
    state_file = tmp_path / f"state-{parallel}.json"
    with two_site_fleet(tmp_path, state_file) as (stack, site_a, site_b):
        with stack:
            stack.up()  # in program order: site A's resources first in the state
            stack.parallel = parallel
            asked_b = threading.Event()
            overlapped: list[bool] = []
            route_a, route_b = site_a.backup.route, site_b.primary.route
            first = threading.Lock()  # only the first GET holds

            def at_a(request: Request) -> Response:
                # Site A's Backup holds: held at site A's Primary, a read could keep the
                # host's four workers waiting on that unit's lock, whatever the order.
                if request.method == "GET" and first.acquire(blocking=False):
                    asked_b.clear()  # asked while this read is held, not before
                    overlapped.append(asked_b.wait(wait_s))
                return route_a(request)

            def at_b(request: Request) -> Response:
                asked_b.set()
                return route_b(request)

            site_a.backup.route = at_a  # type: ignore[method-assign]
            site_b.primary.route = at_b  # type: ignore[method-assign]
            refreshed = stack.refresh()
            assert refreshed.failures == [] and not refreshed.has_changes
            # Site A's Backup was read (else "no overlap" would prove nothing).
            assert len(overlapped) == 1
            return overlapped[0]


@pytest.mark.parametrize(("parallel", "expected"), [(8, True), (1, False)])
def test_a_refresh_reads_the_fleet_parallel_at_a_time(
    tmp_path: Path, parallel: int, expected: bool
) -> None:
    # parallel=1 keeps program order: site A's reads all come before site B's.
    assert _refresh_overlaps(tmp_path, parallel, wait_s=5.0 if expected else 1.0) is expected
