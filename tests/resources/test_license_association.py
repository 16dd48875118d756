"""LicenseAssociation provider methods against the simulated portal."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_sonicha import portal as portal_module
from pulumi_sonicha.errors import PortalError, SettingsError
from pulumi_sonicha.portal import PortalClient
from pulumi_sonicha.providers.license_association import LicenseAssociationProvider
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import Simulator

from ..conftest import INSTANCE_ID, provider_with, settings_for

PRIMARY = "2CB8ED0A1B2C"
BACKUP = "2CB8ED0A9F00"
OTHER_MODEL = "2CB8ED0A7777"
SEED_ASSOCIATION = "assoc-5555b666"
SHARED = sorted(
    [
        "SonicOS Enhanced",
        "24x7 Support",
        "Gateway Anti-Virus",
        "Intrusion Prevention",
        "Content Filtering Service",
        "Capture Advanced Threat Protection",
    ]
)
GMS = "GMS Preventive Maintenance Service"


@pytest.fixture(autouse=True)
def no_cached_tokens() -> Iterator[None]:
    portal_module.forget_tokens()
    yield
    portal_module.forget_tokens()


@pytest.fixture
def provider(settings: Settings) -> LicenseAssociationProvider:
    return provider_with(LicenseAssociationProvider, settings)


def program_inputs(**overrides: Any) -> dict[str, Any]:
    """What a program declares: serials as printed on the units' labels."""
    inputs: dict[str, Any] = {
        "primary_serial": "2cb8-ed0a-1b2c",
        "secondary_serial": "2CB8ED0A9F00",
    }
    inputs.update(overrides)
    return inputs


