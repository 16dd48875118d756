"""`python -m pulumi_sonicha.simulator ctl ACTION ...`: change or inspect a running simulator.

Each action is POSTed to the loopback-only `/_simulator/{action}` surface of the
server that owns it: a unit (the Primary unless `--unit backup`) or the portal.
Addresses and the CA come from the env file the simulator wrote
(`.sonicha-sim/sonicha-sim.env`, or `--state-dir`), or from `--url`/`--ca`.

Arguments are taken the ways a person types them, all three alike:

    ctl set-zone X4 DMZ
    ctl set-zone --interface X4 --zone DMZ
    ctl set-zone '{"interface": "X4", "zone": "DMZ"}'
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .controls import ACTIONS, Action, json_object
from .envfile import DEFAULT_STATE_DIR, ENV_FILENAME, read_env_file

UNITS = ("primary", "backup", "portal")
START_HINT = "start it with `python -m pulumi_sonicha.simulator &` (in this directory)"


# Options of ctl itself, accepted before or after the action.
OPTIONS = ("unit", "url", "ca", "state_dir", "json")


class UsageError(Exception):
    """A ctl command line that cannot be understood; the text says how to write it."""


def parse(action_name: str, words: list[str]) -> tuple[Action, dict[str, Any], dict[str, Any]]:
    """ACTION + its words -> (action, request body, ctl options)."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise UsageError(f"unknown action {action_name!r}; one of: {', '.join(ACTIONS)}")
    named: dict[str, Any] = {}
    options: dict[str, Any] = {}
    positional: list[str] = []
    known = set(action.params) | set(action.defaults)
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word.startswith("--") and len(word) > 2:
            key, eq, value = word[2:].partition("=")
            key = key.replace("-", "_")
            if key == "json":
                options["json"] = True
                continue
            if key not in known and key not in OPTIONS:
                raise UsageError(f"ctl {action.name}: unknown option --{key.replace('_', '-')}")
            if not eq:
                if not rest:
                    raise UsageError(f"ctl {action.name}: --{key.replace('_', '-')} needs a value")
                value = rest.pop(0)
            (options if key in OPTIONS else named)[key] = value
        elif word.lstrip().startswith("{") and action.params != ("settings",):
            try:
                named.update(json_object(word))
            except ValueError as exc:
                raise UsageError(
                    f"ctl {action.name}: {word!r} is not a JSON object: {exc}"
                ) from None
        else:
            positional.append(word)
    if len(positional) > len(action.params):
        raise UsageError(f"ctl {action.name}: too many arguments; usage: {action.usage()}")
    for key, value in zip(action.params, positional, strict=False):
        if key in named:
            raise UsageError(f"ctl {action.name}: {key} given twice")
        named[key] = value
    body = {**action.defaults, **named}
    missing = [p for p in action.params if p not in body and p not in action.optional]
    if missing:
        raise UsageError(
            f"ctl {action.name}: missing {', '.join(m.upper() for m in missing)};"
            f" usage: {action.usage()}"
        )
    for key, convert in action.convert.items():
        if key in body:
            try:
                body[key] = convert(body[key])
            except (ValueError, OSError) as exc:
                raise UsageError(f"ctl {action.name}: {key.upper()}: {exc}") from None
    if action.params == ("settings",):
        body = body["settings"]
    return action, body, options


def _urls(env: dict[str, str], url: str | None, unit: str) -> dict[str, str]:
    if url:
        return {unit: url.rstrip("/")}
    found = {
        "primary": env.get("SONICHA_SIM_PRIMARY_HOST"),
        "backup": env.get("SONICHA_SIM_BACKUP_HOST"),
        "portal": env.get("SONICHA_PORTAL_URL"),
    }
    return {
        name: (value if value.startswith("https://") else f"https://{value}").rstrip("/")
        for name, value in found.items()
        if value
    }


