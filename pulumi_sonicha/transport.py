"""HTTP plumbing shared by the SonicOS and portal clients.

One place decides how we talk HTTPS: TLS verification passed on *every*
request (a `verify` stored on the Session loses to `REQUESTS_CA_BUNDLE`),
urllib3 retries with backoff for connection errors, 5xx and 429 (honouring
`Retry-After`) but never for other 4xx, a timeout on every call, and a debug
log line per request that carries method, path and status only: never
headers or bodies, where credentials and tokens travel.

Connections (issue 13): on a WAN link a new connection costs about two round
trips (TCP, then TLS), and a firewall's management plane is slow at
handshakes. So the provider host keeps one keep-alive pool per unit for its
whole life (`POOLS`), and every operation borrows from it. The pool reuses
the socket and nothing else: each operation still gets its own
`requests.Session`, so its cookies, `auth` object and headers die with it, and
it still logs in and out (`tests/clients/test_transport_pool.py` checks that no cookie
or Authorization header of one operation is sent in the next).

Two things do outlive an operation, on purpose and outside this pool: a unit's
Digest challenge (`sonicos._DIGEST`: RFC 7616 lets a client sign later requests
with the server's nonce and a rising nonce count, so a login costs no 401; a
stale nonce is answered with a new challenge, and other credentials never sign
with it) and the portal's bearer token until it expires (the portal has no
logout). Neither is an admin session, and both die with the provider host.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .settings import Settings

log = logging.getLogger("pulumi_sonicha")

RETRY_STATUSES = (429, 500, 502, 503, 504)

_warned_insecure: set[str] = set()
_warn_lock = threading.Lock()


def normalize_origin(host: str) -> str:
    """`fw1`, `fw1:8443`, `https://fw1/` -> `https://fw1[:8443]` (HTTPS always)."""
    text = host.strip().rstrip("/")
    for prefix in ("https://", "http://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    return "https://" + text


def host_key(host: str) -> str:
    """One key per unit address: `FW1`, `fw1:443` and `https://fw1/` are the same unit
    (host names are case-insensitive, 443 is the HTTPS default)."""
    text = normalize_origin(host).removeprefix("https://").lower()
    return text.removesuffix(":443")


class _QuietHTTPSConnection(urllib3.connection.HTTPSConnection):
    """http.client's debug switch (`HTTPConnection.debuglevel = 1`, a common recipe for
    debugging requests) print()s every header sent and received, the Basic-auth
    credentials and session cookies included, past any logging filter: off for ours."""

    debuglevel = 0

    def set_debuglevel(self, level: int) -> None:
        pass


class _QuietHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _QuietHTTPSConnection


def _quiet(manager: urllib3.PoolManager) -> urllib3.PoolManager:
    # HTTPS only: every origin we build is https:// (normalize_origin, portal_url).
    manager.pool_classes_by_scheme = {
        **manager.pool_classes_by_scheme,
        "https": _QuietHTTPSConnectionPool,
    }
    return manager


class _QuietAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _quiet(self.poolmanager)


class ConnectionPools:
    """The provider host's keep-alive connections: one pool per unit (per origin and TLS
    settings: urllib3 keys a pool by host, port, CA bundle and verification mode, so a
    connection verified under one `sonicha:caBundle` never serves another).

    Thread-safe (urllib3's PoolManager locks its pools). A pool holds up to
    `MAXSIZE` idle connections: one per unit is all a run needs (one admin session at
    a time per unit); the portal, shared by the host's four workers, may use four.
    """

    #: Units (and portals) a host keeps pools for; past it the least recently used
    #: pool is closed (a fleet that large only reconnects).
    NUM_POOLS = 1024
    MAXSIZE = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._manager: urllib3.PoolManager | None = None

    def manager(self) -> urllib3.PoolManager:
        with self._lock:
            if self._manager is None:
                self._manager = _quiet(
                    urllib3.PoolManager(num_pools=self.NUM_POOLS, maxsize=self.MAXSIZE)
                )
            return self._manager

    def forget(self, origin: str) -> None:
        """Close the idle connections to `origin`: used when a logout went unanswered, so
        a unit that ties its session to the connection never hands that session to the
        next operation."""
        parsed = urllib3.util.parse_url(normalize_origin(origin))
        port = parsed.port or 443
        with self._lock:
            manager = self._manager
        if manager is None:
            return
        with manager.pools.lock:
            keys = [
                key
                for key in manager.pools.keys()
                if key.key_host == (parsed.host or "").lower() and key.key_port == port
            ]
        for key in keys:
            manager.pools.pop(key, None)  # pop closes the pool (its dispose function)

    def clear(self) -> None:
        """Close every pooled connection (tests start each case from a clean slate)."""
        with self._lock:
            manager, self._manager = self._manager, None
        if manager is not None:
            manager.clear()


POOLS = ConnectionPools()

_TRUST: dict[tuple[str, int, int], ssl.SSLContext] = {}
_TRUST_LOCK = threading.Lock()


def _is_trust_context(context: ssl.SSLContext) -> bool:
    with _TRUST_LOCK:
        return any(context is known for known in _TRUST.values())


def _trust_context(ca_bundle: str) -> ssl.SSLContext:
    """One TLS context per CA bundle file (and version of it) for the process.

    urllib3 otherwise builds a context per connection and loads the whole bundle
    into it, and a kept-alive connection keeps its context: with a bundle of one CA
    per unit (self-signed units), memory would grow with units x CAs. Verification is
    unchanged: certificate required, the host name checked by urllib3 as before.
    """
    stat = os.stat(ca_bundle)
    key = (os.path.abspath(ca_bundle), stat.st_mtime_ns, stat.st_size)
    with _TRUST_LOCK:
        context = _TRUST.get(key)
        if context is None:
            context = urllib3.util.ssl_.create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
            context.load_verify_locations(cafile=ca_bundle)
            _TRUST[key] = context
        return context


class _PooledAdapter(_QuietAdapter):
    """An adapter on `POOLS`: its connections outlive the operation's Session. Closing
    the Session (end of the operation) leaves them open for the next operation."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = POOLS.manager()

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        ca_certs = pool_kwargs.get("ca_certs")
        if ca_certs and pool_kwargs.get("cert_reqs") == "CERT_REQUIRED":
            try:
                pool_kwargs["ssl_context"] = _trust_context(ca_certs)
            except OSError:
                return host_params, pool_kwargs  # urllib3 reports the unreadable bundle
            del pool_kwargs["ca_certs"]
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """requests sets the bundle's path on the pool for every request, and urllib3
        then loads it into the context at every new connection: the whole bundle parsed
        again per connection (CPU growing with units x CAs). A pool on our shared
        context (see `_trust_context`) already trusts exactly that bundle."""
        super().cert_verify(conn, url, verify, cert)
        context = getattr(conn, "conn_kw", {}).get("ssl_context")
        if context is not None and conn.ca_certs and _is_trust_context(context):
            conn.ca_certs = None

    def close(self) -> None:
        for proxy in self.proxy_manager.values():
            proxy.clear()


class _CappedRetry(Retry):
    """urllib3's Retry, but a server's `Retry-After` is honoured up to a bound.

    urllib3 sleeps for whatever the header says; a portal answering
    `Retry-After: 3600` would stall `pulumi up` for an hour per retry.
    """

    RETRY_AFTER_MAX = 60.0

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.RETRY_AFTER_MAX)


