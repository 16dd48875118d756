"""The portal's route table: each path and the handler of `responses.PortalResponses`
that answers each method there (introspectable for the docs' endpoints table)."""

from __future__ import annotations

API = "/api/v1"

#: (path regex, {HTTP method: handler name}), in matching order.
URLS: tuple[tuple[str, dict[str, str]], ...] = (
    (f"{API}/auth/login", {"POST": "login"}),
    (f"{API}/products", {"GET": "list_products"}),
    (f"{API}/products/(?P<serial>[^/]+)/licenses", {"GET": "get_licenses"}),
    (f"{API}/ha-associations", {"GET": "list_associations", "POST": "create"}),
    (
        f"{API}/ha-associations/(?P<assoc_id>[^/]+)",
        {"GET": "get_association", "DELETE": "delete_association"},
    ),
)


def endpoints() -> list[tuple[str, str]]:
    """(method, path) of every endpoint the portal serves, `{ARG}` for a path argument."""
    return [
        (
            method,
            pattern.replace("(?P<serial>[^/]+)", "{serial}").replace("(?P<assoc_id>[^/]+)", "{id}"),
        )
        for pattern, methods in URLS
        for method in methods
    ]
