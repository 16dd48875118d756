"""The simulated SonicOS units, exercised over real HTTPS as a client would see them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests.auth import HTTPDigestAuth

from pulumi_sonicha.simulator import (
    BACKUP_SERIAL,
    DEFAULT_HA,
    LINK_DOWN,
    LINK_UP,
    PRIMARY_SERIAL,
    ApplianceSim,
    RequestRecord,
    Simulator,
)

AUTH = "/api/sonicos/auth"
VERSION = "/api/sonicos/version"
HA = "/api/sonicos/high-availability/base"
HA_STATUS = "/api/sonicos/reporting/high-availability"
PENDING = "/api/sonicos/config/pending"
SYNC = "/api/sonicos/high-availability/synchronize/settings"
IFACE = "/api/sonicos/interfaces/ipv4/name/"
IFACES = "/api/sonicos/interfaces/ipv4"
LINKS = "/api/sonicos/reporting/interfaces/ipv4/status"
CONFIG_MODE = "/api/sonicos/config-mode"


class Admin:
    """One administrator's HTTP session with one unit (verify= on every call, see spec):
    Digest on every request when the unit asks for it (7.x session security, the
    simulator's default), Basic on the login otherwise."""

    def __init__(self, sim: Simulator, unit: ApplianceSim) -> None:
        self.http = requests.Session()
        self.base = unit.url
        self.ca = sim.ca_path
        self.credentials = (sim.username, sim.password)
        self.digest = unit.auth == "digest"
        if self.digest:
            self.http.auth = HTTPDigestAuth(*self.credentials)

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 5)
        return self.http.request(method, self.base + path, verify=self.ca, **kw)

    def login(self, override: bool = False, **kw: Any) -> requests.Response:
        if not self.digest:
            kw.setdefault("auth", self.credentials)
        return self.call("POST", AUTH, json={"override": override}, **kw)

    def configure(self) -> requests.Response:
        """Take config mode (preempting whoever holds it)."""
        return self.call("POST", CONFIG_MODE, json={})

    def get(self, path: str) -> requests.Response:
        return self.call("GET", path)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.call("PUT", path, json=body)

    def commit(self) -> requests.Response:
        return self.call("POST", PENDING, json={})


def info(response: requests.Response) -> tuple[str, str]:
    item = response.json()["status"]["info"][0]
    return item["code"], item["message"]


def mode(kind: str = "active_standby", **fields: Any) -> dict[str, Any]:
    """A PUT body naming only `mode` (a field given as None is left out)."""
    base = {"secondary_serial": BACKUP_SERIAL, "control_interface": "X5", "data_interface": "X4"}
    body = {k: v for k, v in {**base, **fields}.items() if v is not None}
    return {"high_availability": {"mode": {kind: body}}}


def enable_ha(sim: Simulator, **fields: Any) -> None:
    """Turn HA on at the Primary through the API, as the provider does."""
    admin = Admin(sim, sim.primary)
    assert admin.login().status_code == 200
    assert admin.configure().status_code == 200
    assert admin.put(HA, mode(**fields)).status_code == 200
    assert admin.commit().status_code == 200
    admin.call("DELETE", AUTH)


@pytest.fixture
def admin(sim: Simulator) -> Iterator[Admin]:
    """Logged in and in config mode, as the provider is for a write."""
    client = Admin(sim, sim.primary)
    assert client.login().status_code == 200
    assert client.configure().status_code == 200
    yield client


# -- session ---------------------------------------------------------------------------------


def test_login_version_logout(sim: Simulator):
    admin = Admin(sim, sim.primary)
    before = admin.get(VERSION)
    assert before.status_code == 401
    assert info(before) == ("E_UNAUTHORIZED", "Not authenticated.")
    assert before.json()["status"]["success"] is False

    login = admin.login()
    assert login.status_code == 200 and login.json()["status"]["success"] is True
    assert any(c.name.startswith("sonicos_session") for c in admin.http.cookies)
    version = admin.get(VERSION).json()
    assert {k: version[k] for k in ("firmware_version", "model", "serial_number")} == {
        "firmware_version": "SonicOS 7.2.0-7015",
        "model": "NSa 2700",
        "serial_number": "2CB8-ED0A-1B2C",
    }
    assert version["system_uptime"] == "3 Days, 2 Hours"
    assert set(version) <= {  # O70/O72 fields only
        "firmware_version",
        "rom_version",
        "safemode_version",
        "serial_number",
        "model",
        "system_time",
        "system_uptime",
        "last_modified_by",
    }
    assert admin.call("DELETE", AUTH).status_code == 200
    assert admin.get(VERSION).status_code == 401


def test_backup_version_spells_serial_lower_case_without_dashes(sim: Simulator):
    admin = Admin(sim, sim.backup)
    admin.login()
    assert admin.get(VERSION).json()["serial_number"] == "2cb8ed0a9f00"
    assert sim.backup.serial == BACKUP_SERIAL and sim.primary.serial == PRIMARY_SERIAL


