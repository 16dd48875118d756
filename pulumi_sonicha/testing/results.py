"""What an operation did: `Step`s, the `Result` of one operation, and `LifecycleError`.

Step operations are the Pulumi CLI's words (create, update, replace, delete, same)
plus, for a refresh, read / drift / gone. A drift step says which declared inputs
changed outside Pulumi and from what to what (`diff_values`), never operational
outputs: the engine decides drift with the provider's Diff.
"""

from __future__ import annotations

from collections import Counter as _Tally
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.output import Unknown

from .host import PROVIDER_KEY, HarnessError

CREATE = "create"
UPDATE = "update"
REPLACE = "replace"
DELETE = "delete"
SAME = "same"
READ = "read"  # refresh: read back, nothing changed
DRIFT = "drift"  # refresh: outputs changed outside Pulumi
GONE = "gone"  # refresh: the object no longer exists
_NO_CHANGE = {SAME, READ}


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


class SecretLeakError(LifecycleError):
    """A secret (a secret config value, or a password the provider host got from its
    environment) appeared in plain text in something the harness captured: the provider
    host's stderr or stdout, a warning sent to the engine, a provider error, the state
    file. The command fails even when it otherwise succeeded; the message names the
    secret's key and where it was seen, never the value. `__cause__` is the command's
    own error, if it had one."""


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
    # key -> (before, after) for the keys in `diff_keys` (update, replace, drift).
    diff_values: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # The name this resource had in state when found through one of its `aliases`.
    aliased_from: str | None = None


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
