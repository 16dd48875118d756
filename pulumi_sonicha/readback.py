"""After a commit, read back what was written: a success never lies.

A commit can answer 200 and leave the unit as it was (a retried commit after
the unit lost the staged change commits nothing; a unit may drop part of a
change). So `ApplianceSession.commit` hands every write it committed to
`verify`, which reads each object written once (the last write of an object
wins; interfaces share one `GET /interfaces/ipv4`) and fails, naming the unit,
the object and the field, when the unit does not hold a value that was sent.

Only what was sent is compared, leaf by leaf: the unit may add fields of its
own (it fills `primary_serial` when HA goes on). An empty object sent (HA off,
`mode: {}`; a zone removed, `ip_assignment: {}`) must read back empty. Equal
means: the same number (the unit may answer 30 or 30.0), the same serial in
any spelling, and "" / "0.0.0.0" / null alike for an unset address (the vendor
uses both spellings).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .errors import CommitNotHeldError
from .serials import normalize_serial

if TYPE_CHECKING:
    from .sonicos import ApplianceSession

HA_BASE = "/high-availability/base"
MONITORING = "/high-availability/monitoring/ipv4/interface/"
INTERFACES = "/interfaces/ipv4"
_UNSET = ("", "0.0.0.0", None)


def verify(unit: ApplianceSession, written: list[tuple[str, str, Any]]) -> None:
    """Read back each object in `written` ((method, path, body) of committed writes) and
    raise the unit's error listing every field it does not hold."""
    objects: dict[tuple[str, ...], Any] = {}
    for _method, path, body in written:
        if path == HA_BASE:
            objects[("ha",)] = body.get("high_availability")
        elif path.startswith(MONITORING):
            for item in _items(body.get("high_availability", {}).get("monitoring", {})):
                objects[("monitoring", str(item.get("name", "")).upper())] = item
        elif path == INTERFACES:
            for item in _items(body):
                key = str(item.get("name", "")).upper(), str(item.get("vlan") or "")
                objects[("interface", *key)] = item
    wrong: list[str] = []
    interfaces: list[dict[str, Any]] | None = None
    for key, sent in objects.items():
        if key[0] == "ha":
            what, held = "HA settings", unit.ha_settings()
        elif key[0] == "monitoring":
            what, held = f"HA monitoring of {key[1]}", unit.ha_monitoring(key[1])
        else:
            if interfaces is None:
                interfaces = unit.interfaces()
            name, vlan = key[1], key[2]
            what = f"interface {name}" + (f" VLAN {vlan}" if vlan else "")
            held = next(
                (
                    i
                    for i in interfaces
                    if str(i.get("name", "")).upper() == name and str(i.get("vlan") or "") == vlan
                ),
                None,
            )
        wrong += [f"{what}: {field}" for field in differences(sent, held)]
    if wrong:
        raise unit.error(
            "the commit was answered as a success, but the unit does not hold what was"
            f" written ({'; '.join(wrong)}). The unit may have dropped the change; run"
            " `pulumi up` again, and if this repeats check who else changes this unit",
            CommitNotHeldError,
        )


def _items(container: Any) -> list[dict[str, Any]]:
    """The `ipv4` objects of `{"interface(s)": [{"ipv4": ...}]}`."""
    items = container.get("interfaces", container.get("interface")) if container else None
    if not isinstance(items, list):
        return []
    return [i["ipv4"] for i in items if isinstance(i, dict) and isinstance(i.get("ipv4"), dict)]


def differences(sent: Any, held: Any, path: str = "") -> list[str]:
    """`field: written X, the unit holds Y` for every leaf of `sent` that `held` lacks."""
    if isinstance(sent, dict):
        if not sent:
            return [] if not held else [_wrong(path, sent, held)]
        if not isinstance(held, dict):
            return [_wrong(path, sent, held)]
        found: list[str] = []
        for key, value in sent.items():
            found += differences(value, held.get(key), f"{path}.{key}" if path else key)
        return found
    if isinstance(sent, list):
        if not isinstance(held, list) or len(held) != len(sent):
            return [_wrong(path, sent, held)]
        found = []
        for index, (one, other) in enumerate(zip(sent, held, strict=True)):
            found += differences(one, other, f"{path}[{index}]")
        return found
    return [] if _same(sent, held, path) else [_wrong(path, sent, held)]


def _same(sent: Any, held: Any, path: str) -> bool:
    if isinstance(sent, bool) or isinstance(held, bool):
        return sent is held
    if isinstance(sent, int | float) and isinstance(held, int | float):
        return float(sent) == float(held)
    if sent in _UNSET and held in _UNSET:
        return True
    if path.endswith("serial") and isinstance(sent, str) and isinstance(held, str):
        return normalize_serial(sent) == normalize_serial(held)
    return sent == held


def _wrong(path: str, sent: Any, held: Any) -> str:
    return f"{path or 'the object'}: written {_shown(sent)}, the unit holds {_shown(held)}"


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)
