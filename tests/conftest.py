"""Fixtures shared by the suite: a fresh simulator per test and settings aimed at it.

Every test runs against real HTTPS servers on loopback (the simulator), with
sync made instant and retry back-off shrunk so the suite stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import Simulator


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0) as simulator:
        yield simulator


def settings_for(simulator: Simulator, **overrides: object) -> Settings:
    """Provider settings pointing at `simulator`, with quick retries."""
    values: dict[str, object] = dict(
        username=simulator.username,
        password=simulator.password,
        portal_username=simulator.portal_username,
        portal_password=simulator.portal_password,
        portal_url=simulator.portal.url,
        ca_bundle=simulator.ca_path,
        timeout=5.0,
        max_retries=2,
        backoff_factor=0.01,
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(sim: Simulator) -> Settings:
    return settings_for(sim)


def provider_with(provider_cls: type, settings: Settings):  # noqa: ANN201 - any provider
    """A provider instance configured as `configure()` would, without the engine."""
    provider = provider_cls()
    provider._settings = settings
    return provider
