"""The unit's route table: each API path (under `/api/sonicos`) and the handler of
`responses.SonicOSResponses` that answers each method there.

Introspectable on purpose: the docs' endpoints table and the suite's check that every
served path is in the vendor's schema both read `URLS`.
"""

from __future__ import annotations

from .fields import API

#: (path regex under API, {HTTP method: handler name}), in matching order.
URLS: tuple[tuple[str, dict[str, str]], ...] = (
    ("/auth", {"POST": "login", "DELETE": "logout"}),
    ("/config-mode", {"POST": "config_mode"}),
    ("/non-config-mode", {"POST": "non_config_mode"}),
    ("/version", {"GET": "get_version"}),
    ("/reporting/status/system", {"GET": "get_status_system"}),
    ("/config/pending", {"GET": "get_pending", "POST": "commit", "DELETE": "discard"}),
    ("/high-availability/base", {"GET": "get_ha", "PUT": "put_ha"}),
    ("/high-availability/synchronize/settings", {"POST": "sync_settings"}),
    ("/high-availability/synchronize/firmware", {"POST": "sync_firmware"}),
    ("/high-availability/force-failover", {"POST": "force_failover"}),
    ("/restart", {"POST": "restart"}),
    ("/restart-sonicos", {"POST": "restart_sonicos"}),  # O72 only: 404 on 7.0.1
    ("/reporting/high-availability", {"GET": "get_ha_status"}),
    (
        "/high-availability/monitoring/ipv4",
        {"GET": "list_monitoring", "PUT": "put_monitoring_list"},
    ),
    (
        "/high-availability/monitoring/ipv4/interface/(?P<name>[^/]+)",
        {"GET": "get_monitoring", "PUT": "put_monitoring"},
    ),
    ("/reporting/interfaces/ipv4/status", {"GET": "get_link_status"}),
    ("/interfaces/ipv4", {"GET": "list_interfaces", "PUT": "put_interfaces"}),
    ("/interfaces/ipv4/name/(?P<name>[^/]+)", {"GET": "get_interface", "PUT": "put_interface"}),
)


def endpoints() -> list[tuple[str, str]]:
    """(method, path) of every endpoint a unit serves, `{NAME}` for a path argument."""
    return [
        (method, API + pattern.replace("(?P<name>[^/]+)", "{NAME}"))
        for pattern, methods in URLS
        for method in methods
    ]
