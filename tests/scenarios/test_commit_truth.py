"""A success never lies: what an apply reports is what the unit holds.

Two ways a commit can "succeed" while the unit keeps its old values, both
reproduced with the simulator's faults:

- a commit answered 500 after which the unit lost the staged change (`fail
  --drop-staged`): a blind retry commits nothing and gets 200;
- a commit answered 200 that applied nothing (here the session's staged change
  vanishes just before the commit is handled).

The client therefore asks, before retrying a failed commit, whether the staged
changes are still pending (and stages them again when they are not), and reads
back every object it wrote after the commit (one GET per object), failing with
the unit, the field, and what the unit holds.
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_sonicha.errors import ApplianceError, CommitNotHeldError
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for
from .test_faults import before_request, statuses

API = "/api/sonicos"
COMMIT = ("POST", f"{API}/config/pending")
PENDING = ("GET", f"{API}/config/pending")
HA_BASE = ("GET", f"{API}/high-availability/base")
HA_PUT = ("PUT", f"{API}/high-availability/base")
X2 = f"{API}/high-availability/monitoring/ipv4/interface/X2"


def pair(sim: Simulator, **settings: Any) -> tuple[HaPairProvider, dict[str, Any], Any]:
    """An HaPair created on the simulator (election delay 3 s, the default)."""
    provider = provider_with(HaPairProvider, settings_for(sim, **settings))
    news = {"primary_host": sim.primary.host, "backup_serial": sim.backup.serial,
            "control_interface": "X5"}  # fmt: skip
    inputs = provider.check({}, news).inputs
    return provider, inputs, provider.create(inputs)


def election_delay(sim: Simulator) -> int:
    return sim.primary.ha_settings()["election_delay_time"]


def drop_staged(unit: Any) -> None:
    """The unit loses what the API session staged (its pending changes)."""
    session = unit._api_session()
    if session is not None:
        session.drop_pending()


def test_a_commit_answered_500_that_dropped_the_change_is_not_reported_as_applied(
    sim: Simulator,
):
    """Outputs say 30, the unit 3: the bug. A retried commit must first find out whether
    the change is still staged; here it is not, so it is staged again."""
    provider, inputs, created = pair(sim, max_retries=2)
    sim.primary.fail(*COMMIT, status=500, message="Commit failed", drop_staged=True)
    outs = provider.update(created.id, created.outs, {**inputs, "election_delay_s": 30.0}).outs
    assert election_delay(sim) == 30 == outs["election_delay_s"]
    assert statuses(sim.primary, COMMIT)[-2:] == [500, 200]
    assert PENDING in [(r.method, r.path) for r in sim.primary.requests]  # asked, not blind
    assert statuses(sim.primary, HA_PUT)[-2:] == [200, 200]  # staged again
    assert sim.primary.pending() == {}


def test_a_commit_answered_500_that_kept_the_change_is_retried_without_staging_again(
    sim: Simulator,
):
    provider, inputs, created = pair(sim, max_retries=2)
    sim.primary.clear_requests()
    sim.primary.fail(*COMMIT, status=500, message="Commit failed")
    provider.update(created.id, created.outs, {**inputs, "election_delay_s": 30.0})
    assert election_delay(sim) == 30
    assert statuses(sim.primary, COMMIT) == [500, 200]
    assert statuses(sim.primary, HA_PUT) == [200]  # still pending: committed as staged


def test_a_commit_answered_500_without_retries_changes_nothing_and_says_so(sim: Simulator):
    provider, inputs, created = pair(sim, max_retries=0)
    sim.primary.fail(*COMMIT, status=500, message="Commit failed", drop_staged=True)
    with pytest.raises(ApplianceError) as caught:
        provider.update(created.id, created.outs, {**inputs, "election_delay_s": 30.0})
    assert "POST /config/pending failed: Commit failed (HTTP 500" in str(caught.value)
    assert election_delay(sim) == 3 and sim.primary.pending() == {}


def test_a_commit_that_applied_nothing_fails_naming_unit_and_field(sim: Simulator):
    provider, inputs, created = pair(sim, max_retries=2)
    before_request(sim.primary, COMMIT, lambda: drop_staged(sim.primary))
    sim.primary.clear_requests()
    with pytest.raises(ApplianceError) as caught:
        provider.update(created.id, created.outs, {**inputs, "election_delay_s": 30.0})
    text = str(caught.value)
    assert text.startswith(f"{sim.primary.host} (serial {sim.primary.serial}): ")
    assert "the commit was answered as a success, but the unit does not hold" in text
    assert "election_delay_time: written 30, the unit holds 3" in text
    assert election_delay(sim) == 3
    # One read-back GET of the object written, after the commit.
    calls = [(r.method, r.path) for r in sim.primary.requests if r.status != 401]
    assert calls[calls.index(COMMIT) + 1] == HA_BASE


def test_the_read_back_costs_one_get_per_object_written(sim: Simulator):
    provider, inputs, created = pair(sim)
    sim.primary.clear_requests()
    provider.update(created.id, created.outs, {**inputs, "election_delay_s": 30.0})
    calls = [(r.method, r.path) for r in sim.primary.requests if r.status != 401]
    assert calls.count(HA_BASE) == 2  # read before the write, read back after the commit
    assert calls[calls.index(COMMIT) + 1] == HA_BASE


def test_monitoring_created_again_after_a_destroy_through_a_failed_commit_is_held(
    sim: Simulator,
):
    """The fuzzer's case: after a destroy, an `up` meeting one 500 on the commit reported
    the entry created while the unit held none."""
    provider = provider_with(HaMonitoringProvider, settings_for(sim, max_retries=2))
    news = {"primary_host": sim.primary.host, "interface": "X2", "primary_ip": "172.16.2.10",
            "backup_ip": "172.16.2.11"}  # fmt: skip
    inputs = provider.check({}, news).inputs
    created = provider.create(inputs)
    provider.delete(created.id, created.outs)
    assert sim.primary.monitoring("X2")["secondary"] in ("", "0.0.0.0")
    sim.primary.fail(*COMMIT, status=500, drop_staged=True)
    again = provider.create(inputs)
    held = sim.primary.monitoring("X2")
    assert (held["primary"], held["secondary"]) == ("172.16.2.10", "172.16.2.11")
    assert again.outs["backup_ip"] == "172.16.2.11"


def test_monitoring_commit_that_applied_nothing_fails_and_leaves_the_entry(sim: Simulator):
    provider = provider_with(HaMonitoringProvider, settings_for(sim))
    before = sim.primary.monitoring("X2")
    news = {"primary_host": sim.primary.host, "interface": "X2", "primary_ip": "172.16.2.10",
            "backup_ip": "172.16.2.11"}  # fmt: skip
    before_request(sim.primary, COMMIT, lambda: drop_staged(sim.primary))
    with pytest.raises(ApplianceError) as caught:
        provider.create(provider.check({}, news).inputs)
    assert "HA monitoring of X2: secondary: written 172.16.2.11" in str(caught.value)
    assert sim.primary.monitoring("X2") == before


def test_a_link_commit_that_applied_nothing_on_the_backup_puts_the_primary_back(
    sim: Simulator,
):
    sim.primary.set_zone("X3", "LAN")
    sim.backup.set_zone("X3", "LAN")
    sim.cable("X3")
    provider = provider_with(HaInterfaceProvider, settings_for(sim))
    news = {"primary_host": sim.primary.host, "backup_host": sim.backup.host,
            "interface": "X3", "unassign_zone": True}  # fmt: skip
    before_request(sim.backup, COMMIT, lambda: drop_staged(sim.backup))
    with pytest.raises(ApplianceError) as caught:
        provider.create(provider.check({}, news).inputs)
    text = str(caught.value)
    assert "put back, so neither unit changed" in text
    assert "interface X3: ip_assignment: written {}, the unit holds" in text
    assert (sim.primary.zone("X3"), sim.backup.zone("X3")) == ("LAN", "LAN")


def test_a_commit_the_unit_applied_otherwise_is_put_back_as_it_was(sim: Simulator):
    """The unit committed another value than the one written (here 5 instead of 30): the
    apply fails naming the field, and the object read before is put back."""
    provider, inputs, created = pair(sim)

    def tamper() -> None:
        sim.primary._api_session().pending_ha["election_delay_time"] = 5

    before_request(sim.primary, COMMIT, tamper)
    with pytest.raises(CommitNotHeldError) as caught:
        provider.update(created.id, created.outs, {**inputs, "election_delay_s": 30.0})
    text = str(caught.value)
    assert "election_delay_time: written 30, the unit holds 5" in text
    assert text.endswith("The previous HA settings were put back.")
    assert election_delay(sim) == 3 and sim.primary.pending() == {}


def test_a_monitoring_entry_applied_otherwise_is_put_back_as_it_was(sim: Simulator):
    provider = provider_with(HaMonitoringProvider, settings_for(sim))
    before = sim.primary.monitoring("X2")
    news = {"primary_host": sim.primary.host, "interface": "X2", "primary_ip": "172.16.2.10",
            "backup_ip": "172.16.2.11"}  # fmt: skip

    def tamper() -> None:
        sim.primary._api_session().pending_monitoring["X2"]["secondary"] = "172.16.2.99"

    before_request(sim.primary, COMMIT, tamper)
    with pytest.raises(CommitNotHeldError) as caught:
        provider.create(provider.check({}, news).inputs)
    assert "secondary: written 172.16.2.11, the unit holds 172.16.2.99" in str(caught.value)
    assert str(caught.value).endswith("The previous monitoring of X2 was put back.")
    assert sim.primary.monitoring("X2") == before
