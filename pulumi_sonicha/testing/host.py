"""Drive the SDK's real dynamic-provider host over gRPC, as the Pulumi engine does.

For a dynamic resource the engine starts `python -u -m pulumi.dynamic` in the
project directory, reads the gRPC port from the host's first stdout line and
calls `pulumirpc.ResourceProvider`: `Configure` once with the whole stack
config (secrets wrapped), then `Check`, `Diff`, `Create`, `Read`, `Update`,
`Delete`, every request carrying the pickled provider in `__provider`.
`ProviderHost` does exactly that, so a provider is exercised through the same
pickling, property marshalling and error path as under `pulumi up`.

Like the engine, `ProviderHost` passes the host the address of an `Engine`
gRPC service as its argument (ours keeps what providers send to `Log`:
`diagnostics`), starts it in a process group of its own, and stops it the way
the engine's plugin `Close` does (`cmdutil.InterruptChildren`): SIGINT to the
group, then SIGKILL if it has not exited within 5 s.

Not emulated: the engine's `Handshake` (the Python host does not implement it)
and the `PULUMI_CONFIG` environment variable (providers read config in
`configure`). Like the engine, the host gets `PULUMI_PROJECT` when a project
is given, so `req.config.get("key")` resolves `<project>:key`.
"""

from __future__ import annotations

import array
import asyncio
import base64
import contextlib
import fcntl
import functools
import json
import os
import pickle
import pickletools
import re
import signal
import subprocess
import sys
import termios
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.runtime import rpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2, provider_pb2_grpc

from .. import errors
from ..errors import SonicHaError

PROVIDER_KEY = "__provider"
"""The property that carries the pickled provider on every call."""

# The SDK's own channel options (message size limit raised to 400 MB).
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]
_REDACTED = "[secret]"


class HarnessError(SonicHaError):
    """Root of the lifecycle harness's errors."""


class HostError(HarnessError):
    """The provider host could not start, or died."""


class ProviderError(HarnessError):
    """A provider method raised; `str()` is the provider's own message.

    The host reports a failing call as gRPC UNKNOWN whose details are the
    Python traceback; `details` keeps it (secrets redacted), `exc_type` names
    the exception class, `method` the RPC that failed.
    """

    def __init__(
        self, message: str, *, details: str, exc_type: str, method: str, urn: str = ""
    ) -> None:
        super().__init__(message)
        self.details = details
        self.exc_type = exc_type
        self.method = method
        self.urn = urn


@dataclass
class CheckOutcome:
    """What `Check` answered: normalized inputs and validation failures."""

    inputs: dict[str, Any]
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DiffOutcome:
    """What `Diff` answered; `changes` is None when the provider did not say."""

    changes: bool | None
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False


def config_value(value: Any) -> str:
    """A config value as the engine passes it: always a string."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every configured secret (and every credential the package registered)
    replaced by "[secret]"."""
    return errors.redact(text, secrets, mask=_REDACTED)


def split_urn(urn: str) -> tuple[str, str]:
    """(type, name) of `urn:pulumi:<stack>::<project>::<qualified type>::<name>`."""
    parts = urn.split("::", 3)
    if len(parts) != 4:
        return "", urn
    return parts[2].split("$")[-1], parts[3]


def provider_error_text(details: str) -> tuple[str, str]:
    """(exception type, message) of the last exception in a Python traceback."""
    lines = details.rstrip("\n").splitlines()
    start = 0
    for index, line in enumerate(lines):
        if line.startswith("  File "):
            start = index + 1
    while start < len(lines) and lines[start].startswith("    "):
        start += 1
    tail = "\n".join(lines[start:]).strip() or details.strip()
    match = re.match(r"([A-Za-z_][\w.]*)(?:: (.*))?\Z", tail, re.S)
    if match is None:
        return "", tail
    exc_type = match.group(1)
    return exc_type, (match.group(2) or exc_type).strip()


# -- pickling ------------------------------------------------------------------
_PICKLER_ATTRS = ("_batch_setitems", "save_dict")
_MISSING = object()