def new_session(
    settings: Settings,
    no_read_retry: tuple[str, ...] = (),
    no_status_retry: tuple[str, ...] = (),
    act_once: tuple[str, ...] = (),
) -> requests.Session:
    """A Session with our retry policy mounted; one per provider operation.

    Its connections come from `POOLS` (kept alive across operations); its cookies,
    auth and headers are its own and end with it.

    URLs starting with a `no_read_retry` prefix are not sent again once the server may
    have processed them (a log-in whose answer was lost would meet its own session).
    URLs starting with a `no_status_retry` prefix are not sent again on an error answer:
    the caller decides (a commit answered 500 may have lost what was staged, so sending
    it again blindly could commit nothing and read as a success).
    URLs starting with an `act_once` prefix (the HA actions: a failover sent twice fails
    back) are sent again only when no connection was made, never after an error answer.
    """
    session = requests.Session()
    retry = _retry_policy(settings)
    session.mount("https://", _PooledAdapter(max_retries=retry))
    for prefix in no_status_retry:
        session.mount(prefix, _PooledAdapter(max_retries=retry.new(status_forcelist=[])))
    for prefix in no_read_retry:
        # requests picks the adapter with the longest matching prefix.
        # Nor again on 503: for a log-in that means "too many sessions", which a retry
        # seconds later does not cure (the caller says what to do instead).
        once_retry = retry.new(read=0, status_forcelist=[s for s in RETRY_STATUSES if s != 503])
        session.mount(prefix, _PooledAdapter(max_retries=once_retry))
    for prefix in act_once:
        never_again = retry.new(read=0, status=0, status_forcelist=[])
        session.mount(prefix, _PooledAdapter(max_retries=never_again))
    return session