def run(
    action_name: str,
    words: list[str],
    *,
    state_dir: str = DEFAULT_STATE_DIR,
    url: str | None = None,
    ca: str | None = None,
    unit: str | None = None,
    as_json: bool = False,
) -> int:
    """Run one ctl command; print the answer (stdout) or what went wrong (stderr)."""
    import requests  # only ctl needs an HTTP client

    if {"-h", "--help"} & set(words) and action_name in ACTIONS:
        action = ACTIONS[action_name]
        print(f"usage: {action.usage()}\n  {action.about}")
        return 0
    try:
        action, body, options = parse(action_name, words)
        unit = options.get("unit", unit)
        if unit is not None and unit not in UNITS:
            raise UsageError(f"--unit must be one of {', '.join(UNITS)}, got {unit!r}")
        if action.target == "portal" and unit not in (None, "portal"):
            raise UsageError(f"ctl {action.name} acts on the portal; leave out --unit")
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    state_dir = options.get("state_dir", state_dir)
    url, ca = options.get("url", url), options.get("ca", ca)
    as_json = as_json or bool(options.get("json"))
    env = read_env_file(state_dir)
    ca = ca or env.get("SONICHA_CA_BUNDLE")
    if action.target == "all":
        # --url names one server: the one --unit says (default the Primary).
        targets = [unit or "primary"] if url else [unit] if unit else list(UNITS)
    else:
        targets = ["portal" if action.target == "portal" else unit or "primary"]
    urls = _urls(env, url, targets[0])
    if not ca or any(t not in urls for t in targets):
        print(
            f"ctl: no simulator found: {Path(state_dir) / ENV_FILENAME} does not exist or"
            f" lacks its addresses. Is the simulator running? {START_HINT.capitalize()}, or"
            " pass --state-dir DIR (where it writes its env file), or --url and --ca.",
            file=sys.stderr,
        )
        return 2
    if not Path(ca).is_file():
        print(
            f"ctl: the simulator's CA {ca} does not exist (any more): is the simulator"
            f" running? {START_HINT.capitalize()}, or pass --state-dir or --ca.",
            file=sys.stderr,
        )
        return 2
    answers: dict[str, Any] = {}
    for target in targets:
        try:
            reply = requests.post(
                f"{urls[target]}/_simulator/{action.name}", json=body, verify=ca, timeout=10
            )
        except requests.exceptions.SSLError:
            print(
                f"ctl: {urls[target]} does not present a certificate signed by {ca}: is the"
                f" simulator running from this directory? {START_HINT.capitalize()}, or pass"
                " --state-dir or --ca.",
                file=sys.stderr,
            )
            return 1
        except requests.RequestException:
            print(
                f"ctl: cannot reach the simulator's {target} at {urls[target]}: is the"
                f" simulator running? {START_HINT.capitalize()}.",
                file=sys.stderr,
            )
            return 1
        try:
            answer = reply.json()
        except ValueError:
            answer = {"error": {"message": reply.text}}
        if not reply.ok:
            message = (answer.get("error") or {}).get("message", reply.text)
            print(f"ctl {action.name} ({target}): {message}", file=sys.stderr)
            return 1
        answers[target] = answer
    if action.name == "show" and not as_json:
        print(render_show({t: a["result"] for t, a in answers.items()}), flush=True)
    elif action.name == "show":
        print(json.dumps({t: a["result"] for t, a in answers.items()}, indent=2), flush=True)
    else:
        print(json.dumps(answers[targets[0]], indent=2), flush=True)
    return 0