@contextlib.contextmanager
def pickler_guard() -> Iterator[None]:
    """Undo the pickler patches `serialize_provider` leaves behind.

    SDK 3.272 `pulumi/dynamic/dynamic.py` `serialize_provider` re-patches
    `pickle._Pickler._batch_setitems`/`save_dict` on every call, each patch
    wrapping the previous one; after ~970 calls in one process pickling hits
    RecursionError. Restoring the attributes around each call keeps one level.
    """
    saved = {name: pickle._Pickler.__dict__.get(name, _MISSING) for name in _PICKLER_ATTRS}
    saved_pickler = pickle.Pickler
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(pickle._Pickler, name)
            else:
                setattr(pickle._Pickler, name, value)
        pickle.Pickler = saved_pickler  # type: ignore[misc]


def provider_ref(provider: ResourceProvider) -> str:
    """`provider` serialized as a dynamic resource puts it in `__provider`."""
    from pulumi.dynamic.dynamic import serialize_provider

    with pickler_guard():
        return serialize_provider(provider)


# -- property marshalling ------------------------------------------------------
def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Serialize like the engine-facing SDK code (a private loop, as the host does)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def from_struct(struct: struct_pb2.Struct, keep_unknowns: bool = False) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns))


def _require_provider(props: Mapping[str, Any], what: str) -> None:
    if PROVIDER_KEY not in props:
        raise ValueError(
            f"{what} lacks {PROVIDER_KEY!r}: the engine sends the pickled provider on every"
            " call (build it with pulumi_sonicha.testing.provider_ref(provider))"
        )


def _unread(fd: int) -> int:
    """Bytes waiting in a pipe (FIONREAD)."""
    buf = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, buf, True)
    return buf[0]


@functools.lru_cache(maxsize=64)
def provider_module(ref: str) -> str | None:
    """The module of the provider class a `__provider` value names (pickled by
    reference: the module and class name are the first globals in it), or None."""
    try:
        strings: list[str] = []
        for op, arg, _ in pickletools.genops(base64.b64decode(ref)):
            if isinstance(arg, str):
                strings.append(arg)
            if op.name == "STACK_GLOBAL" and len(strings) >= 2:
                return strings[-2]
            if op.name == "GLOBAL" and isinstance(arg, str):
                return arg.split(" ", 1)[0]
    except Exception:  # noqa: BLE001 - not a pickle we can read: nothing to preload
        return None
    return None


STOP_GRACE_S = 5.0
"""How long the engine waits after SIGINT before it kills a plugin (plugin.go `Close`)."""


