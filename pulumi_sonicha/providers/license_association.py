"""LicenseAssociation: the Primary and its Backup ("HA Secondary") on MySonicWall.

Sections in the usual order: check/diff (base class), create, read, update,
delete. Both inputs replace on change, and delete runs before the
replacement is created: a unit belongs to one association, so the new one
could not be made while the old one holds the unit. Create adopts an
association that already exists between exactly these two serials (a lost
answer, or one made by hand); the portal client does that lookup.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from ..errors import PortalError
from ..models import license_association as model
from ..portal import PortalClient
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
        return CreateResult(id_=outs["association_id"], outs=outs)

    # -- read -----------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self._portal(props).session() as portal:
            association = portal.association(id_)
        if association is None:
            return self.gone()
        outs = model.outputs_from_api(association)
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
        return UpdateResult(outs=model.outputs_from_api(association))

    # -- delete ---------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Dissociate; an association already removed on the portal is fine."""
        with self._portal(props).session() as portal:
            portal.delete_association(id_)

    # -- shared steps ---------------------------------------------------------
    def _portal(self, props: dict[str, Any]) -> PortalClient:
        serial = props.get("primary_serial")
        return PortalClient(self.settings, serial=serial if isinstance(serial, str) else None)
