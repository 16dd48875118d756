"""Running a Pulumi Python program as the language host does, against a mock monitor.

`run_program` runs the project's `__main__.py` in a thread of its own under the
SDK's `MockMonitor` (`_Monitor` adds the raw request, for resource options, and
keeps the stack's exports), with the stack config set as the language host sets
it. `read_project` and `load_stack_config` read `Pulumi.yaml` and
`Pulumi.<stack>.yaml`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import runpy
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import empty_pb2
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import engine_pb2
from pulumi.runtime.stack import run_in_stack

from .host import HarnessError, config_value, pickler_guard
from .results import LifecycleError
from .secrets import _unwrap_secrets

DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"


# One program run at a time per process: it changes the cwd, sys.path and the
# SDK's module-level serialize_provider.
_RUN_LOCK = threading.Lock()


# -- running a program -------------------------------------------------------------
class _EngineLog:
    """Stands in for the engine's Log service: keeps the program's messages."""

    _SEVERITY = {
        engine_pb2.INFO: "info",
        engine_pb2.WARNING: "warning",
        engine_pb2.ERROR: "error",
    }

    def __init__(self, on_message: Callable[[str, str], None] | None = None) -> None:
        self.messages: list[str] = []
        self._on_message = on_message

    def Log(self, request: Any) -> None:  # noqa: N802 - gRPC method name
        severity = self._SEVERITY.get(request.severity)
        if severity is not None:
            self.messages.append(f"{severity}: {request.message}")
            if self._on_message is not None:
                self._on_message(severity, request.message)


class _Monitor(MockMonitor):
    """The SDK's mock monitor, also handing the raw request to the deployment
    (for resource options) and keeping the stack's exports."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self._local = threading.local()
        self.stack_outputs: dict[str, Any] = {}

    def current_request(self) -> Any:
        return getattr(self._local, "request", None)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802
        self._local.request = request
        try:
            return super().RegisterResource(request)
        finally:
            self._local.request = None

    def ReadResource(self, request: Any) -> Any:  # noqa: N802
        if request.type.startswith(DYNAMIC_TYPE_PREFIX):
            raise LifecycleError(
                f"{request.name}: reading an existing dynamic resource (get) is not emulated"
            )
        return super().ReadResource(request)

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802
        if request.urn.split("::")[2:3] == ["pulumi:pulumi:Stack"]:
            self.stack_outputs = dict(rpc.deserialize_properties(request.outputs, True))
        return empty_pb2.Empty()


@dataclass
class _ProgramOutcome:
    exports: dict[str, Any]
    secret_exports: set[str]
    diagnostics: list[str]
    error: BaseException | None


def _quiet_unretrieved(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Drop "exception was never retrieved" reports; pass anything else on.

    After a failed registration the SDK leaves futures holding the error; the
    run's outcome reports it once. Pulumi's language host mutes these too
    (`_suppress_unobserved_task_logging`), but by muting the global asyncio
    logger; a per-loop handler leaves other code's logging alone. (Logged from
    a garbage-collected future, the report formats a traceback, and CPython
    3.11's traceback calls `ast.parse`, which breaks an `ast.parse` the
    collection interrupted: "AST constructor recursion depth mismatch".)
    """
    if "never retrieved" not in str(context.get("message", "")):
        loop.default_exception_handler(context)


def _close_thread_loop() -> None:
    """Close the event loop the SDK's mock monitor made for this worker thread."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        return
    if not loop.is_running():
        loop.close()
    asyncio.set_event_loop(None)


@contextlib.contextmanager
def _clean_provider_pickling() -> Iterator[None]:
    """Guard each `serialize_provider` call of the run (see `pickler_guard`)."""
    import pulumi.dynamic.dynamic as dynamic

    original = dynamic.serialize_provider

    def serialize_provider(provider: Any) -> str:
        with pickler_guard():
            return original(provider)

    dynamic.serialize_provider = serialize_provider
    try:
        with pickler_guard():
            yield
    finally:
        dynamic.serialize_provider = original


@contextlib.contextmanager
def _program_environment(project_dir: Path) -> Iterator[None]:
    """cwd and sys.path as the language host sets them; project modules forgotten after."""
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    os.chdir(project_dir)
    sys.path.insert(0, str(project_dir))
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name in set(sys.modules) - saved_modules:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file and Path(file).resolve().is_relative_to(project_dir):
                del sys.modules[name]


