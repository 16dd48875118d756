"""Test and `ctl` controls of the portal: what happens on MySonicWall outside the API
(products registered, licenses bought, an association removed by hand, tokens
expiring, rate limits). Python tests call these; `ctl` reaches them through
`simulator.controls.ACTIONS`."""

from __future__ import annotations

import copy
import hmac
from typing import Any

from ..server import normalize_serial
from .exceptions import RATE_LIMITED


class PortalControls:
    """The account's state as tests set and inspect it."""

    def control(self, action: str, body: dict[str, Any]) -> Any:
        """The `POST /_simulator/{action}` surface `ctl` calls: the action's handler in
        the one registry, `simulator.controls.ACTIONS`."""
        from ..controls import run  # the registry imports the servers' modules

        return run("portal", self, action, body)

    def register_product(self, serial: str, name: str, model: str) -> None:
        normalized = normalize_serial(serial)
        if normalized is None:
            raise ValueError(f"not a serial number: {serial!r}")
        with self._lock:
            self._products[normalized] = {"serial": normalized, "name": name, "model": model}
            self._licenses.setdefault(normalized, [])

    def unregister_product(self, serial: str) -> None:
        """Remove a product from the account (KeyError if unknown, ValueError if associated)."""
        with self._lock:
            normalized = self._registered(serial)
            assoc = self._association_of(normalized)
            if assoc is not None:
                raise ValueError(
                    f"product {normalized} is in association {assoc['id']}; dissociate it first"
                )
            del self._products[normalized]
            self._licenses.pop(normalized, None)

    def products(self) -> list[dict[str, Any]]:
        """The account's products, each with its license names."""
        with self._lock:
            return [
                {**product, "licenses": [i["name"] for i in self._licenses.get(serial, [])]}
                for serial, product in self._products.items()
            ]

    def is_registered(self, serial: str) -> bool:
        """Whether `serial` (any spelling) is a product of this account."""
        normalized = normalize_serial(serial)
        with self._lock:
            return normalized is not None and normalized in self._products

    def accepts(self, username: str, password: str) -> bool:
        """Whether these are this account's credentials (what a login checks)."""
        return hmac.compare_digest(
            f"{username}\0{password}".encode(), f"{self._username}\0{self._password}".encode()
        )

    def add_license(
        self,
        serial: str,
        name: str,
        type: str = "security-service",  # noqa: A002 - the portal's field name
        shareable: bool = True,
        expires: str = "2027-12-31",
    ) -> None:
        """Add (or replace, by name) a license of a registered product."""
        with self._lock:
            items = self._licenses[self._registered(serial)]
            items[:] = [i for i in items if i["name"] != name]
            items.append({"name": name, "type": type, "shareable": shareable, "expires": expires})

    def licenses(self, serial: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._licenses[self._registered(serial)])

    def associations(self) -> list[dict[str, Any]]:
        with self._lock:
            return [self._association_doc(a) for a in self._associations.values()]

    def remove_association(self, assoc_id: str) -> None:
        """Dissociate on the portal behind the provider's back (KeyError if unknown)."""
        with self._lock:
            del self._associations[assoc_id]

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (401 TOKEN_EXPIRED)."""
        with self._lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)

    def rate_limit(self, times: int | None = 1, retry_after: int = 1) -> None:
        """The next `times` requests, whatever they are, answer 429 with Retry-After."""
        self._add_fault(
            self._rule(
                "fail",
                "*",
                "",
                times,
                status=RATE_LIMITED[0],
                code=RATE_LIMITED[1],
                message=f"Too many requests; retry after {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )
        )

    def dissociate(self, wanted: str) -> list[str]:
        """Remove the association with this id, or every one a serial is in (as if done
        on MySonicWall); KeyError when none matches. Returns the ids removed."""
        serial = normalize_serial(wanted)
        with self._lock:
            found = [
                assoc_id
                for assoc_id, assoc in self._associations.items()
                if wanted == assoc_id
                or serial in (assoc["primary_serial"], assoc["secondary_serial"])
            ]
        if not found:
            raise KeyError(f"no association {wanted!r} (give its id or a serial in it)")
        for assoc_id in found:
            self.remove_association(assoc_id)
        return found

    def snapshot(self) -> dict[str, Any]:
        """What `ctl show` prints for the portal."""
        return {
            "url": self.url,
            "products": self.products(),
            "associations": self.associations(),
            "latency_ms": self.latency_s * 1000.0,
        }
