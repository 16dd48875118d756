"""setup_host: the Primary reached through the pair's address only before HA is on.

The Primary's steady address (`primary_host`) is its own HA monitoring address,
which answers only while HA is on; before that it answers at its interface address,
which becomes the pair's (`setup_host`). The helper every Primary-side resource
shares (`providers.base.primary_client`) uses setup_host only while primary_host
does not answer, and only for a unit with the declared serial and HA off.
"""

from __future__ import annotations

import pytest

from pulumi_sonicha.errors import ApplianceUnreachableError, UnitReplacedError
from pulumi_sonicha.models.ha_monitoring import SCHEMA as MONITORING
from pulumi_sonicha.providers.base import primary_client
from pulumi_sonicha.simulator import PRIMARY_MONITORING_IP, Simulator

from ..conftest import settings_for


@pytest.fixture
def units():
    with Simulator(sync_seconds=0, monitoring=False) as sim:
        yield sim


def props(sim: Simulator, **changes: object) -> dict[str, object]:
    return {
        "primary_host": sim.primary.address(PRIMARY_MONITORING_IP),
        "setup_host": sim.primary.host,
        "primary_serial": sim.primary.serial,
        **changes,
    }


def pair_up(sim: Simulator, allow_management: bool = True) -> None:
    sim.primary.set_monitoring(
        "X0",
        primary=PRIMARY_MONITORING_IP,
        secondary=sim.backup_ip,
        allow_management=allow_management,
        link_monitoring=True,
    )
    sim.primary.set_ha_settings(
        {"mode": {"active_standby": {"secondary_serial": sim.backup.serial,
                                     "control_interface": "X5"}}}
    )  # fmt: skip


def test_before_pairing_the_primary_is_reached_through_setup_host(units):
    client = primary_client(settings_for(units), props(units))
    assert client.host == units.primary.host
    with client.session() as unit:
        assert unit.system().serial == units.primary.serial


def test_once_paired_the_primary_is_reached_at_its_own_address_at_no_cost(units):
    pair_up(units)
    units.primary.clear_requests()
    client = primary_client(settings_for(units), props(units))
    assert client.host == units.primary.address(PRIMARY_MONITORING_IP)
    # One unauthenticated question, no session: the operation's own login follows.
    assert [(r.method, r.path) for r in units.primary.requests] == [("GET", "/api/sonicos/version")]


def test_without_setup_host_nothing_is_asked(units):
    units.primary.clear_requests()
    client = primary_client(settings_for(units), props(units, setup_host=None))
    assert client.host == units.primary.address(PRIMARY_MONITORING_IP)
    assert units.primary.requests == []


def test_a_paired_unit_at_setup_host_never_stands_in_for_the_primary(units):
    pair_up(units, allow_management=False)  # HA on, but its own address does not answer
    with pytest.raises(ApplianceUnreachableError) as caught:
        primary_client(settings_for(units), props(units))
    text = str(caught.value)
    assert "does not answer at primary_host" in text
    assert "HA is on there" in text and "answered by the Active unit" in text


def test_another_unit_at_setup_host_is_refused_naming_both_serials(units):
    with pytest.raises(UnitReplacedError) as caught:
        primary_client(settings_for(units), props(units, primary_serial="2CB8ED0A0BAD"))
    text = str(caught.value)
    assert f"answers with serial {units.primary.serial}, not the Primary's 2CB8ED0A0BAD" in text
    assert units.primary.writes() == []


def test_neither_address_answering_names_both(units):
    with pytest.raises(ApplianceUnreachableError) as caught:
        primary_client(settings_for(units), props(units, setup_host="127.0.0.1:1"))
    text = str(caught.value)
    assert "nor at setup_host 127.0.0.1:1" in text


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"primary_serial": None}, "primary_serial", "set primary_serial"),
        ({"setup_host": "fw-a:443"}, "setup_host", "same address as primary_host"),
    ],
)
def test_check_refuses_a_setup_host_that_cannot_be_safe(changes, field, says):
    news = {
        "primary_host": "fw-a",
        "setup_host": "fw-pair",
        "primary_serial": "2CB8ED0A1B2C",
        "interface": "X0",
        "primary_ip": "10.0.0.2",
        "backup_ip": "10.0.0.3",
        **changes,
    }
    _, failures = MONITORING.check({k: v for k, v in news.items() if v is not None})
    assert [f.property for f in failures] == [field]
    assert says in failures[0].reason
