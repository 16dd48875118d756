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
- Optional inputs may be absent: the provider host drops every `None`-valued
  property in both directions (fact 11), so every entry point puts the schema's
  defaults back (`with_defaults`) before it looks at a key.
- A unit holds one HA configuration and one zone per port, so HaPair and HaInterface
  replace by deleting first, and a delete leaves alone what another resource set
  after it (`run.CLAIMS`, keyed by the `instance_id` output).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import requests
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    DiffResult,
    ReadResult,
    ResourceProvider,
)

from .. import preflight, transport
from ..errors import (
    ApplianceError,
    ApplianceUnreachableError,
    CommitUncertainError,
    FailedOverError,
    SonicHaError,
    UnitReplacedError,
    redact,
)
from ..schema import REQUIRED, Schema, is_unknown
from ..serials import normalize_serial
from ..settings import Settings, unknown_env_vars
from ..sonicos import ApplianceSession, SonicOSClient, hold_units
from ..transport import InsecureConnectionWarning, log
from . import run

_warned_env: set[str] = set()

_DECLARE_MONITORING = (
    "declare an HaMonitoring with allow_management=True (the default) whose backup_ip is"
    " the address used as backup_host ({host})"
)
BACKUP_PAIRED_HINT = (
    "HA is on at the Primary, and a paired Backup answers management only at its own HA"
    " monitoring address: " + _DECLARE_MONITORING + ", or check that the Backup is up"
)
BACKUP_UNPAIRED_HINT = (
    "HA is off at the Primary, so the Backup is not paired and answers at its own"
    " interface address: check that it is up, that backup_host ({host}) is that address,"
    " and that HTTPS management is enabled there"
)
BACKUP_REACH_HINT = (
    "If the pair is on: a paired Backup answers management only at its own HA monitoring"
    " address, so " + _DECLARE_MONITORING + "; if not paired yet: check that the Backup is"
    " up at {host} with HTTPS management enabled"
)


def with_backup_hint(exc: SonicHaError, host: str, paired: bool | None = None) -> SonicHaError:
    """A new error of `exc`'s class and attributes (the Backup did not answer at `host`)
    whose text says what to do: `paired` (HA on at the Primary) the HaMonitoring that
    keeps a paired Backup reachable, not paired that the unit is down or elsewhere,
    None (not known) both. `exc` itself is left as it was."""
    hint = {True: BACKUP_PAIRED_HINT, False: BACKUP_UNPAIRED_HINT}.get(paired, BACKUP_REACH_HINT)
    # Not copy.copy: it re-runs __init__ with args only, and ApplianceError needs host=.
    cls = type(exc)
    hinted = cls.__new__(cls, f"{exc}. {hint.format(host=host)}")
    hinted.__dict__.update(exc.__dict__)
    return hinted


_warned_lock = threading.Lock()


def primary_paired(client: SonicOSClient, unit: ApplianceSession | None = None) -> bool | None:
    """Whether HA is on at the Primary (through `unit`, its session open in this thread,
    else a session of its own), or None when that cannot be read: said to a user whose
    Backup does not answer."""
    try:
        if unit is not None:
            return bool(unit.ha_settings().get("mode"))
        with client.session() as opened:
            return bool(opened.ha_settings().get("mode"))
    except SonicHaError:
        return None


# -- the Primary before HA is on: setup_host -----------------------------------------
#: How long the first contact at primary_host may take when a setup_host is declared
#: (one attempt, no retries): long enough for a unit that answers, short enough that the
#: creates before pairing do not each wait out sonicha:timeout times the retries.
PROBE_SECONDS = 5.0
#: How long a unit found at setup_host with the Primary's serial and HA off is taken as
#: such without asking again (the creates of one pair follow each other within seconds;
#: every write still checks the serial it finds in its own session).
SETUP_CHECK_SECONDS = 30.0
_setup_checked: dict[tuple[str, str], float] = {}
_setup_lock = threading.Lock()


def forget_setup_checks() -> None:
    """Forget which setup_host units were checked (tests start each case afresh)."""
    with _setup_lock:
        _setup_checked.clear()


