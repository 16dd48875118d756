"""A stack's whole lifecycle without the Pulumi CLI: preview, up, refresh, destroy.

`Lifecycle` plays the engine's part for dynamic resources. It runs the
program's `__main__.py` in this process under the SDK's mock monitor
(`pulumi.runtime.mocks.MockMonitor`), with the stack config set the way the
language host sets it; each resource the program registers reaches
`Mocks.new_resource`, which does what the engine's step generator does:
`Check`, then `Create` for a new resource or `Diff` and `Update` / replace /
nothing for a known one, against a real provider host (`ProviderHost`): a new
one per command, as the CLI starts one per `preview`, `up`, `refresh` and
`destroy`, so nothing a provider keeps in memory outlives its command.
State lives in a JSON file, one entry per resource (urn, type, id, checked
inputs with `__provider`, outputs, order).

Where each part lives: `program` (running the program, reading Pulumi.yaml and
Pulumi.<stack>.yaml), `engine` (the plan and its steps), `state` (the state
file), `secrets` (secret config kept out of files and texts), `results` (Step,
Result, LifecycleError), `host` (the provider host over gRPC), `health` (the
opt-in health check of `--expect-healthy`).

Emulated faithfully: program order (a resource registers only once the
outputs it consumes resolve, so program order is a valid dependency order),
`Check` olds/news, `Diff` with old outputs, unknowns in preview (outputs a
create or update cannot know resolve as unknown in the program, `Check` and
`Diff` see them), `replaces` counting only when `changes`, delete-before-replace
(from the diff or the resource option), create-before-delete replacements whose
old resource is deleted at the end of the update, renames: a new name without
`aliases` is a create of the new resource and, at the end of the update, a
delete of the old one; with `aliases` (a name, a spec or a URN) the resource
found under an alias moves to its new name with no create and no delete;
`protect` (a replacement or delete of a protected resource fails the step,
a preview too) and `retain_on_delete` (state forgets the resource, no provider
Delete), deletion of resources the program no longer declares (reverse order),
`Read` for refresh (empty id = gone, returned inputs replace the old ones; drift
only where the provider's `Diff` of what was read against the prior inputs
reports a change, as in the engine's refresh diff, so changed outputs alone
never count; a drift step names the declared inputs that changed, with their
values), per-step state saving (a failed step leaves what succeeded), secret
re-marking of outputs named like secret inputs and of
`additional_secret_outputs`, parallel steps (`parallel=N`: registrations stepped
on N threads, the provider host serving their calls at once; the default 1 keeps
steps in program order), the engine's `Log` service (warnings a provider sends
there land in `Result.diagnostics`), Ctrl-C as the CLI takes it (the first cancels:
no new step starts and the running ones complete; the second stops the provider
host as the engine does, SIGINT to its process group, SIGKILL after 5 s; either
raises `LifecycleInterrupted` with the state of the steps that completed saved),
and a provider host per command.

Not emulated: component resources (registered as plain containers, not
persisted), non-dynamic custom resources (inputs returned as outputs with a fake
id, not persisted), `Resource.get`/import, invokes, transforms, `depends_on`
ordering beyond program order, dependents of a delete-before-replace resource,
parallel deletes (deletes run one at a time, last created first), retries,
timeouts, `ignore_changes`, `deleted_with`, and secrets encryption in the state
file.

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

import contextlib
import copy
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .engine import _Deployment
from .events import DIAGNOSTIC, DONE, FAILED, PLANNED, STARTED, Event
from .host import HarnessError, ProviderHost, config_value, redact
from .program import (
    DYNAMIC_TYPE_PREFIX,
    join_like_the_cli,
    load_stack_config,
    read_project,
    run_program,
)
from .results import (
    CREATE,
    DELETE,
    DRIFT,
    GONE,
    READ,
    REPLACE,
    SAME,
    UPDATE,
    LifecycleError,
    Result,
    SecretLeakError,
    Step,
    _without_provider,
    changed_keys,
    values_equal,
)
from .secrets import SECRET_ENV, _Secrets
from .state import _Resource, _State


class LifecycleInterrupted(LifecycleError):
    """Ctrl-C during an operation: canceled (the steps running completed, nothing more
    started) or, at a second Ctrl-C, the host stopped; state holds what completed."""


def _completed(result: Result) -> str:
    """"3 steps completed" / "1 step completed" / "no step completed": what this run did."""
    done = len([s for s in result.steps if s.error is None and s.op not in (SAME, READ)])
    if done == 0:
        return "no step completed"
    return "1 step completed" if done == 1 else f"{done} steps completed"


def holds(resources: Iterable[str]) -> str:
    """What a state file holds, in a summary's words."""
    names = list(resources)
    if not names:
        return "no resources"
    return f"{len(names)} resource{'s' if len(names) != 1 else ''} ({', '.join(names)})"


