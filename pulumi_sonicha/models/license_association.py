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
from ..schema import About, Failure, Field, Output, Schema


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
        Field(
            "primary_serial",
            str,
            replace=True,
            normalize=schema.serial,
            doc="The Primary's serial (HA Primary on MySonicWall).",
        ),
        Field(
            "secondary_serial",
            str,
            replace=True,
            normalize=schema.serial,
            doc="The Backup's serial (HA Secondary on MySonicWall).",
        ),
    ),
    rules=(_rules,),
    outputs=(
        Output(
            "association_id",
            "str",
            "MySonicWall's id of the association (also the resource id).",
        ),
        Output("status", "str", "The association's status (ASSOCIATED)."),
        Output("shared_licenses", "list[str]", "Services the Backup now shares from the Primary."),
        Output(
            "non_shareable_licenses",
            "list[str]",
            "Services the portal never shares (consulting services such as GMS Preventive"
            " Maintenance).",
        ),
    ),
    about=About(
        summary='The Primary and the Backup ("HA Secondary") associated on MySonicWall, so'
        " the Backup shares the Primary's licenses (all but consulting services).",
        id="the association id.",
        replacement="A new `primary_serial` or `secondary_serial` replaces the resource,"
        " deleting the old association first: a unit belongs to one association.",
        delete="Dissociates the two units on the portal. An association removed on the"
        " portal by hand shows as gone on the next refresh.",
        details="Credentials: the sonicha:portalUsername and sonicha:portalPassword settings."
        " Create adopts an association that already exists between exactly these two serials.",
    ),
)

OUTPUTS = SCHEMA.output_names


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
