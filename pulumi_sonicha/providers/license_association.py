"""LicenseAssociation: the Primary and its Backup ("HA Secondary") on MySonicWall.

Sections in the usual order: check/diff (base class), create, read, update,
delete. Both inputs replace on change, and delete runs before the
replacement is created: a unit belongs to one association, so the new one
could not be made while the old one holds the unit. Create adopts an
association that already exists between exactly these two serials (a lost
answer, or one made by hand); the portal client does that lookup. So a rename
without `aliases` adopts the old resource's association, and the old resource's
delete, later in the same run, leaves it alone (`run.CLAIMS`).
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from ..errors import PortalError
from ..models import license_association as model
from ..portal import PortalClient
from . import run
from .base import SonicHaProvider


class LicenseAssociationProvider(SonicHaProvider):
    schema = model.SCHEMA
    delete_before_replace = True

    # -- create ---------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        with self._portal(props).session() as portal:
            association = portal.create_association(
                props["primary_serial"], props["secondary_serial"]
            )
        outs = model.outputs_from_api(association)
        if portal.adopted:
            run.warn(
                f"LicenseAssociation {outs['association_id']}: {props['secondary_serial']} was"
                f" already associated with {props['primary_serial']} on MySonicWall: this"
                " resource takes the association over. If another resource still manages it"
                " (a rename without aliases), its delete leaves it alone only in a run that"
                " also declares this resource"
            )
        id_ = outs["association_id"]
        return CreateResult(id_=id_, outs=self.claimed_outputs(outs, {}, id_))

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self._portal(props).session() as portal:
            association = portal.association(id_)
        if association is None:
            return self.gone()
        outs = model.outputs_from_api(association)
        if props.get("instance_id"):
            outs["instance_id"] = props["instance_id"]
        return ReadResult(id_=id_, outs=outs, inputs=self.inputs_of(outs))

    # -- update ---------------------------------------------------------------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Both inputs replace, so nothing is ever written here: refresh the outputs."""
        with self._portal(news).session() as portal:
            association = portal.association(id_)
        if association is None:
            raise PortalError(
                f"association {id_} of {news.get('secondary_serial')} with"
                f" {news.get('primary_serial')} no longer exists on MySonicWall; run"
                " `pulumi refresh` so it is created again on the next `pulumi up`",
                serial=news.get("primary_serial"),
                code="NOT_FOUND",
                status=404,
            )
        outs = model.outputs_from_api(association)
        return UpdateResult(outs=self.claimed_outputs(outs, olds, id_))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Dissociate; an association already removed on the portal is fine, and one
        another LicenseAssociation manages now (declared or adopted in this run) is left
        alone. The claim is released however the delete ends."""
        with self.releasing(props, id_) as objects:
            if self.left_alone(
                objects[0],
                props,
                f"LicenseAssociation {id_}: left in place on MySonicWall: another"
                " LicenseAssociation manages it (declared or adopted in this run: a rename),"
                " so this delete does not remove it",
            ):
                return
            with self._portal(props).session() as portal:
                portal.delete_association(id_)

    def unit_objects(self, props: dict[str, Any], id_: str) -> list[run.UnitObject]:
        return [("association", id_ or props.get("association_id") or "")]

    # -- shared steps ---------------------------------------------------------
    def _portal(self, props: dict[str, Any]) -> PortalClient:
        serial = props.get("primary_serial")
        return PortalClient(self.settings, serial=serial if isinstance(serial, str) else None)
