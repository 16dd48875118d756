"""The portal's HTTP layer: parse each request, call the backend, shape the answer
(errors `{"error": {"code", "message"}}`). The routes are in `urls.py`."""

from __future__ import annotations

import copy
import math
from typing import Any

from ..server import Request, Response, normalize_serial
from .exceptions import InvalidCredentials, InvalidRequest
from .urls import API


class PortalResponses:
    """One handler per route of `urls.URLS`."""

    def error_body(self, code: str, message: str, request: Request | None) -> Any:
        return {"error": {"code": code, "message": message}}

    def _json_object(self, request: Request) -> dict[str, Any]:
        body = self.json_body(request)
        if not isinstance(body, dict):
            raise InvalidRequest("The body must be a JSON object.")
        return body

    def login(self, request: Request) -> Response:
        body = self._json_object(request)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidRequest('The body must be {"username": "...", "password": "..."}.')
        if not self.accepts(username, password):
            raise InvalidCredentials("Invalid username or password.")
        token = self.issue_token()
        return Response(200, {"token": token, "expires_in": math.ceil(self.token_ttl_s)})

    def list_products(self, request: Request) -> Response:
        self._require_token(request)
        with self._lock:
            products = [{**p, "registered": True} for p in self._products.values()]
        return Response(200, {"products": products})

    def get_licenses(self, request: Request, serial: str) -> Response:
        self._require_token(request)
        normalized = normalize_serial(serial) or serial
        with self._lock:
            self._product_or_404(normalized)
            return Response(200, {"licenses": copy.deepcopy(self._licenses[normalized])})

    def list_associations(self, request: Request) -> Response:
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

    def create(self, request: Request) -> Response:
        self._require_token(request)
        body = self._json_object(request)
        primary = self._serial_arg(body.get("primary_serial"), "primary_serial")
        secondary = self._serial_arg(body.get("secondary_serial"), "secondary_serial")
        doc = self.create_association(primary, secondary)
        return Response(201, doc, {"Location": f"{API}/ha-associations/{doc['id']}"})

    def get_association(self, request: Request, assoc_id: str) -> Response:
        self._require_token(request)
        with self._lock:
            return Response(200, self._association_doc(self._association_or_404(assoc_id)))

    def delete_association(self, request: Request, assoc_id: str) -> Response:
        self._require_token(request)
        self._dissociate_or_404(assoc_id)
        return Response(204)
