"""Kept-alive connections (issue 13): reused across operations, and nothing else is.

The provider host keeps one pool of connections per unit (`transport.POOLS`).
What must never ride along on a reused connection is the previous operation's
authentication: its session cookie, a Basic `Authorization` header, an `auth`
object on its Session. These tests watch every request the unit receives
(connection number, `Cookie`, `Authorization`) and would fail if an operation
sent anything of the one before it; `test_the_check_catches_a_leaky_transport`
shows they do, against a transport that shares one Session between operations.

What does outlive an operation by design, outside the pool: the Digest signer
per unit, username and password (sonicos._DIGEST: the unit's nonce, so later
logins skip the challenge) and the portal token per account (portal._TOKENS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest
import requests

from pulumi_sonicha import transport
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.providers.license_association import LicenseAssociationProvider
from pulumi_sonicha.simulator import BACKUP_SERIAL, PRIMARY_SERIAL, Simulator
from pulumi_sonicha.simulator.server import Request, Response
from pulumi_sonicha.sonicos import SonicOSClient
from pulumi_sonicha.testing.host import PROVIDER_KEY, provider_ref

from ..conftest import configured_host, provider_with, settings_for

AUTH = "/api/sonicos/auth"


@dataclass(frozen=True)
class Seen:
    """One request as the unit received it, headers included."""

    connection: int
    method: str
    path: str
    cookie: str
    authorization: str


def watch(sim: Simulator, *, clear_cookie_on_logout: bool = True) -> list[Seen]:
    """Record every request the Primary receives. With `clear_cookie_on_logout=False`
    the logout answer carries no `Set-Cookie` (nothing says a real unit sends one): a
    client that kept its cookie jar would then send the old session's cookie again."""
    seen: list[Seen] = []
    route = sim.primary.route

    def recording(request: Request) -> Response:
        seen.append(
            Seen(
                request.connection,
                request.method,
                request.path,
                request.headers.get("Cookie", ""),
                request.headers.get("Authorization", ""),
            )
        )
        response = route(request)
        if not clear_cookie_on_logout and (request.method, request.path) == ("DELETE", AUTH):
            response.headers.pop("Set-Cookie", None)
        return response

    sim.primary.route = recording  # type: ignore[method-assign]
    return seen


def operations(sim: Simulator, count: int = 2) -> list[list[Seen]]:
    """`count` read operations on the Primary, one after the other; what each sent."""
    seen = watch(sim, clear_cookie_on_logout=False)
    client = SonicOSClient(sim.primary.host, settings_for(sim))
    per_operation: list[list[Seen]] = []
    for _ in range(count):
        start = len(seen)
        with client.session() as unit:
            unit.ha_settings()
        per_operation.append(seen[start:])
    return per_operation


def cookies(seen: list[Seen]) -> set[str]:
    return {morsel.value for s in seen for morsel in SimpleCookie(s.cookie).values()}


def leaks(per_operation: list[list[Seen]], auth: str) -> list[str]:
    """What an operation sent that belongs to an earlier one (empty: nothing)."""
    found: list[str] = []
    for index, later in enumerate(per_operation[1:], start=1):
        earlier = cookies([s for op in per_operation[:index] for s in op])
        login = later[0]
        if login.cookie:
            found.append(f"operation {index + 1} logged in with a cookie: {login.cookie[:40]}")
        if carried := earlier & cookies(later):
            found.append(f"operation {index + 1} sent {len(carried)} earlier session cookie(s)")
        if auth == "basic":
            # Basic goes on the login only; the session rides on its cookie after that.
            signed = [s for s in later if s.authorization and s.path != AUTH]
            if signed:
                found.append(f"operation {index + 1} sent Authorization on {signed[0].path}")
    return found


@pytest.mark.parametrize("auth", ["digest", "basic"])
def test_a_reused_connection_carries_no_session_into_the_next_operation(auth: str) -> None:
    with Simulator(sync_seconds=0.0, auth=auth) as sim:
        per_operation = operations(sim, count=3)
        assert sim.primary.connections_opened == 1
    # The connection was reused: every request of all three operations came on it...
    assert {s.connection for op in per_operation for s in op} == {1}
    # ...each operation logged in and out itself...
    for op in per_operation:
        assert (op[0].method, op[0].path) == ("POST", AUTH)
        assert (op[-1].method, op[-1].path) == ("DELETE", AUTH)
        assert len(cookies(op)) == 1  # its own session, from its own login
    # ...and none sent anything of an earlier one, though the unit never cleared the cookie.
    assert leaks(per_operation, auth) == []


