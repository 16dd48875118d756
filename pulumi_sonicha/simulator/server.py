"""HTTPS plumbing shared by the simulated appliances and the simulated portal.

Both kinds of server need the same things: a real TLS listener on loopback in a
daemon thread, a request log tests can assert on, injectable faults (error
answers, dropped connections, hangs, rate limits) and extra latency. They differ
only in their routes and in the shape of an error body, so `SimServer` owns
everything else and a subclass supplies `route()` and `error_body()`.

Nothing here logs per request, and the request log never holds the
Authorization header or a password found in a request body.

Latency model: `latency_s` is added to every request (one round trip), and
`connect_round_trips` more of it to every new connection before its TLS
handshake (2 models TCP + TLS 1.3 over a WAN link; 0, the default, makes
connections free). Each request is logged with the connection it came on, so
a test can count connections and see which requests shared one.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import logging
import re
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

_SERIAL = re.compile(r"[0-9A-F]{12}")
_REDACTED_KEYS = {"password", "token"}


def normalize_serial(value: object) -> str | None:
    """Return a serial as 12 upper-case hex digits, or None when it is not one.

    Appliances answer `2CB8-ED0A-1B2C` or `2cb8ed0a9f00`; everything we store and
    compare uses the normalized form so such spellings can never cause a mismatch.
    """
    if not isinstance(value, str):
        return None
    serial = value.replace("-", "").replace(":", "").replace(" ", "").upper()
    return serial if _SERIAL.fullmatch(serial) else None


def new_token() -> str:
    """An unguessable session/bearer token."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class RequestRecord:
    """One request as a server saw it: what tests assert on.

    `path` has no query string; `body` is the parsed JSON body (None when empty
    or not JSON) with password-like keys masked; status 0 means the connection
    was dropped without an answer. `connection` numbers the TCP connection the
    request came on (1, 2, ... per server; not part of equality).
    """

    method: str
    path: str
    status: int
    body: Any = None
    connection: int = field(default=0, compare=False)


@dataclass
class Request:
    """A parsed HTTP request handed to `route()`."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    raw_body: bytes
    client_ip: str
    connection: int = 0

    def json(self, bad_request: Callable[[str], Exception]) -> Any:
        """The JSON body; `bad_request(message)` builds the error raised for bad JSON."""
        if not self.raw_body.strip():
            return None
        try:
            return json.loads(self.raw_body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"Request body is not valid JSON: {exc}") from None

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """Raised inside a route to answer with an error; the server formats the body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


@dataclass
class FaultRule:
    """One injected fault: applies to requests whose method and path match.

    `times` counts down per matching request; None means until cleared.
    """

    kind: str  # "fail" | "drop" | "hang"
    method: str  # upper-case, or "*" for any
    pattern: re.Pattern[str]
    times: int | None = 1
    status: int = 500
    code: str = ""
    message: str = ""
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    #: A "fail" that also drops what the caller's session had staged (a unit whose failed
    #: commit lost the pending changes): a retried commit then finds nothing to commit.
    drop_staged: bool = False

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and self.pattern.search(path) is not None


Handler = Callable[..., Response]


class Router:
    """Maps (method, path regex) to handlers; named regex groups become keyword args."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], dict[str, Handler]]] = []

    def add(self, pattern: str, **methods: Handler) -> None:
        handlers = {method.upper(): handler for method, handler in methods.items()}
        self._routes.append((re.compile(pattern + "/?"), handlers))

    def resolve(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """(handler, path args, path known). Handler is None for unknown path or method."""
        for pattern, methods in self._routes:
            match = pattern.fullmatch(path)
            if match:
                return methods.get(method), match.groupdict(), True
        return None, {}, False


def _redact_body(body: Any) -> Any:
    if isinstance(body, dict):
        return {
            k: ("****" if k in _REDACTED_KEYS and v is not None else _redact_body(v))
            for k, v in body.items()
        }
    if isinstance(body, list):
        return [_redact_body(v) for v in body]
    return body


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the owning SimServer; stays silent (no access log)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server_version = "SonicHaSimulator/1.0"
    sys_version = ""

    def _dispatch(self) -> None:
        self.server.sim._handle_http(self)  # type: ignore[attr-defined]

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silence the per-request stderr log."""