class _Cancelled(Exception):
    """The first Ctrl-C: the steps that were running have completed; stop here."""


CANCELLING = "^C received; cancelling. If you would like to terminate immediately, press ^C again."
"""What the Pulumi CLI prints at the first Ctrl-C (and `on_cancel` gets)."""


def _protected(res: _Resource) -> HarnessError:
    return HarnessError(
        f"unable to delete resource {res.urn}, as it is currently marked for protection"
        " (protect=True). Remove protect from the resource options and run `up` to record"
        " that first"
    )


__all__ = [
    "CREATE",
    "DELETE",
    "DRIFT",
    "DYNAMIC_TYPE_PREFIX",
    "GONE",
    "READ",
    "REPLACE",
    "SAME",
    "UPDATE",
    "Lifecycle",
    "LifecycleError",
    "LifecycleInterrupted",
    "Result",
    "SecretLeakError",
    "Step",
    "changed_keys",
    "load_stack_config",
    "read_project",
    "values_equal",
]


# -- hosts started ahead ---------------------------------------------------------------
class _SpareHosts:
    """Provider hosts started ahead of the command that will use them, one per kind
    (project directory, environment, interpreter), shared by every `Lifecycle` of this
    process: each command still gets a process of its own, configured and used by it
    alone, without waiting for it to start. Spares left at exit are stopped by their
    finalizers."""

    _KINDS = 4

    def __init__(self) -> None:
        self._by_key: dict[tuple[Any, ...], tuple[ProviderHost, threading.Thread]] = {}
        self._lock = threading.Lock()

    def start(self, key: tuple[Any, ...], make: Callable[[], ProviderHost]) -> None:
        with self._lock:
            if key in self._by_key:
                return
            host = make()
            starting = threading.Thread(target=self._start_quietly, args=(host,), daemon=True)
            starting.start()
            self._by_key[key] = (host, starting)
            evicted = list(self._by_key)[: -self._KINDS]
            old = [self._by_key.pop(k) for k in evicted]
        for host, starting in old:
            starting.join()
            host.close()

    def take(self, key: tuple[Any, ...]) -> ProviderHost | None:
        with self._lock:
            spare = self._by_key.pop(key, None)
        if spare is None:
            return None
        host, starting = spare
        starting.join()
        if host.running and host.port is not None:
            return host
        host.close()
        return None

    @staticmethod
    def _start_quietly(host: ProviderHost) -> None:
        with contextlib.suppress(Exception):  # taken only if it serves; else a new start
            host.start()


_SPARES = _SpareHosts()


