"""One lock per unit, whatever spelling reaches it, from the first contact on.

A host name and the address it resolves to (`localhost:port` and
`127.0.0.1:port`) reach one unit, which takes one API session at a time. Keyed
by the spelling, two operations through the two spellings ran at once, and the
unit refused the second login (too many sessions). The lock is keyed by the
resolved address and port, so they wait for each other, before either has ever
answered (no serial learned yet).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha import transport
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for
from .test_unit_locks import run_together


@pytest.fixture(autouse=True)
def nothing_learned(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No serial learned from an earlier test's answers: the first contact."""
    monkeypatch.setattr(transport, "_serial_of_address", {})
    yield


@pytest.mark.parametrize(
    "spellings",
    [
        ("localhost:{port}", "127.0.0.1:{port}"),
        ("https://LOCALHOST:{port}/", "127.0.0.1:{port}"),
    ],
)
def test_a_name_and_its_address_share_one_lock_before_the_unit_answered(
    sim: Simulator, spellings: tuple[str, str]
) -> None:
    settings = settings_for(sim, max_retries=0)
    provider = provider_with(HaPairProvider, settings)
    hosts = [spelling.format(port=sim.primary.port) for spelling in spellings]
    # Each login takes a while, so the two operations overlap unless one waits.
    sim.primary.hang("POST", "/api/sonicos/auth$", seconds=0.4, times=4)

    def read(host: str) -> Any:
        inputs = provider.check(
            {},
            {"primary_host": host, "backup_serial": sim.backup.serial, "control_interface": "X5"},
        ).inputs
        return lambda: provider.read("", inputs)

    errors = run_together(read(hosts[0]), read(hosts[1]))
    assert errors == []
    assert sim.primary.max_concurrent_sessions == 1


def test_lock_keys_name_the_resolved_address_and_port() -> None:
    by_name = transport.unit_keys("localhost:8443")
    assert "address:127.0.0.1:8443" in by_name
    assert transport.unit_keys("127.0.0.1:8443") == ("address:127.0.0.1:8443",)
    assert transport.unit_keys("https://127.0.0.1/") == transport.unit_keys("127.0.0.1:443")
    # A name that does not resolve keeps its spelling (case and default port aside).
    assert transport.unit_keys("FW1.invalid") == transport.unit_keys("fw1.invalid:443")