class _TlsHttpServer(ThreadingHTTPServer):
    """TLS is negotiated in the request thread so a stuck client never blocks accept()."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext, sim: SimServer) -> None:
        self.ssl_context = context
        self.sim = sim
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        #: `.id`: the number of the connection the current (handler) thread serves.
        self.connection = threading.local()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        connection = self.sim._connection_opened()
        with self._open_lock:
            self._open.add(request)
        try:
            cost = self.sim.connect_round_trips * self.sim.latency_s
            if cost > 0 and self.sim._stopping.wait(cost):
                return
            try:
                tls = self.ssl_context.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError):
                return  # e.g. the client refused our certificate: nothing to answer
            with self._open_lock:  # the TLS socket took the descriptor over
                self._open.discard(request)
                self._open.add(tls)
                request = tls
            try:
                self.connection.id = connection  # this thread serves this connection only
                self.RequestHandlerClass(tls, client_address, self)
            except (OSError, ssl.SSLError):
                pass  # the client went away (timeout after a hang, reset)
            finally:
                try:
                    tls.close()
                except OSError:
                    pass
        finally:
            with self._open_lock:
                self._open.discard(request)

    def close_connections(self) -> None:
        """End every open (kept-alive) connection: a stopped server answers nothing more,
        as a unit that went away would not."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("simulator request failed", exc_info=True)


