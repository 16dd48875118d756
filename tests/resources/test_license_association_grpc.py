"""LicenseAssociation through the SDK's real provider host, as `pulumi up` drives it.

The portal credentials reach the provider only through `Configure` (the
password wrapped as a secret, as the engine sends it); the host's environment
has every SONICHA_* variable blanked so no fallback can hide a broken config.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.providers.license_association import LicenseAssociationProvider
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing import host as host_module
from pulumi_sonicha.testing.host import ProviderError, ProviderHost, provider_ref

from ..conftest import configured_host

PRIMARY = "2CB8ED0A1B2C"
BACKUP = "2CB8ED0A9F00"
OTHER_MODEL = "2CB8ED0A7777"
SEED_ASSOCIATION = "assoc-5555b666"
URN = "urn:pulumi:dev::lab::pulumi-python:dynamic/sonicha:LicenseAssociation::pair"
GMS = "GMS Preventive Maintenance Service"


@pytest.fixture
def host(sim: Simulator, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProviderHost]:
    # The harness masks configured secrets in error texts; switch that off here so
    # these tests see exactly what the provider produced.
    monkeypatch.setattr(host_module, "redact", lambda text, secrets: text)
    config = {
        "sonicha:portalUsername": sim.portal_username,
        "sonicha:portalPassword": sim.portal_password,
        "sonicha:portalUrl": sim.portal.url,
        "sonicha:caBundle": sim.ca_path,
        "sonicha:maxRetries": "2",
    }
    with configured_host(tmp_path, config, secret_keys={"sonicha:portalPassword"}) as provider_host:
        yield provider_host


@pytest.fixture
def ref() -> str:
    return provider_ref(LicenseAssociationProvider())


def without_provider(props: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (props or {}).items() if k != "__provider"}


def issued_tokens(sim: Simulator) -> list[str]:
    """Every bearer token the portal handed out (the simulator's own record)."""
    return list(sim.portal._tokens)


def assert_no_secrets(sim: Simulator, host: ProviderHost, *texts: str) -> None:
    tokens = issued_tokens(sim)
    assert tokens, "the provider never logged in: nothing was checked"
    for text in (*texts, host.stderr_text(), host.stdout_text()):
        assert sim.portal_password not in text
        for token in tokens:
            assert token not in text


def test_lifecycle_through_the_provider_host(sim: Simulator, host: ProviderHost, ref: str) -> None:
    # check: serials as on the labels -> normalized, no request to the portal yet
    news = {"primary_serial": "2cb8-ed0a-1b2c", "secondary_serial": "2cb8ed0a9f00"}
    checked = host.check(URN, {}, {**news, "__provider": ref})
    assert checked.failures == []
    assert without_provider(checked.inputs) == {
        "primary_serial": PRIMARY,
        "secondary_serial": BACKUP,
    }
    assert sim.portal.requests == []

    # create
    id_, outs = host.create(URN, checked.inputs)
    [association] = [a for a in sim.portal.associations() if a["id"] != SEED_ASSOCIATION]
    assert id_ == association["id"]
    assert outs["association_id"] == id_
    assert outs["status"] == "ASSOCIATED"
    assert GMS not in outs["shared_licenses"]
    assert "Gateway Anti-Virus" in outs["shared_licenses"]
    assert outs["non_shareable_licenses"] == [GMS]
    assert outs["shared_licenses"] == sorted(outs["shared_licenses"])

    # read: no drift, inputs exactly as check made them
    read_id, read_outs, read_inputs = host.read(URN, id_, outs, checked.inputs)
    assert read_id == id_
    assert without_provider(read_outs) == without_provider(outs)
    assert without_provider(read_inputs) == without_provider(checked.inputs)
    assert host.diff(URN, id_, read_outs, checked.inputs).changes is False

    # diff: a new Backup replaces, deleting the old association first
    moved = host.check(URN, outs, {**news, "secondary_serial": "2CB8ED0A4444", "__provider": ref})
    diff = host.diff(URN, id_, outs, moved.inputs)
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (
        True,
        ["secondary_serial"],
        True,
    )

    # the token expires between two runs: the host logs in again by itself
    sim.portal.expire_tokens()
    assert host.read(URN, id_, outs, checked.inputs)[0] == id_

    # delete, then delete again (already gone) without error
    host.delete(URN, id_, outs)
    assert [a["id"] for a in sim.portal.associations()] == [SEED_ASSOCIATION]
    host.delete(URN, id_, outs)
    assert host.read(URN, id_, outs, checked.inputs)[0] == ""

    logins = [r for r in sim.portal.requests if r.path == "/api/v1/auth/login"]
    assert len(logins) == 2  # the first call and the one after expiry
    assert_no_secrets(sim, host, repr(outs), repr(read_outs), repr(read_inputs))


def test_check_failure_through_the_provider_host(host: ProviderHost, ref: str) -> None:
    news = {"primary_serial": PRIMARY, "secondary_serial": "2cb8-ed0a-1b2c", "__provider": ref}
    assert host.check(URN, {}, news).failures == [
        (
            "secondary_serial",
            "LicenseAssociation: secondary_serial is the same serial as primary_serial"
            " (2CB8ED0A1B2C); give the serial of the Backup unit (the HA Secondary on"
            " MySonicWall)",
        )
    ]


def test_removed_association_is_gone_and_errors_carry_no_secrets(
    sim: Simulator, host: ProviderHost, ref: str
) -> None:
    checked = host.check(
        URN, {}, {"primary_serial": PRIMARY, "secondary_serial": BACKUP, "__provider": ref}
    )
    id_, outs = host.create(URN, checked.inputs)
    sim.portal.remove_association(id_)
    gone_id, gone_outs, _ = host.read(URN, id_, outs, checked.inputs)
    assert gone_id == ""
    assert without_provider(gone_outs) == {}

    wrong = host.check(
        URN, {}, {"primary_serial": PRIMARY, "secondary_serial": OTHER_MODEL, "__provider": ref}
    )
    with pytest.raises(ProviderError) as caught:
        host.create(URN, wrong.inputs)
    error = caught.value
    assert error.exc_type.endswith("PortalError")
    assert str(error).startswith(f"MySonicWall (serial {OTHER_MODEL}): ")
    assert "the models differ" in str(error) and "[MODEL_MISMATCH]" in str(error)
    assert_no_secrets(sim, host, str(error), error.details, repr(outs))