def test_login_answer_has_no_token_and_the_session_rides_on_the_cookie(sim: Simulator):
    admin = Admin(sim, sim.primary)
    answer = admin.login()
    assert set(answer.json()) == {"status"}  # no token (spec: none in the answer)
    cookieless = requests.get(
        sim.primary.url + VERSION,
        auth=HTTPDigestAuth(*admin.credentials),
        verify=sim.ca_path,
        timeout=5,
    )
    assert cookieless.status_code == 401  # authenticated, but no session
    assert admin.get(VERSION).status_code == 200


def test_wrong_credentials_are_401(sim: Simulator):
    answer = Admin(sim, sim.primary).login(auth=HTTPDigestAuth("admin", "wrong"))
    assert answer.status_code == 401
    assert answer.content == b""  # the Digest challenge again, empty body (VEN)
    assert answer.headers["WWW-Authenticate"].startswith("Digest ")
    assert sim.primary.sessions_opened == 0


def test_wrong_basic_credentials_are_401_on_a_basic_unit():
    with Simulator(sync_seconds=0, auth="basic") as sim:
        answer = Admin(sim, sim.primary).login(auth=("admin", "wrong"))
        assert answer.status_code == 401 and info(answer)[0] == "E_UNAUTHORIZED"
        assert sim.primary.sessions_opened == 0


def test_one_api_session_per_unit_and_override_takes_it(sim: Simulator, admin: Admin):
    second = Admin(sim, sim.primary)
    refused = second.login()
    assert refused.status_code == 503  # GUIDE: too many sessions
    assert info(refused) == ("E_MAX_SESSIONS", "Maximum number of sessions exceeded.")
    assert second.login(override=True).status_code == 200
    assert second.get(VERSION).status_code == 200
    assert admin.get(VERSION).status_code == 401  # the first session is gone
    assert sim.primary.sessions_opened == 2
    assert sim.primary.max_concurrent_sessions == 2  # two sessions wanted at once


def test_sequential_sessions_keep_concurrency_at_one(sim: Simulator):
    admin = Admin(sim, sim.primary)
    for _ in range(3):
        assert admin.login().status_code == 200
        assert admin.call("DELETE", AUTH).status_code == 200
    assert (sim.primary.sessions_opened, sim.primary.max_concurrent_sessions) == (3, 1)


def test_login_while_alice_configures_is_200_in_non_config_mode_naming_her(sim: Simulator):
    sim.primary.hold_session(admin="alice")
    admin = Admin(sim, sim.primary)
    answer = admin.login()
    assert answer.status_code == 200  # LIVE: a login is 200 even so
    item = answer.json()["status"]["info"][0]
    assert (item["config_mode"], item["curr_config_type"], item["curr_config_ip"]) == (
        "No",
        "WEB",
        "192.0.2.10",
    )
    assert "alice" in item["message"] and item["auth_code"] == "API_AUTH_CAN_PREEMPT"
    assert admin.get(HA).status_code == 200  # reading needs no config mode
    refused = admin.put(HA, mode())  # writing does
    assert refused.status_code == 403 and "configuration mode" in info(refused)[1]
    sim.primary.release_session()
    admin.call("DELETE", AUTH)
    answer = admin.login()
    assert answer.json()["status"]["info"][0]["curr_config_type"] == "NONE"


def test_override_takes_a_held_session(sim: Simulator):
    sim.primary.hold_session(admin="alice")
    admin = Admin(sim, sim.primary)
    answer = admin.login(override=True)
    assert answer.status_code == 200
    assert answer.json()["status"]["info"][0]["config_mode"] == "Yes"
    assert admin.get(VERSION).status_code == 200
    assert sim.primary.max_concurrent_sessions == 1  # alice is not one of ours
    assert sim.primary._holder().admin == "admin"


def test_expired_sessions_lose_pending_changes(sim: Simulator, admin: Admin):
    admin.put(HA, {"high_availability": {"heartbeat_interval": 2000}})
    sim.primary.expire_sessions()
    expired = admin.get(HA)
    assert expired.status_code == 401 and info(expired)[0] == "E_UNAUTHORIZED"
    assert admin.login().status_code == 200
    assert admin.configure().status_code == 200
    assert admin.get(PENDING).json() == {}
    assert admin.get(HA).json()["high_availability"]["heartbeat_interval"] == 1000


# -- staging ---------------------------------------------------------------------------------


