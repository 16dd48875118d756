"""The harness sends a refresh's reads `parallel` at a time, as the engine does.

The engine reads every resource of a refresh at once (up to `--parallel`), so
a drift job over a fleet waits for its slowest unit, not for the sum of them.
Checked without timing: site A's Primary holds its first read until site B's
Primary has been asked something; only reads in flight together get past it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.simulator.server import Request, Response
from pulumi_sonicha.testing import Lifecycle

from .test_examples_lifecycle import (
    FLEET_PROJECT,
    REPO,
    SITE_B_BACKUP_SERIAL,
    SITE_B_PRIMARY_SERIAL,
    fleet_config,
    stack_config,
)


def _refresh_overlaps(tmp_path: Path, parallel: int, wait_s: float) -> bool:
    """Up the two-pair fleet, then refresh with `parallel`: whether site B's Primary was
    asked while site A's Primary held its first read."""
    with (
        Simulator(sync_seconds=0) as site_a,
        Simulator(
            sync_seconds=0,
            primary_serial=SITE_B_PRIMARY_SERIAL,
            backup_serial=SITE_B_BACKUP_SERIAL,
            portal=site_a.portal,
        ) as site_b,
    ):
        bundle = tmp_path / "fleet-ca.pem"
        bundle.write_text(Path(site_a.ca_path).read_text() + Path(site_b.ca_path).read_text())
        _, secret_keys = stack_config(site_a)
        with Lifecycle(
            REPO / FLEET_PROJECT,
            config=fleet_config(site_a, site_b, bundle),
            secret_keys=secret_keys,
            state_file=tmp_path / f"state-{parallel}.json",
        ) as stack:
            stack.up()  # in program order: site A's resources first in the state
            stack.parallel = parallel
            asked_b = threading.Event()
            overlapped: list[bool] = []
            route_a, route_b = site_a.primary.route, site_b.primary.route

            def at_a(request: Request) -> Response:
                if request.method == "GET" and not overlapped:
                    overlapped.append(asked_b.wait(wait_s))
                return route_a(request)

            def at_b(request: Request) -> Response:
                asked_b.set()
                return route_b(request)

            site_a.primary.route = at_a  # type: ignore[method-assign]
            site_b.primary.route = at_b  # type: ignore[method-assign]
            refreshed = stack.refresh()
            assert refreshed.failures == [] and not refreshed.has_changes
            return overlapped == [True]


@pytest.mark.parametrize(("parallel", "expected"), [(8, True), (1, False)])
def test_a_refresh_reads_the_fleet_parallel_at_a_time(
    tmp_path: Path, parallel: int, expected: bool
) -> None:
    # parallel=1 keeps program order: site A's reads all come before site B's.
    assert _refresh_overlaps(tmp_path, parallel, wait_s=5.0 if expected else 1.0) is expected