def backoff_seconds(settings: Settings, attempt: int) -> float:
    """The pause before retry number `attempt` (0-based) that a caller makes itself,
    on urllib3's curve (`backoff_factor` doubling, at most 30 s)."""
    return min(30.0, settings.backoff_factor * (2**attempt))


def _retry_policy(settings: Settings) -> Retry:
    return _CappedRetry(
        total=settings.max_retries,
        connect=settings.max_retries,
        read=settings.max_retries,
        status=settings.max_retries,
        other=0,
        backoff_factor=settings.backoff_factor,
        backoff_max=30,
        status_forcelist=RETRY_STATUSES,
        # Appliance writes are staged (replaying a PUT is harmless; a commit is retried
        # on an error answer by the client only, see `no_status_retry`, and read back)
        # and the portal client adopts an association a lost answer had created.
        allowed_methods=None,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class InsecureConnectionWarning(UserWarning):
    """TLS verification is off (`sonicha:insecure=true`); also logged as a warning."""


def insecure_message(origin: str) -> str:
    return (
        f"TLS certificate verification is OFF for {origin} (sonicha:insecure=true):"
        " anyone on the path can read the admin credentials. Set sonicha:caBundle instead."
    )


def warn_if_insecure(settings: Settings, origin: str) -> None:
    """`sonicha:insecure` is an opt-in; say so loudly once per origin."""
    if not settings.insecure:
        return
    with _warn_lock:
        if origin in _warned_insecure:
            return
        _warned_insecure.add(origin)
    message = insecure_message(origin)
    log.warning(message)
    warnings.warn(message, InsecureConnectionWarning, stacklevel=3)


def send(
    session: requests.Session,
    settings: Settings,
    method: str,
    url: str,
    **kwargs: Any,
) -> requests.Response:
    """Send one request with our verify/timeout; raises requests' own exceptions."""
    with warnings.catch_warnings():
        if settings.insecure:
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
        started = time.monotonic()
        response = session.request(
            method, url, verify=settings.verify, timeout=settings.timeout, **kwargs
        )
    log.debug(
        "%s %s -> %s (%.0f ms)",
        method,
        requests.utils.urlparse(url).path,
        response.status_code,
        (time.monotonic() - started) * 1000,
    )
    return response


def describe_transport_error(
    exc: requests.RequestException, settings: Settings | None = None
) -> str:
    """A short, credential-free sentence for a failure that got no HTTP answer; with the
    `settings` used, the timeout and retries it gave up after, in numbers."""
    if isinstance(exc, requests.exceptions.SSLError):
        text = str(exc)
        if "mismatch" in text.lower() or "doesn't match" in text:
            return (
                "TLS hostname mismatch: the certificate does not name this host;"
                " connect by the name in the certificate or fix the certificate"
            )
        return (
            "TLS verification failed: the certificate is not trusted; set sonicha:caBundle"
            " to the CA that signed it"
        )
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return (
            "name not found: the host name does not resolve (DNS); check its spelling,"
            " or give the unit's IP address"
        )
    # urllib3's NewConnectionError (refused) subclasses its ConnectTimeoutError.
    refused = isinstance(reason, urllib3.exceptions.NewConnectionError)
    if not refused and (
        isinstance(exc, requests.exceptions.Timeout)
        or isinstance(reason, urllib3.exceptions.TimeoutError)
    ):
        within = f"{settings.timeout:g} seconds" if settings else "the timeout"
        return (
            f"no answer within {within} (sonicha:timeout); check the unit is up, or raise"
            " sonicha:timeout (SONICHA_TIMEOUT) for a slow link"
        )
    if isinstance(exc, requests.exceptions.RetryError):
        retries = f"{settings.max_retries} retries" if settings else "the retries"
        return f"gave up after {retries} (sonicha:maxRetries)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return (
            "cannot connect (refused, reset or unreachable); check the address and that"
            " HTTPS management is enabled on the unit"
        )
    return exc.__class__.__name__


