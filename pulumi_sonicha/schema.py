"""Declared inputs of a resource, and the rules every resource applies to them.

Each resource lists its inputs once as `Field`s. From that one list come
`check` (types, defaults, ranges, normalization), the keys `diff` compares,
and which keys force a replacement, so check, read and diff cannot disagree.

Why so strict about types: numbers arrive from the engine as floats (100 ->
100.0) and a float in JSON makes SonicOS answer 400, so int fields accept an
integral float and always hand back an int; anything else is a CheckFailure
that names the field and what it accepts, before any request is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.output import Unknown

from .serials import normalize_serial
from .transport import host_key

REQUIRED = object()


def is_unknown(value: Any) -> bool:
    """True for values not known yet during preview (`pulumi.output.Unknown`)."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return False


class InvalidValue(ValueError):
    """Raised by a Field normalizer; its text completes "<field> ..."."""


@dataclass(frozen=True)
class Field:
    """One declared input."""

    name: str
    kind: type  # str, bool or int
    default: Any = REQUIRED
    replace: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    normalize: Callable[[Any], Any] | None = None
    # False for inputs the appliance cannot report (wait_for_sync, on_delete...):
    # `read` keeps their prior value instead of observing them.
    observed: bool = True
    # An optional safety check on a value the provider finds out anyway (a unit's
    # serial): left out of the checked inputs when not declared, so a preview keeps
    # the computed output unknown rather than None, and never a change when left out.
    expectation: bool = False
    unit: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe(self) -> str:
        """What the field accepts, for error messages."""
        if self.choices:
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        if self.kind is bool:
            return "true or false"
        if self.kind is int:
            unit = f" {self.unit}" if self.unit else ""
            if self.minimum is not None and self.maximum is not None:
                return f"a whole number from {self.minimum} to {self.maximum}{unit}"
            return f"a whole number{unit}"
        return getattr(self.normalize, "accepts", None) or "a non-empty string"

    def coerce(self, value: Any) -> Any:
        """Type-check and normalize one known, non-None value."""
        if self.kind is bool:
            if not isinstance(value, bool):
                raise InvalidValue(f"must be {self.describe()}, got {value!r}")
            return value
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidValue(f"must be {self.describe()}, got {value!r}")
            if isinstance(value, float) and not value.is_integer():
                raise InvalidValue(f"must be {self.describe()}, got {value!r}")
            number = int(value)
            if (self.minimum is not None and number < self.minimum) or (
                self.maximum is not None and number > self.maximum
            ):
                raise InvalidValue(f"must be {self.describe()}, got {number}")
            return number
        if not isinstance(value, str) or not value.strip():
            raise InvalidValue(f"must be {self.describe()}, got {value!r}")
        text = value.strip()
        if self.choices:
            lowered = text.lower().replace("_", "-")
            if lowered not in self.choices:
                raise InvalidValue(f"must be {self.describe()}, got {value!r}")
            text = lowered
        return self.normalize(text) if self.normalize else text


@dataclass(frozen=True)
class Failure:
    property: str
    reason: str


