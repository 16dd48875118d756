"""Logging in at the edges: a password outside Latin-1, a kept connection the unit dropped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.errors import AuthenticationError
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for
from ..scenarios.test_faults import statuses

LOGIN = ("POST", "/api/sonicos/auth")
PASSWORD = "Pässwörd-€uro"  # "€" is not in Latin-1, which HTTP Basic credentials use


def read_pair(sim: Simulator, **settings: Any) -> Any:
    provider = provider_with(HaPairProvider, settings_for(sim, **settings))
    news = {"primary_host": sim.primary.host, "backup_serial": sim.backup.serial,
            "control_interface": "X5"}  # fmt: skip
    return provider.read("", provider.check({}, news).inputs)


@pytest.fixture
def euro() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0, password=PASSWORD) as simulator:
        yield simulator


@pytest.fixture
def euro_basic() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0, password=PASSWORD, auth="basic") as simulator:
        yield simulator


def test_a_password_outside_latin_1_logs_in_with_digest(euro: Simulator):
    assert read_pair(euro).id == ""  # HA off: read as gone, after a successful login
    assert statuses(euro.primary, LOGIN)[:2] == [401, 200]  # the challenge, then Digest


def test_a_password_outside_latin_1_on_a_basic_only_unit_says_what_to_do(euro_basic: Simulator):
    with pytest.raises(AuthenticationError) as caught:
        read_pair(euro_basic)
    text = str(caught.value)
    assert text.startswith(f"{euro_basic.primary.host}: ")
    assert "sonicha:password has characters outside Latin-1" in text
    assert "RFC-7616 Digest" in text
    assert PASSWORD not in text and "€" not in text


def test_a_login_dropped_on_a_kept_connection_is_sent_again_on_a_fresh_one(sim: Simulator):
    read_pair(sim, max_retries=0)  # leaves a kept-alive connection to the Primary
    sim.primary.clear_requests()  # and the count of connections opened
    sim.primary.drop(*LOGIN)  # the unit closed the idle connection: no answer
    read_pair(sim, max_retries=0)
    assert statuses(sim.primary, LOGIN) == [0, 200]  # dropped, then logged in once more
    assert sim.primary.connections_opened == 1  # the kept one, then one new connection


def test_a_login_dropped_twice_fails_once_retried(sim: Simulator):
    read_pair(sim, max_retries=0)
    sim.primary.clear_requests()
    sim.primary.drop(*LOGIN, times=2)
    with pytest.raises(Exception, match="cannot connect"):
        read_pair(sim, max_retries=0)
    assert statuses(sim.primary, LOGIN) == [0, 0]  # one retry, not more
