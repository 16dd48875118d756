"""The portal's state and rules: the account's products and licenses, bearer tokens,
and HA associations.

Association create checks run in the order format, SAME_PRODUCT,
PRODUCT_NOT_REGISTERED, MODEL_MISMATCH, ALREADY_ASSOCIATED (ours: the API reference
lists the errors, not their order). License lists of an association are computed on
every answer, so a license added to the Primary later shows up in the next GET.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from .. import server
from ..server import Request, normalize_serial
from .exceptions import (
    AlreadyAssociated,
    InvalidRequest,
    ModelMismatch,
    NotFound,
    ProductNotRegistered,
    SameProduct,
    TokenExpired,
    Unauthorized,
)


class PortalBackend:
    """Products, licenses, tokens and associations of one MySonicWall account."""

    # -- tokens ------------------------------------------------------------------------------

    def issue_token(self) -> str:
        """A new bearer token valid for `token_ttl_s` (`server.new_token`, looked up at
        call time so that tests can record every token handed out)."""
        token = server.new_token()
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_ttl_s
        return token

    def _require_token(self, request: Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Missing bearer token; log in first.")
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            raise Unauthorized("Unknown token; log in again.")
        if time.monotonic() >= expiry:
            raise TokenExpired("The token has expired; log in again.")

    # -- associations ------------------------------------------------------------------------

    def create_association(self, primary: str, secondary: str) -> dict[str, Any]:
        """Associate two registered products of one model as HA Primary and HA Secondary."""
        if primary == secondary:
            raise SameProduct(f"HA Primary and HA Secondary are the same product ({primary}).")
        with self._lock:
            first, second = self._product_or_404(primary), self._product_or_404(secondary)
            if first["model"] != second["model"]:
                raise ModelMismatch(
                    f"Product {secondary} is model {second['model']} but product {primary} is "
                    f"model {first['model']}: HA units must be the same model."
                )
            for serial in (primary, secondary):
                other = self._association_of(serial)
                if other is not None:
                    raise AlreadyAssociated(
                        f"Product {serial} already belongs to HA association {other['id']} "
                        f"(primary {other['primary_serial']}, "
                        f"secondary {other['secondary_serial']})."
                    )
            assoc_id = f"assoc-{secrets.token_hex(4)}"
            while assoc_id in self._associations:
                assoc_id = f"assoc-{secrets.token_hex(4)}"
            assoc = {"id": assoc_id, "primary_serial": primary, "secondary_serial": secondary}
            self._associations[assoc_id] = assoc
            return self._association_doc(assoc)

    def _dissociate_or_404(self, assoc_id: str) -> None:
        with self._lock:
            self._association_or_404(assoc_id)
            del self._associations[assoc_id]

    # -- lookups -----------------------------------------------------------------------------

    def _registered(self, serial: str) -> str:
        normalized = normalize_serial(serial)
        if normalized is None or normalized not in self._products:
            raise KeyError(f"product {serial!r} is not registered")
        return normalized

    @staticmethod
    def _serial_arg(value: Any, what: str) -> str:
        serial = normalize_serial(value)
        if serial is None:
            raise InvalidRequest(f"{what} {value!r} is not a serial number (12 hex digits).")
        return serial

    def _product_or_404(self, serial: str) -> dict[str, Any]:
        product = self._products.get(serial)
        if product is None:
            raise ProductNotRegistered(
                f"Product {serial} is not registered to this MySonicWall account."
            )
        return product

    def _association_doc(self, assoc: dict[str, str]) -> dict[str, Any]:
        items = self._licenses.get(assoc["primary_serial"], [])
        return {
            **assoc,
            "status": "ASSOCIATED",
            "shared_licenses": [i["name"] for i in items if i["shareable"]],
            "non_shareable_licenses": [i["name"] for i in items if not i["shareable"]],
        }

    def _association_of(self, serial: str) -> dict[str, str] | None:
        for assoc in self._associations.values():
            if serial in (assoc["primary_serial"], assoc["secondary_serial"]):
                return assoc
        return None

    def _association_or_404(self, assoc_id: str) -> dict[str, str]:
        assoc = self._associations.get(assoc_id)
        if assoc is None:
            raise NotFound(f"HA association {assoc_id} not found.")
        return assoc