def answers(host: str, settings: Settings) -> bool:
    """Whether anything answers HTTPS management at `host` now: one unauthenticated
    `GET /version`, one attempt (any HTTP answer, a 401 included, counts; so does a TLS
    failure, which the operation then reports). Its connection stays in the pool for the
    operation's own login."""
    quick = dataclasses.replace(
        settings, max_retries=0, timeout=min(settings.timeout, PROBE_SECONDS)
    )
    url = f"{transport.normalize_origin(host)}/api/sonicos/version"
    try:
        with transport.new_session(quick) as http:
            transport.send(http, quick, "GET", url, allow_redirects=False)
    except requests.exceptions.SSLError:
        return True
    except requests.RequestException:
        return False
    return True


def primary_client(
    settings: Settings,
    props: dict[str, Any],
    serial: str | None = None,
    turning_ha_off: bool = False,
) -> SonicOSClient:
    """The client of the Primary: at `primary_host`, its own HA monitoring address; or at
    `setup_host`, the pair's address, only while `primary_host` does not answer and the
    unit at `setup_host` has the Primary's serial with HA off (its mode empty: a unit of
    a pair, whichever mode, never stands in for the Primary). Without setup_host no
    request is made here.

    `serial` is the serial this resource manages (from state), else the declared
    `primary_serial`. The monitoring address answers only while HA is on, so before
    pairing (and after a destroy turned HA off) every Primary-side operation gets here.

    `turning_ha_off`: the operation turns HA off, after which the monitoring address
    stops answering (the session could not even log out there, and would hold the
    unit's one API session until it times out). So `setup_host` comes first then, when
    the unit answering there is the Primary (it is Active), HA on or not.
    """
    host, setup = props["primary_host"], props.get("setup_host")
    expected = serial or props.get("primary_serial") or None
    declared = SonicOSClient(host, settings, serial=serial)
    if setup and expected and turning_ha_off:
        fallback = SonicOSClient(setup, settings, serial=expected)
        try:
            with fallback.session() as unit:
                if unit.system().serial == expected:
                    return fallback
        except ApplianceUnreachableError:
            pass  # the Primary's own address then, as without setup_host
    if not setup:
        return declared
    with hold_units([declared]):  # one connection per unit: operations ask in turn
        if answers(host, settings):
            return declared
    fallback = SonicOSClient(setup, settings, serial=expected)
    key = (transport.host_key(setup), expected or "")
    with _setup_lock:
        if expected and time.monotonic() - _setup_checked.get(key, -1e9) < SETUP_CHECK_SECONDS:
            return fallback
    why = (
        f"the Primary (serial {expected or '?'}) does not answer at primary_host {host},"
        f" its own HA monitoring address (it answers there while HA is on, with"
        " allow_management on that monitoring entry)"
    )
    try:
        with fallback.session() as unit:
            found = unit.system().serial
            mode = unit.ha_settings().get("mode") or {}
    except ApplianceUnreachableError as exc:
        raise ApplianceUnreachableError(
            f"{why}, nor at setup_host {setup} ({exc.message}). Check that the Primary is up"
            " and that the two addresses are right: setup_host is the pair's address (the"
            " Primary's own before pairing), primary_host its HA monitoring address",
            host=host,
            serial=expected,
        ) from None
    if mode:
        raise ApplianceUnreachableError(
            f"{why}, and setup_host {setup} is not used: HA is on there (serial {found}), so"
            " it is the pair's address, answered by the Active unit. Make primary_host the"
            " Primary's monitoring address (an HaMonitoring's primary_ip with"
            " allow_management=True), or check the Primary is up",
            host=host,
            serial=expected,
        )
    if expected and found != expected:
        raise UnitReplacedError(
            f"{why}, and setup_host {setup} answers with serial {found}, not the Primary's"
            f" {expected}; nothing was done there. Fix setup_host (the Primary's own address"
            " before pairing, which becomes the pair's) or primary_serial",
            host=setup,
            serial=expected,
        )
    log.info("%s does not answer yet; reaching the Primary %s at setup_host %s", host, found, setup)
    if expected:
        with _setup_lock:
            _setup_checked[key] = time.monotonic()
    return fallback