# -- the stack -----------------------------------------------------------------------
class Lifecycle:
    """One stack of a Pulumi Python project, driven like `pulumi preview/up/refresh/destroy`.

    Each command starts its own provider host and configures it with the stack
    config, as the CLI does, and stops it when the command ends; `with stack:`
    only makes sure a host is stopped when the block raises. `config` keys without
    a namespace get the project's (`count` -> `<project>:count`); values become
    strings.
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
        parallel: int = 1,
        call_timeout: float | None = None,
        start_ahead: bool = True,
    ) -> None:
        self.project_dir = Path(project_dir).resolve()
        self.project, self.program = read_project(self.project_dir)
        self.stack = stack
        self.env = dict(env or {})
        self.python = python
        # Registrations stepped at once, and a refresh's reads (the engine's `--parallel`);
        # 1 keeps the steps in program order, which makes plans easy to assert on.
        self.parallel = max(1, int(parallel))
        self.state_file = Path(
            state_file or self.project_dir / ".pulumi-harness" / f"{stack}.json"
        ).resolve()
        self._config = {self.config_key(k): config_value(v) for k, v in (config or {}).items()}
        self._secret_keys = {self.config_key(k) for k in secret_keys}
        # Seconds a provider call may take before it fails (None: no limit, as the engine).
        self.call_timeout = call_timeout
        # Inside `with`, start the next command's provider host while this one ends
        # (False for a single command, e.g. the command-line tool).
        self.start_ahead = start_ahead
        # The provider host of the command in flight (or of the last one, stopped), and
        # inside `with` the one started ahead for the next command.
        self._host: ProviderHost | None = None
        self._entered = False
        self._stopping: list[threading.Thread] = []  # hosts of ended commands, exiting
        # Set by the first Ctrl-C of a command: no new step starts (the CLI's cancel).
        self._cancel = threading.Event()
        #: Called with the CLI's line at the first Ctrl-C (the command-line tool prints it).
        self.on_cancel: Callable[[str], None] | None = None
        #: Called with each `Event` as it happens: steps starting and ending, the provider
        #: host's diagnostics (stderr lines, warnings), the program's (the tool prints them).
        self.on_event: Callable[[Event], None] | None = None
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

    def _emit(self, event: Event) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _diagnostic(self, severity: str, text: str) -> None:
        """A line from the provider host or the program, shown redacted of every secret the
        harness knows (secret config, the passwords in the provider host's environment)."""
        if self.on_event is None:
            return
        env = {**os.environ, **self.env}
        secrets = [*self._secrets.by_key.values(), *(env.get(n, "") for n in SECRET_ENV)]
        self._emit(Event(DIAGNOSTIC, severity=severity, message=redact(text, secrets)))

    # -- provider host -----------------------------------------------------------
    def __enter__(self) -> Lifecycle:
        self._entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._entered = False
        self.close()

    def close(self) -> None:
        """Stop the provider host of the command in flight, if one runs, and wait for
        the hosts of ended commands to exit (each command stops its own when it ends)."""
        if self._host is not None:
            self._host.close()
        stopping, self._stopping = self._stopping, []
        for thread in stopping:
            thread.join()

    def _stop(self, host: ProviderHost) -> None:
        """Stop a command's host as the CLI does when the command ends (SIGINT, SIGKILL
        after 5 s). Inside `with`, in the background: every call has returned and its
        output is taken, so the next command need not wait for the process to exit;
        leaving the block waits for it."""
        if not self._entered:
            host.close()
            return
        stopping = threading.Thread(target=host.close, daemon=True)
        stopping.start()
        self._stopping.append(stopping)

    def _cancel_now(self) -> None:
        """The first Ctrl-C: start no new step; let the running ones complete."""
        self._cancel.set()
        if self.on_cancel is not None:
            self.on_cancel(CANCELLING)

    def _interrupt_now(self) -> None:
        """The second Ctrl-C: SIGINT to the provider host, as the CLI's exit stops it."""
        if self._host is not None:
            self._host.interrupt()

    def _cancel_point(self) -> None:
        """Between steps: after the first Ctrl-C, nothing more starts."""
        if self._cancel.is_set():
            raise _Cancelled

    def _step(self, call: Callable[[], Any]) -> Any:
        """One step outside the program (a delete, a refresh's reads), run so that Ctrl-C
        acts as in the CLI: the first lets it complete and starts nothing after it, the
        second stops the provider host (`join_like_the_cli`)."""
        self._cancel_point()
        box: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                box["value"] = call()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                box["error"] = exc
            finally:
                done.set()

        thread = threading.Thread(target=run, name="pulumi-step", daemon=True)
        thread.start()
        join_like_the_cli(
            thread,
            done,
            None if self._cancel.is_set() else self._cancel_now,
            self._interrupt_now,
        )
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _new_host(self, preload: tuple[str, ...] = ()) -> ProviderHost:
        return ProviderHost(
            self.project_dir,
            self.env,
            self.python,
            project=self.project,
            call_timeout=self.call_timeout,
            preload=preload,
        )

    def _host_key(self) -> tuple[Any, ...]:
        """What makes two hosts interchangeable before they are configured."""
        env = {**os.environ, **self.env}
        return (self.project_dir, tuple(sorted(env.items())), self.python, self.call_timeout)

    def _start_host(self) -> ProviderHost:
        """A new provider host for one command, configured with the stack config: the
        CLI starts one per `preview`, `up`, `refresh` and `destroy`, so nothing a
        provider keeps in memory (sessions, Digest nonces, portal tokens, run claims)
        outlives the command.

        Inside `with stack:` the process for the *next* command is started ahead, once
        this one ends (it is configured, and first used, only by that command): a new
        process per command without its start-up time in every test."""
        host = self._take_spare()
        if host is None:
            host = self._new_host()
            host.lines.listen(self._diagnostic)
            host.start()
        host.lines.listen(self._diagnostic)
        try:
            host.configure(self._config, self._secret_keys)
        except BaseException:
            host.close()
            raise
        self._host = host
        return host

    def _start_spare(self, modules: set[str]) -> None:
        """Inside `with`: start a host for a later command now (the ended command's
        host exits meanwhile), importing ahead the provider modules this one used."""
        if self._entered and self.start_ahead:
            _SPARES.start(self._host_key(), lambda: self._new_host(preload=tuple(sorted(modules))))

    def _take_spare(self) -> ProviderHost | None:
        return _SPARES.take(self._host_key())

    @contextlib.contextmanager
    def _session(self, result: Result) -> Iterator[Callable[[], ProviderHost]]:
        """The provider host of one command, started at its first provider call and
        stopped when the command ends (also inside `with`).

        The warnings providers sent to the engine's Log land in `result.diagnostics`.
        Ctrl-C (KeyboardInterrupt) stops the host as the engine does (SIGINT: an
        operation in flight puts back what it can and logs out), and raises
        `LifecycleInterrupted` with the steps that completed; their state is saved.
        """
        lock = threading.Lock()
        started: list[ProviderHost] = []

        def host() -> ProviderHost:
            with lock:
                if not started:
                    started.append(self._start_host())
                return started[0]

        self._cancel = threading.Event()
        failure: BaseException | None = None
        try:
            yield host
        except _Cancelled:
            failure = self._interrupted(
                result,
                "canceled (Ctrl-C): the steps that were running completed and nothing more"
                " was started",
            )
            raise failure from None
        except KeyboardInterrupt:
            for running in started:
                running.interrupt()
            self.close()
            self._collect(started, result)
            failure = self._interrupted(
                result,
                "interrupted: the provider host was stopped (SIGINT), what it was doing was"
                " put back or left for the next run",
            )
            raise failure from None
        except BaseException as exc:
            failure = exc
            raise
        finally:
            for running in started:
                running.drain()
            self._collect(started, result)
            leaks = self._leaks(started, result)
            for running in started:
                self._stop(running)
            self._start_spare({m for running in started for m in running.provider_modules})
            if leaks:
                leak = SecretLeakError(
                    f"{result.operation}: a secret appeared in plain text: {'; '.join(leaks)}."
                    " A provider must never put a password or token in an error, log line,"
                    " warning, output or state"
                )
                leak.result = result
                raise leak from failure

    def _interrupted(self, result: Result, what: str) -> LifecycleInterrupted:
        """Ctrl-C ended the command: the state of what completed saved (not by a
        preview), and the error that says so and what to do."""
        if result.operation == "preview":
            kept = "a preview writes nothing"
        else:
            if self._state is not None:
                self._save()
            kept = (
                f"{_completed(result)}; the state file {self.state_file} holds"
                f" {holds(r['name'] for r in self.state.get('resources', []))}"
            )
        error = LifecycleInterrupted(
            f"{result.operation} {what}: {kept}. Run it again: it compares with the units"
            " and does what is still to do"
        )
        error.result = result
        return error

    def _leaks(self, hosts: list[ProviderHost], result: Result) -> list[str]:
        """Every place a secret appears in plain text: what the provider host of this
        command produced, and the state file (not written by a preview)."""
        texts: dict[str, str] = {}
        for running in hosts:
            for where, text in running.captured_texts().items():
                texts[where] = texts.get(where, "") + text
        if result.operation != "preview" and self.state_file.exists():
            texts["the state file"] = self.state_file.read_text()
        return self._secrets.leaks(texts, {**os.environ, **self.env})

    def _collect(self, hosts: list[ProviderHost], result: Result) -> None:
        for running in hosts:
            for severity, message in running.take_diagnostics():
                result.diagnostics.append(f"{severity}: {self._secrets.redact(message)}")

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

    def resource_names(self) -> list[str]:
        """The resources the state file holds, in order (refused, naming both, when the
        file is another stack's)."""
        return [res.name for res in self._load().ordered()]

    def _load(self) -> _State:
        if not self.state_file.exists():
            self._state, self._written = _State(), None
            return self._state
        text = self.state_file.read_text()
        if self._state is None or text != self._written:
            # Someone else wrote the file: start over from it.
            data = json.loads(text)
            self._check_owner(data)
            self._state = _State.from_json(data, self._secrets)
            self._written = text
        return self._state

    def _check_owner(self, data: Mapping[str, Any]) -> None:
        """A state file is one stack's, as the CLI keeps one per stack: another stack's
        (or project's) would be planned against as if it were this one's (its resources
        deleted, this stack's created over them), and rewritten as this stack's."""
        stack, project = data.get("stack"), data.get("project")
        if (stack, project) == (self.stack, self.project) or (stack, project) == (None, None):
            return
        theirs = f"{project}/{stack}"
        raise HarnessError(
            f"the state file {self.state_file} is stack {theirs}'s, not"
            f" {self.project}/{self.stack}'s: give --stack {stack}"
            + ("" if project == self.project else f" and the --cwd of project {project}")
            + f" to work on {theirs}, or another --state for {self.project}/{self.stack}"
        )

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
        with self._session(result) as host:
            state = copy.deepcopy(self._load())
            if refresh:
                self._refresh(state, host, result, save=lambda: None)
            deployment = _Deployment(
                state,
                host,
                self._secrets,
                preview=True,
                save=lambda: None,
                cancelled=self._cancel,
                emit=self._emit,
            )
            self._run(deployment, result, preview=True)
            for res in deployment.deletions():
                if res.protect:
                    raise self._error(result, res, DELETE, _protected(res))
                result.steps.append(Step(res.name, res.type, DELETE, urn=res.urn))
                self._emit(Event(PLANNED, res.name, res.type, DELETE))
        return result

    def up(self, refresh: bool = False) -> Result:
        """`pulumi up [--refresh]`: apply the program; state saved after every step."""
        result = Result("up")
        with self._session(result) as host:
            state = self._load()
            if refresh:
                self._refresh(state, host, result, save=self._save)
            deployment = _Deployment(
                state,
                host,
                self._secrets,
                preview=False,
                save=self._save,
                cancelled=self._cancel,
                emit=self._emit,
            )
            self._run(deployment, result, preview=False)
            replaced = {id(r) for r in deployment.replaced}
            for res in deployment.deletions():
                self._delete(host, res, result)
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
        with self._session(result) as host:
            self._refresh(self._load(), host, result, save=self._save)
            self._save()
        return result

    def destroy(self) -> Result:
        """`pulumi destroy`: delete everything, last created first."""
        result = Result("destroy")
        with self._session(result) as host:
            state = self._load()
            for res in reversed(state.ordered()):
                self._delete(host, res, result)
                state.remove(res)
                self._save()
                result.steps.append(Step(res.name, res.type, DELETE, urn=res.urn))
            state.outputs, state.secret_outputs = {}, set()
            self._outputs = {}
            self._save()
        return result

    # -- internals -------------------------------------------------------------------
    def _delete(self, host: Callable[[], ProviderHost], res: _Resource, result: Result) -> None:
        """The engine's delete step: refused for `protect`, no provider call for
        `retain_on_delete` (the object stays, only the state forgets it)."""
        if res.protect:
            self._save()
            raise self._error(result, res, DELETE, _protected(res))
        if res.retain_on_delete:
            return
        self._cancel_point()
        self._emit(Event(STARTED, res.name, res.type, DELETE))
        started = time.monotonic()
        try:
            self._step(lambda: host().delete(res.urn, res.id, res.outputs, old_inputs=res.inputs))
        except HarnessError as exc:
            self._save()
            raise self._error(result, res, DELETE, exc) from None
        self._emit(Event(DONE, res.name, res.type, DELETE, time.monotonic() - started))

    def _error(self, result: Result, res: _Resource, op: str, exc: Exception) -> LifecycleError:
        message = self._secrets.redact(str(exc))
        result.steps.append(Step(res.name, res.type, op, error=message, urn=res.urn))
        self._emit(Event(FAILED, res.name, res.type, op, message=message))
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
        ordered = state.ordered()
        started = time.monotonic()
        reads = self._step(lambda: self._read_all(host, ordered))
        seconds = time.monotonic() - started
        self._cancel_point()  # the reads in flight completed: keep none of them
        for res, read in zip(ordered, reads, strict=True):
            if isinstance(read, HarnessError):
                save()
                raise self._error(result, res, "refresh", read) from None
            id_, outs, inputs = read
            if not id_:
                state.remove(res)
                result.steps.append(Step(res.name, res.type, GONE, urn=res.urn))
                self._emit(Event(DONE, res.name, res.type, GONE, seconds))
            else:
                new_inputs = inputs if inputs is not None else res.inputs
                changed = changed_keys(res.outputs, outs) or changed_keys(res.inputs, new_inputs)
                try:
                    drifted = bool(changed) and self._drifted(host(), res, id_, outs, new_inputs)
                except HarnessError as exc:
                    save()
                    raise self._error(result, res, "refresh", exc) from None
                # What a drift line names: declared inputs the read found changed, with
                # their values; operational outputs (a status, a link) never.
                if inputs is not None:
                    values = {
                        k: (res.inputs.get(k), new_inputs.get(k))
                        for k in changed_keys(res.inputs, new_inputs)
                    }
                else:
                    values = {
                        k: (res.outputs.get(k), outs.get(k))
                        for k in changed_keys(res.outputs, outs)
                        if k in res.inputs
                    }
                res.id, res.outputs, res.inputs = id_, outs, new_inputs
                result.steps.append(
                    Step(
                        res.name,
                        res.type,
                        DRIFT if drifted else READ,
                        diff_keys=sorted(values) if drifted else [],
                        urn=res.urn,
                        outputs=_without_provider(outs),
                        diff_values=values if drifted else {},
                    )
                )
                self._emit(Event(DONE, res.name, res.type, result.steps[-1].op, seconds))
            save()

    def _read_all(self, host: Callable[[], ProviderHost], resources: list[_Resource]) -> list[Any]:
        """Read every resource, `parallel` at a time, as the engine sends a refresh's
        reads at once; each a (id, outputs, inputs) or the HarnessError it raised
        (recorded in program order by the caller, as before)."""

        def read(res: _Resource) -> Any:
            if self._cancel.is_set():  # Ctrl-C: reads not yet sent are not sent
                return None
            try:
                return host().read(res.urn, res.id, res.outputs, res.inputs)
            except HarnessError as exc:
                return exc

        if self.parallel <= 1 or len(resources) <= 1:
            return [read(res) for res in resources]
        host()  # started once, before the threads share it
        pool = ThreadPoolExecutor(max_workers=self.parallel)
        try:
            return list(pool.map(read, resources))
        finally:  # Ctrl-C: do not wait here for reads in flight (the host is stopped)
            pool.shutdown(wait=False, cancel_futures=True)

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
        try:
            outcome = self._run_program(deployment, preview=preview)
        finally:
            # Also at a second Ctrl-C (KeyboardInterrupt out of the program's run): the
            # summary names every step that completed.
            result.steps.extend(deployment.steps)
        result.outputs = outcome.exports
        result.secret_outputs = outcome.secret_exports
        result.diagnostics = [self._secrets.redact(m) for m in outcome.diagnostics]
        if deployment.failure is not None:
            if not preview:
                self._save()
            deployment.failure.result = result
            raise deployment.failure
        if self._cancel.is_set():
            # The first Ctrl-C: the registrations in flight completed (their state is
            # saved), the others were refused (the program's error says no more).
            raise _Cancelled
        if outcome.error is not None:
            if not preview:
                self._save()
            error = LifecycleError(
                "program failed: "
                + self._secrets.redact(f"{type(outcome.error).__name__}: {outcome.error}")
            )
            error.result = result
            raise error from outcome.error

    def _run_program(self, deployment: _Deployment, *, preview: bool) -> Any:
        return run_program(
            self.program,
            self.project_dir,
            project=self.project,
            stack=self.stack,
            config=self._config,
            secret_keys=self._secret_keys,
            preview=preview,
            mocks=deployment,
            monitor=deployment.monitor,
            on_interrupt=self._interrupt_now,
            parallel=self.parallel,
            on_cancel=self._cancel_now,
            on_message=lambda severity, text: self._diagnostic(severity, text),
        )
