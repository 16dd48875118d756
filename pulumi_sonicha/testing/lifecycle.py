"""A stack's whole lifecycle without the Pulumi CLI: preview, up, refresh, destroy.

`Lifecycle` plays the engine's part for dynamic resources. It runs the
program's `__main__.py` in this process under the SDK's mock monitor
(`pulumi.runtime.mocks.MockMonitor`), with the stack config set the way the
language host sets it; each resource the program registers reaches
`Mocks.new_resource`, which does what the engine's step generator does:
`Check`, then `Create` for a new resource or `Diff` and `Update` / replace /
nothing for a known one, against a real provider host (`ProviderHost`).
State lives in a JSON file, one entry per resource (urn, type, id, checked
inputs with `__provider`, outputs, order).

Emulated faithfully: program order (a resource registers only once the
outputs it consumes resolve, so program order is a valid dependency order),
`Check` olds/news, `Diff` with old outputs, unknowns in preview (outputs a
create or update cannot know resolve as unknown in the program, `Check` and
`Diff` see them), `replaces` counting only when `changes`, delete-before-replace
(from the diff or the resource option), create-before-delete replacements whose
old resource is deleted at the end of the update, deletion of resources the
program no longer declares (reverse order), `Read` for refresh (empty id =
gone, returned inputs replace the old ones; drift only where the provider's
`Diff` of what was read against the prior inputs reports a change, as in the
engine's refresh diff, so changed outputs alone never count), per-step state
saving (a failed step leaves what succeeded), secret re-marking of outputs
named like secret inputs and of `additional_secret_outputs`.

Not emulated: parallel registration (one resource at a time), component
resources (registered as plain containers, not persisted), non-dynamic custom
resources (inputs returned as outputs with a fake id, not persisted),
`Resource.get`/import, invokes, transforms, aliases, `depends_on` ordering
beyond program order, dependents of a delete-before-replace resource, retries,
timeouts, `protect`, `ignore_changes`, `retain_on_delete`, `deleted_with`,
and secrets encryption in the state file.

Secrets in the state file: a value that equals (or contains) the value of a
secret config key is written as the engine writes a secret,
`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
"ciphertext": "[secret]", "template": "[secret:<key>]"}`; the template names
the config key so a later run restores the value from the current config.
Caveat: when that secret's value changes between runs of separate `Lifecycle`
objects, the old value cannot be recovered and no diff shows for it. Other
values the program marks secret are stored in plain text.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import json
import os
import runpy
import sys
import threading
from collections import Counter as _Tally
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import empty_pb2
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import engine_pb2
from pulumi.runtime.stack import run_in_stack

from .host import (
    PROVIDER_KEY,
    HarnessError,
    ProviderHost,
    config_value,
    pickler_guard,
    redact,
)

DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"

# Step operations.
CREATE = "create"
UPDATE = "update"
REPLACE = "replace"
DELETE = "delete"
SAME = "same"
READ = "read"  # refresh: read back, nothing changed
DRIFT = "drift"  # refresh: outputs changed outside Pulumi
GONE = "gone"  # refresh: the object no longer exists
_NO_CHANGE = {SAME, READ}

_SIG_KEY = "4dabf18193072939515e22adb298388d"  # pulumi.runtime.rpc._special_sig_key
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # pulumi.runtime.rpc._special_secret_sig
_MIN_EMBEDDED_SECRET = 4  # shorter secret values are scrubbed only on exact match
_UNTOUCHED = 1 << 32  # order offset of resources a run has not registered (yet)

# One program run at a time per process: it changes the cwd, sys.path and the
# SDK's module-level serialize_provider.
_RUN_LOCK = threading.Lock()


class LifecycleError(HarnessError):
    """An operation failed; `result` holds the steps done before the failure."""

    def __init__(
        self,
        message: str,
        *,
        resource: str | None = None,
        urn: str | None = None,
        op: str | None = None,
    ) -> None:
        super().__init__(message)
        self.resource = resource
        self.urn = urn
        self.op = op
        self.result: Result | None = None


class _Halted(Exception):
    """A registration refused because an earlier step failed (not reported)."""


# -- results -------------------------------------------------------------------
@dataclass
class Step:
    """What happened (or, in a preview, would happen) to one resource.

    `diff_keys` lists the inputs that changed (for `drift`: the outputs);
    `inputs` are the checked inputs without `__provider` (with
    `pulumi.output.Unknown` values in a preview), `outputs` the outputs after
    the step (None in a preview).
    """

    name: str
    type: str
    op: str
    replaces: list[str] = field(default_factory=list)
    diff_keys: list[str] = field(default_factory=list)
    error: str | None = None
    urn: str = ""
    delete_before_replace: bool = False
    inputs: dict[str, Any] | None = None
    outputs: dict[str, Any] | None = None


@dataclass
class Result:
    """The steps of one operation, and the program's exports."""

    operation: str
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    diagnostics: list[str] = field(default_factory=list)

    @property
    def changes(self) -> dict[str, int]:
        """Count per operation, without the ones that change nothing."""
        return dict(_Tally(s.op for s in self.steps if s.op not in _NO_CHANGE and s.error is None))

    @property
    def failures(self) -> list[Step]:
        """Steps that failed (at most one per operation: the engine stops there)."""
        return [s for s in self.steps if s.error is not None]

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def ops_for(self, name: str) -> list[str]:
        """The operations on the resource called `name`, in order."""
        return [s.op for s in self.steps if s.name == name]

    def step(self, name: str) -> Step:
        """The last step on the resource called `name`."""
        for candidate in reversed(self.steps):
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def drift(self) -> dict[str, list[str]]:
        """Refresh: resource name -> output keys that changed outside Pulumi, for the
        resources whose provider `Diff` calls that a change (outputs alone are not)."""
        return {s.name: s.diff_keys for s in self.steps if s.op == DRIFT}

    @property
    def gone(self) -> list[str]:
        """Refresh: resources that no longer exist."""
        return [s.name for s in self.steps if s.op == GONE]


