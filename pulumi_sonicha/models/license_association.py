"""LicenseAssociation: inputs <-> the portal's HA association object.

`outputs_from_api` is the one translation of an association into outputs:
create, read and update all go through it, and the serials come back in the
form `check` produces (`schema.serial`), so a refresh of an unchanged
association shows no diff. License lists are sorted: the portal's order is
not meaningful and must not look like drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field, Schema


def _rules(inputs: dict[str, Any]) -> Iterable[Failure]:
    if inputs["primary_serial"] == inputs["secondary_serial"]:
        yield Failure(
            "secondary_serial",
            f"{SCHEMA.resource}: secondary_serial is the same serial as primary_serial"
            f" ({inputs['primary_serial']}); give the serial of the Backup unit"
            " (the HA Secondary on MySonicWall)",
        )


SCHEMA = Schema(
    resource="LicenseAssociation",
    fields=(
        Field("primary_serial", str, replace=True, normalize=schema.serial),
        Field("secondary_serial", str, replace=True, normalize=schema.serial),
    ),
    rules=(_rules,),
)

OUTPUTS = ("association_id", "status", "shared_licenses", "non_shareable_licenses")


def license_names(items: Any) -> list[str]:
    """Sorted service names; the portal may list names or license objects."""
    names = set()
    for item in items or []:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.add(name.strip())
    return sorted(names)


def outputs_from_api(api: dict[str, Any]) -> dict[str, Any]:
    """An association object -> the full outputs (inputs normalized as `check` does)."""
    return {
        "primary_serial": schema.normalize_serial(str(api.get("primary_serial", ""))),
        "secondary_serial": schema.normalize_serial(str(api.get("secondary_serial", ""))),
        "association_id": str(api.get("id", "")),
        "status": str(api.get("status", "")).upper(),
        "shared_licenses": license_names(api.get("shared_licenses")),
        "non_shareable_licenses": license_names(api.get("non_shareable_licenses")),
    }
