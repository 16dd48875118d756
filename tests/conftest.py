"""Fixtures shared by the suite: a fresh simulator per test and settings aimed at it.

Every test runs against real HTTPS servers on loopback (the simulator), with
sync made instant and retry back-off shrunk so the suite stays fast.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha import sonicos, transport
from pulumi_sonicha.providers.base import forget_setup_checks
from pulumi_sonicha.providers.run import CLAIMS, WRITTEN
from pulumi_sonicha.settings import ENV_VAR, Settings
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.simulator.server import SimServer
from pulumi_sonicha.testing import ProviderHost

from .conformance import Conformance


def pytest_configure(config: pytest.Config) -> None:
    # A shell that starts the suite in the background (`cmd &` without job control)
    # leaves SIGINT ignored, and every child inherits that: the tests that stop a
    # provider host with SIGINT, as Ctrl-C does, would then wait forever. Each process
    # of the suite (xdist workers too) takes SIGINT back as Python's default.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    config.addinivalue_line(
        "markers",
        "nonconforming_requests: the test sends malformed requests on purpose; only the"
        " simulator's answers are checked against the API schema",
    )


@pytest.fixture(autouse=True)
def api_conformance(request: pytest.FixtureRequest) -> Iterator[Conformance]:
    """Every request to a simulated unit and every answer it gives, in every test, is
    checked against tests/sonicos_api_schema.py; a violation fails the test."""
    checker = Conformance(
        check_requests=request.node.get_closest_marker("nonconforming_requests") is None
    )
    SimServer.observer = checker.observe
    try:
        yield checker
    finally:
        SimServer.observer = None
    if checker.violations:
        shown = "\n  ".join(checker.violations[:10])
        pytest.fail(
            f"{len(checker.violations)} exchange(s) outside the SonicOS API schema:\n  {shown}",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _fresh_authentication() -> Iterator[None]:
    """Each test starts without remembered Digest state or kept-alive connections
    (ports get reused)."""
    sonicos.forget_authentication()
    transport.POOLS.clear()
    yield
    sonicos.forget_authentication()
    transport.POOLS.clear()


@pytest.fixture(autouse=True)
def fresh_run_claims() -> Iterator[None]:
    """Each test is a run of its own: no claim a provider recorded in this process
    (`providers.run.CLAIMS`, one provider host = one run) carries over to the next, nor a
    write recorded for the fleet's wait (`run.WRITTEN`)."""
    CLAIMS.clear()
    WRITTEN.clear()
    forget_setup_checks()
    yield
    CLAIMS.clear()
    WRITTEN.clear()
    forget_setup_checks()


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


def appliance_config(simulator: Simulator, password: str | None = None) -> dict[str, str]:
    """Stack config for the appliance resources, as `pulumi config set` would hold it."""
    return {
        "sonicha:username": simulator.username,
        "sonicha:password": password or simulator.password,
        "sonicha:caBundle": simulator.ca_path,
        "sonicha:timeout": "5",
        "sonicha:maxRetries": "1",
    }


@contextmanager
def configured_host(
    cwd: Path, config: Mapping[str, str], secret_keys: Iterable[str]
) -> Iterator[ProviderHost]:
    """The SDK's provider host, configured as the engine does, with every SONICHA_*
    variable blanked so settings can only come through Configure."""
    blank = {env: "" for env in ENV_VAR.values()}
    with ProviderHost(cwd=cwd, env=blank) as host:
        host.configure(config=config, secret_keys=secret_keys)
        yield host


def up_one(
    host: ProviderHost, urn: str, news: dict[str, Any], state: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """What `pulumi up` does for one resource through the SDK host: check, then create,
    or diff and update when it changed; returns (op, state)."""
    checked = host.check(urn, state["inputs"] if state else {}, news)
    assert checked.failures == []
    if state is None:
        id_, outs = host.create(urn, checked.inputs)
        return "create", {"id": id_, "inputs": checked.inputs, "outputs": outs}
    diff = host.diff(urn, state["id"], state["outputs"], checked.inputs)
    if not diff.changes:
        return "same", state
    outs = host.update(urn, state["id"], state["outputs"], checked.inputs)
    return "update", {"id": state["id"], "inputs": checked.inputs, "outputs": outs}


class _InstanceId(str):
    """Equal to any `instance_id` output: 32 hex digits, made fresh by each create."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and re.fullmatch(r"[0-9a-f]{32}", other) is not None

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


INSTANCE_ID = _InstanceId("<instance id>")