def may_have_arrived(exc: requests.RequestException) -> bool:
    """False when the request surely never reached the server (TLS refused, connection
    refused or not made in time); True when it may have been processed unanswered."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ConnectTimeout):
        return False
    return not isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
    )


class KeyedLocks:
    """One lock per key, created on first use: per unit (an appliance allows one admin
    session at a time, and the provider host runs four worker threads) or per portal
    account (one token login shared by those threads).

    Locks are re-entrant, so an operation that needs several units takes them all
    first with `hold_all` (in one global order: sorted keys) and then opens its
    sessions, each of which takes its own unit's lock again without waiting. Two
    operations that need the same two units therefore wait for each other instead
    of each holding one and waiting for the other.
    """

    def __init__(self) -> None:
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(key, threading.RLock())

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._lock(key):
            yield

    @contextmanager
    def hold_all(self, keys: Iterator[str] | list[str] | tuple[str, ...]) -> Iterator[HeldLocks]:
        """Every key's lock, taken in sorted order (the one global order); the holder may
        give some back early (`HeldLocks.release`: giving back never deadlocks)."""
        held = HeldLocks()
        try:
            for key in sorted(set(keys)):
                lock = self._lock(key)
                lock.acquire()
                held.locks[key] = lock
            yield held
        finally:
            held.release(list(held.locks))


class HeldLocks:
    """Locks one `hold_all` took, by key; what is still held is given back at its end."""

    def __init__(self) -> None:
        self.locks: dict[str, threading.RLock] = {}

    def release(self, keys: Iterator[str] | list[str] | set[str]) -> None:
        """Give back these keys' locks now (those not held are ignored)."""
        for key in sorted(set(keys), reverse=True):
            lock = self.locks.pop(key, None)
            if lock is not None:
                lock.release()


# Serial numbers learned per address, process-wide: once an address has answered, its
# lock is the unit's, whatever spelling or other address reaches it.
_serial_of_address: dict[str, str] = {}
_serial_lock = threading.Lock()

# Host name -> its addresses, for a short while: a lock key per unit costs one lookup per
# name and minute, not one per operation (urllib3 resolves again when it connects).
_RESOLVE_TTL_S = 60.0
_resolved: dict[tuple[str, int], tuple[float, tuple[str, ...]]] = {}
_resolve_lock = threading.Lock()


def resolved_addresses(host: str) -> tuple[str, ...]:
    """Where `host` connects: each address its name resolves to, with the port, as
    `127.0.0.1:443` / `[::1]:443` (an address input is itself); empty when the name does
    not resolve (the connection then fails and says so)."""
    parsed = urllib3.util.parse_url(normalize_origin(host))
    name = (parsed.host or "").strip("[]").lower()
    port = parsed.port or 443
    try:
        return (_address_text(ipaddress.ip_address(name), port),)
    except ValueError:
        pass
    now = time.monotonic()
    with _resolve_lock:
        cached = _resolved.get((name, port))
    if cached is not None and now - cached[0] < _RESOLVE_TTL_S:
        return cached[1]
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        infos = []  # remembered too: a name that does not resolve is not asked again at once
    found = set()
    for info in infos:
        try:
            found.add(_address_text(ipaddress.ip_address(str(info[4][0]).split("%")[0]), port))
        except ValueError:
            continue
    addresses = tuple(sorted(found))
    with _resolve_lock:
        _resolved[(name, port)] = (now, addresses)
    return addresses


def _address_text(address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


def _address_keys(host: str) -> tuple[str, ...]:
    """The unit's address keys: its resolved addresses, else the spelling (`host_key`)."""
    return resolved_addresses(host) or (host_key(host),)


def learn_serial(host: str, serial: str) -> None:
    """Remember which unit answers at `host` (called when a unit reports its serial)."""
    if serial:
        with _serial_lock:
            for key in {host_key(host), *_address_keys(host)}:
                _serial_of_address[key] = serial


def unit_keys(host: str, serial: str | None = None) -> tuple[str, ...]:
    """The lock keys of a unit: every address its host input resolves to (with the
    port), and its serial when known (given, or learned from an earlier answer at this
    address). So `fw1`, `FW1:443`, `https://fw1/` and the address `fw1` resolves to
    share a lock from the first contact on, and, once the unit has answered, every
    address of one unit does; before that two unrelated addresses of one unit are not
    serialized (the unit itself then refuses the second login)."""
    addresses = _address_keys(host)
    with _serial_lock:
        known = serial or next(
            (
                _serial_of_address[key]
                for key in (host_key(host), *addresses)
                if key in _serial_of_address
            ),
            None,
        )
    keys = tuple(f"address:{address}" for address in addresses)
    return (*keys, f"serial:{known}") if known else keys
