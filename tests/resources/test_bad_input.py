"""Bad input never reaches an appliance: every input of every resource, table-driven.

For each declared input (read from the resource's schema, so a new input
without a row here fails `test_the_table_covers_every_input`) the table holds
wrong types, empty strings, out-of-range numbers, malformed serials, hosts and
interface names, and unknown choice values. Each must give exactly one
CheckFailure, on that input, whose reason names the input and what it accepts,
in-process and through the SDK's provider host, with no request sent to the
Primary, the Backup or the portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.models import ha_interface, ha_pair, license_association
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.providers.license_association import LicenseAssociationProvider
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderHost, provider_ref

from ..conftest import provider_with, settings_for

PROVIDERS = {
    "HaInterface": HaInterfaceProvider,
    "HaPair": HaPairProvider,
    "LicenseAssociation": LicenseAssociationProvider,
}
SCHEMAS = {
    "HaInterface": ha_interface.SCHEMA,
    "HaPair": ha_pair.SCHEMA,
    "LicenseAssociation": license_association.SCHEMA,
}
URN = "urn:pulumi:dev::bad-input::pulumi-python:dynamic/sonicha:{0}::{0}-under-test"

# What each kind of input accepts, as the reason must say it.
HOST = "a host name or address, optionally with :port"
SERIAL = "a serial number of 12 hexadecimal digits (e.g. 2CB8ED0A9F00; dashes allowed)"
INTERFACE = "an interface name such as X0..X31, U0, V0, W0 or MGMT"
BOOL = "true or false"
ZONE = '"Unassigned"'


def whole(low: int, high: int, unit: str = "") -> str:
    return f"a whole number from {low} to {high}{' ' + unit if unit else ''}"


BAD_HOSTS = [
    5,
    True,
    "",
    "   ",
    "fw 1",
    "fw1:99999",
    "fw1:0",
    "fw1:https",
    "https://fw1/api",
    ":443",
    "admin@fw1",  # user info: credentials never go in a host input
    "admin@fw1:443",
    "https://admin@fw1/",
    "fw\x001",  # NUL
    "fw1:\u0664\u0664\u0663",  # Arabic-Indic digits 443
    "fw1:\uff14\uff14\uff13",  # full-width digits 443
    "\u0661\u0660.0.0.1",  # non-ASCII digits in an address
]
BAD_SERIALS = [
    2468,
    "",
    "2CB8ED0A9F0",  # 11 digits
    "2CB8ED0A9F000",  # 13 digits
    "2CB8ED0A9F0G",  # not hex
    "2CB8_ED0A_9F00",
    "serial-please",
]
BAD_INTERFACES = [4, "", " ", "X32", "X99", "eth0", "X", "MGMT1", "X-4", "X04", "4", "U100",
                  "X\u0664", "X1\u0664", "\uff384", "X\uff14", "X4\x00", "X4 X5"]  # fmt: skip
BAD_BOOLS = ["true", "yes", 1, 0.0, "", [True]]
BAD_ZONES = ["DMZ", "LAN", "", 0, False]


def bad_numbers(low: int, high: int) -> list[Any]:
    return [low - 1, high + 1, -1, float(low) + 0.5, str(low), "", True, [low]]


# (resource, input) -> (what the reason must say it accepts, bad values)
TABLE: dict[tuple[str, str], tuple[str, list[Any]]] = {
    ("HaInterface", "primary_host"): (HOST, BAD_HOSTS),
    ("HaInterface", "backup_host"): (HOST, BAD_HOSTS),
    ("HaInterface", "primary_serial"): (SERIAL, BAD_SERIALS),
    ("HaInterface", "setup_host"): (HOST, BAD_HOSTS),
    ("HaInterface", "interface"): (INTERFACE, BAD_INTERFACES),
    ("HaInterface", "purpose"): ('one of "data", "control"', ["", "both", "DATA LINK", 1, True]),
    ("HaInterface", "unassign_zone"): (BOOL, BAD_BOOLS),
    ("HaInterface", "require_link"): (BOOL, BAD_BOOLS),
    ("HaInterface", "primary_zone"): (ZONE, BAD_ZONES),
    ("HaInterface", "backup_zone"): (ZONE, BAD_ZONES),
    ("HaPair", "primary_host"): (HOST, BAD_HOSTS),
    ("HaPair", "backup_host"): (HOST, BAD_HOSTS),
    ("HaPair", "primary_serial"): (SERIAL, BAD_SERIALS),
    ("HaPair", "backup_serial"): (SERIAL, BAD_SERIALS),
    ("HaPair", "setup_host"): (HOST, BAD_HOSTS),
    ("HaPair", "mode"): (
        'one of "active-standby", "active-active-dpi"',
        ["", "active-passive", "active_active", "standby", 2, False],
    ),
    ("HaPair", "control_interface"): (INTERFACE, BAD_INTERFACES),
    ("HaPair", "data_interface"): (INTERFACE, BAD_INTERFACES),
    ("HaPair", "dpi_interface"): (INTERFACE, BAD_INTERFACES),
    ("HaPair", "stateful_synchronization"): (BOOL, BAD_BOOLS),
    ("HaPair", "preempt"): (BOOL, BAD_BOOLS),
    ("HaPair", "virtual_mac"): (BOOL, BAD_BOOLS),
    ("HaPair", "encryption"): (BOOL, BAD_BOOLS),
    ("HaPair", "heartbeat_interval_ms"): (whole(1000, 300000, "ms"), bad_numbers(1000, 300000)),
    ("HaPair", "failover_trigger_level"): (
        whole(4, 99, "missed heartbeats"),
        bad_numbers(4, 99),
    ),
    ("HaPair", "probe_interval_s"): (whole(5, 255, "seconds"), bad_numbers(5, 255)),
    ("HaPair", "probe_count"): (whole(3, 10), bad_numbers(3, 10)),
    ("HaPair", "election_delay_s"): (whole(3, 255, "seconds"), bad_numbers(3, 255)),
    ("HaPair", "include_certificates_keys"): (BOOL, BAD_BOOLS),
    ("HaPair", "wait_for_sync"): (BOOL, BAD_BOOLS),
    ("HaPair", "sync_timeout_s"): (whole(1, 86400, "seconds"), bad_numbers(1, 86400)),
    ("HaPair", "on_delete"): ('one of "disable", "retain"', ["", "keep", "destroy", "disabled", 0]),
    ("LicenseAssociation", "primary_serial"): (SERIAL, BAD_SERIALS),
    ("LicenseAssociation", "secondary_serial"): (SERIAL, BAD_SERIALS),
}


def valid_inputs(resource: str) -> dict[str, Any]:
    """A program whose inputs all pass check (hosts never contacted by check)."""
    if resource == "HaInterface":
        return {
            "primary_host": "fw-a.example:443",
            "backup_host": "fw-b.example",
            "interface": "X4",
        }
    if resource == "HaPair":
        return {
            "primary_host": "fw-a.example",
            "backup_host": "fw-b.example",
            "backup_serial": "2CB8-ED0A-9F00",
            "control_interface": "X5",
            "data_interface": "X4",
        }
    return {"primary_serial": "2CB8ED0A1B2C", "secondary_serial": "2cb8ed0a9f00"}


def cases() -> list[Any]:
    return [
        pytest.param(resource, name, value, allowed, id=f"{resource}.{name}={value!r}")
        for (resource, name), (allowed, values) in TABLE.items()
        for value in values
    ]


def required_cases() -> list[Any]:
    return [
        pytest.param(resource, f.name, id=f"{resource}.{f.name}=missing")
        for resource, schema in SCHEMAS.items()
        for f in schema.fields
        if f.required
    ]


# Cross-field rules: (resource, overrides, failing input, words the reason must hold)
RULES = [
    pytest.param(
        "HaPair",
        {"data_interface": "x5"},
        "data_interface",
        ["data_interface must differ from control_interface (X5)"],
        id="HaPair.data_interface=control_interface",
    ),
    pytest.param(
        "HaPair",
        {"data_interface": None, "stateful_synchronization": True},
        "data_interface",
        ["data_interface is required when stateful_synchronization is true"],
        id="HaPair.stateful_synchronization-without-data_interface",
    ),
    pytest.param(
        "HaPair",
        {"data_interface": None, "mode": "active-active-dpi", "dpi_interface": "X6"},
        "data_interface",
        ['data_interface is required when mode is "active-active-dpi"'],
        id="HaPair.active-active-dpi-without-data_interface",
    ),
    pytest.param(
        "HaPair",
        {"data_interface": "X4", "mode": "active-active-dpi"},
        "dpi_interface",
        ['dpi_interface is required when mode is "active-active-dpi"', "e.g. X6"],
        id="HaPair.active-active-dpi-without-dpi_interface",
    ),
    pytest.param(
        "HaPair",
        {"data_interface": "X4", "mode": "active-active-dpi", "dpi_interface": "x4"},
        "dpi_interface",
        ["dpi_interface must differ from control_interface and data_interface (X4)"],
        id="HaPair.dpi_interface=data_interface",
    ),
    pytest.param(
        "HaPair",
        {"dpi_interface": "X6"},
        "dpi_interface",
        ['dpi_interface applies to mode "active-active-dpi" only'],
        id="HaPair.dpi_interface-in-active-standby",
    ),
    pytest.param(
        "HaPair",
        {
            "data_interface": "X4",
            "mode": "active-active-dpi",
            "dpi_interface": "X6",
            "stateful_synchronization": True,
        },
        "stateful_synchronization",
        ['mode "active-active-dpi" has no stateful_synchronization'],
        id="HaPair.active-active-dpi-with-stateful_synchronization",
    ),
    pytest.param(
        "HaInterface",
        {"backup_host": "https://FW-A.example/"},
        "backup_host",
        ["backup_host is the same address as primary_host", "the Backup unit's address"],
        id="HaInterface.backup_host=primary_host",
    ),
    pytest.param(
        "HaPair",
        {"backup_host": "https://FW-A.example:443/"},
        "backup_host",
        ["backup_host is the same address as primary_host", "the Backup unit's address"],
        id="HaPair.backup_host=primary_host",
    ),
    pytest.param(
        "LicenseAssociation",
        {"secondary_serial": "2cb8-ed0a-1b2c"},
        "secondary_serial",
        ["secondary_serial is the same serial as primary_serial (2CB8ED0A1B2C)"],
        id="LicenseAssociation.secondary_serial=primary_serial",
    ),
    pytest.param(
        "HaPair",
        {"heartbeat_ms": 1000},
        "heartbeat_ms",
        ["unknown input 'heartbeat_ms'", "heartbeat_interval_ms"],
        id="HaPair.unknown-input",
    ),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def no_request_reaches_the_simulator(sim: Simulator) -> Iterator[None]:
    for server in sim.servers:
        server.clear_requests()
    yield
    assert [server.requests for server in sim.servers] == [[], [], []]


@pytest.fixture(scope="module")
def host(sim: Simulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderHost]:
    with ProviderHost(cwd=tmp_path_factory.mktemp("bad-input")) as provider_host:
        provider_host.configure(
            {
                "sonicha:password": sim.password,
                "sonicha:caBundle": sim.ca_path,
                "sonicha:portalUrl": sim.portal.url,
                "sonicha:portalUsername": sim.portal_username,
                "sonicha:portalPassword": sim.portal_password,
            },
            secret_keys={"sonicha:password", "sonicha:portalPassword"},
        )
        yield provider_host


@pytest.fixture(scope="module")
def refs() -> dict[str, str]:
    return {resource: provider_ref(cls()) for resource, cls in PROVIDERS.items()}


def check_in_process(sim: Simulator, resource: str, news: dict[str, Any]) -> list[tuple[str, str]]:
    provider = provider_with(PROVIDERS[resource], settings_for(sim))
    result = provider.check({}, news)
    return [(f.property, f.reason) for f in result.failures]


def check_over_grpc(
    host: ProviderHost, refs: dict[str, str], resource: str, news: dict[str, Any]
) -> list[tuple[str, str]]:
    return host.check(URN.format(resource), {}, {**news, PROVIDER_KEY: refs[resource]}).failures


def label(resource: str, news: dict[str, Any]) -> str:
    host = news.get("primary_host")
    return f"{resource} on {host}" if isinstance(host, str) and host else resource


def test_the_table_covers_every_input():
    declared = {(resource, f.name) for resource, schema in SCHEMAS.items() for f in schema.fields}
    assert set(TABLE) == declared


def test_valid_inputs_pass(sim, host, refs):
    for resource in PROVIDERS:
        assert check_in_process(sim, resource, valid_inputs(resource)) == []
        assert check_over_grpc(host, refs, resource, valid_inputs(resource)) == []


@pytest.mark.parametrize(("resource", "name", "value", "allowed"), cases())
def test_bad_value_names_the_input_and_what_it_accepts(
    sim, host, refs, resource, name, value, allowed
):
    news = {**valid_inputs(resource), name: value}
    for failures in (
        check_in_process(sim, resource, news),
        check_over_grpc(host, refs, resource, news),
    ):
        assert [prop for prop, _ in failures] == [name], failures
        reason = failures[0][1]
        prefix = f"{label(resource, news)}: {name} "
        assert reason.startswith(prefix), reason
        assert allowed in reason, reason


@pytest.mark.parametrize(("resource", "name"), required_cases())
def test_missing_required_input_names_it_and_what_it_accepts(sim, host, refs, resource, name):
    news = {key: value for key, value in valid_inputs(resource).items() if key != name}
    allowed = TABLE[(resource, name)][0]
    expected = [(name, f"{label(resource, news)}: {name} is required ({allowed})")]
    assert check_in_process(sim, resource, news) == expected
    assert check_over_grpc(host, refs, resource, news) == expected


@pytest.mark.parametrize(("resource", "overrides", "name", "words"), RULES)
def test_cross_input_rules_name_the_input_and_the_fix(
    sim, host, refs, resource, overrides, name, words
):
    news = {**valid_inputs(resource), **overrides}
    news = {key: value for key, value in news.items() if value is not None}
    for failures in (
        check_in_process(sim, resource, news),
        check_over_grpc(host, refs, resource, news),
    ):
        assert [prop for prop, _ in failures] == [name], failures
        reason = failures[0][1]
        assert reason.startswith(f"{label(resource, news)}: "), reason
        for word in words:
            assert word in reason, reason