def run_program(
    program: Path,
    project_dir: Path,
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Iterable[str],
    preview: bool,
    mocks: Mocks,
    monitor: _Monitor | None = None,
    on_interrupt: Callable[[], None] | None = None,
    parallel: int = 1,
    on_cancel: Callable[[], None] | None = None,
    on_message: Callable[[str, str], None] | None = None,
) -> _ProgramOutcome:
    """Run `program` like the Python language host, registering through `mocks`.

    The program runs in a thread of its own (fresh context variables and
    event loop, so runs do not leak into each other or the caller), the way
    `pulumi.automation`'s inline language server runs one: configure the
    runtime, set the config, `run_in_stack`. Resource registrations execute
    on `parallel` worker threads: with 1 (the default) they reach `mocks` one at
    a time, in the order the program makes them; with more, independent ones at
    once, as the engine steps them. `on_message` gets each (severity, message) the
    program logs, as it logs it.
    """
    monitor = monitor or _Monitor(mocks)
    log = _EngineLog(on_message)
    outcome: dict[str, BaseException] = {}

    def main() -> None:
        pulumi_settings.configure(
            pulumi_settings.Settings(
                project=project,
                stack=stack,
                monitor=monitor,
                engine=log,
                dry_run=preview,
                organization="organization",
                root_directory=str(project_dir),
            )
        )
        pulumi_settings.ROOT.set(None)
        set_all_config(dict(config), sorted(secret_keys))
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(_quiet_unretrieved)
        executor = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="pulumi-register")
        loop.set_default_executor(executor)
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(
                run_in_stack(lambda: runpy.run_path(str(program), run_name="__main__"))
            )
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            outcome["error"] = exc
        finally:
            for task in asyncio.all_tasks(loop):
                task.cancel()
                with contextlib.suppress(BaseException):
                    loop.run_until_complete(task)
            executor.submit(_close_thread_loop).result()
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
            asyncio.set_event_loop(None)

    done = threading.Event()

    def guarded_main() -> None:
        try:
            main()
        except BaseException as exc:  # noqa: BLE001
            outcome.setdefault("error", exc)
        finally:
            done.set()

    with _RUN_LOCK, _program_environment(project_dir), _clean_provider_pickling():
        thread = threading.Thread(target=guarded_main, name="pulumi-program")
        thread.start()
        join_like_the_cli(thread, done, on_cancel, on_interrupt)

    exports, secret_exports = _unwrap_secrets(monitor.stack_outputs)
    return _ProgramOutcome(exports, secret_exports, log.messages, outcome.get("error"))


def join_like_the_cli(
    thread: threading.Thread,
    done: threading.Event,
    on_cancel: Callable[[], None] | None,
    on_interrupt: Callable[[], None] | None,
) -> None:
    """Wait for `thread` (steps in flight; it sets `done` last), handling Ctrl-C as the
    Pulumi CLI does.

    The first Ctrl-C cancels (`on_cancel`: the engine schedules no new step) and the
    wait goes on, so the steps already running complete. A second one terminates
    (`on_interrupt`: the provider host gets SIGINT, what runs puts back what it can),
    and the interrupt is passed on once the thread has ended (at most 60 s). Without
    `on_cancel`, the first Ctrl-C terminates.

    The wait is on `done`, not `Thread.join`: a KeyboardInterrupt inside `join` marks
    the thread as ended while it still runs (CPython 3.11, bpo-45274's fix), and a
    second `join` would then return at once.
    """
    cancelled = on_cancel is None
    while True:
        try:
            done.wait()
            thread.join()
            return
        except KeyboardInterrupt:
            if not cancelled:
                cancelled = True
                assert on_cancel is not None
                on_cancel()
                continue
            if on_interrupt is not None:
                on_interrupt()
            done.wait(timeout=60)
            raise


# -- project files -------------------------------------------------------------------
def read_project(project_dir: str | os.PathLike[str]) -> tuple[str, Path]:
    """(project name, program file) from `Pulumi.yaml`."""
    directory = Path(project_dir)
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        file = directory / candidate
        if file.exists():
            break
    else:
        raise HarnessError(f"no Pulumi.yaml in {directory}")
    data = yaml.safe_load(file.read_text()) or {}
    name = data.get("name")
    if not name:
        raise HarnessError(f"{file}: no project name")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name not in (None, "python"):
        raise HarnessError(f"{file}: runtime {runtime_name!r} is not python")
    program = directory / str(data.get("main") or ".")
    if program.is_dir():
        program = program / "__main__.py"
    return str(name), program


def load_stack_config(
    project_dir: str | os.PathLike[str], stack: str
) -> tuple[dict[str, str], set[str]]:
    """Config of `Pulumi.<stack>.yaml`: (plain values, keys whose values are encrypted).

    Encrypted (`secure:`) values cannot be read here: pass them as secrets.
    """
    project, _ = read_project(project_dir)
    file = Path(project_dir) / f"Pulumi.{stack}.yaml"
    if not file.exists():
        return {}, set()
    entries = (yaml.safe_load(file.read_text()) or {}).get("config") or {}
    config: dict[str, str] = {}
    encrypted: set[str] = set()
    for key, value in entries.items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            encrypted.add(full)
        else:
            config[full] = config_value(value)
    return config, encrypted
