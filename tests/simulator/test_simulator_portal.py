"""The simulated MySonicWall portal, exercised over real HTTPS."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import requests

from pulumi_sonicha.simulator import (
    ASSOCIATED_PEER_SERIAL,
    ASSOCIATED_SERIAL,
    BACKUP_SERIAL,
    OTHER_MODEL_SERIAL,
    PRIMARY_SERIAL,
    SEED_ASSOCIATION_ID,
    RequestRecord,
    Simulator,
)

LOGIN = "/api/v1/auth/login"
ASSOCIATIONS = "/api/v1/ha-associations"
SHARED = [
    "SonicOS Enhanced",
    "24x7 Support",
    "Gateway Anti-Virus",
    "Intrusion Prevention",
    "Content Filtering Service",
    "Capture Advanced Threat Protection",
]


class Account:
    """A MySonicWall API client for tests: bearer token, verify= on every call."""

    def __init__(self, sim: Simulator) -> None:
        self.base = sim.portal.url
        self.ca = sim.ca_path
        self.credentials = {"username": sim.portal_username, "password": sim.portal_password}
        self.token: str | None = None

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return requests.request(
            method, self.base + path, headers=headers, verify=self.ca, timeout=5, **kw
        )

    def login(self, **credentials: str) -> requests.Response:
        answer = self.call("POST", LOGIN, json={**self.credentials, **credentials})
        if answer.status_code == 200:
            self.token = answer.json()["token"]
        return answer

    def associate(self, primary: str, secondary: str) -> requests.Response:
        body = {"primary_serial": primary, "secondary_serial": secondary}
        return self.call("POST", ASSOCIATIONS, json=body)


def error(answer: requests.Response) -> tuple[str, str]:
    body = answer.json()["error"]
    return body["code"], body["message"]


@pytest.fixture
def account(sim: Simulator) -> Account:
    client = Account(sim)
    assert client.login().status_code == 200
    return client


def test_login_answers_a_token(sim: Simulator):
    answer = Account(sim).login()
    assert answer.status_code == 200
    assert set(answer.json()) == {"token", "expires_in"}
    assert answer.json()["expires_in"] == 3600


def test_bad_credentials(sim: Simulator):
    answer = Account(sim).login(password="wrong")
    assert answer.status_code == 401
    assert error(answer) == ("INVALID_CREDENTIALS", "Invalid username or password.")


def test_missing_or_unknown_token(sim: Simulator):
    client = Account(sim)
    assert error(client.call("GET", "/api/v1/products"))[0] == "UNAUTHORIZED"
    client.token = "made-up"
    assert client.call("GET", "/api/v1/products").status_code == 401


def test_token_expires_after_ttl():
    with Simulator(token_ttl_s=0.2) as sim:
        client = Account(sim)
        client.login()
        assert client.call("GET", "/api/v1/products").status_code == 200
        time.sleep(0.25)
        expired = client.call("GET", "/api/v1/products")
        assert expired.status_code == 401 and error(expired)[0] == "TOKEN_EXPIRED"
        client.login()
        assert client.call("GET", "/api/v1/products").status_code == 200


def test_expire_tokens(sim: Simulator, account: Account):
    sim.portal.expire_tokens()
    assert error(account.call("GET", ASSOCIATIONS))[0] == "TOKEN_EXPIRED"


def test_rate_limit_answers_429_with_retry_after(sim: Simulator, account: Account):
    sim.portal.rate_limit(times=2, retry_after=3)
    for _ in range(2):
        limited = account.call("GET", "/api/v1/products")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "3"
        assert error(limited)[0] == "RATE_LIMITED"
    assert account.call("GET", "/api/v1/products").status_code == 200


def test_products_and_licenses(sim: Simulator, account: Account):
    products = account.call("GET", "/api/v1/products").json()["products"]
    by_serial = {p["serial"]: p for p in products}
    assert by_serial[PRIMARY_SERIAL] == {
        "serial": PRIMARY_SERIAL,
        "name": "fw-primary",
        "model": "NSa 2700",
        "registered": True,
    }
    assert by_serial[OTHER_MODEL_SERIAL]["model"] == "NSa 3700"
    licenses = account.call("GET", "/api/v1/products/2cb8-ed0a-1b2c/licenses").json()["licenses"]
    assert [lic["name"] for lic in licenses if lic["shareable"]] == SHARED
    gms = [lic for lic in licenses if not lic["shareable"]]
    assert gms == [
        {
            "name": "GMS Preventive Maintenance Service",
            "type": "consulting",
            "shareable": False,
            "expires": "2026-12-31",
        }
    ]
    assert all(lic["expires"] for lic in licenses)
    backup = account.call("GET", f"/api/v1/products/{BACKUP_SERIAL}/licenses")
    assert backup.json() == {"licenses": []}
    missing = account.call("GET", "/api/v1/products/2CB8ED0A0000/licenses")
    assert missing.status_code == 404 and "2CB8ED0A0000" in error(missing)[1]


def test_association_create_get_list_delete(sim: Simulator, account: Account):
    created = account.associate("2cb8-ed0a-1b2c", "2cb8ed0a9f00")
    assert created.status_code == 201
    assoc = created.json()
    assert re.fullmatch(r"assoc-[0-9a-f]{8}", assoc["id"])
    assert assoc == {
        "id": assoc["id"],
        "primary_serial": PRIMARY_SERIAL,
        "secondary_serial": BACKUP_SERIAL,
        "status": "ASSOCIATED",
        "shared_licenses": SHARED,
        "non_shareable_licenses": ["GMS Preventive Maintenance Service"],
    }
    assert account.call("GET", f"{ASSOCIATIONS}/{assoc['id']}").json() == assoc
    listed = account.call("GET", ASSOCIATIONS, params={"serial": "2cb8ed0a9f00"}).json()
    assert listed == {"associations": [assoc]}
    assert {a["id"] for a in sim.portal.associations()} == {assoc["id"], SEED_ASSOCIATION_ID}

    assert account.call("DELETE", f"{ASSOCIATIONS}/{assoc['id']}").status_code == 204
    gone = account.call("GET", f"{ASSOCIATIONS}/{assoc['id']}")
    assert gone.status_code == 404 and error(gone)[0] == "NOT_FOUND"
    assert account.call("DELETE", f"{ASSOCIATIONS}/{assoc['id']}").status_code == 404


def test_license_added_later_shows_in_get(sim: Simulator, account: Account):
    assoc_id = account.associate(PRIMARY_SERIAL, BACKUP_SERIAL).json()["id"]
    sim.portal.add_license(PRIMARY_SERIAL, "Anti-Spyware")
    sim.portal.add_license(PRIMARY_SERIAL, "Onsite Training", type="consulting", shareable=False)
    assoc = account.call("GET", f"{ASSOCIATIONS}/{assoc_id}").json()
    assert assoc["shared_licenses"][-1] == "Anti-Spyware"
    assert assoc["non_shareable_licenses"][-1] == "Onsite Training"
    assert sim.portal.licenses(PRIMARY_SERIAL)[-1]["type"] == "consulting"


def test_association_removed_behind_the_back_is_404(sim: Simulator, account: Account):
    assoc_id = account.associate(PRIMARY_SERIAL, BACKUP_SERIAL).json()["id"]
    sim.portal.remove_association(assoc_id)
    assert account.call("GET", f"{ASSOCIATIONS}/{assoc_id}").status_code == 404
    assert account.call("GET", ASSOCIATIONS, params={"serial": PRIMARY_SERIAL}).json() == {
        "associations": []
    }


@pytest.mark.parametrize(
    ("primary", "secondary", "status", "code", "text"),
    [
        (PRIMARY_SERIAL, "2CB8ED0A0001", 404, "PRODUCT_NOT_REGISTERED", "2CB8ED0A0001"),
        ("2cb8-ed0a-0002", BACKUP_SERIAL, 404, "PRODUCT_NOT_REGISTERED", "2CB8ED0A0002"),
        (PRIMARY_SERIAL, OTHER_MODEL_SERIAL, 422, "MODEL_MISMATCH", "NSa 3700"),
        (PRIMARY_SERIAL, "2cb8ed0a1b2c", 422, "SAME_PRODUCT", PRIMARY_SERIAL),
        (PRIMARY_SERIAL, ASSOCIATED_SERIAL, 409, "ALREADY_ASSOCIATED", SEED_ASSOCIATION_ID),
        (ASSOCIATED_PEER_SERIAL, BACKUP_SERIAL, 409, "ALREADY_ASSOCIATED", SEED_ASSOCIATION_ID),
        (PRIMARY_SERIAL, "12345", 400, "INVALID_REQUEST", "not a serial number"),
    ],
)
def test_association_errors(
    account: Account, primary: str, secondary: str, status: int, code: str, text: str
):
    answer = account.associate(primary, secondary)
    assert answer.status_code == status
    assert error(answer)[0] == code
    assert text in error(answer)[1]


def test_associating_twice_names_the_existing_association(account: Account):
    first = account.associate(PRIMARY_SERIAL, BACKUP_SERIAL).json()["id"]
    again = account.associate(PRIMARY_SERIAL, BACKUP_SERIAL)
    assert again.status_code == 409 and first in error(again)[1]


def test_request_log_masks_passwords_and_writes_skip_login(sim: Simulator, account: Account):
    account.associate(PRIMARY_SERIAL, BACKUP_SERIAL)
    login = sim.portal.requests[0]
    assert login == RequestRecord(
        "POST", LOGIN, 200, {"username": sim.portal_username, "password": "****"}
    )
    assert sim.portal_password not in repr(sim.portal.requests)
    assert [(r.method, r.path, r.status) for r in sim.portal.writes()] == [
        ("POST", ASSOCIATIONS, 201)
    ]
    sim.portal.clear_requests()
    assert sim.portal.requests == []


def test_faults_on_the_portal(sim: Simulator, account: Account):
    sim.portal.fail("POST", "ha-associations", status=502, code="BAD_GATEWAY", message="Upstream")
    failed = account.associate(PRIMARY_SERIAL, BACKUP_SERIAL)
    assert failed.status_code == 502 and error(failed) == ("BAD_GATEWAY", "Upstream")
    sim.portal.drop("GET", "products")
    with pytest.raises(requests.ConnectionError):
        account.call("GET", "/api/v1/products")
    assert sim.portal.requests[-1].status == 0
    sim.portal.hang("GET", "products", seconds=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(
            sim.portal.url + "/api/v1/products",
            headers={"Authorization": f"Bearer {account.token}"},
            verify=sim.ca_path,
            timeout=0.2,
        )
    sim.portal.clear_faults()
    assert account.associate(PRIMARY_SERIAL, BACKUP_SERIAL).status_code == 201


def test_unknown_portal_path(account: Account):
    answer = account.call("GET", "/api/v1/nothing")
    assert answer.status_code == 404 and error(answer)[0] == "NOT_FOUND"


# -- custom serials and one portal for a fleet of simulators ----------------------------------
SITE_B = ("2CB8EE000B01", "2CB8EF000B02")


def test_own_portal_registers_custom_serials_in_place_of_the_defaults():
    with Simulator(sync_seconds=0, primary_serial=SITE_B[0], backup_serial=SITE_B[1]) as sim:
        account = Account(sim)
        account.login()
        products = account.call("GET", "/api/v1/products").json()["products"]
        assert [(p["serial"], p["name"]) for p in products[:2]] == [
            (SITE_B[0], "fw-primary"),
            (SITE_B[1], "fw-backup"),
        ]
        assert not sim.portal.is_registered(PRIMARY_SERIAL)
        assert sim.portal.is_registered(OTHER_MODEL_SERIAL)
        assoc = account.associate(*SITE_B).json()
        assert assoc["shared_licenses"] == SHARED


def test_a_borrowed_portal_serves_both_simulators_and_outlives_the_borrower(sim: Simulator):
    site_b = Simulator(
        sync_seconds=0, primary_serial=SITE_B[0], backup_serial=SITE_B[1], portal=sim.portal
    )
    assert site_b.portal is sim.portal and site_b.servers[2] is sim.portal
    assert (site_b.owns_portal, sim.owns_portal) == (False, True)
    assert sim.portal.is_registered("2cb8-ee00-0b01") and sim.portal.is_registered(SITE_B[1])
    assert [lic["name"] for lic in sim.portal.licenses(SITE_B[0]) if lic["shareable"]] == SHARED
    assert sim.portal.licenses(SITE_B[1]) == []

    with site_b:  # starts its units only: the portal is already running
        account = Account(sim)
        account.login()
        by_serial = {
            p["serial"]: p for p in account.call("GET", "/api/v1/products").json()["products"]
        }
        assert by_serial[SITE_B[0]] == {
            "serial": SITE_B[0],
            "name": "fw-0b01-primary",
            "model": "NSa 2700",
            "registered": True,
        }
        assert by_serial[PRIMARY_SERIAL]["name"] == "fw-primary"  # the owner's units stay
        first = account.associate(PRIMARY_SERIAL, BACKUP_SERIAL)
        second = account.associate(*SITE_B)
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.json()["shared_licenses"] == SHARED
        assert site_b.env()["SONICHA_PORTAL_URL"] == sim.portal.url
        assert site_b.ca_path != sim.ca_path  # its own CA: trust a bundle of both

    # Stopping the borrower leaves the portal (and its associations) to the owner.
    assert account.call("GET", ASSOCIATIONS).status_code == 200
    assert len(sim.portal.associations()) == 3
    assert account.login().status_code == 200


def test_borrowing_a_portal_needs_its_credentials_and_new_serials(sim: Simulator):
    with pytest.raises(ValueError, match="not the borrowed portal's credentials"):
        Simulator(
            primary_serial=SITE_B[0],
            backup_serial=SITE_B[1],
            portal=sim.portal,
            portal_password="another-password",
        )
    with pytest.raises(ValueError, match=f"serial {BACKUP_SERIAL} is already registered"):
        Simulator(primary_serial=SITE_B[0], portal=sim.portal)  # the default Backup serial
    assert not sim.portal.is_registered(SITE_B[0])  # a refused borrower registers nothing
    assert sim.portal.accepts(sim.portal_username, sim.portal_password)
    assert not sim.portal.accepts(sim.portal_username, "wrong")
