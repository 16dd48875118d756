"""The one registry of test controls: every `ctl` action, what its command line takes,
and what it does on a unit and on the portal.

The servers' loopback-only `POST /_simulator/{action}` surface dispatches through
`ACTIONS` (`run`), and `ctl` parses and documents its command lines from it, so an
action is written once. The handlers call the servers' Python controls
(`sonicos.controls.UnitControls`, `portal.controls.PortalControls`), which tests
call directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .server import normalize_serial

Handler = Callable[[Any, dict[str, Any]], Any]


def _times(text: Any) -> int | None:
    """`--times 0` means until cleared."""
    number = int(text)
    return None if number == 0 else number


def json_object(text: Any) -> dict[str, Any]:
    if isinstance(text, dict):
        return text
    source = str(text)
    if source.startswith("@"):  # @file.json
        source = Path(source[1:]).read_text()
    value = json.loads(source)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object {...}")
    return value


def _flag(text: Any) -> bool:
    """true/false as a person types it."""
    if isinstance(text, bool):
        return text
    return str(text).strip().lower() in ("true", "yes", "on", "1")


@dataclass(frozen=True)
class Action:
    """One ctl action: its parameters (positional order; flags and JSON keys alike)."""

    name: str
    about: str
    params: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()  # the trailing params that may be left out
    target: str = "unit"  # "unit" (--unit picks which), "portal", or "all" (show)
    defaults: dict[str, Any] = field(default_factory=dict)
    convert: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    example: str = ""
    #: What the action does on a unit / on the portal (server, request body) -> result;
    #: None where it does not apply there.
    unit: Handler | None = None
    portal: Handler | None = None

    def usage(self) -> str:
        words = [p.upper() if p not in self.optional else f"[{p.upper()}]" for p in self.params]
        extra = [
            f"[--{k.replace('_', '-')} {str(v).upper()}]"
            for k, v in self.defaults.items()
            if k not in self.params
        ]
        return " ".join(["ctl", self.name, *words, *extra])


# -- what each action does: (server, body) -> result -----------------------------------------


def _unit_show(unit: Any, body: dict[str, Any]) -> Any:
    return {**unit.snapshot(), "outage": unit.outage}


def _portal_show(portal: Any, body: dict[str, Any]) -> Any:
    return {**portal.snapshot(), "outage": portal.outage}


def _down(server: Any, body: dict[str, Any]) -> Any:
    server.go_down()
    return {"outage": server.outage}


def _hang(server: Any, body: dict[str, Any]) -> Any:
    server.go_down(hung=True)
    return {"outage": server.outage}


def _up(server: Any, body: dict[str, Any]) -> Any:
    server.come_up()
    return {"outage": server.outage}


def _cable(unit: Any, body: dict[str, Any]) -> Any:
    port = unit._known(body["interface"])
    unit._cabling.cable(port)
    return {"interface": port, "link_status": unit.link_status(port)}


def _uncable(unit: Any, body: dict[str, Any]) -> Any:
    port = unit._known(body["interface"])
    unit._cabling.uncable(port)
    return {"interface": port, "link_status": unit.link_status(port)}


def _set_zone(unit: Any, body: dict[str, Any]) -> Any:
    unit.set_zone(body["interface"], body["zone"])
    return {"interface": body["interface"], "zone": unit.zone(body["interface"])}


def _set_ha(unit: Any, body: dict[str, Any]) -> Any:
    unit.set_ha_settings(body)
    return unit.ha_settings()


def _set_monitoring(unit: Any, body: dict[str, Any]) -> Any:
    fields = {k: v for k, v in body.items() if k != "interface" and v is not None}
    for flag in ("allow_management", "link_monitoring"):
        if isinstance(fields.get(flag), str):
            fields[flag] = _flag(fields[flag])
    return unit.set_monitoring(body["interface"], **fields)


def _hold_session(unit: Any, body: dict[str, Any]) -> Any:
    unit.hold_session(body.get("admin", "other-admin"))


def _release_session(unit: Any, body: dict[str, Any]) -> Any:
    unit.release_session()


def _expire_sessions(unit: Any, body: dict[str, Any]) -> Any:
    unit.expire_sessions()


def _restart_required(unit: Any, body: dict[str, Any]) -> Any:
    unit.restart_required = str(body.get("value", "NONE"))


def _failover(unit: Any, body: dict[str, Any]) -> Any:
    return {"active": unit.fail_over()}


def _reboot(unit: Any, body: dict[str, Any]) -> Any:
    seconds = body.get("seconds")
    unit.reboot(float(seconds) if seconds is not None else None)
    return {
        "unit": unit.name,
        "away_seconds": unit.roles.reboot_seconds if seconds is None else float(seconds),
    }


def _power_off(unit: Any, body: dict[str, Any]) -> Any:
    unit.switch_off()


def _power_on(unit: Any, body: dict[str, Any]) -> Any:
    unit.switch_on()


def _api(unit: Any, body: dict[str, Any]) -> Any:
    unit.api_enabled = bool(body.get("enabled", True))


def _fail(server: Any, body: dict[str, Any]) -> Any:
    server.fail(
        body.get("method", "*"),
        body.get("path", ".*"),
        status=int(body.get("status", 500)),
        code=body.get("code"),
        message=body.get("message", "Internal error"),
        times=body.get("times", 1),
        drop_staged=bool(body.get("drop_staged", False)),
    )


def _latency(server: Any, body: dict[str, Any]) -> Any:
    server.latency_s = float(body.get("ms", 0)) / 1000.0


def _clear_faults(server: Any, body: dict[str, Any]) -> Any:
    server.clear_faults()


def _associations(portal: Any, body: dict[str, Any]) -> Any:
    return portal.associations()


def _dissociate(portal: Any, body: dict[str, Any]) -> Any:
    return {"removed": portal.dissociate(str(body["association"]))}


def _register(portal: Any, body: dict[str, Any]) -> Any:
    serial = normalize_serial(body["serial"])
    if serial is None:
        raise ValueError(f"not a serial number: {body['serial']!r}")
    model = body.get("model") or "NSa 2700"
    portal.register_product(serial, body.get("name") or f"fw-{serial[-4:].lower()}", model)
    return [p for p in portal.products() if p["serial"] == serial][0]


def _unregister(portal: Any, body: dict[str, Any]) -> Any:
    portal.unregister_product(body["serial"])
    return {"unregistered": normalize_serial(body["serial"])}


def _rate_limit(portal: Any, body: dict[str, Any]) -> Any:
    portal.rate_limit(body.get("times", 1), int(body.get("retry_after", 1)))


def _expire_tokens(portal: Any, body: dict[str, Any]) -> Any:
    portal.expire_tokens()


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "show",
            "each unit's ports (zone, link), HA settings and status, the session held; the"
            " portal's products and associations",
            target="all",
            unit=_unit_show,
            portal=_portal_show,
        ),
        Action(
            "uncable",
            "pull the unit-to-unit cable on IFACE (both ends)",
            ("interface",),
            unit=_uncable,
        ),
        Action(
            "cable", "plug the unit-to-unit cable on IFACE back in", ("interface",), unit=_cable
        ),
        Action(
            "set-zone",
            'give IFACE a zone by hand, as in the UI ("Unassigned" removes it)',
            ("interface", "zone"),
            example="ctl set-zone X4 DMZ --unit backup",
            unit=_set_zone,
        ),
        Action(
            "set-ha",
            "change the committed HA settings by hand: the API's high_availability object"
            " as JSON (or @file.json); omitted fields keep their values, `mode` is replaced"
            " whole, the API's rules apply",
            ("settings",),
            convert={"settings": json_object},
            example="""ctl set-ha '{"heartbeat_interval": 5000}'""",
            unit=_set_ha,
        ),
        Action(
            "set-monitoring",
            "set HA monitoring of IFACE by hand (High Availability > Monitoring): the unit's"
            " PRIMARY and SECONDARY monitoring addresses, --allow-management and"
            " --link-monitoring true/false; omitted fields keep their values",
            ("interface", "primary", "secondary", "allow_management", "link_monitoring"),
            optional=("primary", "secondary", "allow_management", "link_monitoring"),
            example="ctl set-monitoring X0 127.0.0.1 127.0.0.2 --allow-management true",
            unit=_set_monitoring,
        ),
        Action(
            "hold-session",
            "another administrator takes the configuration session (default other-admin)",
            ("admin",),
            optional=("admin",),
            unit=_hold_session,
        ),
        Action("release-session", "that administrator logs out", unit=_release_session),
        Action(
            "expire-sessions",
            "every session ends now, pending changes dropped",
            unit=_expire_sessions,
        ),
        Action(
            "fail",
            "answer the next TIMES requests matching METHOD (or *) and PATH (a regex) with an"
            " error: STATUS (default 500), CODE, MESSAGE; --times 0 until clear-faults;"
            " --drop-staged true: the unit also loses what the session had staged (a failed"
            " commit that dropped the pending changes)",
            ("method", "path", "status", "code", "message", "drop_staged"),
            optional=("status", "code", "message", "drop_staged"),
            defaults={"times": 1},
            convert={"status": int, "times": _times, "drop_staged": _flag},
            example="ctl fail POST /config/pending 500",
            unit=_fail,
            portal=_fail,
        ),
        Action(
            "latency",
            "add MS milliseconds to every request",
            ("ms",),
            convert={"ms": float},
            unit=_latency,
            portal=_latency,
        ),
        Action(
            "clear-faults", "forget every pending `fail`", unit=_clear_faults, portal=_clear_faults
        ),
        Action(
            "restart-required",
            "the next commits report status.cli.restart_required VALUE (NONE, APPLIANCE, ...)",
            ("value",),
            unit=_restart_required,
        ),
        Action(
            "failover",
            "the pair fails over by itself (the Active unit lost a link, say): the Standby"
            " becomes Active and the pair's addresses move to it; the pair must be"
            " synchronized",
            unit=_failover,
        ),
        Action(
            "reboot",
            "the unit restarts: it answers nothing for SECONDS (default: the simulator's"
            " reboot time); if it was Active, its peer takes over",
            ("seconds",),
            optional=("seconds",),
            convert={"seconds": float},
            example="ctl reboot --unit backup",
            unit=_reboot,
        ),
        Action(
            "power-off",
            "the unit is lost (power, cable): it answers nothing and sends no heartbeat until"
            " power-on; its peer takes Active",
            example="ctl power-off --unit backup",
            unit=_power_off,
        ),
        Action(
            "power-on",
            "the unit comes back; it resynchronizes, then is STANDBY",
            unit=_power_on,
        ),
        Action(
            "api",
            "turn the unit's SonicOS API on or off (--enabled false: every call answers 403"
            " E_DISABLED)",
            ("enabled",),
            convert={"enabled": _flag},
            unit=_api,
        ),
        Action(
            "down",
            "UNIT (primary, backup or portal) goes down: every connection is closed without"
            " an answer, as a unit that is off (its HA peer gets no heartbeats) or cut off;"
            " `ctl up UNIT` brings it back",
            ("unit",),
            example="ctl down backup",
            unit=_down,
            portal=_down,
        ),
        Action(
            "hang",
            "UNIT hangs: connections stay open and nothing answers, so each client's timeout"
            " ends its request (HA keeps running); `ctl up UNIT` answers again",
            ("unit",),
            example="ctl hang primary",
            unit=_hang,
            portal=_hang,
        ),
        Action(
            "up",
            "UNIT answers again after `ctl down` or `ctl hang` (a Backup that was down is"
            " elected and synchronized again)",
            ("unit",),
            example="ctl up backup",
            unit=_up,
            portal=_up,
        ),
        Action(
            "associations",
            "list the portal's HA associations",
            target="portal",
            portal=_associations,
        ),
        Action(
            "dissociate",
            "remove an association on the portal (its id, or a serial in it), as if done on"
            " MySonicWall",
            ("association",),
            target="portal",
            portal=_dissociate,
        ),
        Action(
            "register",
            "register a product on the portal (MODEL default NSa 2700)",
            ("serial", "model", "name"),
            optional=("model", "name"),
            target="portal",
            portal=_register,
        ),
        Action(
            "unregister",
            "remove a product from the portal account (dissociate it first)",
            ("serial",),
            target="portal",
            portal=_unregister,
        ),
        Action(
            "rate-limit",
            "the portal answers the next TIMES requests (default 1, 0: until clear-faults --unit"
            " portal) with 429 and Retry-After: RETRY_AFTER seconds (default 1)",
            ("times", "retry_after"),
            optional=("times", "retry_after"),
            defaults={"times": 1, "retry_after": 1},
            convert={"times": _times, "retry_after": int},
            target="portal",
            portal=_rate_limit,
        ),
        Action(
            "expire-tokens",
            "every portal token issued so far expires",
            target="portal",
            portal=_expire_tokens,
        ),
    )
}


def run(kind: str, server: Any, name: str, body: dict[str, Any]) -> Any:
    """Do action `name` on `server` (`kind` "unit" or "portal") for the control surface;
    ValueError for an action that does not exist there."""
    action = ACTIONS.get(name)
    handler = getattr(action, kind) if action is not None else None
    if handler is None:
        raise ValueError(f"unknown {'portal ' if kind == 'portal' else ''}action {name!r}")
    return handler(server, body)