def test_ha_put_is_staged_until_commit(sim: Simulator, admin: Admin):
    assert admin.get(HA).json() == {"high_availability": DEFAULT_HA}
    put = admin.put(HA, mode(secondary_serial="2cb8-ed0a-9f00", data_interface="x4"))
    assert put.status_code == 200 and put.json()["status"]["success"] is True
    staged = admin.get(HA).json()["high_availability"]["mode"]["active_standby"]
    assert staged["secondary_serial"] == BACKUP_SERIAL  # stored normalized
    assert staged["primary_serial"] == PRIMARY_SERIAL  # the unit fills its own
    assert staged["data_interface"] == "X4"
    assert sim.primary.ha_settings()["mode"] == {}  # not committed yet
    assert admin.get(PENDING).json()["high_availability"]["mode"] == {"active_standby": staged}
    assert sim.primary.pending() == admin.get(PENDING).json()

    assert admin.commit().status_code == 200
    assert admin.get(PENDING).json() == {}
    assert sim.primary.ha_settings()["mode"]["active_standby"] == staged


def test_discard_and_logout_drop_pending_changes(sim: Simulator, admin: Admin):
    admin.put(HA, {"high_availability": {"heartbeat_interval": 2000}})
    assert admin.call("DELETE", PENDING).status_code == 200
    assert admin.get(PENDING).json() == {}
    admin.put(HA, {"high_availability": {"heartbeat_interval": 3000}})
    admin.call("DELETE", AUTH)
    assert sim.primary.pending() == {}
    assert sim.primary.ha_settings()["heartbeat_interval"] == 1000


def test_giving_config_mode_back_drops_pending_changes(sim: Simulator, admin: Admin):
    admin.put(HA, {"high_availability": {"heartbeat_interval": 2000}})
    assert admin.call("POST", "/api/sonicos/non-config-mode", json={}).status_code == 200
    assert sim.primary.pending() == {}
    refused = admin.commit()
    assert refused.status_code == 403
    assert admin.get(HA).json()["high_availability"]["heartbeat_interval"] == 1000
    assert sim.primary.ha_settings()["heartbeat_interval"] == 1000


def test_put_replaces_the_whole_object(admin: Admin):
    """GUIDE: a PUT body replaces the previous configuration: what it leaves out is reset,
    so a client that sends a partial object loses fields."""
    admin.put(
        HA,
        {
            "high_availability": {
                **DEFAULT_HA,
                "heartbeat_interval": 2000,
                "probe": {"interval": 20, "count": 5},
                "route_hold_down_time": {"value": 30},
            }
        },
    )
    admin.put(HA, mode(preempt=True))  # partial: everything else back to the defaults
    ha = admin.get(HA).json()["high_availability"]
    assert ha["heartbeat_interval"] == 1000
    assert ha["probe"] == {"interval": 20, "count": 3}
    assert ha["route_hold_down_time"] == {"value": 0}
    admin.put(HA, mode(data_interface=None))  # mode is replaced whole: preempt back to false
    assert admin.get(HA).json()["high_availability"]["mode"]["active_standby"] == {
        "primary_serial": PRIMARY_SERIAL,
        "secondary_serial": BACKUP_SERIAL,
        "stateful_synchronization": False,
        "control_interface": "X5",
        "preempt": False,
        "virtual_mac": False,
        "encryption": False,
    }


def test_a_get_answer_is_accepted_back_by_put(sim: Simulator, admin: Admin):
    sim.primary.set_ha_settings(mode(preempt=True))
    whole = admin.get(HA).json()
    assert "primary_serial" in whole["high_availability"]["mode"]["active_standby"]
    assert admin.put(HA, whole).status_code == 200
    assert admin.get(HA).json() == whole


def ha(**fields: Any) -> dict[str, Any]:
    return {"high_availability": fields}