class SimServer:
    """Base of every simulated server: HTTPS listener, request log, faults, latency.

    Subclasses implement `route(request)` (raise `ApiError` for errors) and
    `error_body(code, message)`; they may override `control()` to offer the
    unauthenticated loopback-only `/_simulator/...` surface.
    """

    #: (HTTP status, code) for an unknown path, an unsupported method, a malformed request.
    NOT_FOUND: tuple[int, str] = (404, "NOT_FOUND")
    BAD_METHOD: tuple[int, str] = (405, "METHOD_NOT_ALLOWED")
    BAD_REQUEST: tuple[int, str] = (400, "INVALID_REQUEST")
    INTERNAL: tuple[int, str] = (500, "INTERNAL_ERROR")
    #: Paths excluded from `writes()` (logins/logouts are not config writes).
    AUTH_PATH: str = ""
    #: Called with (server, request, response or None when dropped) for every API
    #: request: the test suite checks each exchange against the API's schema.
    observer: Callable[[SimServer, Request, Response | None], None] | None = None

    def __init__(self, name: str, *, latency_s: float = 0.0, connect_round_trips: int = 0) -> None:
        self.name = name
        self.latency_s = latency_s
        #: Round trips of `latency_s` a new connection costs before its first request.
        self.connect_round_trips = connect_round_trips
        self._connection_ids = itertools.count(1)
        self._connections_opened = 0
        self._lock = threading.RLock()
        self._log_lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._faults: list[FaultRule] = []
        self._outage: FaultRule | None = None  # `go_down`'s rule, first in `_faults`
        #: When the server came back from `go_down` (None: never down, or down now).
        self.up_since: float | None = None
        self._stopping = threading.Event()
        self._httpd: _TlsHttpServer | None = None
        self._public_host = ""
        self._thread: threading.Thread | None = None
        self._router = Router()
        #: More addresses this server listens at (same port), e.g. a unit's monitoring
        #: address; `answers(ip)` decides whether a request there gets an answer.
        self._also: dict[str, tuple[_TlsHttpServer, threading.Thread]] = {}
        #: The TLS context for a listener at an address (set by `Simulator` so that each
        #: certificate names the address it is reached at); None: the start context.
        self.context_for: Callable[[str], ssl.SSLContext] | None = None
        self._context: ssl.SSLContext | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(
        self, host: str, port: int, context: ssl.SSLContext, public_host: str | None = None
    ) -> None:
        """Bind and serve in a daemon thread (port 0 = ephemeral).

        `public_host` is the address clients use in URLs when `host` is a
        wildcard such as 0.0.0.0.
        """
        if self._httpd is not None:
            raise RuntimeError(f"{self.name} simulator is already running")
        self._stopping.clear()
        self._public_host = public_host or host
        self._context = context
        self._httpd = _TlsHttpServer((host, port), context, self)
        self._thread = self._serve(self._httpd, host)

    def _serve(self, httpd: _TlsHttpServer, address: str) -> threading.Thread:
        thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sonicha-sim-{self.name}-{address}",
            daemon=True,
        )
        thread.start()
        return thread

    def listen_also(self, address: str) -> bool:
        """Listen at another loopback address on the same port (True when listening
        there). Only loopback addresses, and not when bound to a wildcard (which hears
        every address already): the simulator never opens a port beyond this machine."""
        httpd = self._httpd
        if httpd is None:
            return False
        bound = str(httpd.server_address[0])
        if address == bound or bound in ("0.0.0.0", "::"):
            return True
        try:
            if not ipaddress.ip_address(address).is_loopback:
                return False
        except ValueError:
            return False
        with self._lock:
            if address in self._also:
                return True
            context = self.context_for(address) if self.context_for else self._context
            try:
                extra = _TlsHttpServer((address, self.port), context, self)  # type: ignore[arg-type]
            except OSError as exc:  # e.g. no such loopback alias on this system
                log.debug("%s cannot listen at %s: %s", self.name, address, exc)
                return False
            self._also[address] = (extra, self._serve(extra, address))
        return True

    def answers(self, address: str) -> bool:
        """Whether a request that reached this server at `address` gets an answer
        (a unit answers management only at some of its addresses)."""
        return True

    def stop(self) -> None:
        """Stop serving; hanging requests are released at once."""
        self._stopping.set()
        httpd, self._httpd = self._httpd, None
        with self._lock:
            also, self._also = list(self._also.values()), {}
        for server in [httpd] + [extra for extra, _ in also]:
            if server is not None:
                server.shutdown()
                server.server_close()
                server.close_connections()
        for _, thread in also:
            thread.join(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError(f"{self.name} simulator is not running")
        return int(self._httpd.server_address[1])

    @property
    def host(self) -> str:
        """`address:port` as a provider input would name this server."""
        if self._httpd is None:
            raise RuntimeError(f"{self.name} simulator is not running")
        address = self._public_host
        return f"[{address}]:{self.port}" if ":" in address else f"{address}:{self.port}"

    @property
    def url(self) -> str:
        return f"https://{self.host}"

    # -- request log -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self._log)

    def clear_requests(self) -> None:
        """Forget the request log and the count of connections opened."""
        with self._log_lock:
            self._log.clear()
            self._connections_opened = 0

    @property
    def connections_opened(self) -> int:
        """New connections accepted since the last `clear_requests()`."""
        with self._log_lock:
            return self._connections_opened

    def _connection_opened(self) -> int:
        with self._log_lock:
            self._connections_opened += 1
            return next(self._connection_ids)

    def writes(self) -> list[RequestRecord]:
        """Requests that could change state: every non-GET except login/logout."""
        return [
            r for r in self.requests if r.method != "GET" and r.path.rstrip("/") != self.AUTH_PATH
        ]

    # -- faults ------------------------------------------------------------------------------

    def _add_fault(self, rule: FaultRule) -> None:
        with self._lock:
            self._faults.append(rule)

    @staticmethod
    def _rule(kind: str, method: str, path_regex: str, times: int | None, **kw: Any) -> FaultRule:
        return FaultRule(kind, method.upper(), re.compile(path_regex), times, **kw)

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int = 500,
        code: str | None = None,
        message: str = "Internal error",
        times: int | None = 1,
        drop_staged: bool = False,
    ) -> None:
        """Answer matching requests with this error (path regex uses `re.search`);
        `drop_staged`: the caller's staged changes are lost as well (`fault_effect`)."""
        code = code or self.INTERNAL[1]
        self._add_fault(
            self._rule(
                "fail",
                method,
                path_regex,
                times,
                status=status,
                code=code,
                message=message,
                drop_staged=drop_staged,
            )
        )

    def drop(self, method: str, path_regex: str, times: int | None = 1) -> None:
        """Close matching connections without any answer (client: connection error)."""
        self._add_fault(self._rule("drop", method, path_regex, times))

    def hang(self, method: str, path_regex: str, seconds: float, times: int | None = 1) -> None:
        """Sleep before handling matching requests (client: read timeout).

        The request is still processed after the sleep, as a slow real server
        would: a timed-out write may have happened anyway.
        """
        self._add_fault(self._rule("hang", method, path_regex, times, seconds=seconds))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._outage = None

    #: A hung server's requests wait this long (then their connection is closed).
    HUNG_SECONDS = 24 * 3600.0

    @property
    def outage(self) -> str | None:
        """"down" or "hung" while `go_down` holds, else None."""
        rule = self._outage
        return None if rule is None else ("down" if rule.kind == "drop" else "hung")

    def go_down(self, hung: bool = False) -> None:
        """Stop answering every request (the control surface aside, so `ctl up` still
        reaches it), until `come_up`. Down: each connection is closed without an answer,
        as a client sees a unit that is off or cut off (ours: the port stays open, a real
        one would refuse or time out; clients report both as unreachable). Hung: the
        connection stays open and nothing answers, so the client's timeout ends it (a
        request already hanging when the server comes up is never answered)."""
        kind = "hang" if hung else "drop"
        rule = self._rule(kind, "*", "", None, seconds=self.HUNG_SECONDS)
        with self._lock:
            if self._outage is not None and self._outage in self._faults:
                self._faults.remove(self._outage)
            self._faults.insert(0, rule)  # before any other fault: nothing answers
            self._outage = rule
        if not hung:
            self.up_since = None

    def come_up(self) -> None:
        """Answer again (other faults stay as they were)."""
        with self._lock:
            was_down = self._outage is not None and self._outage.kind == "drop"
            if self._outage is not None and self._outage in self._faults:
                self._faults.remove(self._outage)
            self._outage = None
        if was_down:  # back on: its HA peer sees it from now (a hung one kept its HA)
            self.up_since = time.monotonic()

    def _take_fault(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._faults:
                if rule.matches(method, path):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._faults.remove(rule)
                    return rule
        return None

    # -- subclass hooks ----------------------------------------------------------------------

    def fault_effect(self, rule: FaultRule, request: Request) -> None:
        """What a "fail" fault does to the server's state besides answering (nothing here;
        a unit drops the session's staged changes when `rule.drop_staged`)."""

    def error_body(self, code: str, message: str, request: Request | None) -> Any:
        """The JSON body of an error answer in this API's shape."""
        raise NotImplementedError

    def route(self, request: Request) -> Response:
        """Default routing through `self._router`; subclasses add routes in __init__."""
        handler, args, known = self._router.resolve(request.method, request.path)
        if handler is None:
            if known:
                raise ApiError(
                    *self.BAD_METHOD, f"Method {request.method} is not supported on {request.path}."
                )
            raise ApiError(*self.NOT_FOUND, f"No such API path: {request.path}.")
        return handler(request, **args)

    def control(self, action: str, body: Any) -> Any:
        """Runtime control surface (`POST /_simulator/{action}`); none by default."""
        raise ApiError(404, "NOT_FOUND", "This server has no control surface.")

    def bad_request(self, message: str) -> ApiError:
        return ApiError(*self.BAD_REQUEST, message)

    def json_body(self, request: Request) -> Any:
        return request.json(self.bad_request)

    def error(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        request: Request | None = None,
    ) -> Response:
        return Response(status, self.error_body(code, message, request), dict(headers or {}))

    # -- HTTP plumbing -----------------------------------------------------------------------

    def _handle_http(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length > 0 else b""
        parts = urlsplit(handler.path)
        request = Request(
            method=handler.command.upper(),
            path=parts.path,
            query=parse_qs(parts.query),
            headers=handler.headers,  # type: ignore[arg-type]
            raw_body=raw,
            client_ip=str(handler.client_address[0]),
            connection=getattr(handler.server.connection, "id", 0),  # type: ignore[attr-defined]
        )
        if request.path.startswith("/_simulator/"):
            self._send(handler, self._handle_control(request))
            return
        try:
            local = str(handler.connection.getsockname()[0])
        except OSError:
            local = ""
        target = self.serving(local)
        if target is None:
            # Nothing answers management at this address (any more): the client sees
            # the connection end without an answer, as with an address that is gone.
            handler.close_connection = True
            return
        target._answer(handler, request)

    def serving(self, address: str) -> SimServer | None:
        """The server that answers a request that reached this one at `address` (a
        pair's address answers on whichever unit is Active), or None: no answer."""
        return self if self.answers(address) else None

    def _answer(self, handler: BaseHTTPRequestHandler, request: Request) -> None:
        """Latency, faults, routing and the request log of the server that answers."""
        if self.latency_s > 0:
            self._stopping.wait(self.latency_s)
        rule = self._take_fault(request.method, request.path)
        if rule is not None and rule.kind == "drop":
            self._record(request, 0)
            self._observe(request, None)
            handler.close_connection = True
            return
        if rule is not None and rule.kind == "hang":
            if self._stopping.wait(rule.seconds):
                handler.close_connection = True
                return

        if rule is not None and rule.kind == "fail":
            self.fault_effect(rule, request)
            response = self.error(rule.status, rule.code, rule.message, rule.headers, request)
        else:
            response = self._route_safely(request)
        self._record(request, response.status)
        self._observe(request, response)
        self._send(handler, response)

    def _observe(self, request: Request, response: Response | None) -> None:
        observer = SimServer.observer
        if observer is not None:
            observer(self, request, response)

    def _route_safely(self, request: Request) -> Response:
        try:
            return self.route(request)
        except ApiError as exc:
            return self.error(exc.status, exc.code, exc.message, exc.headers, request)
        except Exception:  # a simulator bug must still answer, as a real 500 would
            log.exception("simulator %s failed on %s %s", self.name, request.method, request.path)
            return self.error(*self.INTERNAL, "Internal error in the simulator.", request=request)

    def _handle_control(self, request: Request) -> Response:
        try:
            if request.method != "POST":
                raise ApiError(405, "METHOD_NOT_ALLOWED", "Use POST /_simulator/{action}.")
            if not ipaddress.ip_address(request.client_ip.split("%")[0]).is_loopback:
                raise ApiError(403, "FORBIDDEN", "The control surface only answers loopback.")
            body = request.json(lambda m: ApiError(400, "INVALID_REQUEST", m)) or {}
            if not isinstance(body, dict):
                raise ApiError(400, "INVALID_REQUEST", "The body must be a JSON object.")
            action = request.path.removeprefix("/_simulator/").strip("/")
            try:
                result = self.control(action, body)
            except (ValueError, KeyError, TypeError) as exc:
                raise ApiError(400, "INVALID_REQUEST", str(exc)) from None
            return Response(200, {"ok": True, "action": action, "result": result})
        except ApiError as exc:
            return Response(exc.status, {"error": {"code": exc.code, "message": exc.message}})

    def _record(self, request: Request, status: int) -> None:
        try:
            body = json.loads(request.raw_body) if request.raw_body.strip() else None
        except (ValueError, UnicodeDecodeError):
            body = None
        record = RequestRecord(
            request.method, request.path, status, _redact_body(body), request.connection
        )
        with self._log_lock:
            self._log.append(record)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, response: Response) -> None:
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        try:
            handler.send_response(response.status)
            if response.body is not None:
                handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if payload and handler.command != "HEAD":
                handler.wfile.write(payload)
            handler.wfile.flush()
        except (OSError, ssl.SSLError):
            handler.close_connection = True