def checked(provider: LicenseAssociationProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert [(f.property, f.reason) for f in result.failures] == []
    return result.inputs


def failures(provider: LicenseAssociationProvider, news: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in provider.check({}, news).failures]


def ours(sim: Simulator) -> list[dict[str, Any]]:
    return [a for a in sim.portal.associations() if a["id"] != SEED_ASSOCIATION]


# -- check / diff -------------------------------------------------------------------


def test_check_normalizes_serials_without_any_request(provider, sim):
    assert checked(provider, program_inputs()) == {
        "primary_serial": PRIMARY,
        "secondary_serial": BACKUP,
    }
    assert sim.portal.requests == []


def test_check_rejects_the_same_serial_twice(provider):
    news = program_inputs(secondary_serial="2CB8ED0A1B2C")
    assert failures(provider, news) == [
        (
            "secondary_serial",
            "LicenseAssociation: secondary_serial is the same serial as primary_serial"
            " (2CB8ED0A1B2C); give the serial of the Backup unit (the HA Secondary on"
            " MySonicWall)",
        )
    ]


def test_check_rejects_a_bad_serial(provider):
    assert failures(provider, program_inputs(secondary_serial="2CB8-ED0A-9F0")) == [
        (
            "secondary_serial",
            "LicenseAssociation: secondary_serial must be a serial number of 12 hexadecimal"
            " digits (e.g. 2CB8ED0A9F00; dashes allowed), got '2CB8-ED0A-9F0'",
        )
    ]


def test_check_requires_both_serials(provider):
    accepts = "a serial number of 12 hexadecimal digits (e.g. 2CB8ED0A9F00; dashes allowed)"
    assert failures(provider, {}) == [
        ("primary_serial", f"LicenseAssociation: primary_serial is required ({accepts})"),
        ("secondary_serial", f"LicenseAssociation: secondary_serial is required ({accepts})"),
    ]


def test_check_does_not_validate_unknowns_in_preview(provider, sim):
    result = provider.check({}, program_inputs(secondary_serial=Unknown()))
    assert result.failures == []
    assert result.inputs["primary_serial"] == PRIMARY
    assert isinstance(result.inputs["secondary_serial"], Unknown)
    assert sim.portal.requests == []


@pytest.mark.parametrize("key", ["primary_serial", "secondary_serial"])
def test_diff_replaces_either_serial_deleting_first(provider, key):
    olds = {
        "primary_serial": PRIMARY,
        "secondary_serial": BACKUP,
        "association_id": "assoc-1",
        "status": "ASSOCIATED",
        "shared_licenses": SHARED,
        "non_shareable_licenses": [GMS],
    }
    news = {"primary_serial": PRIMARY, "secondary_serial": BACKUP, key: "2CB8ED0A4444"}
    result = provider.diff("assoc-1", olds, news)
    assert result.changes is True
    assert result.replaces == [key]
    assert result.delete_before_replace is True


def test_diff_ignores_computed_outputs(provider):
    olds = {
        "primary_serial": PRIMARY,
        "secondary_serial": BACKUP,
        "association_id": "assoc-1",
        "shared_licenses": ["Gateway Anti-Virus"],
    }
    result = provider.diff("assoc-1", olds, {"primary_serial": PRIMARY, "secondary_serial": BACKUP})
    assert result.changes is False
    assert result.replaces == []


# -- create -------------------------------------------------------------------------


def test_create_associates_and_reports_shared_licenses(provider, sim):
    result = provider.create(checked(provider, program_inputs()))
    [association] = ours(sim)
    assert result.id == association["id"]
    assert result.outs == {
        "primary_serial": PRIMARY,
        "secondary_serial": BACKUP,
        "association_id": association["id"],
        "status": "ASSOCIATED",
        "shared_licenses": SHARED,
        "non_shareable_licenses": [GMS],
        "instance_id": INSTANCE_ID,
    }
    assert (association["primary_serial"], association["secondary_serial"]) == (PRIMARY, BACKUP)
    assert [(r.method, r.path) for r in sim.portal.writes()] == [
        ("POST", "/api/v1/ha-associations")
    ]


def test_create_adopts_an_association_made_by_hand(provider, sim, settings):
    with PortalClient(settings).session() as portal:
        by_hand = portal.create_association(PRIMARY, BACKUP)
    result = provider.create(checked(provider, program_inputs()))
    assert result.id == by_hand["id"]
    assert result.outs["shared_licenses"] == SHARED
    assert [a["id"] for a in ours(sim)] == [by_hand["id"]]


def test_create_error_names_the_serial(provider, sim):
    with pytest.raises(PortalError) as caught:
        provider.create(checked(provider, program_inputs(secondary_serial=OTHER_MODEL)))
    assert caught.value.code == "MODEL_MISMATCH"
    assert f"MySonicWall (serial {OTHER_MODEL})" in str(caught.value)
    assert ours(sim) == []


def test_create_without_portal_credentials_says_which_settings(sim):
    provider = provider_with(
        LicenseAssociationProvider, settings_for(sim, portal_username=None, portal_password=None)
    )
    with pytest.raises(SettingsError) as caught:
        provider.create({"primary_serial": PRIMARY, "secondary_serial": BACKUP})
    assert "sonicha:portalUsername" in str(caught.value)
    assert "sonicha:portalPassword" in str(caught.value)
    assert sim.portal.requests == []


# -- read ---------------------------------------------------------------------------


def test_read_of_an_unchanged_association_shows_no_drift(provider, sim):
    inputs = checked(provider, program_inputs())
    created = provider.create(inputs)
    props = {**created.outs, "shared_licenses": list(reversed(SHARED))}
    result = provider.read(created.id, props)
    assert result.id == created.id
    assert result.outs == created.outs
    assert result.inputs == inputs
    assert provider.diff(result.id, result.outs, inputs).changes is False


def test_read_of_an_association_removed_on_the_portal_is_gone(provider, sim):
    created = provider.create(checked(provider, program_inputs()))
    sim.portal.remove_association(created.id)
    result = provider.read(created.id, created.outs)
    assert result.id == ""
    assert result.outs == {}


def test_read_shows_a_license_added_to_the_primary_later(provider, sim):
    created = provider.create(checked(provider, program_inputs()))
    sim.portal.add_license(PRIMARY, "Anti-Spam Service")
    sim.portal.add_license(PRIMARY, "Professional Services", type="consulting", shareable=False)
    outs = provider.read(created.id, created.outs).outs
    assert outs["shared_licenses"] == sorted([*SHARED, "Anti-Spam Service"])
    assert outs["non_shareable_licenses"] == [GMS, "Professional Services"]


# -- update -------------------------------------------------------------------------


def test_update_refreshes_outputs_without_writing(provider, sim):
    inputs = checked(provider, program_inputs())
    created = provider.create(inputs)
    sim.portal.add_license(PRIMARY, "Anti-Spam Service")
    sim.portal.clear_requests()
    outs = provider.update(created.id, created.outs, inputs).outs
    assert outs == {**created.outs, "shared_licenses": sorted([*SHARED, "Anti-Spam Service"])}
    assert sim.portal.writes() == []


# -- delete -------------------------------------------------------------------------


def test_delete_dissociates(provider, sim):
    created = provider.create(checked(provider, program_inputs()))
    provider.delete(created.id, created.outs)
    assert ours(sim) == []
    assert [a["id"] for a in sim.portal.associations()] == [SEED_ASSOCIATION]


def test_delete_of_an_association_already_removed_is_fine(provider, sim):
    created = provider.create(checked(provider, program_inputs()))
    sim.portal.remove_association(created.id)
    sim.portal.clear_requests()
    provider.delete(created.id, created.outs)
    assert [(r.method, r.status) for r in sim.portal.writes()] == [("DELETE", 404)]


def test_replacing_the_secondary_deletes_first_then_creates(provider, sim):
    """What the engine does on a replace with delete_before_replace: the Primary is
    free again before the new association is made."""
    created = provider.create(checked(provider, program_inputs()))
    provider.delete(created.id, created.outs)
    with pytest.raises(PortalError) as caught:
        # The new Backup of this sketch is a different model: the error names it.
        provider.create(checked(provider, program_inputs(secondary_serial=OTHER_MODEL)))
    assert caught.value.code == "MODEL_MISMATCH"
    again = provider.create(checked(provider, program_inputs()))
    assert again.id != created.id


# -- pickling -----------------------------------------------------------------------


def test_the_pickled_provider_carries_no_settings(provider, sim):
    provider.create(checked(provider, program_inputs()))
    data = pickle.dumps(provider)
    assert sim.portal_password.encode() not in data
    assert sim.portal_username.encode() not in data
    assert isinstance(pickle.loads(data), LicenseAssociationProvider)
