"""The simulated MySonicWall licensing portal (API in docs/reference/portal-api.md).

Choices the spec leaves open: a missing or unknown bearer token is 401
`UNAUTHORIZED` (an expired one is 401 `TOKEN_EXPIRED`); a malformed body or
serial is 400 `INVALID_REQUEST`; association create checks run in the order
format, SAME_PRODUCT, PRODUCT_NOT_REGISTERED, MODEL_MISMATCH, ALREADY_ASSOCIATED.
License lists of an association are computed on every answer, so a license
added to the Primary later shows up in the next GET.
"""

from __future__ import annotations

import copy
import hmac
import math
import secrets
import time
from typing import Any

from .server import ApiError, Request, Response, SimServer, new_token, normalize_serial


class PortalSim(SimServer):
    """MySonicWall as far as HA license association goes, with test controls."""

    AUTH_PATH = "/api/v1/auth/login"

    def __init__(
        self,
        *,
        username: str,
        password: str,
        products: list[dict[str, Any]],
        licenses: dict[str, list[dict[str, Any]]] | None = None,
        associations: list[dict[str, Any]] | None = None,
        token_ttl_s: float = 3600.0,
        latency_s: float = 0.0,
        connect_round_trips: int = 0,
    ) -> None:
        super().__init__("portal", latency_s=latency_s, connect_round_trips=connect_round_trips)
        self.token_ttl_s = token_ttl_s
        self._username = username
        self._password = password
        self._products: dict[str, dict[str, Any]] = {}
        self._licenses: dict[str, list[dict[str, Any]]] = {}
        self._associations: dict[str, dict[str, str]] = {}
        self._tokens: dict[str, float] = {}
        for product in products:
            self.register_product(product["serial"], product["name"], product["model"])
        for serial, items in (licenses or {}).items():
            for item in items:
                self.add_license(serial, **item)
        for assoc in associations or []:
            self._associations[assoc["id"]] = {
                "id": assoc["id"],
                "primary_serial": self._registered(assoc["primary_serial"]),
                "secondary_serial": self._registered(assoc["secondary_serial"]),
            }

        r = self._router
        r.add("/api/v1/auth/login", post=self._login)
        r.add("/api/v1/products", get=self._list_products)
        r.add("/api/v1/products/(?P<serial>[^/]+)/licenses", get=self._get_licenses)
        r.add("/api/v1/ha-associations", get=self._list_associations, post=self._create)
        r.add(
            "/api/v1/ha-associations/(?P<assoc_id>[^/]+)",
            get=self._get_association,
            delete=self._delete_association,
        )

    # -- test controls -----------------------------------------------------------------------

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
                status=429,
                code="RATE_LIMITED",
                message=f"Too many requests; retry after {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )
        )

    def control(self, action: str, body: dict[str, Any]) -> Any:
        """The `POST /_simulator/{action}` surface the CLI's `ctl` subcommand calls."""
        if action == "show":
            return {
                "url": self.url,
                "products": self.products(),
                "associations": self.associations(),
                "latency_ms": self.latency_s * 1000.0,
            }
        if action == "associations":
            return self.associations()
        if action == "dissociate":
            wanted = str(body["association"])
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
            return {"removed": found}
        if action == "register":
            serial = normalize_serial(body["serial"])
            if serial is None:
                raise ValueError(f"not a serial number: {body['serial']!r}")
            model = body.get("model") or "NSa 2700"
            self.register_product(serial, body.get("name") or f"fw-{serial[-4:].lower()}", model)
            return [p for p in self.products() if p["serial"] == serial][0]
        if action == "unregister":
            self.unregister_product(body["serial"])
            return {"unregistered": normalize_serial(body["serial"])}
        if action == "rate-limit":
            self.rate_limit(body.get("times", 1), int(body.get("retry_after", 1)))
        elif action == "expire-tokens":
            self.expire_tokens()
        elif action == "fail":
            self.fail(
                body.get("method", "*"),
                body.get("path", ".*"),
                status=int(body.get("status", 500)),
                code=body.get("code"),
                message=body.get("message", "Internal error"),
                times=body.get("times", 1),
            )
        elif action == "latency":
            self.latency_s = float(body.get("ms", 0)) / 1000.0
        elif action == "clear-faults":
            self.clear_faults()
        else:
            raise ValueError(f"unknown portal action {action!r}")
        return None

    # -- plumbing ----------------------------------------------------------------------------

    def error_body(self, code: str, message: str, request: Request | None) -> Any:
        return {"error": {"code": code, "message": message}}

    def _registered(self, serial: str) -> str:
        normalized = normalize_serial(serial)
        if normalized is None or normalized not in self._products:
            raise KeyError(f"product {serial!r} is not registered")
        return normalized

    def _require_token(self, request: Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "UNAUTHORIZED", "Missing bearer token; log in first.")
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            raise ApiError(401, "UNAUTHORIZED", "Unknown token; log in again.")
        if time.monotonic() >= expiry:
            raise ApiError(401, "TOKEN_EXPIRED", "The token has expired; log in again.")

    def _json_object(self, request: Request) -> dict[str, Any]:
        body = self.json_body(request)
        if not isinstance(body, dict):
            raise self.bad_request("The body must be a JSON object.")
        return body

    def _serial_arg(self, value: Any, what: str) -> str:
        serial = normalize_serial(value)
        if serial is None:
            raise self.bad_request(f"{what} {value!r} is not a serial number (12 hex digits).")
        return serial

    def _product_or_404(self, serial: str) -> dict[str, Any]:
        product = self._products.get(serial)
        if product is None:
            raise ApiError(
                404,
                "PRODUCT_NOT_REGISTERED",
                f"Product {serial} is not registered to this MySonicWall account.",
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

    # -- routes ------------------------------------------------------------------------------

    def _login(self, request: Request) -> Response:
        body = self._json_object(request)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise self.bad_request('The body must be {"username": "...", "password": "..."}.')
        if not self.accepts(username, password):
            raise ApiError(401, "INVALID_CREDENTIALS", "Invalid username or password.")
        token = new_token()
        with self._lock:
            self._tokens[token] = time.monotonic() + self.token_ttl_s
        return Response(200, {"token": token, "expires_in": math.ceil(self.token_ttl_s)})

    def _list_products(self, request: Request) -> Response:
        self._require_token(request)
        with self._lock:
            products = [{**p, "registered": True} for p in self._products.values()]
        return Response(200, {"products": products})

    def _get_licenses(self, request: Request, serial: str) -> Response:
        self._require_token(request)
        normalized = normalize_serial(serial) or serial
        with self._lock:
            self._product_or_404(normalized)
            return Response(200, {"licenses": copy.deepcopy(self._licenses[normalized])})

    def _list_associations(self, request: Request) -> Response:
        self._require_token(request)
        wanted = request.query_value("serial")
        serial = self._serial_arg(wanted, "serial") if wanted is not None else None
        with self._lock:
            docs = [
                self._association_doc(a)
                for a in self._associations.values()
                if serial is None or serial in (a["primary_serial"], a["secondary_serial"])
            ]
        return Response(200, {"associations": docs})

    def _create(self, request: Request) -> Response:
        self._require_token(request)
        body = self._json_object(request)
        primary = self._serial_arg(body.get("primary_serial"), "primary_serial")
        secondary = self._serial_arg(body.get("secondary_serial"), "secondary_serial")
        if primary == secondary:
            raise ApiError(
                422,
                "SAME_PRODUCT",
                f"HA Primary and HA Secondary are the same product ({primary}).",
            )
        with self._lock:
            first, second = self._product_or_404(primary), self._product_or_404(secondary)
            if first["model"] != second["model"]:
                raise ApiError(
                    422,
                    "MODEL_MISMATCH",
                    f"Product {secondary} is model {second['model']} but product {primary} is "
                    f"model {first['model']}: HA units must be the same model.",
                )
            for serial in (primary, secondary):
                other = self._association_of(serial)
                if other is not None:
                    raise ApiError(
                        409,
                        "ALREADY_ASSOCIATED",
                        f"Product {serial} already belongs to HA association {other['id']} "
                        f"(primary {other['primary_serial']}, "
                        f"secondary {other['secondary_serial']}).",
                    )
            assoc_id = f"assoc-{secrets.token_hex(4)}"
            while assoc_id in self._associations:
                assoc_id = f"assoc-{secrets.token_hex(4)}"
            assoc = {"id": assoc_id, "primary_serial": primary, "secondary_serial": secondary}
            self._associations[assoc_id] = assoc
            doc = self._association_doc(assoc)
        return Response(201, doc, {"Location": f"/api/v1/ha-associations/{assoc_id}"})

    def _association_or_404(self, assoc_id: str) -> dict[str, str]:
        assoc = self._associations.get(assoc_id)
        if assoc is None:
            raise ApiError(404, "NOT_FOUND", f"HA association {assoc_id} not found.")
        return assoc

    def _get_association(self, request: Request, assoc_id: str) -> Response:
        self._require_token(request)
        with self._lock:
            return Response(200, self._association_doc(self._association_or_404(assoc_id)))

    def _delete_association(self, request: Request, assoc_id: str) -> Response:
        self._require_token(request)
        with self._lock:
            self._association_or_404(assoc_id)
            del self._associations[assoc_id]
        return Response(204)
