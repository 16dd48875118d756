"""The MySonicWall client against the simulated portal: tokens, retries, errors."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import trustme

from pulumi_sonicha import portal as portal_module
from pulumi_sonicha.errors import PortalError, PortalUnreachableError
from pulumi_sonicha.portal import PortalClient
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import Simulator

from ..conftest import settings_for

PRIMARY = "2CB8ED0A1B2C"
BACKUP = "2CB8ED0A9F00"
OTHER_MODEL = "2CB8ED0A7777"
ASSOCIATED = "2CB8ED0A5555"
ASSOCIATED_PEER = "2CB8ED0A6666"
SEED_ASSOCIATION = "assoc-5555b666"
LOGIN = "/api/v1/auth/login"
ASSOCIATIONS = "/api/v1/ha-associations"


@pytest.fixture(autouse=True)
def no_cached_tokens() -> Iterator[None]:
    """Each test starts without tokens (a new simulator may reuse a port)."""
    portal_module.forget_tokens()
    yield
    portal_module.forget_tokens()


def logins(sim: Simulator) -> int:
    return sum(1 for r in sim.portal.requests if r.path == LOGIN)


def calls(sim: Simulator) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in sim.portal.requests]


def cached_token(settings: Settings) -> str:
    return portal_module._TOKENS[(settings.portal_url, settings.portal_username or "")].value


# -- login and token ------------------------------------------------------------


def test_login_sends_the_account_and_then_bearer_token(sim: Simulator, settings: Settings) -> None:
    with PortalClient(settings).session() as portal:
        products = portal.products()
    assert {p["serial"] for p in products} >= {PRIMARY, BACKUP, OTHER_MODEL}
    assert calls(sim) == [("POST", LOGIN, 200), ("GET", "/api/v1/products", 200)]
    # The simulator masks the password in its log; the username travels as given.
    assert sim.portal.requests[0].body == {"username": sim.portal_username, "password": "****"}


def test_bad_credentials_name_the_settings_to_check(sim: Simulator) -> None:
    wrong = "not-the-Portal-Passw0rd"
    settings = settings_for(sim, portal_password=wrong)
    with pytest.raises(PortalError) as caught, PortalClient(settings).session() as portal:
        portal.products()
    text = str(caught.value)
    assert "check sonicha:portalUsername and sonicha:portalPassword" in text
    assert repr(sim.portal_username) in text
    assert caught.value.code == "INVALID_CREDENTIALS"
    assert caught.value.status == 401
    assert wrong not in text
    # A 4xx is never retried, and nothing but the login was tried.
    assert calls(sim) == [("POST", LOGIN, 401)]


def test_missing_credentials_fail_before_any_request(sim: Simulator) -> None:
    settings = settings_for(sim, portal_password=None)
    with pytest.raises(Exception) as caught, PortalClient(settings).session():
        pass
    assert "sonicha:portalPassword" in str(caught.value)
    assert sim.portal.requests == []


def test_token_is_cached_across_calls_and_sessions(sim: Simulator, settings: Settings) -> None:
    for _ in range(3):
        with PortalClient(settings, serial=PRIMARY).session() as portal:
            portal.licenses(PRIMARY)
            portal.associations(PRIMARY)
    assert logins(sim) == 1
    assert len(sim.portal.requests) == 7


def test_fleet_threads_share_one_login(sim: Simulator, settings: Settings) -> None:
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            for _ in range(3):
                with PortalClient(settings).session() as portal:
                    portal.association(SEED_ASSOCIATION)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert logins(sim) == 1
    assert len(sim.portal.requests) == 1 + 12


def test_a_changed_password_does_not_reuse_the_cached_token(sim: Simulator) -> None:
    with PortalClient(settings_for(sim)).session() as portal:
        portal.products()
    other = settings_for(sim, portal_password="another-Passw0rd")
    with pytest.raises(PortalError) as caught, PortalClient(other).session() as portal:
        portal.products()
    assert caught.value.code == "INVALID_CREDENTIALS"
    assert logins(sim) == 2


def test_expired_token_logs_in_again_once(sim: Simulator, settings: Settings) -> None:
    with PortalClient(settings).session() as portal:
        portal.association(SEED_ASSOCIATION)
        old_token = cached_token(settings)
        sim.portal.expire_tokens()
        sim.portal.clear_requests()
        association = portal.association(SEED_ASSOCIATION)
    assert association is not None and association["id"] == SEED_ASSOCIATION
    path = f"{ASSOCIATIONS}/{SEED_ASSOCIATION}"
    assert calls(sim) == [("GET", path, 401), ("POST", LOGIN, 200), ("GET", path, 200)]
    assert cached_token(settings) != old_token


def test_token_refused_after_the_new_login_is_an_error(sim: Simulator, settings: Settings) -> None:
    sim.portal.fail("GET", r"/ha-associations$", status=401, code="TOKEN_EXPIRED", times=5)
    with pytest.raises(PortalError) as caught, PortalClient(settings).session() as portal:
        portal.associations(PRIMARY)
    assert "refused a token it had just issued" in str(caught.value)
    assert caught.value.status == 401
    # Exactly one re-login: login, GET 401, login, GET 401, then give up.
    assert calls(sim) == [
        ("POST", LOGIN, 200),
        ("GET", ASSOCIATIONS, 401),
        ("POST", LOGIN, 200),
        ("GET", ASSOCIATIONS, 401),
    ]


def test_concurrent_expiry_logs_in_again_only_once(sim: Simulator, settings: Settings) -> None:
    with PortalClient(settings).session() as portal:
        portal.products()
    sim.portal.expire_tokens()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            with PortalClient(settings).session() as portal:
                portal.association(SEED_ASSOCIATION)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert logins(sim) == 2


# -- retries ----------------------------------------------------------------------


def test_rate_limit_waits_for_retry_after(sim: Simulator, settings: Settings) -> None:
    with PortalClient(settings).session() as portal:
        portal.products()
        sim.portal.clear_requests()
        sim.portal.rate_limit(times=1, retry_after=1)
        started = time.monotonic()
        products = portal.products()
        elapsed = time.monotonic() - started
    assert products
    assert elapsed >= 1.0
    assert calls(sim) == [("GET", "/api/v1/products", 429), ("GET", "/api/v1/products", 200)]


def test_rate_limit_that_persists_says_to_wait(sim: Simulator) -> None:
    settings = settings_for(sim, max_retries=1)
    with PortalClient(settings).session() as portal:
        portal.products()
        sim.portal.rate_limit(times=None, retry_after=1)
        with pytest.raises(PortalError) as caught:
            portal.products()
    text = str(caught.value)
    assert "rate limiting" in text and "HTTP 429 after 1 retries" in text
    assert "wait a minute and run again" in text
    assert caught.value.status == 429


def test_server_errors_are_retried_then_succeed(sim: Simulator, settings: Settings) -> None:
    sim.portal.fail("GET", r"/ha-associations$", status=503, times=2)
    with PortalClient(settings).session() as portal:
        found = portal.associations(ASSOCIATED)
    assert [a["id"] for a in found] == [SEED_ASSOCIATION]
    assert calls(sim)[1:] == [
        ("GET", ASSOCIATIONS, 503),
        ("GET", ASSOCIATIONS, 503),
        ("GET", ASSOCIATIONS, 200),
    ]


def test_server_errors_that_persist_give_up_with_the_status(
    sim: Simulator, settings: Settings
) -> None:
    sim.portal.fail("GET", r"/ha-associations$", status=503, message="Down for upkeep", times=None)
    with pytest.raises(PortalError) as caught, PortalClient(settings).session() as portal:
        portal.associations(PRIMARY)
    text = str(caught.value)
    assert "Down for upkeep (HTTP 503, after 2 retries)" in text
    assert "try again later" in text
    assert caught.value.status == 503
    assert [c for c in calls(sim) if c[1] == ASSOCIATIONS] == [("GET", ASSOCIATIONS, 503)] * 3


def test_other_client_errors_are_not_retried(sim: Simulator, settings: Settings) -> None:
    sim.portal.fail("GET", r"/products$", status=400, code="INVALID_REQUEST", times=None)
    with pytest.raises(PortalError) as caught, PortalClient(settings).session() as portal:
        portal.products()
    assert "rejected" in str(caught.value) and "[INVALID_REQUEST]" in str(caught.value)
    assert [c for c in calls(sim) if c[0] == "GET"] == [("GET", "/api/v1/products", 400)]


def test_connection_refused_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(
        portal_username="netops@example.com",
        portal_password="sim-Portal-Passw0rd!",
        portal_url=f"https://127.0.0.1:{port}",
        timeout=2.0,
        max_retries=1,
        backoff_factor=0.01,
    )
    with pytest.raises(PortalUnreachableError) as caught, PortalClient(settings).session() as p:
        p.products()
    text = str(caught.value)
    assert f"cannot connect to https://127.0.0.1:{port}" in text
    assert "check sonicha:portalUrl" in text


def test_untrusted_certificate_is_a_clear_tls_error(sim: Simulator, tmp_path) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    settings = settings_for(sim, ca_bundle=str(other_ca))
    with pytest.raises(PortalUnreachableError) as caught, PortalClient(settings).session() as p:
        p.products()
    assert "TLS verification failed" in str(caught.value)
    assert "sonicha:caBundle" in str(caught.value)
    assert sim.portal.requests == []


# -- associations ---------------------------------------------------------------


def test_create_read_and_delete_an_association(sim: Simulator, settings: Settings) -> None:
    with PortalClient(settings, serial=PRIMARY).session() as portal:
        created = portal.create_association(PRIMARY, BACKUP)
        read = portal.association(created["id"])
        assert read == created
        assert portal.delete_association(created["id"]) is True
        assert portal.association(created["id"]) is None
        assert portal.delete_association(created["id"]) is False
    assert created["primary_serial"] == PRIMARY and created["secondary_serial"] == BACKUP
    assert [a["id"] for a in sim.portal.associations()] == [SEED_ASSOCIATION]


def test_existing_association_of_the_same_pair_is_adopted(
    sim: Simulator, settings: Settings
) -> None:
    with PortalClient(settings).session() as portal:
        first = portal.create_association(PRIMARY, BACKUP)
        sim.portal.clear_requests()
        again = portal.create_association(PRIMARY, BACKUP)
    assert again["id"] == first["id"]
    assert calls(sim) == [("POST", ASSOCIATIONS, 409), ("GET", ASSOCIATIONS, 200)]
    assert len(sim.portal.associations()) == 2  # the seed and ours


def test_a_lost_create_answer_is_adopted_on_retry(sim: Simulator) -> None:
    settings = settings_for(sim, timeout=1.0)
    # The first POST is answered after the client gave up (the portal still creates it);
    # the retry arrives once it exists and is answered in time with 409.
    sim.portal.hang("POST", r"/ha-associations$", seconds=1.5)
    sim.portal.hang("POST", r"/ha-associations$", seconds=0.8)
    with PortalClient(settings).session() as portal:
        adopted = portal.create_association(PRIMARY, BACKUP)
    ours = [a for a in sim.portal.associations() if a["primary_serial"] == PRIMARY]
    assert [a["id"] for a in ours] == [adopted["id"]]
    assert ("POST", ASSOCIATIONS, 409) in calls(sim)


@pytest.mark.parametrize(
    ("primary", "secondary", "code", "named", "texts"),
    [
        (
            PRIMARY,
            "2CB8ED0A0000",
            "PRODUCT_NOT_REGISTERED",
            "2CB8ED0A0000",
            [
                "product 2CB8ED0A0000 (secondary_serial) is not registered to MySonicWall"
                " account 'netops@example.com'",
                "register it in MySonicWall under this account",
            ],
        ),
        (
            "2CB8ED0A0001",
            BACKUP,
            "PRODUCT_NOT_REGISTERED",
            "2CB8ED0A0001",
            ["product 2CB8ED0A0001 (primary_serial) is not registered"],
        ),
        (
            PRIMARY,
            ASSOCIATED,
            "ALREADY_ASSOCIATED",
            ASSOCIATED,
            [
                f"{ASSOCIATED} is already associated as HA Primary in association"
                f" {SEED_ASSOCIATION} (HA Primary {ASSOCIATED}, HA Secondary {ASSOCIATED_PEER})",
                "dissociate it first",
            ],
        ),
        (
            PRIMARY,
            OTHER_MODEL,
            "MODEL_MISMATCH",
            OTHER_MODEL,
            [
                f"cannot associate {OTHER_MODEL} with {PRIMARY}: the models differ"
                f" ({PRIMARY} is model NSa 2700, {OTHER_MODEL} model NSa 3700)",
                "must be the same model",
            ],
        ),
        (
            PRIMARY,
            PRIMARY,
            "SAME_PRODUCT",
            PRIMARY,
            [f"primary_serial and secondary_serial are both {PRIMARY}"],
        ),
    ],
)
def test_create_errors_name_the_serial_and_what_to_do(
    sim: Simulator,
    settings: Settings,
    primary: str,
    secondary: str,
    code: str,
    named: str,
    texts: list[str],
) -> None:
    with pytest.raises(PortalError) as caught, PortalClient(settings).session() as portal:
        portal.create_association(primary, secondary)
    error = caught.value
    assert error.code == code
    assert error.serial == named
    assert str(error).startswith(f"MySonicWall (serial {named}): ")
    for text in texts:
        assert text in str(error)
    assert [a["id"] for a in sim.portal.associations()] == [SEED_ASSOCIATION]


def test_licenses_of_a_product(sim: Simulator, settings: Settings) -> None:
    with PortalClient(settings).session() as portal:
        items = portal.licenses(PRIMARY)
        with pytest.raises(PortalError) as caught:
            portal.licenses("2CB8ED0A0000")
    shareable = {i["name"]: i["shareable"] for i in items}
    assert shareable["GMS Preventive Maintenance Service"] is False
    assert shareable["Gateway Anti-Virus"] is True
    assert caught.value.serial == "2CB8ED0A0000" and caught.value.status == 404


# -- secrets ----------------------------------------------------------------------


def test_token_and_password_appear_in_no_repr_or_log(
    sim: Simulator, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = PortalClient(settings, serial=PRIMARY)
    with client.session() as portal:
        portal.create_association(PRIMARY, BACKUP)
        sim.portal.expire_tokens()
        portal.associations(PRIMARY)
        token = cached_token(settings)
        texts = [repr(client), repr(portal), repr(portal_module._TOKENS), repr(settings)]
        with pytest.raises(PortalError) as caught:
            portal.create_association(PRIMARY, ASSOCIATED)
    texts.append(str(caught.value))
    texts.append(caplog.text)
    assert "logging in again" in caplog.text  # the log did record the re-login
    for text in texts:
        assert token not in text
        assert settings.portal_password not in text