class SonicHaProvider(ResourceProvider):
    """Base of the three providers; subclasses set `schema` and implement CRUD."""

    serialize_as_secret_always = False
    schema: ClassVar[Schema]
    delete_before_replace: ClassVar[bool] = False
    # Inputs that only change what the provider does (waits, what delete does, which
    # address to check the Backup at): an update of these alone sends no request.
    behaviour_only: ClassVar[frozenset[str]] = frozenset()

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
        olds, news = self.with_defaults(olds), self.with_defaults(news)
        changed = self.schema.changed_keys(olds, news)
        replaces = [key for key in changed if self.schema.by_name[key].replace]
        moved = [key for key in replaces if key in self.host_serials]
        if moved and not self.same_units_at_new_addresses(moved, olds, news):
            moved = []
        # The engine diffs every resource the program declares before it deletes the
        # ones the program dropped, in the same run: a resource renamed without aliases
        # in an earlier run (or whose create ran in a host that is gone) thereby tells
        # this host which unit objects it manages, and those deletes leave them alone.
        instance = olds.get("instance_id")
        if isinstance(instance, str) and instance:
            run.CLAIMS.record(self.unit_objects(olds, id_), instance)
        replaces = [key for key in replaces if key not in moved]
        if replaces and self.delete_before_replace:
            self.preflight_replacement(olds, news, replaces)
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=self.delete_before_replace,
        )

    # -- preflight: a delete-first replacement only when the new resource can be created
    def preflight_plan(self, inputs: dict[str, Any]) -> preflight.Plan | None:
        """What the new resource's preflight proves; None when there is nothing to prove
        or an input it needs is unknown (preview: then its create proves it)."""
        return None

    def preflight_replacement(
        self, olds: dict[str, Any], news: dict[str, Any], keys: list[str]
    ) -> None:
        """A replacement deletes the old resource first (`delete_before_replace`): when
        the new one's create would then be refused, that delete takes a working pair
        down for nothing. So the new resource's preflight runs here, in `diff` (only
        when a replacement is planned: an unchanged diff sends no request), and a
        failure fails the preview with the table before anything is written."""
        plan = self.preflight_plan(news)
        if plan is None:
            return
        report = preflight.run(plan, self.settings)
        if report.ok:
            return
        changes = ", ".join(f"{key} {olds.get(key)!r} -> {news.get(key)!r}" for key in keys)
        raise preflight.PreflightError(
            f"{self.schema.label(olds)}: {changes} plans a replacement that deletes the"
            " current one first, but the new one would be refused; the replacement is not"
            " planned",
            report,
        )

    # Host inputs and the serial output of the unit each one reaches.
    host_serials: ClassVar[dict[str, str]] = {}

    def same_units_at_new_addresses(
        self, keys: list[str], olds: dict[str, Any], news: dict[str, Any]
    ) -> bool:
        """Host inputs changed, but the new addresses answer with the very serials this
        resource manages: the units were re-addressed (or spelled another way), or, for
        a resource of two units, their roles exchanged (HaInterface: the same link
        between the same two units). Then update in place.

        A replacement would take the same units' HA configuration (or zones) down and
        set it up again (delete first, `delete_before_replace`), for nothing. Only a
        changed host costs requests here; an unchanged resource's diff makes none.
        """
        managed = sorted(olds.get(s) or "" for s in self.host_serials.values())
        found = {key: olds.get(serial) for key, serial in self.host_serials.items()}
        for key in keys:
            host = news.get(key)
            if not all(managed) or not isinstance(host, str) or is_unknown(host):
                return False
            found[key] = self._serial_at(key, host, olds)
        return sorted(serial or "" for serial in found.values()) == managed

    def _serial_at(self, key: str, host: str, olds: dict[str, Any]) -> str:
        try:
            with SonicOSClient(host, self.settings).session() as unit:
                return unit.system().serial
        except SonicHaError as exc:
            # A replacement deletes first (delete_before_replace): planning one on an
            # address that does not answer (a typo, a unit not yet racked) would take
            # the working unit at the old address down before the create fails.
            serial = olds.get(self.host_serials[key])
            raise SonicHaError(
                f"{key} changed from {olds.get(key)!r} to {host!r}, but the new address"
                f" could not be checked ({exc}); nothing was changed. Fix the address, or"
                " make the unit answer there, and run again: a new address that answers"
                f" with serial {serial} is an update in place, another serial a replacement"
            ) from None

    # -- what a resource manages, and what its delete leaves alone ----------------
    def unit_objects(self, props: dict[str, Any], id_: str) -> list[run.UnitObject]:
        """The unit objects (HA of a unit, a port, a monitoring entry, an association)
        this resource sets: what its claims are about (`run.CLAIMS`)."""
        return []

    def claim(self, outs: dict[str, Any], id_: str) -> None:
        """A create or update has just set this resource's unit objects."""
        run.CLAIMS.record(self.unit_objects(outs, id_), outs["instance_id"])

    @staticmethod
    def left_alone(obj: run.UnitObject, props: dict[str, Any], message: str) -> bool:
        """Another resource manages `obj` now (it set it, or was declared, in this run):
        say `message` as a warning and tell the delete to leave it alone."""
        if not run.CLAIMS.taken_over(obj, props.get("instance_id")):
            return False
        run.warn(message)
        return True

    @staticmethod
    @contextmanager
    def unit_gone_is_a_warning(
        who: str, role: str, host: str, serial: str | None, action: str, by_hand: str
    ) -> Iterator[None]:
        """Around a delete's work on one unit: a unit that answers with another serial
        (replaced at the same address: none of our settings are there) or does not
        answer at all (gone for good) becomes a warning saying what was left undone,
        and the delete completes, so the stack can move on. An unanswered commit is
        not swallowed: the unit may have applied it."""
        try:
            yield
        except UnitReplacedError as exc:
            run.warn(
                f"{who}: left the {role} address {host} alone ({exc.message}); it was removed"
                " from the stack anyway"
            )
        except ApplianceUnreachableError as exc:
            if isinstance(exc, CommitUncertainError):
                raise
            hint = f". {BACKUP_REACH_HINT.format(host=host)}" if role == "Backup" else ""
            run.warn(
                f"{who}: could not reach the {role} {host} (serial {serial or '?'}) to {action}"
                f" ({exc.message}); it was removed from the stack anyway. If that unit comes"
                f" back, {by_hand}{hint}"
            )

    @contextmanager
    def releasing(self, props: dict[str, Any], id_: str) -> Iterator[list[run.UnitObject]]:
        """Around a delete: this resource's unit objects, its claims on them forgotten
        when the delete ends, whichever way (not another instance's)."""
        objects = self.unit_objects(props, id_)
        try:
            yield objects
        finally:
            run.CLAIMS.release(objects, props.get("instance_id"))

    @staticmethod
    def _other_serial(unit: ApplianceSession, serial: str | None, found: str | None) -> str | None:
        """The serial the unit at this address answers with, when it is not `serial` (the
        one the resource manages); None when it is, or when no serial is known yet.
        `found` is that serial when the caller has just read it (no request then)."""
        if not serial:
            return None
        found = found or unit.system().serial
        return found if found != serial else None

    @classmethod
    def require_serial(
        cls, unit: ApplianceSession, serial: str | None, action: str, found: str | None = None
    ) -> None:
        """Refuse to write to a unit that is not the one this resource manages (an
        address reused, a unit swapped), before anything is sent."""
        other = cls._other_serial(unit, serial, found)
        if other:
            cls.refuse_if_failed_over(unit, serial, other, f"not going to {action} there")
            raise unit.error(
                f"this address now answers with serial {other}, but the resource manages"
                f" {serial}; not going to {action} on another unit. Point the host input at"
                f" the unit with serial {serial}, or, if that unit is gone, remove the"
                " resource from the state (`pulumi state delete <urn>`)",
                UnitReplacedError,
            )

    @staticmethod
    def refuse_if_failed_over(
        unit: ApplianceSession, serial: str | None, other: str, outcome: str
    ) -> None:
        """The address answers with `other`, the pair's Backup (its HA settings name our
        unit as their Primary): the address is the pair's and the pair has failed over.
        Neither "another unit" nor "gone": say so, and how to go on (one request, only on
        this error path)."""
        try:
            fields = next(iter((unit.ha_settings().get("mode") or {}).values()), None) or {}
        except SonicHaError:
            return
        primary = normalize_serial(fields.get("primary_serial"))
        secondary = normalize_serial(fields.get("secondary_serial"))
        if not serial or primary != serial or secondary != other:
            return
        raise unit.error(
            f"this address answers on the Backup (serial {other}) of the pair whose Primary"
            f" ({serial}) this resource manages: it is an address of the pair, and the pair"
            f" has failed over (the Backup is Active); {outcome}. Set the host input to the"
            " Primary's own HA monitoring address, which stays the Primary's after a"
            ' failover, or fail back first (HaFailover with active="primary", or High'
            " Availability > Status on the unit), and run again",
            FailedOverError,
        )

    @staticmethod
    def same_unit_error(inputs: dict[str, Any], serial: str) -> ApplianceError:
        """`primary_host` and `backup_host` are two addresses of one unit: both answered
        with `serial` (the spelling check in `check` cannot see that)."""
        return ApplianceError(
            f"primary_host {inputs['primary_host']} and backup_host {inputs['backup_host']}"
            " reach the same unit; set backup_host to the address of the Backup, the other"
            " unit of the pair",
            host=inputs["backup_host"],
            serial=serial,
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

    def declared_inputs(self, props: dict[str, Any]) -> dict[str, Any]:
        """`inputs_of` for checked inputs (create, update): an expectation is in them
        exactly when the program declared it."""
        inputs = self.inputs_of(props)
        for f in self.schema.fields:
            if f.expectation and props.get(f.name) is not None:
                inputs[f.name] = props[f.name]
        return inputs

    def primary_client(
        self, props: dict[str, Any], serial: str | None = None, turning_ha_off: bool = False
    ) -> SonicOSClient:
        """The Primary's client, through `setup_host` while `primary_host` does not
        answer (see `primary_client` above)."""
        return primary_client(self.settings, props, serial, turning_ha_off)

    def with_defaults(self, props: dict[str, Any]) -> dict[str, Any]:
        """`props` with every optional input the host dropped (it drops `None` values,
        fact 11) put back as its schema default; expectations stay absent."""
        filled = dict(props)
        for f in self.schema.fields:
            if f.default is not REQUIRED and not f.expectation and filled.get(f.name) is None:
                filled[f.name] = f.default
        return filled

    def only_behaviour_changed(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        """An update that changes inputs no unit holds: nothing to send anywhere."""
        changed = self.schema.changed_keys(olds, news)
        return bool(changed) and set(changed) <= self.behaviour_only

    @staticmethod
    def instance_id(props: dict[str, Any]) -> str:
        """This resource's `instance_id` (made at create, kept by updates)."""
        value = props.get("instance_id")
        return value if isinstance(value, str) and value else run.new_instance_id()

    @classmethod
    def check_serial_on_read(cls, unit: ApplianceSession, serial: str | None) -> None:
        """A refresh reads the unit this resource manages, or fails naming both serials:
        never "gone" (which would drop the resource while the unit keeps its settings)."""
        other = cls._other_serial(unit, serial, None)
        if other:
            cls.refuse_if_failed_over(unit, serial, other, "nothing was read from it")
            raise unit.error(
                f"this address now answers with serial {other}, but the resource manages"
                f" {serial}; nothing was read from the other unit. Point the host input back"
                f" at the unit with serial {serial} (and run `pulumi up`), or, if that unit is"
                " gone for good, remove the resource from the state (`pulumi state delete"
                " <urn>`)"
            )

    def claimed_outputs(
        self, outs: dict[str, Any], olds: dict[str, Any], id_: str
    ) -> dict[str, Any]:
        """`outs` of a create (`olds` empty) or update, with the resource's `instance_id`
        (made at create, kept by updates) and its claims recorded."""
        outs["instance_id"] = self.instance_id(olds)
        self.claim(outs, id_)
        return outs

    def gone(self) -> ReadResult:
        """The object no longer exists: the engine drops it from state."""
        return ReadResult(id_="", outs={})