# -- value helpers ---------------------------------------------------------------
def values_equal(a: Any, b: Any) -> bool:
    """Deep equality that treats 1000 and 1000.0 alike and unknowns as different."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Top-level keys whose values differ (ignoring `__provider`)."""
    keys = (set(old) | set(new)) - {PROVIDER_KEY}
    return sorted(k for k in keys if not values_equal(old.get(k), new.get(k)))


def _without_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


def _unwrap_secrets(props: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Plain values, and the keys that were secret (the SDK pushes secrecy up)."""
    plain: dict[str, Any] = {}
    secret: set[str] = set()
    for key, value in props.items():
        if rpc.is_rpc_secret(value):
            secret.add(key)
        plain[key] = rpc.unwrap_rpc_secret(value)
    return plain, secret


def _wrap_secrets(props: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    keys = set(keys) - {PROVIDER_KEY}
    return {k: rpc.wrap_rpc_secret(v) if k in keys else v for k, v in props.items()}


class _Secrets:
    """The secret config values, and how they are kept out of files and texts."""

    def __init__(self, config: Mapping[str, str], secret_keys: Iterable[str]) -> None:
        self.by_key = {k: config[k] for k in secret_keys if config.get(k)}

    def redact(self, text: str) -> str:
        return redact(text, self.by_key.values())

    def _matches(self, text: str) -> list[str]:
        return [
            key
            for key, secret in self.by_key.items()
            if text == secret or (len(secret) >= _MIN_EMBEDDED_SECRET and secret in text)
        ]

    def scrub(self, value: Any) -> Any:
        """`value` fit for the state file: secret config values replaced by placeholders."""
        if isinstance(value, Unknown):
            raise HarnessError("an unknown value cannot be stored in the state file")
        if isinstance(value, str):
            keys = self._matches(value)
            if not keys:
                return value
            template = value
            for key in sorted(keys, key=lambda k: len(self.by_key[k]), reverse=True):
                template = template.replace(self.by_key[key], f"[secret:{key}]")
            return {_SIG_KEY: _SECRET_SIG, "ciphertext": "[secret]", "template": template}
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return value

    def restore(self, value: Any) -> Any:
        """Undo `scrub` where the current config still holds the secret."""
        if isinstance(value, dict):
            if value.get(_SIG_KEY) == _SECRET_SIG and "template" in value:
                text = str(value["template"])
                for key, secret in self.by_key.items():
                    text = text.replace(f"[secret:{key}]", secret)
                return value if "[secret:" in text else text
            return {k: self.restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.restore(v) for v in value]
        return value

    def leaked_into_pickle(self, provider: Any) -> str | None:
        """The secret config key whose value the pickled provider contains, if any."""
        if not isinstance(provider, str):
            return None
        try:
            raw = base64.b64decode(provider)
        except ValueError:
            return None
        for key, secret in self.by_key.items():
            if len(secret) >= _MIN_EMBEDDED_SECRET and secret.encode() in raw:
                return key
        return None


# -- state -----------------------------------------------------------------------
@dataclass
class _Resource:
    urn: str
    name: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    order: int
    pending_delete: bool = False


@dataclass
class _State:
    resources: list[_Resource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)

    def live(self, urn: str) -> _Resource | None:
        for res in self.resources:
            if res.urn == urn and not res.pending_delete:
                return res
        return None

    def ordered(self) -> list[_Resource]:
        return sorted(self.resources, key=lambda r: r.order)

    def remove(self, res: _Resource) -> None:
        self.resources = [r for r in self.resources if r is not res]

    def to_json(self, secrets: _Secrets, project: str, stack: str) -> dict[str, Any]:
        resources = []
        for index, res in enumerate(self.ordered()):
            entry: dict[str, Any] = {
                "urn": res.urn,
                "name": res.name,
                "type": res.type,
                "id": res.id,
                "order": index,
                "inputs": secrets.scrub(res.inputs),
                "outputs": secrets.scrub(res.outputs),
            }
            if res.pending_delete:
                entry["pending_delete"] = True
            resources.append(entry)
        return {
            "version": 1,
            "project": project,
            "stack": stack,
            "resources": resources,
            "outputs": secrets.scrub(self.outputs),
            "secret_outputs": sorted(self.secret_outputs),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], secrets: _Secrets) -> _State:
        resources = [
            _Resource(
                urn=entry["urn"],
                name=entry["name"],
                type=entry["type"],
                id=entry["id"],
                inputs=secrets.restore(entry.get("inputs") or {}),
                outputs=secrets.restore(entry.get("outputs") or {}),
                order=int(entry.get("order", index)),
                pending_delete=bool(entry.get("pending_delete")),
            )
            for index, entry in enumerate(data.get("resources") or [])
        ]
        return cls(
            resources=resources,
            outputs=secrets.restore(data.get("outputs") or {}),
            secret_outputs=set(data.get("secret_outputs") or []),
        )


# -- running a program -------------------------------------------------------------
class _EngineLog:
    """Stands in for the engine's Log service: keeps the program's messages."""

    _SEVERITY = {
        engine_pb2.INFO: "info",
        engine_pb2.WARNING: "warning",
        engine_pb2.ERROR: "error",
    }

    def __init__(self) -> None:
        self.messages: list[str] = []

    def Log(self, request: Any) -> None:  # noqa: N802 - gRPC method name
        severity = self._SEVERITY.get(request.severity)
        if severity is not None:
            self.messages.append(f"{severity}: {request.message}")


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
) -> _ProgramOutcome:
    """Run `program` like the Python language host, registering through `mocks`.

    The program runs in a thread of its own (fresh context variables and
    event loop, so runs do not leak into each other or the caller), the way
    `pulumi.automation`'s inline language server runs one: configure the
    runtime, set the config, `run_in_stack`. Resource registrations execute
    on a single worker thread, so they reach `mocks` one at a time, in the
    order the program makes them.
    """
    monitor = monitor or _Monitor(mocks)
    log = _EngineLog()
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
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pulumi-register")
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

    def guarded_main() -> None:
        try:
            main()
        except BaseException as exc:  # noqa: BLE001
            outcome.setdefault("error", exc)

    with _RUN_LOCK, _program_environment(project_dir), _clean_provider_pickling():
        thread = threading.Thread(target=guarded_main, name="pulumi-program")
        thread.start()
        thread.join()

    exports, secret_exports = _unwrap_secrets(monitor.stack_outputs)
    return _ProgramOutcome(exports, secret_exports, log.messages, outcome.get("error"))


# -- the engine's part -------------------------------------------------------------
class _Deployment(Mocks):
    """Registrations of one program run turned into provider calls (one `up` or preview)."""

    def __init__(
        self,
        state: _State,
        host: Callable[[], ProviderHost],
        secrets: _Secrets,
        *,
        preview: bool,
        save: Callable[[], None],
    ) -> None:
        self.state = state
        self.host = host
        self.secrets = secrets
        self.preview = preview
        self.save = save
        self.monitor = _Monitor(self)
        self.steps: list[Step] = []
        self.registered: set[str] = set()
        self.replaced: list[_Resource] = []
        self.failure: LifecycleError | None = None
        # The engine's new snapshot lists the resources registered by this run in
        # registration order, then the old ones the run has not touched.
        for index, res in enumerate(state.ordered()):
            res.order = _UNTOUCHED + index
        self._order = 0
        self._lock = threading.Lock()

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        raise LifecycleError(f"invokes are not emulated (the program called {args.token})")

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        request = self.monitor.current_request()
        with self._lock:
            if self.failure is not None:
                raise _Halted(f"{args.name}: not registered, an earlier step failed")
            if request is None:  # Resource.get of a non-dynamic type
                return args.resource_id or f"{args.name}-id", dict(args.inputs)
            if not args.custom:
                return None, dict(args.inputs)  # component resource: a container only
            if not args.typ.startswith(DYNAMIC_TYPE_PREFIX):
                return f"{args.name}-id", dict(args.inputs)  # not ours to emulate
            urn = self.monitor.make_urn(request.parent, args.typ, args.name)
            try:
                if urn in self.registered:
                    raise LifecycleError(f"duplicate resource URN {urn}", resource=args.name)
                self.registered.add(urn)
                if request.importId:
                    raise LifecycleError(
                        f"{args.name}: import is not emulated", resource=args.name, urn=urn
                    )
                return self._register(urn, args, request)
            except LifecycleError as exc:
                self.failure = exc
                raise
            except Exception as exc:
                self.failure = self._failed(args.name, args.typ, urn, "register", exc)
                raise self.failure from None

    def _failed(self, name: str, type_: str, urn: str, op: str, exc: Exception) -> LifecycleError:
        message = self.secrets.redact(str(exc))
        self.steps.append(Step(name, type_, op, error=message, urn=urn))
        return LifecycleError(
            f"{name} ({type_}): {op} failed: {message}", resource=name, urn=urn, op=op
        )

    def _next_order(self) -> int:
        self._order += 1
        return self._order - 1

    def _register(self, urn: str, args: MockResourceArgs, request: Any) -> tuple[str, dict]:
        name, type_ = args.name, args.typ
        news, secret_inputs = _unwrap_secrets(args.inputs)
        leaked = self.secrets.leaked_into_pickle(news.get(PROVIDER_KEY))
        if leaked:
            raise LifecycleError(
                f"{name} ({type_}): the pickled provider contains the value of secret config"
                f" {leaked!r}; read credentials in configure(), keep the instance empty",
                resource=name,
                urn=urn,
            )
        secret_outputs = secret_inputs | set(request.additionalSecretOutputs)
        host = self.host()
        old = self.state.live(urn)
        try:
            checked = host.check(urn, old.inputs if old else {}, news)
        except HarnessError as exc:
            raise self._failed(name, type_, urn, "check", exc) from None
        if checked.failures:
            reasons = "; ".join(f"{prop}: {reason}" for prop, reason in checked.failures)
            self.steps.append(Step(name, type_, "check", error=reasons, urn=urn))
            raise LifecycleError(
                f"{name} ({type_}): invalid inputs: {self.secrets.redact(reasons)}",
                resource=name,
                urn=urn,
                op="check",
            )
        inputs = checked.inputs
        shown = _without_provider(inputs)

        if old is None:
            step = Step(name, type_, CREATE, urn=urn, inputs=shown)
            if self.preview:
                self.steps.append(step)
                return "", _wrap_secrets(inputs, secret_outputs)
            try:
                id_, outs = host.create(urn, inputs)
            except HarnessError as exc:
                raise self._failed(name, type_, urn, CREATE, exc) from None
            return self._created(step, id_, inputs, outs, secret_outputs)

        try:
            diff = host.diff(urn, old.id, old.outputs, inputs, old_inputs=old.inputs)
        except HarnessError as exc:
            raise self._failed(name, type_, urn, "diff", exc) from None
        diff_keys = changed_keys(old.inputs, inputs) or [
            k for k in changed_keys(old.outputs, inputs) if k in inputs
        ]
        # DIFF_UNKNOWN: the engine falls back to comparing old and new inputs.
        changes = (
            diff.changes if diff.changes is not None else bool(changed_keys(old.inputs, inputs))
        )
        if not changes:
            self.steps.append(Step(name, type_, SAME, urn=urn, inputs=shown, outputs=None))
            if not self.preview:
                old.inputs = inputs
                old.order = self._next_order()
                self.steps[-1].outputs = _without_provider(old.outputs)
            return old.id, _wrap_secrets(old.outputs, secret_outputs)

        replaces = list(diff.replaces) if diff.changes else []
        if replaces:
            dbr = bool(diff.delete_before_replace or request.deleteBeforeReplace)
            step = Step(
                name,
                type_,
                REPLACE,
                replaces=replaces,
                diff_keys=sorted(set(diff_keys) | set(replaces)),
                urn=urn,
                delete_before_replace=dbr,
                inputs=shown,
            )
            if self.preview:
                self.steps.append(step)
                return "", _wrap_secrets(inputs, secret_outputs)
            try:
                if dbr:
                    host.delete(urn, old.id, old.outputs, old_inputs=old.inputs)
                    self.state.remove(old)
                    self.save()
                id_, outs = host.create(urn, inputs)
            except HarnessError as exc:
                raise self._failed(name, type_, urn, REPLACE, exc) from None
            if not dbr:
                old.pending_delete = True  # deleted at the end of the update
                self.replaced.append(old)
            return self._created(step, id_, inputs, outs, secret_outputs)

        step = Step(name, type_, UPDATE, diff_keys=diff_keys, urn=urn, inputs=shown)
        if self.preview:
            self.steps.append(step)
            return old.id, _wrap_secrets(inputs, secret_outputs)
        try:
            outs = host.update(urn, old.id, old.outputs, inputs, old_inputs=old.inputs)
        except HarnessError as exc:
            raise self._failed(name, type_, urn, UPDATE, exc) from None
        old.inputs, old.outputs, old.order = inputs, outs, self._next_order()
        self.save()
        step.outputs = _without_provider(outs)
        self.steps.append(step)
        return old.id, _wrap_secrets(outs, secret_outputs)

    def _created(
        self,
        step: Step,
        id_: str,
        inputs: dict[str, Any],
        outs: dict[str, Any],
        secret_outputs: Any,
    ) -> tuple[str, dict[str, Any]]:
        """Record a resource the provider just created (a create or a replacement)."""
        self.state.resources.append(
            _Resource(step.urn, step.name, step.type, id_, inputs, outs, self._next_order())
        )
        self.save()
        step.outputs = _without_provider(outs)
        self.steps.append(step)
        return id_, _wrap_secrets(outs, secret_outputs)

    def deletions(self) -> list[_Resource]:
        """What the update deletes at its end, in reverse order."""
        doomed = [
            r for r in self.state.resources if r.pending_delete or r.urn not in self.registered
        ]
        return sorted(doomed, key=lambda r: r.order, reverse=True)


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


# -- the stack -----------------------------------------------------------------------
class Lifecycle:
    """One stack of a Pulumi Python project, driven like `pulumi preview/up/refresh/destroy`.

    Within `with stack:` one provider host serves every operation, configured
    once with the stack config (as the engine configures it once per run);
    changing the config restarts it. Outside a `with` block each operation
    starts and stops its own host. `config` keys without a namespace get the
    project's (`count` -> `<project>:count`); values become strings.
    """

    def __init__(
        self,
        project_dir: str | os.PathLike[str],
        config: Mapping[str, Any] | None = None,
        secret_keys: Iterable[str] = (),
        state_file: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        stack: str = "dev",
        *,
        python: str = sys.executable,
    ) -> None:
        self.project_dir = Path(project_dir).resolve()
        self.project, self.program = read_project(self.project_dir)
        self.stack = stack
        self.env = dict(env or {})
        self.python = python
        self.state_file = Path(
            state_file or self.project_dir / ".pulumi-harness" / f"{stack}.json"
        ).resolve()
        self._config = {self.config_key(k): config_value(v) for k, v in (config or {}).items()}
        self._secret_keys = {self.config_key(k) for k in secret_keys}
        self._host: ProviderHost | None = None
        self._host_config: tuple[dict[str, str], set[str]] | None = None
        self._entered = False
        self._state: _State | None = None
        self._written: str | None = None
        self._outputs: dict[str, Any] | None = None

    # -- config ----------------------------------------------------------------
    def config_key(self, key: str) -> str:
        """`key` with the project namespace when it has none."""
        return key if ":" in key else f"{self.project}:{key}"

    @property
    def config(self) -> dict[str, str]:
        return dict(self._config)

    @property
    def secret_keys(self) -> set[str]:
        return set(self._secret_keys)

    def set_config(self, key: str, value: Any, *, secret: bool = False) -> None:
        """`pulumi config set [--secret] key value`."""
        full = self.config_key(key)
        self._config[full] = config_value(value)
        if secret:
            self._secret_keys.add(full)
        else:
            self._secret_keys.discard(full)

    def remove_config(self, key: str) -> None:
        """`pulumi config rm key`."""
        full = self.config_key(key)
        self._config.pop(full, None)
        self._secret_keys.discard(full)

    @property
    def _secrets(self) -> _Secrets:
        return _Secrets(self._config, self._secret_keys)

    # -- provider host -----------------------------------------------------------
    def __enter__(self) -> Lifecycle:
        self._provider_host()
        self._entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._entered = False
        self.close()

    def close(self) -> None:
        """Stop the provider host, if one runs."""
        if self._host is not None:
            self._host.close()
            self._host = None

    def _provider_host(self) -> ProviderHost:
        wanted = (dict(self._config), set(self._secret_keys))
        if self._host is not None and (self._host_config != wanted or not self._host.running):
            self.close()
        if self._host is None:
            host = ProviderHost(self.project_dir, self.env, self.python, project=self.project)
            host.start()
            try:
                host.configure(self._config, self._secret_keys)
            except BaseException:
                host.close()
                raise
            self._host, self._host_config = host, wanted
        return self._host

    @contextlib.contextmanager
    def _session(self) -> Iterator[Callable[[], ProviderHost]]:
        """A lazily started host for one operation (kept when inside `with`)."""
        lock = threading.Lock()

        def host() -> ProviderHost:
            with lock:
                return self._provider_host()

        try:
            yield host
        finally:
            if not self._entered:
                self.close()

    # -- state -------------------------------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        """The state file's content ({} before the first update)."""
        if not self.state_file.exists():
            return {}
        return json.loads(self.state_file.read_text())

    @property
    def outputs(self) -> dict[str, Any]:
        """The program's exports as of the last `up` (from the state file if none ran here)."""
        if self._outputs is not None:
            return dict(self._outputs)
        return dict(self._load().outputs)

    def _load(self) -> _State:
        if not self.state_file.exists():
            self._state, self._written = _State(), None
            return self._state
        text = self.state_file.read_text()
        if self._state is None or text != self._written:
            # Someone else wrote the file: start over from it.
            self._state = _State.from_json(json.loads(text), self._secrets)
            self._written = text
        return self._state

    def _save(self) -> None:
        assert self._state is not None
        text = json.dumps(self._state.to_json(self._secrets, self.project, self.stack), indent=2)
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.state_file)
        self._written = text

    # -- operations ----------------------------------------------------------------
    def preview(self, refresh: bool = False) -> Result:
        """`pulumi preview [--refresh]`: Check/Diff (and Read) only; nothing written."""
        result = Result("preview")
        with self._session() as host:
            state = copy.deepcopy(self._load())
            if refresh:
                self._refresh(state, host, result, save=lambda: None)
            deployment = _Deployment(state, host, self._secrets, preview=True, save=lambda: None)
            self._run(deployment, result, preview=True)
            for res in deployment.deletions():
                result.steps.append(Step(res.name, res.type, DELETE, urn=res.urn))
        return result

    def up(self, refresh: bool = False) -> Result:
        """`pulumi up [--refresh]`: apply the program; state saved after every step."""
        result = Result("up")
        with self._session() as host:
            state = self._load()
            if refresh:
                self._refresh(state, host, result, save=self._save)
            deployment = _Deployment(state, host, self._secrets, preview=False, save=self._save)
            self._run(deployment, result, preview=False)
            replaced = {id(r) for r in deployment.replaced}
            for res in deployment.deletions():
                try:
                    host().delete(res.urn, res.id, res.outputs, old_inputs=res.inputs)
                except HarnessError as exc:
                    self._save()
                    raise self._error(result, res, DELETE, exc) from None
                state.remove(res)
                self._save()
                if id(res) not in replaced:
                    result.steps.append(Step(res.name, res.type, DELETE, urn=res.urn))
            state.outputs = dict(result.outputs)
            state.secret_outputs = set(result.secret_outputs)
            self._outputs = dict(result.outputs)
            self._save()
        return result

    def refresh(self) -> Result:
        """`pulumi refresh`: Read every resource, record drift and vanished objects."""
        result = Result("refresh")
        with self._session() as host:
            self._refresh(self._load(), host, result, save=self._save)
            self._save()
        return result

    def destroy(self) -> Result:
        """`pulumi destroy`: delete everything, last created first."""
        result = Result("destroy")
        with self._session() as host:
            state = self._load()
            for res in reversed(state.ordered()):
                try:
                    host().delete(res.urn, res.id, res.outputs, old_inputs=res.inputs)
                except HarnessError as exc:
                    self._save()
                    raise self._error(result, res, DELETE, exc) from None
                state.remove(res)
                self._save()
                result.steps.append(Step(res.name, res.type, DELETE, urn=res.urn))
            state.outputs, state.secret_outputs = {}, set()
            self._outputs = {}
            self._save()
        return result

    # -- internals -------------------------------------------------------------------
    def _error(self, result: Result, res: _Resource, op: str, exc: Exception) -> LifecycleError:
        message = self._secrets.redact(str(exc))
        result.steps.append(Step(res.name, res.type, op, error=message, urn=res.urn))
        error = LifecycleError(
            f"{res.name} ({res.type}): {op} failed: {message}",
            resource=res.name,
            urn=res.urn,
            op=op,
        )
        error.result = result
        return error

    def _refresh(
        self,
        state: _State,
        host: Callable[[], ProviderHost],
        result: Result,
        save: Callable[[], None],
    ) -> None:
        for res in state.ordered():
            try:
                id_, outs, inputs = host().read(res.urn, res.id, res.outputs, res.inputs)
            except HarnessError as exc:
                save()
                raise self._error(result, res, "refresh", exc) from None
            if not id_:
                state.remove(res)
                result.steps.append(Step(res.name, res.type, GONE, urn=res.urn))
            else:
                new_inputs = inputs if inputs is not None else res.inputs
                drift = changed_keys(res.outputs, outs) or changed_keys(res.inputs, new_inputs)
                try:
                    drifted = bool(drift) and self._drifted(host(), res, id_, outs, new_inputs)
                except HarnessError as exc:
                    save()
                    raise self._error(result, res, "refresh", exc) from None
                res.id, res.outputs, res.inputs = id_, outs, new_inputs
                result.steps.append(
                    Step(
                        res.name,
                        res.type,
                        DRIFT if drifted else READ,
                        diff_keys=drift if drifted else [],
                        urn=res.urn,
                        outputs=_without_provider(outs),
                    )
                )
            save()

    @staticmethod
    def _drifted(
        host: ProviderHost,
        res: _Resource,
        id_: str,
        outs: dict[str, Any],
        new_inputs: dict[str, Any],
    ) -> bool:
        """The engine's refresh diff: would an `up` of the unchanged program change anything?

        As the engine does (unless PULUMI_ENABLE_LEGACY_REFRESH_DIFF), the provider's
        Diff gets what was just read as the old side and the inputs from before the
        refresh as the new one. Outputs the provider does not compare (a link or HA
        status, a license list) change in state without counting as a change.
        """
        diff = host.diff(res.urn, id_, outs, res.inputs, old_inputs=new_inputs)
        if diff.changes is None:  # DIFF_UNKNOWN: the engine compares the inputs
            return bool(changed_keys(new_inputs, res.inputs))
        return diff.changes

    def _run(self, deployment: _Deployment, result: Result, *, preview: bool) -> None:
        outcome = run_program(
            self.program,
            self.project_dir,
            project=self.project,
            stack=self.stack,
            config=self._config,
            secret_keys=self._secret_keys,
            preview=preview,
            mocks=deployment,
            monitor=deployment.monitor,
        )
        result.steps.extend(deployment.steps)
        result.outputs = outcome.exports
        result.secret_outputs = outcome.secret_exports
        result.diagnostics = [self._secrets.redact(m) for m in outcome.diagnostics]
        if deployment.failure is not None:
            if not preview:
                self._save()
            deployment.failure.result = result
            raise deployment.failure
        if outcome.error is not None:
            if not preview:
                self._save()
            error = LifecycleError(
                "program failed: "
                + self._secrets.redact(f"{type(outcome.error).__name__}: {outcome.error}")
            )
            error.result = result
            raise error from outcome.error