VALUE, CALL = "E_INVALID_VALUE", "E_INVALID_API_CALL"
HA_ERRORS = [
    (ha(heartbeat_interval=999), VALUE, "heartbeat_interval 999 is out of range (1000..300000)"),
    (ha(heartbeat_interval=300001), VALUE, "heartbeat_interval 300001 is out of range"),
    (ha(heartbeat_interval=1000.0), VALUE, "heartbeat_interval must be an integer"),
    (ha(heartbeat_interval="1000"), VALUE, "heartbeat_interval must be an integer"),
    (ha(failover_trigger_level=3), VALUE, "failover_trigger_level 3 is out of range (4..99)"),
    (ha(failover_trigger_level=100), VALUE, "failover_trigger_level 100 is out of range"),
    (ha(probe={"interval": 4}), VALUE, "probe.interval 4 is out of range (5..255)"),
    (ha(probe={"interval": 256}), VALUE, "probe.interval 256 is out of range"),
    (ha(probe={"count": 2}), VALUE, "probe.count 2 is out of range (3..10)"),
    (ha(probe={"count": 11}), VALUE, "probe.count 11 is out of range"),
    (ha(election_delay_time=2), VALUE, "election_delay_time 2 is out of range (3..255)"),
    (ha(election_delay_time=256), VALUE, "election_delay_time 256 is out of range"),
    (ha(include_certificates_keys="y"), VALUE, "include_certificates_keys must be true or false"),
    (mode(preempt=1), VALUE, "preempt must be true or false"),
    (
        mode(data_interface=None, stateful_synchronization=True),
        VALUE,
        "stateful_synchronization requires a data_interface",
    ),
    (
        mode("active_active_dpi", data_interface=None),
        VALUE,
        "Active/Active DPI mode requires a data_interface",
    ),
    (
        mode(data_interface="X5"),
        VALUE,
        "The HA data interface must differ from the HA control interface (both X5)",
    ),
    (
        mode(control_interface="X0"),
        VALUE,
        "Interface X0 is in zone LAN; the HA control interface must be in zone Unassigned",
    ),
    (
        mode(data_interface="X2"),
        VALUE,
        "Interface X2 is in zone DMZ; the HA data interface must be in zone Unassigned",
    ),
    (
        mode(secondary_serial="2cb8-ed0a-1b2c"),
        VALUE,
        "secondary_serial 2CB8ED0A1B2C is this unit's own serial number",
    ),
    (mode(secondary_serial="not-a-serial"), VALUE, "is not a serial number"),
    (mode(control_interface="X99"), VALUE, "interface 'X99' does not exist"),
    (mode(control_interface=None), VALUE, "control_interface is required"),
    (
        ha(mode={"active_standby": {"control_interface": "X5"}}),
        VALUE,
        "secondary_serial (the Backup's serial number) is required",
    ),
    (
        ha(mode={"active_passive": {}}),
        CALL,
        "Unknown High Availability mode 'active_passive'",
    ),
    (
        ha(mode={"active_standby": {}, "active_active_dpi": {}}),
        VALUE,
        "Only one High Availability mode may be set",
    ),
    (
        mode(colour="blue"),
        CALL,
        "Unknown field(s) in mode.active_standby for SonicOS 7.2.0-7015: colour",
    ),
    (ha(heartbeat=1000), CALL, "Unknown High Availability field(s) for SonicOS 7.2.0-7015"),
    (ha(l3_mode={"enable": False}), CALL, "field(s) for SonicOS 7.2.0-7015: l3_mode"),
    (
        mode("active_active_dpi", stateful_synchronization=False),
        CALL,
        "Unknown field(s) in mode.active_active_dpi for SonicOS 7.2.0-7015:"
        " stateful_synchronization",
    ),
    (
        mode("active_active_dpi"),
        VALUE,
        'Active/Active DPI mode requires dpi_interface: [{"id": 1, "interface": ...}]',
    ),
    (
        mode("active_active_dpi", dpi_interface=[{"id": 1, "interface": "X4"}]),
        VALUE,
        "The Active/Active DPI interface X4 must differ from the HA control and data",
    ),
    (mode(dpi_interface=[]), CALL, "Unknown field(s) in mode.active_standby"),
    (mode(primary_serial="2CB8ED0A0001"), VALUE, "is not this unit's serial number"),
    (ha(mode=[]), CALL, "mode must be an object"),
    ({"heartbeat_interval": 2000}, CALL, 'The body must be {"high_availability"'),
]