@pytest.mark.parametrize("auth", ["digest", "basic"])
def test_the_check_catches_a_leaky_transport(auth: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above must be able to fail: here operations share one Session (cookie
    jar and all), as a naive connection-reusing client would."""
    shared = requests.Session()
    real = transport.new_session

    def leaky(settings: Any, *args: Any, **kwargs: Any) -> requests.Session:
        session = real(settings, *args, **kwargs)
        session.cookies = shared.cookies
        if auth == "basic":
            session.auth = (settings.username, settings.password)  # kept for every call
        return session

    monkeypatch.setattr(transport, "new_session", leaky)
    with Simulator(sync_seconds=0.0, auth=auth) as sim:
        found = leaks(operations(sim, count=2), auth)
    assert any("earlier session cookie" in text for text in found), found
    if auth == "basic":
        assert any("Authorization on" in text for text in found), found


def test_an_unconfirmed_logout_closes_the_connection() -> None:
    """A unit may tie the admin session to the connection: when the logout is not
    confirmed, the next operation must not inherit that connection."""
    with Simulator(sync_seconds=0.0) as sim:
        seen = watch(sim)
        client = SonicOSClient(sim.primary.host, settings_for(sim))
        sim.primary.fail("DELETE", f"{AUTH}$", 500, times=None)
        with client.session() as unit:
            unit.ha_settings()
        sim.primary.clear_faults()
        sim.primary.expire_sessions()  # the unit's inactivity timer ends the session
        first = {s.connection for s in seen}
        with client.session() as unit:
            unit.ha_settings()
        second = {s.connection for s in seen} - first
        assert len(first) == 1 and len(second) == 1 and sim.primary.connections_opened == 2


def test_a_stopped_unit_answers_nothing_on_a_kept_connection(tmp_path) -> None:
    """Stopping a simulated unit ends its kept-alive connections (as a unit that went
    away would); the client then reports it unreachable instead of getting answers."""
    sim = Simulator(sync_seconds=0.0, state_dir=str(tmp_path)).start()  # the CA outlives it
    settings = settings_for(sim, max_retries=0)
    client = SonicOSClient(sim.primary.host, settings)
    try:
        with client.session() as unit:
            unit.ha_settings()
    finally:
        sim.stop()
    with pytest.raises(Exception, match="cannot connect|refused|unreachable"):
        with client.session() as unit:
            unit.ha_settings()


# -- through the SDK's provider host ----------------------------------------------------------


@pytest.fixture
def pair() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0) as simulator:
        yield simulator


def _create_all(sim: Simulator) -> list[tuple[str, type, str, dict[str, Any], dict[str, Any]]]:
    """One HaInterface, HaPair and LicenseAssociation created in this process;
    (urn, provider class, id, inputs, outputs) of each."""
    hosts = {"primary_host": sim.primary.host, "backup_host": sim.backup.host}
    programs: list[tuple[str, type, dict[str, Any]]] = [
        ("HaInterface", HaInterfaceProvider, {**hosts, "interface": "X4", "unassign_zone": True}),
        (
            "HaPair",
            HaPairProvider,
            {**hosts, "backup_serial": BACKUP_SERIAL, "control_interface": "X5"},
        ),
        (
            "LicenseAssociation",
            LicenseAssociationProvider,
            {"primary_serial": PRIMARY_SERIAL, "secondary_serial": BACKUP_SERIAL},
        ),
    ]
    created = []
    for name, cls, program in programs:
        provider = provider_with(cls, settings_for(sim))
        inputs = provider.check({}, program).inputs
        result = provider.create(inputs)
        urn = f"urn:pulumi:t::p::pulumi-python:dynamic/sonicha:{name}::{name.lower()}"
        created.append((urn, cls, str(result.id), dict(inputs), dict(result.outs or {})))
    return created


def test_a_refresh_through_the_host_opens_at_most_one_connection_per_unit(
    pair: Simulator, tmp_path
) -> None:
    created = _create_all(pair)
    config = {
        "sonicha:username": pair.username,
        "sonicha:password": pair.password,
        "sonicha:caBundle": pair.ca_path,
        "sonicha:portalUrl": pair.portal.url,
        "sonicha:portalUsername": pair.portal_username,
        "sonicha:portalPassword": pair.portal_password,
    }
    secrets = {"sonicha:password", "sonicha:portalPassword"}
    with configured_host(tmp_path, config, secrets) as host:
        for server in pair.servers:
            server.clear_requests()

        def read(item: tuple[str, type, str, dict[str, Any], dict[str, Any]]) -> str:
            urn, cls, id_, inputs, outs = item
            ref = provider_ref(cls())
            found, _, _ = host.read(
                urn, id_, {**outs, PROVIDER_KEY: ref}, {**inputs, PROVIDER_KEY: ref}
            )
            return found

        refresh: Callable[[], list[str]] = lambda: list(pool.map(read, created))  # noqa: E731
        with ThreadPoolExecutor(max_workers=len(created)) as pool:
            # Two refreshes in one host: the engine reads everything at once, twice.
            assert refresh() == [c[2] for c in created]
            assert refresh() == [c[2] for c in created]
    for unit in (pair.primary, pair.backup):
        # Many requests (two reads each time on the Primary), one connection per unit.
        assert len(unit.requests) >= 8
        assert unit.connections_opened == 1, unit.name
    # The portal is shared by the host's four workers: at most one connection each.
    assert 1 <= pair.portal.connections_opened <= 4


def test_a_kept_connection_never_serves_a_bundle_that_does_not_trust_the_unit() -> None:
    """Pools are keyed by TLS settings: a connection verified under one CA bundle is not
    handed to an operation whose bundle does not trust the unit (it verifies anew and
    fails)."""
    with Simulator(sync_seconds=0.0) as sim, Simulator(sync_seconds=0.0) as other:
        with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
            unit.ha_settings()
        wrong = settings_for(sim, ca_bundle=other.ca_path, max_retries=0)
        with pytest.raises(Exception, match="TLS verification failed"):
            with SonicOSClient(sim.primary.host, wrong).session() as unit:
                unit.ha_settings()
        assert sim.primary.connections_opened == 2  # the second was refused in its handshake


def test_a_ca_bundle_is_loaded_once_however_many_connections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One TLS context per bundle: a new connection does not parse the bundle again (a
    fleet's bundle may hold one CA per unit, which made CPU and memory grow with
    units x CAs)."""
    import ssl

    loads: list[Any] = []
    real = ssl.SSLContext.load_verify_locations

    def counting(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        real(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    transport._TRUST.clear()
    with Simulator(sync_seconds=0.0) as sim:
        for _ in range(3):
            for unit in (sim.primary, sim.backup):
                with SonicOSClient(unit.host, settings_for(sim)).session() as session:
                    session.ha_settings()
            transport.POOLS.clear()  # the next operations open new connections
        assert sim.primary.connections_opened == sim.backup.connections_opened == 3
    assert len(loads) == 1
