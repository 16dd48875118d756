"""The engine's part: registrations of one program run turned into provider calls.

`_Deployment` is the mock monitor's `Mocks`: each resource the program registers
reaches `new_resource`, which does what the engine's step generator does:
`Check`, then `Create` for a new resource or `Diff` and `Update` / replace /
nothing for a known one (found by its URN or one of its `aliases`), against a
real provider host, saving state after each step.

As the engine does: a resource found under one of its `aliases` is the same
resource under its new name (no create, no delete); a replacement deletes first
when the provider's Diff or the resource option says `delete_before_replace`,
otherwise the old resource is deleted at the end of the update; a resource with
`protect` cannot be replaced or deleted (the step fails); one with
`retain_on_delete` leaves state without a provider Delete.

Registrations may arrive on several threads at once (`Lifecycle(parallel=N)`, as
the engine steps independent resources in parallel): the bookkeeping (state,
steps, the state file) runs under one lock, which every provider call releases,
so the provider host serves those calls concurrently.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from .events import DONE, FAILED, PLANNED, STARTED, Event
from .host import PROVIDER_KEY, HarnessError, ProviderHost
from .program import DYNAMIC_TYPE_PREFIX, _Monitor
from .results import (
    CREATE,
    REPLACE,
    SAME,
    UPDATE,
    LifecycleError,
    Step,
    _without_provider,
    changed_keys,
)
from .secrets import _Secrets, _unwrap_secrets, _wrap_secrets
from .state import _Resource, _State

_UNTOUCHED = 1 << 32  # order offset of resources a run has not registered (yet)


class _Halted(Exception):
    """A registration refused because an earlier step failed (not reported)."""


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
        cancelled: threading.Event | None = None,
        emit: Callable[[Event], None] | None = None,
    ) -> None:
        self.state = state
        # Each step as it starts and ends (a preview's as planned), for a live display.
        self.emit = emit or (lambda event: None)
        # Set on the first Ctrl-C: the engine starts no new step (registrations refused).
        self.cancelled = cancelled or threading.Event()
        self.host = host
        self.secrets = secrets
        self.preview = preview
        self.save = save
        self.monitor = _Monitor(self)
        self.steps: list[Step] = []
        self.registered: set[str] = set()
        self.replaced: list[_Resource] = []
        # Dependents deleted ahead of a delete-first replacement (`dependents`): created
        # again, as a replacement, if the program still registers them.
        self.deleted_first: set[str] = set()
        # Components registered in this run: urn -> (name, alias URNs), so that their
        # aliases carry to their children as the engine derives them.
        self.components: dict[str, tuple[str, list[str]]] = {}
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
            if self.cancelled.is_set():
                raise _Halted(f"{args.name}: not registered, the update was canceled (Ctrl-C)")
            if request is None:  # Resource.get of a non-dynamic type
                return args.resource_id or f"{args.name}-id", dict(args.inputs)
            if not args.custom:  # component resource: a container only (not persisted)
                urn = self.monitor.make_urn(request.parent, args.typ, args.name)
                self.components[urn] = (args.name, self._alias_urns(args.name, args.typ, request))
                return None, dict(args.inputs)
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
        self.emit(Event(FAILED, name, type_, op, message=message))
        return LifecycleError(
            f"{name} ({type_}): {op} failed: {message}", resource=name, urn=urn, op=op
        )

    def _timed(self, step: Step, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A step's provider call (`_unlocked`), reported as it starts and as it ends
        well (a failure is reported by `_failed`)."""
        self.emit(Event(STARTED, step.name, step.type, step.op))
        started = time.monotonic()
        value = self._unlocked(call, *args, **kwargs)
        self.emit(Event(DONE, step.name, step.type, step.op, time.monotonic() - started))
        return value

    def _planned(self, step: Step) -> None:
        """A preview's step: recorded and reported, nothing called."""
        self.steps.append(step)
        self.emit(Event(PLANNED, step.name, step.type, step.op))

    def _unlocked(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A provider call, with the bookkeeping lock released while it runs."""
        self._lock.release()
        try:
            return call(*args, **kwargs)
        finally:
            self._lock.acquire()

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
        aliased_from = None
        if old is None:
            old = self._aliased(urn, name, type_, request)
            if old is not None:  # the same resource under its new name: no create, no delete
                aliased_from = old.name
                old.urn, old.name = urn, name  # (a preview works on a copy of the state)
                self.save()
        try:
            checked = self._unlocked(host.check, urn, old.inputs if old else {}, news)
        except HarnessError as exc:
            raise self._failed(name, type_, urn, "check", exc) from None
        if checked.failures:
            reasons = "; ".join(f"{prop}: {reason}" for prop, reason in checked.failures)
            self.steps.append(Step(name, type_, "check", error=reasons, urn=urn))
            self.emit(Event(FAILED, name, type_, "check", message=self.secrets.redact(reasons)))
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
            if urn in self.deleted_first:  # the engine's "recreating" case: no Diff
                step.op, step.delete_before_replace = REPLACE, True
            if self.preview:
                self._planned(step)
                return "", _wrap_secrets(inputs, secret_outputs)
            try:
                id_, outs = self._timed(step, host.create, urn, inputs)
            except HarnessError as exc:
                raise self._failed(name, type_, urn, CREATE, exc) from None
            return self._created(step, id_, inputs, outs, secret_outputs, request)

        try:
            diff = self._unlocked(
                host.diff, urn, old.id, old.outputs, inputs, old_inputs=old.inputs
            )
        except HarnessError as exc:
            raise self._failed(name, type_, urn, "diff", exc) from None
        diff_keys = changed_keys(old.inputs, inputs) or [
            k for k in changed_keys(old.outputs, inputs) if k in inputs
        ]
        # DIFF_UNKNOWN: the engine falls back to comparing old and new inputs.
        changes = (
            diff.changes if diff.changes is not None else bool(changed_keys(old.inputs, inputs))
        )
        diff_values = {k: (old.inputs.get(k), inputs.get(k)) for k in diff_keys}
        if not changes:
            same = Step(name, type_, SAME, urn=urn, inputs=shown, aliased_from=aliased_from)
            self.steps.append(same)
            if not self.preview:
                self._options(old, request)
                old.inputs = inputs
                old.order = self._next_order()
                self.steps[-1].outputs = _without_provider(old.outputs)
            return old.id, _wrap_secrets(old.outputs, secret_outputs)

        replaces = list(diff.replaces) if diff.changes else []
        if replaces:
            if old.protect:
                self.steps.append(Step(name, type_, REPLACE, error="protected", urn=urn))
                raise LifecycleError(
                    f"{name} ({type_}): unable to replace resource, as it is currently marked"
                    " for protection (protect=True). Remove protect from the resource options,"
                    " run `up` to record that, then change what forces the replacement",
                    resource=name,
                    urn=urn,
                    op=REPLACE,
                )
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
                diff_values=diff_values,
                aliased_from=aliased_from,
            )
            if dbr:
                self._delete_dependents_first(old, host)
            if self.preview:
                self._planned(step)
                return "", _wrap_secrets(inputs, secret_outputs)
            self.emit(Event(STARTED, name, type_, REPLACE))
            started = time.monotonic()
            try:
                if dbr:
                    if not old.retain_on_delete:
                        self._unlocked(host.delete, urn, old.id, old.outputs, old_inputs=old.inputs)
                    self.state.remove(old)
                    self.save()
                id_, outs = self._unlocked(host.create, urn, inputs)
            except HarnessError as exc:
                raise self._failed(name, type_, urn, REPLACE, exc) from None
            self.emit(Event(DONE, name, type_, REPLACE, time.monotonic() - started))
            if not dbr:
                old.pending_delete = True  # deleted at the end of the update
                self.replaced.append(old)
            return self._created(step, id_, inputs, outs, secret_outputs, request)

        step = Step(
            name,
            type_,
            UPDATE,
            diff_keys=diff_keys,
            urn=urn,
            inputs=shown,
            diff_values=diff_values,
            aliased_from=aliased_from,
        )
        if self.preview:
            self._planned(step)
            return old.id, _wrap_secrets(inputs, secret_outputs)
        try:
            outs = self._timed(
                step, host.update, urn, old.id, old.outputs, inputs, old_inputs=old.inputs
            )
        except HarnessError as exc:
            raise self._failed(name, type_, urn, UPDATE, exc) from None
        old.inputs, old.outputs, old.order = inputs, outs, self._next_order()
        self._options(old, request)
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
        request: Any,
    ) -> tuple[str, dict[str, Any]]:
        """Record a resource the provider just created (a create or a replacement)."""
        res = _Resource(step.urn, step.name, step.type, id_, inputs, outs, self._next_order())
        self._options(res, request)
        self.state.resources.append(res)
        self.save()
        step.outputs = _without_provider(outs)
        self.steps.append(step)
        return id_, _wrap_secrets(outs, secret_outputs)

    def _delete_dependents_first(self, root: _Resource, host: ProviderHost) -> None:
        """Before `root`'s delete-first replacement, as the engine does: delete (in a
        preview: show) the dependents that would be replaced by it, last one first
        (`dependents`)."""
        # Imported here: the engine's module-level imports are the harness's to arrange.
        from .dependents import DELETE_REPLACED, dependent_replacements

        registered = set(self.registered)
        doomed = self._unlocked(
            dependent_replacements,
            self.state,
            root,
            registered,
            lambda res, inputs: host.diff(
                res.urn, res.id, res.outputs, inputs, old_inputs=res.inputs
            ),
        )
        for res in reversed(doomed):
            if res.urn in self.deleted_first:
                continue
            step = Step(res.name, res.type, DELETE_REPLACED, urn=res.urn)
            if res.protect:
                step.error = "protected"
                self.steps.append(step)
                raise LifecycleError(
                    f"{res.name} ({res.type}): must be replaced with {root.name}, which is"
                    " replaced deleting first, but it is protected (protect=True)",
                    resource=res.name,
                    urn=res.urn,
                    op=DELETE_REPLACED,
                )
            if not self.preview and not res.retain_on_delete:
                try:
                    self._unlocked(host.delete, res.urn, res.id, res.outputs, old_inputs=res.inputs)
                except HarnessError as exc:
                    raise self._failed(res.name, res.type, res.urn, DELETE_REPLACED, exc) from None
            self.state.remove(res)  # (a preview works on a copy of the state)
            self.deleted_first.add(res.urn)
            self.save()
            self.steps.append(step)

    @staticmethod
    def _options(res: _Resource, request: Any) -> None:
        """The resource options the engine keeps in state with the resource, and the
        dependencies it registered with (the engine's dependency graph)."""
        res.protect = bool(request.protect)
        res.retain_on_delete = bool(request.retainOnDelete)
        res.dependencies = list(request.dependencies)
        res.property_dependencies = {
            key: list(deps.urns) for key, deps in request.propertyDependencies.items()
        }

    def _aliased(self, urn: str, name: str, type_: str, request: Any) -> _Resource | None:
        """The resource in state under one of `aliases` (not registered in this run)."""
        for alias_urn in self._alias_urns(name, type_, request):
            found = self.state.live(alias_urn)
            if found is not None and alias_urn not in self.registered:
                return found
        return None

    def _alias_urns(self, name: str, type_: str, request: Any) -> list[str]:
        """Every URN a resource was known by: its own `aliases`, then those it inherits
        from a component parent's aliases, as the engine derives them (a child named
        `<parent name>-x` is `<old parent name>-x` under the parent's old URN)."""
        urns: list[str] = []
        for alias in request.aliases:
            if alias.WhichOneof("alias") == "urn":
                candidate = alias.urn
            else:
                spec = alias.spec
                if spec.noParent:
                    parent = ""
                elif spec.parentUrn:
                    parent = spec.parentUrn
                else:
                    parent = request.parent
                candidate = self.monitor.make_urn(parent, spec.type or type_, spec.name or name)
                if spec.stack or spec.project:
                    head, _, rest = candidate.partition("::")
                    stack = spec.stack or head.split(":")[-1]
                    project, _, tail = rest.partition("::")
                    candidate = f"urn:pulumi:{stack}::{spec.project or project}::{tail}"
            urns.append(candidate)
        urns.extend(request.aliasURNs)
        parent_name, parent_aliases = self.components.get(request.parent, ("", []))
        for parent_alias in parent_aliases:
            old_name = name
            if parent_name and name.startswith(parent_name):
                old_name = parent_alias.rsplit("::", 1)[-1] + name[len(parent_name) :]
            urns.append(self.monitor.make_urn(parent_alias, type_, old_name))
        return urns

    def deletions(self) -> list[_Resource]:
        """What the update deletes at its end, in reverse order."""
        doomed = [
            r for r in self.state.resources if r.pending_delete or r.urn not in self.registered
        ]
        return sorted(doomed, key=lambda r: r.order, reverse=True)
