"""Checks every exchange with a simulated unit against `sonicos_api_schema`.

`conftest.py` installs `Conformance.observe` as the simulators' observer for the
whole suite and fails a test that produced a violation: a request the client
sent that the vendor's API does not define (path, method or body), or an answer
the simulator gave that a real unit would not.

Tests that send malformed requests on purpose (to prove the simulator refuses
them) mark themselves `@pytest.mark.nonconforming_requests`: their requests are
not checked, the simulator's answers still are.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from pulumi_sonicha.simulator.server import Request, Response, SimServer
from pulumi_sonicha.simulator.sonicos import API, ApplianceSim

from .sonicos_api_schema import ENVELOPE, Endpoint, endpoints


@cache
def _endpoints(firmware: str) -> list[Endpoint]:
    return endpoints(firmware)


# One validator per schema object (the schemas are built once per firmware and kept).
_VALIDATORS: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    found = _VALIDATORS.get(id(schema))
    if found is None or found[0] is not schema:
        found = (schema, Draft202012Validator(schema))
        _VALIDATORS[id(schema)] = found
    return found[1]


def _errors(schema: dict[str, Any], value: Any) -> list[str]:
    validator = _validator(schema)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
        for e in validator.iter_errors(value)
    ][:3]


@dataclass
class Conformance:
    """Collects violations; `check_requests` is off for tests marked nonconforming."""

    check_requests: bool = True
    violations: list[str] = field(default_factory=list)
    exchanges: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, server: SimServer, request: Request, response: Response | None) -> None:
        if not isinstance(server, ApplianceSim) or not request.path.startswith(API):
            return
        path = request.path.removeprefix(API)
        found = [e for e in _endpoints(server.fw.key) if e.matches(request.method, path)]
        problems: list[str] = []
        if not found:
            if self.check_requests:
                problems.append("the API defines no such method and path")
        else:
            endpoint = found[0]
            if self.check_requests:
                problems += self._request_problems(endpoint, request)
            if response is not None:
                problems += self._answer_problems(endpoint, response)
        with self._lock:
            self.exchanges += 1
            self.violations += [f"{request.method} {request.path}: {p}" for p in problems]

    @staticmethod
    def _request_problems(endpoint: Endpoint, request: Request) -> list[str]:
        raw = request.raw_body.strip()
        if not raw:
            return [] if None in endpoint.request else ["request without a body"]
        try:
            body = json.loads(raw)
        except ValueError:
            return ["request body is not JSON"]
        options = [s for s in endpoint.request if s is not None]
        if not options:
            return ["request has a body; the API defines none"]
        results = [_errors(schema, body) for schema in options]
        if any(not r for r in results):
            return []
        return [f"request body: {e}" for e in results[0]]

    @staticmethod
    def _answer_problems(endpoint: Endpoint, response: Response) -> list[str]:
        if response.status == 401 and response.body is None:
            if "digest" in response.headers.get("WWW-Authenticate", "").lower():
                return []  # a Digest challenge: empty body (VEN)
            return ["401 without a body or a Digest challenge"]
        schema = endpoint.answer if 200 <= response.status < 300 else ENVELOPE
        return [f"answer {response.status}: {e}" for e in _errors(schema, response.body)]