@pytest.mark.nonconforming_requests
@pytest.mark.parametrize(("body", "code", "text"), HA_ERRORS)
def test_ha_validation_errors(sim: Simulator, admin: Admin, body: Any, code: str, text: str):
    answer = admin.put(HA, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["status"]["success"] is False
    assert info(answer)[0] == code
    assert text in info(answer)[1]
    assert admin.get(PENDING).json() == {}


@pytest.mark.nonconforming_requests
def test_bad_json_is_invalid_api_call(admin: Admin):
    answer = admin.call("PUT", HA, data="{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert info(answer)[0] == "E_INVALID_API_CALL" and "not valid JSON" in info(answer)[1]


def test_zone_rule_checked_against_the_pending_view(sim: Simulator, admin: Admin):
    # A zone staged on X6 makes an HA PUT naming X6 fail...
    admin.put(IFACES, {"interfaces": [{"ipv4": {"name": "X6", "ip_assignment": {"zone": "LAN"}}}]})
    refused = admin.put(HA, mode(data_interface="X6"))
    assert refused.status_code == 400
    assert "Interface X6 is in zone LAN" in info(refused)[1]
    admin.call("DELETE", PENDING)
    # ...and a staged HA setting protects its interfaces from getting a zone.
    assert admin.put(HA, mode()).status_code == 200
    zoned = admin.put(
        IFACES, {"interfaces": [{"ipv4": {"name": "X4", "ip_assignment": {"zone": "DMZ"}}}]}
    )
    assert zoned.status_code == 400 and info(zoned)[0] == "E_INVALID_VALUE"
    assert "X4 is the HA data interface" in info(zoned)[1]


def test_commit_rechecks_the_whole_config_and_keeps_pending(sim: Simulator, admin: Admin):
    assert admin.put(HA, mode(data_interface="X6")).status_code == 200
    sim.primary.set_zone("X6", "LAN")  # someone else, by hand, in the meantime
    refused = admin.commit()
    assert refused.status_code == 400
    assert "Interface X6 is in zone LAN" in info(refused)[1]
    assert "high_availability" in admin.get(PENDING).json()
    assert sim.primary.ha_settings()["mode"] == {}


# -- interfaces and links --------------------------------------------------------------------


def test_interface_list_get_and_zones(sim: Simulator, admin: Admin):
    listed = admin.get(IFACES).json()["interfaces"]
    assert [i["ipv4"]["name"] for i in listed] == [f"X{n}" for n in range(8)]
    assert listed[0]["ipv4"]["management"] == {  # the fields LIVE shows
        "https": False,
        "ping": False,
        "snmp": False,
        "ssh": False,
    }
    x0 = admin.get(IFACE + "X0").json()["interfaces"][0]["ipv4"]
    assert x0["ip_assignment"]["zone"] == "LAN" and "static" in x0["ip_assignment"]["mode"]
    assert admin.get(IFACE + "X4").json()["interfaces"][0]["ipv4"]["ip_assignment"] == {}
    zones = [sim.primary.zone(f"X{n}") for n in range(8)]
    assert zones == ["LAN", "WAN", "DMZ", "LAN"] + ["Unassigned"] * 4
    missing = admin.get(IFACE + "X99")
    assert missing.status_code == 404 and info(missing)[0] == "E_NOT_FOUND"


def test_interface_put_is_staged_and_unassigns(sim: Simulator, admin: Admin):
    x3 = sim.primary.interface("X3")
    body = {"interfaces": [{"ipv4": {**x3, "ip_assignment": {}}}]}
    assert admin.put(IFACES, body).status_code == 200
    assert admin.get(IFACE + "X3").json()["interfaces"][0]["ipv4"]["ip_assignment"] == {}
    assert sim.primary.zone("X3") == "LAN"
    assert admin.get(PENDING).json()["interfaces"][0]["ipv4"]["name"] == "X3"
    admin.commit()
    assert sim.primary.zone("X3") == "Unassigned"
    assert sim.primary.interface("X3") == {**x3, "ip_assignment": {}}
    admin.put(IFACES, {"interfaces": [{"ipv4": {"name": "X7", "ip_assignment": {"zone": "DMZ"}}}]})
    admin.commit()
    assert sim.primary.zone("X7") == "DMZ"
    assert sim.backup.zone("X7") == "Unassigned"


@pytest.mark.nonconforming_requests
def test_interface_put_shape_errors(admin: Admin):
    wrong_name = admin.put(IFACE + "X3", {"interfaces": [{"ipv4": {"name": "X2"}}]})
    assert wrong_name.status_code == 400 and info(wrong_name)[0] == "E_INVALID_API_CALL"
    unknown = admin.put(IFACES, {"interfaces": [{"ipv4": {"name": "X3", "colour": "blue"}}]})
    assert "Unknown interface field(s): colour" in info(unknown)[1]
    not_a_list = admin.put(IFACES, {"interface": {"ipv4": {}}})
    assert info(not_a_list)[0] == "E_INVALID_API_CALL"
    missing = admin.put(IFACES, {"interfaces": [{"ipv4": {"name": "X42"}}]})
    assert missing.status_code == 404
    partial = admin.put(IFACES, {"interfaces": [{"ipv4": {"name": "X0", "mtu": 9000}}]})
    assert partial.status_code == 200  # accepted, and it REPLACES X0:
    x0 = admin.get(IFACE + "X0").json()["interfaces"][0]["ipv4"]
    assert x0["mtu"] == 9000 and x0["ip_assignment"] == {}  # the zone is gone


def link_row(admin: Admin, name: str) -> dict[str, Any]:
    rows = [r for r in admin.get(LINKS).json() if r["name"] == name and "vlan" not in r]
    assert len(rows) == 1
    return rows[0]


def test_link_status_follows_the_cable_on_both_units(sim: Simulator, admin: Admin):
    x4 = link_row(admin, "X4")
    assert (x4["connected"], x4["status"]) == (True, LINK_UP)  # O72: a boolean
    assert link_row(admin, "X2")["connected"] is False
    assert sim.primary.link_status("X0") == LINK_UP  # to a switch
    sim.uncable("X4")
    assert link_row(admin, "X4")["connected"] is False
    assert sim.backup.link_status("X4") == LINK_DOWN
    sim.cable("X4")
    assert sim.backup.link_status("X4") == LINK_UP
    sim.cable("X6")
    assert (sim.primary.link_status("X6"), sim.backup.link_status("X6")) == (LINK_UP, LINK_UP)


@pytest.mark.nonconforming_requests
def test_there_is_no_per_name_link_path(admin: Admin):
    """O70/O72 have no /reporting/interfaces/ipv4/name/{NAME}: 404 like any unknown path."""
    missing = admin.get("/api/sonicos/reporting/interfaces/ipv4/name/X4")
    assert missing.status_code == 404 and info(missing)[0] == "E_NOT_FOUND"


# -- HA status -------------------------------------------------------------------------------


def test_status_disabled_at_start(sim: Simulator, admin: Admin):
    status = admin.get(HA_STATUS).json()
    assert status == {
        "status": "Primary Disabled",
        "primary_state": "NONE",
        "secondary_state": "NONE",
        "active_up_time": "High Availability Disabled",
    }  # no `synchronized` key exists
    assert status == sim.primary.ha_status()


def poll_phases(unit: ApplianceSim, until: str = "STANDBY", limit_s: float = 5.0) -> list[str]:
    """The distinct Backup states seen, in order, until `until` shows up."""
    seen: list[str] = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        status = unit.ha_status()["secondary_state"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == until:
            break
        time.sleep(0.02)
    return seen


def test_pair_goes_election_sync_standby_and_backup_gets_settings():
    with Simulator(sync_seconds=0.6) as sim:
        enable_ha(sim)
        assert sim.backup.ha_settings()["mode"] == {}  # not yet synchronized
        assert sim.primary.ha_status()["status"] == "Primary not in a steady state"
        assert poll_phases(sim.primary) == ["ELECTION", "SYNC", "STANDBY"]
        status = sim.primary.ha_status()
        assert (status["status"], status["primary_state"], status["secondary_state"]) == (
            "Primary Active",
            "ACTIVE",
            "STANDBY",
        )
        assert sim.backup.ha_settings() == sim.primary.ha_settings()
        backup = Admin(sim, sim.backup)
        backup.login()
        assert backup.get(HA_STATUS).json()["status"] == "Secondary Standby"
        # Any committed change of HA settings restarts the progression.
        sim.primary.set_ha_settings({"heartbeat_interval": 2000})
        assert sim.primary.ha_status()["primary_state"] == "ELECTION"
        assert poll_phases(sim.primary)[-1] == "STANDBY"
        assert sim.backup.ha_settings()["heartbeat_interval"] == 2000


def test_instant_sync_is_active_at_once(sim: Simulator):
    enable_ha(sim)
    assert sim.primary.ha_status()["secondary_state"] == "STANDBY"
    assert sim.backup.ha_settings()["mode"] == sim.primary.ha_settings()["mode"]


def test_wrong_serial_means_no_heartbeat(sim: Simulator):
    enable_ha(sim, secondary_serial="2CB8ED0A0001")
    status = sim.primary.ha_status()
    assert (status["status"], status["primary_state"], status["secondary_state"]) == (
        "Primary Active",
        "ACTIVE",
        "NONE",
    )
    assert sim.backup.ha_settings()["mode"] == {}


def test_control_link_down_means_no_heartbeat_and_recabling_restarts():
    with Simulator(sync_seconds=0.3) as sim:
        sim.uncable("X5")
        enable_ha(sim)
        assert sim.primary.ha_status()["secondary_state"] == "NONE"
        time.sleep(0.35)
        sim.cable("X5")
        assert poll_phases(sim.primary) == ["ELECTION", "SYNC", "STANDBY"]


def test_model_mismatch_is_an_error_state():
    with Simulator(sync_seconds=0.0, backup_model="NSa 3700") as sim:
        enable_ha(sim)
        status = sim.primary.ha_status()
        assert (status["primary_state"], status["secondary_state"]) == ("ACTIVE", "ERROR")
        assert sim.backup.model == "NSa 3700"


def test_synchronize_settings_needs_ha_on(sim: Simulator, admin: Admin):
    refused = admin.call("POST", SYNC, json={})
    assert refused.status_code == 400 and "not enabled" in info(refused)[1]
    admin.call("DELETE", AUTH)
    enable_ha(sim)
    admin.login()
    admin.configure()
    assert admin.call("POST", SYNC, json={}).status_code == 200


def test_set_ha_settings_by_hand_is_validated(sim: Simulator):
    with pytest.raises(ValueError, match="out of range"):
        sim.primary.set_ha_settings({"heartbeat_interval": 5})
    sim.primary.set_ha_settings({"high_availability": {"failover_trigger_level": 9}})
    assert sim.primary.ha_settings()["failover_trigger_level"] == 9


# -- faults and the request log --------------------------------------------------------------


def test_fail_answers_the_error_envelope_then_recovers(sim: Simulator, admin: Admin):
    sim.primary.fail("GET", "version$", status=503, code="E_BUSY", message="Busy", times=1)
    failed = admin.get(VERSION)
    assert failed.status_code == 503 and info(failed) == ("E_BUSY", "Busy")
    assert admin.get(VERSION).status_code == 200
    assert [r.status for r in sim.primary.requests if r.path == VERSION] == [503, 200]


def test_fail_until_cleared(sim: Simulator, admin: Admin):
    sim.primary.fail("*", "high-availability", times=None)
    assert [admin.get(HA).status_code for _ in range(3)] == [500, 500, 500]
    assert info(admin.get(HA))[0] == "E_INTERNAL"
    sim.primary.clear_faults()
    assert admin.get(HA).status_code == 200


def test_drop_closes_without_answer(sim: Simulator, admin: Admin):
    sim.primary.drop("GET", VERSION)
    with pytest.raises(requests.ConnectionError):
        admin.get(VERSION)
    assert sim.primary.requests[-1] == RequestRecord("GET", VERSION, 0, None)
    assert admin.get(VERSION).status_code == 200


def test_hang_makes_the_client_time_out(sim: Simulator, admin: Admin):
    sim.primary.hang("GET", VERSION, seconds=1.0)
    with pytest.raises(requests.Timeout):
        admin.call("GET", VERSION, timeout=0.2)


def test_latency_is_added_to_every_request(sim: Simulator, admin: Admin):
    sim.primary.latency_s = 0.15
    started = time.monotonic()
    admin.get(VERSION)
    assert time.monotonic() - started >= 0.15


def test_request_log_and_writes(sim: Simulator, admin: Admin):
    admin.put(HA, {"high_availability": {"heartbeat_interval": 2000}})
    admin.commit()
    admin.call("DELETE", AUTH)
    records = sim.primary.requests
    assert records[0] == RequestRecord("POST", AUTH, 401, {"override": False})  # challenge
    assert records[1] == RequestRecord("POST", AUTH, 200, {"override": False})
    assert [(r.method, r.path, r.status) for r in sim.primary.writes()] == [
        ("POST", CONFIG_MODE, 200),
        ("PUT", HA, 200),
        ("POST", PENDING, 200),
    ]
    assert sim.primary.writes()[1].body == {"high_availability": {"heartbeat_interval": 2000}}
    assert sim.password not in repr(records)
    sim.primary.clear_requests()
    assert sim.primary.requests == []
    assert sim.backup.requests == []


@pytest.mark.nonconforming_requests
def test_unknown_path_and_method(admin: Admin):
    missing = admin.get("/api/sonicos/nothing-here")
    assert missing.status_code == 404 and info(missing)[0] == "E_NOT_FOUND"
    wrong = admin.call("DELETE", VERSION)
    assert wrong.status_code == 400 and info(wrong)[0] == "E_INVALID_API_CALL"


def test_certificate_must_name_the_host():
    with Simulator(cert_hostnames=["wrong.example"]) as sim:
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(sim.primary.url + VERSION, verify=sim.ca_path, timeout=5)
        with pytest.raises(requests.exceptions.SSLError):  # not trusted without the CA
            requests.get(sim.portal.url + "/api/v1/products", timeout=5)


def test_env_points_at_the_simulator(sim: Simulator):
    env = sim.env()
    assert env["SONICHA_CA_BUNDLE"] == sim.ca_path
    assert env["SONICHA_PORTAL_URL"] == sim.portal.url
    assert (env["SONICHA_USERNAME"], env["SONICHA_PASSWORD"]) == (sim.username, sim.password)
    assert env["SONICHA_PORTAL_USERNAME"] == "netops@example.com"
    assert sim.primary.host == sim.primary.url.removeprefix("https://")


# -- serials of your choice (a fleet of simulators) ------------------------------------------


def test_custom_serials_are_normalized_and_spelled_like_the_defaults():
    with Simulator(
        sync_seconds=0, primary_serial="2cb8-ee00-0b01", backup_serial="2CB8:EF00:0B02"
    ) as sim:
        assert (sim.primary.serial, sim.backup.serial) == ("2CB8EE000B01", "2CB8EF000B02")
        primary, backup = Admin(sim, sim.primary), Admin(sim, sim.backup)
        primary.login()
        backup.login()
        # The Primary answers dashed upper case, the Backup lower case without dashes.
        assert primary.get(VERSION).json()["serial_number"] == "2CB8-EE00-0B01"
        assert backup.get(VERSION).json()["serial_number"] == "2cb8ef000b02"
        primary.call("DELETE", AUTH)
        backup.call("DELETE", AUTH)
        assert sim.env(include_hosts=True)["SONICHA_SIM_BACKUP_SERIAL"] == "2CB8EF000B02"

        # The pair forms with the Backup's own serial; the default one sends no heartbeat.
        enable_ha(sim, secondary_serial=BACKUP_SERIAL)
        assert sim.primary.ha_status()["secondary_state"] == "NONE"
        enable_ha(sim, secondary_serial="2CB8EF000B02")
        assert sim.primary.ha_status()["secondary_state"] == "STANDBY"
        assert sim.backup.ha_settings()["mode"] == sim.primary.ha_settings()["mode"]


@pytest.mark.parametrize(
    ("serials", "text"),
    [
        ({"primary_serial": "2CB8-ED0A"}, "primary_serial '2CB8-ED0A' is not a serial number"),
        ({"backup_serial": "not-a-serial"}, "backup_serial 'not-a-serial' is not a serial"),
        (
            {"primary_serial": "2cb8ed0a9f00"},
            "the Primary and the Backup have the same serial 2CB8ED0A9F00",
        ),
        ({"backup_serial": "2CB8-ED0A-7777"}, "backup_serial 2CB8ED0A7777 is reserved"),
    ],
)
def test_bad_custom_serials_are_refused(serials: dict[str, str], text: str):
    with pytest.raises(ValueError, match=text):
        Simulator(**serials)


# -- the vendor's rules (issue 10) -------------------------------------------------------------


def test_a_disabled_api_answers_403_e_disabled_to_everything(sim: Simulator):
    sim.primary.api_enabled = False
    admin = Admin(sim, sim.primary)
    for answer in (admin.login(), admin.get(VERSION)):
        assert answer.status_code == 403
        assert info(answer) == ("E_DISABLED", "Service disabled.")  # VEN
    assert sim.primary.sessions_opened == 0


def test_digest_refuses_basic_and_a_replayed_nonce_count(sim: Simulator):
    basic = requests.post(
        sim.primary.url + AUTH, auth=(sim.username, sim.password), verify=sim.ca_path, timeout=5
    )
    assert basic.status_code == 401 and basic.content == b""
    assert basic.headers["WWW-Authenticate"].startswith('Digest realm="SonicOS API"')
    admin = Admin(sim, sim.primary)
    assert admin.login().status_code == 200
    signed = admin.get(VERSION).request.headers["Authorization"]
    replayed = requests.get(
        sim.primary.url + VERSION,
        headers={"Authorization": signed, "Cookie": admin.get(VERSION).request.headers["Cookie"]},
        verify=sim.ca_path,
        timeout=5,
    )
    assert replayed.status_code == 401 and "stale=true" in replayed.headers["WWW-Authenticate"]


@pytest.mark.nonconforming_requests  # the virtual_mac PUT, on purpose
def test_7_0_1_refuses_virtual_mac_and_keeps_l3_mode():
    with Simulator(sync_seconds=0, firmware="7.0.1") as sim:
        admin = Admin(sim, sim.primary)
        admin.login()
        admin.configure()
        ha = admin.get(HA).json()["high_availability"]
        assert "l3_mode" in ha and "failover_when_aggregate_down" not in ha
        refused = admin.put(
            HA, {"high_availability": {**ha, **mode(virtual_mac=False)["high_availability"]}}
        )
        assert refused.status_code == 400 and info(refused)[0] == "E_INVALID_API_CALL"
        assert "for SonicOS 7.0.1-5145: virtual_mac" in info(refused)[1]
        l3 = {**ha["l3_mode"], "enable": True, "primary_ip": "10.9.0.1"}
        assert admin.put(HA, {"high_availability": {**ha, "l3_mode": l3}}).status_code == 200
        assert admin.get(HA).json()["high_availability"]["l3_mode"] == l3
        row = next(r for r in admin.get(LINKS).json() if r["name"] == "X4")
        assert (row["connected"], row["enabled"]) == ("true", "true")  # O70: strings


@pytest.mark.nonconforming_requests
def test_7_0_1_refusing_virtual_mac_is_also_a_schema_violation():
    """The simulator and the schema agree: virtual_mac is not 7.0.1's (checked above
    with the unit's answer, here with the request schema)."""
    from ..sonicos_api_schema import ha_document

    body = {"high_availability": {"mode": {"active_standby": {"virtual_mac": True}}}}
    from jsonschema import Draft202012Validator

    assert list(Draft202012Validator(ha_document("7.0.1")).iter_errors(body))
    assert not list(Draft202012Validator(ha_document("7.2")).iter_errors(body))


def test_commit_answers_restart_required(sim: Simulator, admin: Admin):
    admin.put(HA, {"high_availability": {"heartbeat_interval": 2000}})
    assert admin.commit().json()["status"]["cli"]["restart_required"] == "NONE"
    sim.primary.restart_required = "REBOOT"
    admin.put(HA, {"high_availability": {"heartbeat_interval": 3000}})
    assert admin.commit().json()["status"]["cli"]["restart_required"] == "REBOOT"


def test_vlan_sub_interfaces_repeat_the_name_and_add_vlan(sim: Simulator, admin: Admin):
    sim.primary.add_vlan("X4", 40, zone="LAN")
    listed = [
        i["ipv4"] for i in admin.get(IFACES).json()["interfaces"] if i["ipv4"]["name"] == "X4"
    ]
    assert [i.get("vlan") for i in listed] == [None, 40]
    rows = [r for r in admin.get(LINKS).json() if r["name"] == "X4"]
    assert [r.get("vlan") for r in rows] == [None, 40]
    # Replacing the VLAN object leaves the physical one alone.
    body = {"interfaces": [{"ipv4": {**listed[1], "ip_assignment": {"zone": "DMZ"}}}]}
    assert admin.put(IFACES, body).status_code == 200
    admin.commit()
    assert sim.primary.interface("X4", vlan=40)["ip_assignment"] == {"zone": "DMZ"}
    assert sim.primary.zone("X4") == "Unassigned"