def render_show(views: dict[str, dict[str, Any]]) -> str:
    """`ctl show` as text: one block per unit, then the portal."""
    lines: list[str] = []
    for name in ("primary", "backup"):
        view = views.get(name)
        if view is None:
            continue
        lines.append(
            f"{name.capitalize():8} {view['host']}  serial {view['serial']}  {view['model']}"
            f"  {view['firmware']}"
        )
        lines += _ha_lines(view["ha_settings"])
        for entry in view.get("monitoring", []):
            probe = entry.get("logical_probe") or {}
            flags = [k for k in ("allow_management", "link_monitoring") if entry.get(k)]
            lines.append(
                f"  monitoring   {entry['name']}: primary {entry.get('primary') or '-'},"
                f" secondary {entry.get('secondary') or '-'}, on: {' '.join(flags) or 'none'}"
                + (f", probe {probe.get('ip')}" if probe.get("enable") else "")
            )
        answers = ", ".join(view.get("answers_at", [])) or "nowhere (no monitoring address)"
        lines.append(f"  answers at   {answers}")
        status = view["ha_status"]
        flat = "; ".join(f"{k} {v}" for k, v in status.items() if not isinstance(v, dict | list))
        lines.append(f"  HA status    {flat}")
        held = []
        for session in view["sessions"]:
            who = "API session" if session["via_api"] else "administrator (not the API)"
            mode = ", config mode" if session["config_mode"] else ""
            pending = ", changes pending" if session["pending"] else ""
            held.append(f"{who} {session['admin']!r} from {session['from']}{mode}{pending}")
        held = "; ".join(held) or "none"
        lines.append(f"  session      {held}")
        if view.get("latency_ms"):
            lines.append(f"  latency      {view['latency_ms']:.0f} ms per request")
        ports = "  ".join(
            f"{i['name']} {i['zone']}{'' if i['link'] == 'No link' else ' (link)'}"
            for i in view["interfaces"]
        )
        lines.append(f"  ports        {ports}")
        lines.append("")
    portal = views.get("portal")
    if portal is not None:
        lines.append(f"Portal   {portal['url']}")
        for product in portal["products"]:
            lines.append(
                f"  product      {product['serial']}  {product['name']}  {product['model']}"
                f"  {len(product['licenses'])} licenses"
            )
        for assoc in portal["associations"] or [None]:
            if assoc is None:
                lines.append("  association  none")
                continue
            lines.append(
                f"  association  {assoc['id']}  HA Primary {assoc['primary_serial']},"
                f" HA Secondary {assoc['secondary_serial']}  {assoc['status']}"
            )
        if portal.get("latency_ms"):
            lines.append(f"  latency      {portal['latency_ms']:.0f} ms per request")
    return "\n".join(lines).rstrip()


def _compact(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _ha_lines(ha: dict[str, Any]) -> list[str]:
    """The committed HA settings: the mode and its fields (flags that are on), then the rest."""
    pad = " " * 15
    mode = ha.get("mode") or {}
    lines = []
    if not mode:
        lines.append("  HA settings  HA off (mode {})")
    for kind, fields in mode.items():
        fields = fields if isinstance(fields, dict) else {"": fields}
        parts = [f"{k} {_compact(v)}" for k, v in fields.items() if not isinstance(v, bool)]
        on = [k for k, v in fields.items() if v is True]
        parts.append("on: " + (" ".join(on) if on else "none"))
        lines.append(f"  HA settings  {kind}: " + ", ".join(parts))
    rest = [f"{k} {_compact(v)}" for k, v in ha.items() if k != "mode"]
    if rest:
        lines.append(pad + ", ".join(rest))
    return lines


def help_text() -> str:
    """The actions, for `ctl --help`."""
    import textwrap

    lines = ["actions:"]
    for action in ACTIONS.values():
        about = action.about + (" (portal)" if action.target == "portal" else "")
        lines.append(f"  {action.usage()}")
        lines.append(textwrap.fill(about, 88, initial_indent=" " * 6, subsequent_indent=" " * 6))
    lines += [
        "",
        "Unit actions act on the Primary; --unit backup picks the Backup (--unit portal: fail,",
        "latency and clear-faults on the portal). Every parameter may also be given as",
        "--name VALUE, or all of them as one JSON object, e.g.",
        """  ctl set-zone '{"interface": "X4", "zone": "DMZ"}' --unit backup""",
    ]
    return "\n".join(lines)