@contextlib.contextmanager
def _sigint_not_ignored() -> Iterator[None]:
    """A child inherits an ignored SIGINT (a harness started as a background job) and
    would then never see the engine's stop signal: un-ignore it around the start (only
    the main thread may; a `preexec_fn` would fork with our gRPC threads running)."""
    ignored = (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    )
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def _terminate(
    proc: subprocess.Popen[bytes], engine: grpc.Server | None = None, interrupted: Any = None
) -> None:
    # The pipes are left to the reader threads: closing a pipe another thread
    # is reading blocks until that read returns.
    if proc.poll() is None:
        # One SIGINT only: a second one while the host finishes an operation would
        # cut its clean-up short (Python aborts the wait for its threads).
        if not (interrupted and interrupted.is_set()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            proc.wait(timeout=5)
    if engine is not None:
        engine.stop(0)


class _EngineLog(engine_pb2_grpc.EngineServicer):
    """The engine's `Log` service as providers see it: messages kept, in order."""

    _SEVERITY = {
        engine_pb2.DEBUG: "debug",
        engine_pb2.INFO: "info",
        engine_pb2.WARNING: "warning",
        engine_pb2.ERROR: "error",
    }

    def __init__(self, lines: Any) -> None:  # events.HostLines
        self.messages: list[tuple[str, str]] = []
        self.received: list[str] = []  # every message as sent, for the leak check
        self._lock = threading.Lock()
        self._lines = lines

    def Log(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method name
        severity = self._SEVERITY.get(request.severity, "info")
        with self._lock:
            self.messages.append((severity, request.message))
            self.received.append(request.message)
        self._lines.message(severity, request.message)
        return empty_pb2.Empty()

    def take(self) -> list[tuple[str, str]]:
        with self._lock:
            taken, self.messages = self.messages, []
        return taken


class ProviderHost:
    """One `python -u -m pulumi.dynamic` process and a gRPC channel to it.

    Use as a context manager: the process is terminated on exit, also when
    the block raises (and, as a last resort, when the object is collected).
    """

    def __init__(
        self,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        python: str = sys.executable,
        *,
        project: str | None = None,
        start_timeout: float = 60.0,
        call_timeout: float | None = None,
        preload: tuple[str, ...] = (),
    ) -> None:
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        self.env = dict(env or {})
        self.python = python
        self.project = project
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        # Modules imported before the SDK's host runs (see `_command`).
        self.preload = tuple(preload)
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None
        self._stderr: list[bytes] = []
        self._stdout: list[bytes] = []
        self._readers: list[threading.Thread] = []
        self._secrets: set[str] = set()
        self._finalizer: weakref.finalize | None = None
        from .events import HostLines  # (imported here: the imports above are shared)

        # Lines as they come (stderr, Log), for the command's live display.
        self.lines = HostLines()
        self._engine_log = _EngineLog(self.lines)
        self._engine: grpc.Server | None = None
        self._interrupted = threading.Event()
        self._raw_errors: list[tuple[str, str]] = []  # (what failed, details as received)
        # Modules of the provider classes this host was sent (`__provider`).
        self.provider_modules: set[str] = set()

    # -- process -------------------------------------------------------------
    def start(self) -> ProviderHost:
        """Start the host like the engine does and wait until it serves."""
        if self._proc is not None:
            raise HostError("provider host already started")
        env = {**os.environ, **self.env}
        if self.project:
            env["PULUMI_PROJECT"] = self.project
        engine = grpc.server(futures.ThreadPoolExecutor(max_workers=1), options=_GRPC_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(self._engine_log, engine)
        engine_port = engine.add_insecure_port("127.0.0.1:0")
        engine.start()
        self._engine = engine
        with _sigint_not_ignored():
            proc = subprocess.Popen(
                self._command(f"127.0.0.1:{engine_port}"),
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group (as the engine does); 3.10 too
            )
        self._proc = proc
        self._finalizer = weakref.finalize(self, _terminate, proc, engine, self._interrupted)
        try:
            self.port = self._read_port(proc)
            self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=_GRPC_OPTIONS)
            grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
            self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
            self._stub.GetPluginInfo(empty_pb2.Empty(), timeout=self.start_timeout)
        except BaseException:
            self.close()
            raise
        return self

    def _command(self, engine: str) -> list[str]:
        """`python -u -m pulumi.dynamic <engine>`, as the engine starts it. With `preload`
        (a host started ahead for a later command, `Lifecycle`), the same module runs as
        `__main__` with the same arguments (`runpy.run_module(..., alter_sys=True)`, what
        `-m` does), after importing those modules, so the first call of its command does
        not pay for their import; what the provider sees is the same."""
        if not self.preload:
            return [self.python, "-u", "-m", "pulumi.dynamic", engine]
        code = (
            "import importlib, runpy\n"
            f"for name in {list(self.preload)!r}:\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except ImportError:\n"
            "        pass\n"
            "runpy.run_module('pulumi.dynamic', run_name='__main__', alter_sys=True)\n"
        )
        return [self.python, "-u", "-c", code, engine]

    def _read_port(self, proc: subprocess.Popen[bytes]) -> int:
        # The reader threads must not reference `self`, or the finalizer that
        # terminates a forgotten host could never run.
        first_line: list[bytes] = []
        got_line = threading.Event()
        stdout, stderr, lines = self._stdout, self._stderr, self.lines

        def read_stdout() -> None:
            assert proc.stdout is not None
            with proc.stdout:
                for index, line in enumerate(iter(proc.stdout.readline, b"")):
                    if index == 0:
                        first_line.append(line)
                        got_line.set()
                    else:
                        stdout.append(line)
            got_line.set()

        def read_stderr() -> None:
            assert proc.stderr is not None
            with proc.stderr:
                for chunk in iter(lambda: proc.stderr.read1(65536), b""):  # type: ignore[union-attr]
                    stderr.append(chunk)
                    lines.chunk(chunk)
            lines.end()

        for target in (read_stdout, read_stderr):
            thread = threading.Thread(target=target, name=f"provider-host-{target.__name__}")
            thread.daemon = True
            thread.start()
            self._readers.append(thread)
        if not got_line.wait(self.start_timeout) or not first_line:
            proc.poll()
            raise HostError(
                f"provider host did not print its port (exit code {proc.returncode}):\n"
                + self._stderr_tail()
            )
        text = first_line[0].decode(errors="replace").strip()
        if not text.isdigit():
            raise HostError(f"provider host printed {text!r} instead of a port")
        return int(text)

    def close(self) -> None:
        """Close the channel and terminate the host (idempotent)."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        if self._finalizer is not None:
            self._finalizer()  # runs _terminate once
        for thread in self._readers:
            thread.join(timeout=1)  # EOF follows the exit, unless a child holds the pipe
        self._readers = []

    def __enter__(self) -> ProviderHost:
        if self._proc is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def take_diagnostics(self) -> list[tuple[str, str]]:
        """(severity, message) the provider sent to the engine's Log since the last call,
        secrets redacted."""
        return [(sev, redact(msg, self._secrets)) for sev, msg in self._engine_log.take()]

    def interrupt(self) -> None:
        """SIGINT to the host's process group, as the engine stops a plugin (Ctrl-C, a
        cancelled run): an operation in flight puts back what it can and logs out."""
        if self._proc is not None and self._proc.poll() is None and not self._interrupted.is_set():
            self._interrupted.set()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGINT)

    def drain(self, timeout: float = 1.0) -> None:
        """Wait until the reader threads have taken what the host wrote so far (its
        pipes are empty twice in a row), so `stderr_text()` holds every line written
        before the last call returned, without waiting for the host to exit."""
        proc = self._proc
        if proc is None:
            return
        pipes = [p for p in (proc.stdout, proc.stderr) if p is not None and not p.closed]
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2 and time.monotonic() < deadline:
            try:
                pending = sum(_unread(pipe.fileno()) for pipe in pipes)
            except (OSError, ValueError):  # closed meanwhile: the readers hit EOF
                return
            quiet = quiet + 1 if pending == 0 else 0
            time.sleep(0.002)

    def captured_texts(self) -> dict[str, str]:
        """Everything the provider produced, as received (nothing redacted), by where it
        was seen: what the harness checks for secrets in plain text."""
        texts = {
            "the provider host's stderr": self.stderr_text(),
            "the provider host's stdout": self.stdout_text(),
            "a warning sent to the engine": "\n".join(self._engine_log.received),
        }
        for what, details in self._raw_errors:
            texts[f"the provider's error ({what})"] = details
        return texts

    def stderr_text(self) -> str:
        """Everything the host wrote to stderr so far (raw, not redacted)."""
        return b"".join(self._stderr).decode(errors="replace")

    def stdout_text(self) -> str:
        """What the host wrote to stdout after its port line."""
        return b"".join(self._stdout).decode(errors="replace")

    def _stderr_tail(self, lines: int = 30) -> str:
        return redact("\n".join(self.stderr_text().splitlines()[-lines:]), self._secrets)

    # -- calls ---------------------------------------------------------------
    def _request(
        self, cls: Any, urn: str, props: Mapping[str, Any], what: str, **fields: Any
    ) -> Any:
        """A request as the engine builds one: the resource's urn, name and type, and
        `fields`; `props` (where the pickled provider rides) must carry `__provider`,
        whose module this host will import (noted for hosts started ahead)."""
        _require_provider(props, what)
        ref = props.get(PROVIDER_KEY)
        module = provider_module(ref) if isinstance(ref, str) else None
        if module is not None:
            self.provider_modules.add(module)
        type_, name = split_urn(urn)
        return cls(urn=urn, name=name, type=type_, **fields)

    def _call(self, method: str, request: Any, urn: str = "") -> Any:
        if self._stub is None:
            raise HostError("provider host is not running (use it as a context manager)")
        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            raise self._error(exc, method, urn) from None

    def _error(self, exc: grpc.RpcError, method: str, urn: str) -> HarnessError:
        code = exc.code()  # type: ignore[attr-defined]
        details = exc.details() or ""  # type: ignore[attr-defined]
        self._raw_errors.append((f"{method} of {split_urn(urn)[1]}" if urn else method, details))
        if code == grpc.StatusCode.UNKNOWN and "Traceback" in details:
            exc_type, message = provider_error_text(details)
            return ProviderError(
                redact(message, self._secrets),
                details=redact(details, self._secrets),
                exc_type=exc_type,
                method=method,
                urn=urn,
            )
        state = "exited" if self._proc is not None and self._proc.poll() is not None else "failed"
        return HostError(
            f"{method} {state} ({code.name}): {redact(details, self._secrets)}\n"
            + self._stderr_tail()
        )

    def configure(self, config: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> None:
        """Send the stack config; values of `secret_keys` travel wrapped as secrets.

        Keys are namespaced (`sonicha:password`, `<project>:key`) and values
        strings, as the engine sends them. The host caches each provider
        configured on first use, so configure before any other call.
        """
        secret_keys = set(secret_keys)
        args: dict[str, Any] = {}
        for key, value in config.items():
            if ":" not in key:
                raise ValueError(f"config key {key!r} must be namespaced, e.g. 'project:{key}'")
            text = config_value(value)
            args[key] = rpc.wrap_rpc_secret(text) if key in secret_keys else text
            if key in secret_keys:
                self._secrets.add(text)
        request = provider_pb2.ConfigureRequest(
            args=to_struct(args), acceptSecrets=True, acceptResources=True
        )
        self._call("Configure", request)

    def add_secrets(self, values: Iterable[str]) -> None:
        """More values to redact from error texts."""
        self._secrets.update(v for v in values if v)

    def check(self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckOutcome:
        """`Check(olds = old inputs or {}, news = the program's inputs)`."""
        request = self._request(
            provider_pb2.CheckRequest,
            urn,
            news,
            "Check news",
            olds=to_struct(olds),
            news=to_struct(news),
            randomSeed=os.urandom(32),
        )
        response = self._call("Check", request, urn)
        return CheckOutcome(
            inputs=from_struct(response.inputs, keep_unknowns=True),
            failures=[(f.property, f.reason) for f in response.failures],
        )

    def diff(
        self,
        urn: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
    ) -> DiffOutcome:
        """`Diff(olds = old outputs, news = checked inputs)`."""
        request = self._request(
            provider_pb2.DiffRequest,
            urn,
            news,
            "Diff news",
            id=id_,
            olds=to_struct(olds),
            news=to_struct(news),
            old_inputs=to_struct(old_inputs or {}),
        )
        response = self._call("Diff", request, urn)
        changes = {
            provider_pb2.DiffResponse.DIFF_SOME: True,
            provider_pb2.DiffResponse.DIFF_NONE: False,
        }.get(response.changes)
        return DiffOutcome(
            changes=changes,
            replaces=list(response.replaces),
            delete_before_replace=response.deleteBeforeReplace,
        )

    def create(self, urn: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """`Create(checked inputs)` -> (id, outputs incl. `__provider`)."""
        request = self._request(
            provider_pb2.CreateRequest,
            urn,
            props,
            "Create properties",
            properties=to_struct(props),
            preview=False,
        )
        response = self._call("Create", request, urn)
        return response.id, from_struct(response.properties)

    def read(
        self,
        urn: str,
        id_: str,
        props: Mapping[str, Any],
        inputs: Mapping[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        """`Read(id, old outputs, old inputs)` -> (id or "" if gone, outputs, inputs or None)."""
        request = self._request(
            provider_pb2.ReadRequest,
            urn,
            {**(inputs or {}), **props},
            "Read properties",
            id=id_,
            properties=to_struct(props),
            inputs=to_struct(inputs or {}),
        )
        response = self._call("Read", request, urn)
        new_inputs = from_struct(response.inputs) if response.HasField("inputs") else None
        return response.id, from_struct(response.properties), new_inputs

    def update(
        self,
        urn: str,
        id_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`Update(id, old outputs, checked inputs)` -> new outputs."""
        request = self._request(
            provider_pb2.UpdateRequest,
            urn,
            news,
            "Update news",
            id=id_,
            olds=to_struct(olds),
            news=to_struct(news),
            old_inputs=to_struct(old_inputs or {}),
            preview=False,
        )
        return from_struct(self._call("Update", request, urn).properties)

    def delete(
        self,
        urn: str,
        id_: str,
        props: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
    ) -> None:
        """`Delete(id, old outputs)`."""
        request = self._request(
            provider_pb2.DeleteRequest,
            urn,
            props,
            "Delete properties",
            id=id_,
            properties=to_struct(props),
            old_inputs=to_struct(old_inputs or {}),
        )
        self._call("Delete", request, urn)
