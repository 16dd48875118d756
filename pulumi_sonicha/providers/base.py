"""The lifecycle rules all three providers share.

- Nothing in the pickle: the engine stores the pickled provider in state and
  ships it to the provider host, so an instance carries no settings, sessions
  or credentials (`__getstate__` is empty); the class is pickled by reference
  (`pulumi_sonicha.providers.<module>.<Class>`: public API, never moved).
- Credentials come from `configure()` (stack config, env fallback), read on
  first use when a caller never configured us (direct use in tests/scripts).
- `check` and `diff` go through the resource's `Schema`: declared keys only,
  numbers compared numerically, unknowns (preview) never validated, and no
  HTTP request (but for `diff` asking a changed host input which unit it is).
- Errors we raise are `SonicHaError`s, whose text is scrubbed of secrets as it
  is built.
"""

from __future__ import annotations

import os
import threading
import warnings
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    DiffResult,
    ReadResult,
    ResourceProvider,
)

from ..errors import SonicHaError, redact
from ..schema import Schema, is_unknown
from ..settings import Settings, unknown_env_vars
from ..sonicos import ApplianceSession, SonicOSClient
from ..transport import InsecureConnectionWarning, log

_warned_env: set[str] = set()
_warned_lock = threading.Lock()


class SonicHaProvider(ResourceProvider):
    """Base of the three providers; subclasses set `schema` and implement CRUD."""

    serialize_as_secret_always = False
    schema: ClassVar[Schema]
    delete_before_replace: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self._settings: Settings | None = None
        self._settings_lock = threading.Lock()

    # -- pickling: by reference, with no state --------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._settings = None
        self._settings_lock = threading.Lock()

    # -- settings -------------------------------------------------------------
    def configure(self, req: ConfigureRequest) -> None:
        # Only the engine's provider host calls this. The engine shows the host's stderr
        # lines, and the log record of the insecure warning is one clean line there; the
        # warnings module would print it a second time with a source path.
        warnings.filterwarnings("ignore", category=InsecureConnectionWarning)
        # The SDK's Config offers get() only; its raw dict lets us refuse misspelled keys.
        keys = getattr(req.config, "_props", None) or {}
        self._settings = Settings.load(req.config.get, config_keys=list(keys))
        with _warned_lock:  # once per host, though each provider class is configured
            names = [n for n in unknown_env_vars(os.environ) if n not in _warned_env]
            _warned_env.update(names)
        for name in names:
            log.warning("environment variable %s is ignored: not a provider setting", name)

    @property
    def settings(self) -> Settings:
        with self._settings_lock:
            if self._settings is None:
                self._settings = Settings.load()
            return self._settings

    # -- shared lifecycle rules -----------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs, failures = self.schema.check(news)
        # A reason quotes the bad value: scrub it in case a credential was pasted there.
        return CheckResult(inputs, [CheckFailure(f.property, redact(f.reason)) for f in failures])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = self.schema.changed_keys(olds, news)
        replaces = [key for key in changed if self.schema.by_name[key].replace]
        moved = [key for key in replaces if self.same_unit_at_new_address(key, olds, news)]
        return DiffResult(
            changes=bool(changed),
            replaces=[key for key in replaces if key not in moved],
            delete_before_replace=self.delete_before_replace,
        )

    # Host inputs and the serial output of the unit each one reaches.
    host_serials: ClassVar[dict[str, str]] = {}

    def same_unit_at_new_address(
        self, key: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> bool:
        """A host input changed, but the new address answers with the serial this resource
        manages: the unit was re-addressed (or spelled another way), so update in place.

        A replacement would create the new resource and then delete the old one, and
        that delete would undo on the very same unit what the create just adopted. Only
        a changed host costs requests here; an unchanged resource's diff makes none.
        """
        serial = olds.get(self.host_serials.get(key, ""))
        host = news.get(key)
        if not serial or not isinstance(host, str) or is_unknown(host):
            return False
        try:
            with SonicOSClient(host, self.settings).session() as unit:
                return unit.system().serial == serial
        except SonicHaError:
            return False  # unreachable or refused: a replacement, whose create will say why

    @staticmethod
    def require_serial(unit: ApplianceSession, serial: str | None, action: str) -> None:
        """Refuse to write to a unit that is not the one this resource manages (an
        address reused, a unit swapped), before anything is sent."""
        if not serial:
            return
        found = unit.system().serial
        if found != serial:
            raise unit.error(
                f"this address now answers with serial {found}, but the resource manages"
                f" {serial}; not going to {action} on another unit. Point the host input at"
                f" the unit with serial {serial}, or, if that unit is gone, remove the"
                " resource from the state (`pulumi state delete <urn>`)"
            )

    def inputs_of(self, outs: dict[str, Any]) -> dict[str, Any]:
        """The declared-input part of a full output dict (what `read` returns as inputs),
        in check's form: an expectation (HaPair's primary_serial) only where the
        program declared it, as the `<name>_declared` output records."""
        return {
            f.name: outs.get(f.name)
            for f in self.schema.fields
            if not f.expectation or outs.get(f"{f.name}_declared")
        }

    def expectations_declared(self, inputs: dict[str, Any]) -> dict[str, bool]:
        """The `<name>_declared` outputs that let `inputs_of` tell, at read time, which
        expectations the program declared."""
        return {f"{f.name}_declared": f.name in inputs for f in self.schema.fields if f.expectation}

    def gone(self) -> ReadResult:
        """The object no longer exists: the engine drops it from state."""
        return ReadResult(id_="", outs={})