@dataclass
class Schema:
    """The declared inputs of one resource and the cross-field rules between them."""

    resource: str
    fields: tuple[Field, ...]
    rules: tuple[Callable[[dict[str, Any]], Iterable[Failure]], ...] = ()
    by_name: dict[str, Field] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}

    @property
    def keys(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def replace_keys(self) -> list[str]:
        return [f.name for f in self.fields if f.replace]

    def label(self, inputs: Mapping[str, Any]) -> str:
        """How errors name the unit: the resource kind and the host it acts on."""
        host = inputs.get("primary_host")
        if isinstance(host, str) and host:
            return f"{self.resource} on {host}"
        return self.resource

    def check(self, news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
        """Validate and normalize into exactly the form `read` returns."""
        inputs: dict[str, Any] = {}
        failures: list[Failure] = []
        label = self.label(news)
        for f in self.fields:
            value = news.get(f.name)
            if is_unknown(value):
                inputs[f.name] = value
                continue
            if value is None:
                if f.expectation:
                    continue
                if f.required:
                    failures.append(
                        Failure(f.name, f"{label}: {f.name} is required ({f.describe()})")
                    )
                    continue
                inputs[f.name] = f.default
                continue
            try:
                inputs[f.name] = f.coerce(value)
            except InvalidValue as exc:
                failures.append(Failure(f.name, f"{label}: {f.name} {exc}"))
        unknown_keys = sorted(k for k in news if k not in self.by_name and not k.startswith("__"))
        for key in unknown_keys:
            failures.append(
                Failure(
                    key, f"{label}: unknown input {key!r}; known inputs: {', '.join(self.keys)}"
                )
            )
        if not failures:
            known = {k: v for k, v in inputs.items() if not is_unknown(v)}
            if len(known) == len(inputs):
                for rule in self.rules:
                    failures.extend(rule(inputs))
        return inputs, failures

    def changed_keys(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """Declared keys whose value differs (unknown counts as a change)."""
        return [
            f.name
            for f in self.fields
            if not (f.expectation and news.get(f.name) is None)
            and not same_value(olds.get(f.name), news.get(f.name))
        ]


def same_value(old: Any, new: Any) -> bool:
    """Equality that treats 5 and 5.0 alike and an unknown as different."""
    if is_unknown(new) or is_unknown(old):
        return False
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new or old == new and type(old) is type(new)
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same_value(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(same_value(old[k], new[k]) for k in old)
    return old == new


# -- normalizers shared by the resources -------------------------------------

_SERIAL = re.compile(r"^[0-9A-F]{12}$")
# The vendor's OpenAPI (O70, O72) types interface names as plain strings with no pattern
# (examples X0, X1); these are the port names units have, in ASCII digits only (`\d`
# would take any script's digits, which no unit names a port with).
_INTERFACE = re.compile(r"^(X|U|V|W|MGMT)(0|[1-9][0-9]?)?$", re.ASCII)
_SERIAL_TEXT = "a serial number of 12 hexadecimal digits (e.g. 2CB8ED0A9F00; dashes allowed)"
_INTERFACE_TEXT = "an interface name such as X0..X31, U0, V0, W0 or MGMT"
_HOST_TEXT = "a host name or address, optionally with :port"
Normalizer = Callable[[str], Any]


def accepting(description: str) -> Callable[[Normalizer], Normalizer]:
    """Declare what a normalizer accepts, so that every message about its field says so
    (a wrong type and a missing value too, not only a malformed string)."""

    def mark(normalize: Normalizer) -> Normalizer:
        normalize.accepts = description  # type: ignore[attr-defined]
        return normalize

    return mark


@accepting(_SERIAL_TEXT)
def serial(value: str) -> str:
    text = normalize_serial(value)
    if not _SERIAL.match(text):
        raise InvalidValue(f"must be {_SERIAL_TEXT}, got {value!r}")
    return text


@accepting(_INTERFACE_TEXT)
def interface(value: str) -> str:
    text = value.strip().upper()
    match = _INTERFACE.match(text)
    valid = bool(match) and (
        match.group(1) == "MGMT"
        if match.group(2) is None
        else match.group(1) != "MGMT" and not (match.group(1) == "X" and int(match.group(2)) > 31)
    )
    if not valid:
        raise InvalidValue(f"must be {_INTERFACE_TEXT}, got {value!r}")
    return text


def same_host(first: str, second: str) -> bool:
    """`fw1` and `FW1:443` name the same address (HTTPS default port)."""
    return host_key(first) == host_key(second)


def backup_host_is_another_unit(inputs: Mapping[str, Any], label: str) -> Iterable[Failure]:
    """The rule HaPair and HaInterface share: `backup_host` must not spell `primary_host`
    (case, an `https://` prefix and the default port 443 aside). Two *different* addresses
    of one unit are caught at apply, by serial."""
    primary, backup = inputs.get("primary_host"), inputs.get("backup_host")
    if isinstance(primary, str) and isinstance(backup, str) and same_host(primary, backup):
        yield Failure(
            "backup_host",
            f"{label}: backup_host is the same address as primary_host ({backup}); set"
            " backup_host to the Backup unit's address",
        )


def redact_userinfo(value: str) -> str:
    """`admin:secret@fw1` -> `***@fw1`: what precedes `@` may be a password."""
    head, _, tail = value.rpartition("@")
    scheme = "https://" if head.lower().startswith("https://") else ""
    return f"{scheme}***@{tail}"


@accepting(_HOST_TEXT)
def host(value: str) -> str:
    """`https://fw1:443/` -> `fw1:443`: the form kept in state and ids."""
    text = value.strip().rstrip("/")
    for prefix in ("https://", "http://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    if not text or "/" in text or " " in text:
        raise InvalidValue(f"must be {_HOST_TEXT}, got {value!r}")
    if "@" in text:
        raise InvalidValue(
            f"must be {_HOST_TEXT}, without user info (user@), got {redact_userinfo(value)!r};"
            " credentials come from sonicha:username and sonicha:password only"
        )
    if any(not ch.isprintable() for ch in text):
        raise InvalidValue(f"must be {_HOST_TEXT}, with no control characters, got {value!r}")
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise InvalidValue(f"must be {_HOST_TEXT}, with ASCII digits 0-9 only, got {value!r}")
    name, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    if not name or (port and (not port.isdigit() or not 0 < int(port) < 65536)):
        raise InvalidValue(f"must be {_HOST_TEXT} (port 1 to 65535), got {value!r}")
    return text if port else name
