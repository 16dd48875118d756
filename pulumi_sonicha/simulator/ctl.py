"""`python -m pulumi_sonicha.simulator ctl ACTION ...`: change or inspect a running simulator.

Each action is POSTed to the loopback-only `/_simulator/{action}` surface of the
server that owns it: a unit (the Primary unless `--unit backup`) or the portal.
The running simulator is found, in this order, by `--url`/`--ca`; by the env file
named with `--env-file PATH` (or `--state-dir DIR`); by the `SONICHA_SIM_*`
variables of a shell that sourced an env file (with `SONICHA_CA_BUNDLE` and
`SONICHA_PORTAL_URL`); by `.sonicha-sim/sonicha-sim.env` in the current directory.

Arguments are taken the ways a person types them, all three alike:

    ctl set-zone X4 DMZ
    ctl set-zone --interface X4 --zone DMZ
    ctl set-zone '{"interface": "X4", "zone": "DMZ"}'
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .controls import ACTIONS, Action, json_object
from .envfile import DEFAULT_STATE_DIR, ENV_FILENAME, read_env_file

UNITS = ("primary", "backup", "portal")
START_HINT = "start it with `python -m pulumi_sonicha.simulator &` (in this directory)"


# Options of ctl itself, accepted before or after the action.
OPTIONS = ("unit", "url", "ca", "state_dir", "env_file", "pair", "json")


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
            (options if key in OPTIONS and key not in action.params else named)[key] = value
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


def _urls(env: dict[str, str], url: str | None, unit: str, pair: int = 1) -> dict[str, str]:
    if url:
        return {unit: url.rstrip("/")}
    prefix = "SONICHA_SIM_" if pair == 1 else f"SONICHA_SIM_PAIR{pair}_"
    found = {
        "primary": env.get(f"{prefix}PRIMARY_HOST"),
        "backup": env.get(f"{prefix}BACKUP_HOST"),
        "portal": env.get("SONICHA_PORTAL_URL"),
    }
    return {
        name: (value if value.startswith("https://") else f"https://{value}").rstrip("/")
        for name, value in found.items()
        if value
    }


def find_simulator(
    env_file: str | None, state_dir: str | None, environ: Mapping[str, str]
) -> tuple[dict[str, str], str]:
    """(the simulator's variables, where they came from): the env file named, else the
    environment of a shell that sourced one, else the env file in the current directory."""
    if env_file or state_dir:
        path = Path(env_file) if env_file else Path(state_dir or "") / ENV_FILENAME
        return read_env_file(path.parent, path.name), str(path)
    if environ.get("SONICHA_SIM_PRIMARY_HOST"):
        keys = ("SONICHA_SIM_", "SONICHA_CA_BUNDLE", "SONICHA_PORTAL_URL")
        found = {k: v for k, v in environ.items() if k.startswith(keys)}
        return found, "the SONICHA_SIM_* variables of this shell"
    path = Path(DEFAULT_STATE_DIR) / ENV_FILENAME
    return read_env_file(path.parent), str(path)


def run(
    action_name: str,
    words: list[str],
    *,
    state_dir: str | None = None,
    env_file: str | None = None,
    url: str | None = None,
    ca: str | None = None,
    unit: str | None = None,
    as_json: bool = False,
    pair: int = 1,
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
        if "unit" in action.params:  # `ctl down backup`: the unit is the argument
            unit = str(body.pop("unit")).lower()
        if unit is not None and unit not in UNITS:
            raise UsageError(f"--unit must be one of {', '.join(UNITS)}, got {unit!r}")
        if action.target == "portal" and unit not in (None, "portal"):
            raise UsageError(f"ctl {action.name} acts on the portal; leave out --unit")
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    state_dir = options.get("state_dir", state_dir)
    env_file = options.get("env_file", env_file)
    url, ca = options.get("url", url), options.get("ca", ca)
    as_json = as_json or bool(options.get("json"))
    env, where = find_simulator(env_file, state_dir, os.environ)
    ca = ca or env.get("SONICHA_CA_BUNDLE")
    if action.target == "all":
        # --url names one server: the one --unit says (default the Primary).
        targets = [unit or "primary"] if url else [unit] if unit else list(UNITS)
    else:
        targets = ["portal" if action.target == "portal" else unit or "primary"]
    try:
        pair = int(options.get("pair", pair))
    except ValueError:
        print(f"ctl: --pair takes a number, got {options.get('pair')!r}", file=sys.stderr)
        return 2
    urls = _urls(env, url, targets[0], pair)
    if pair > 1 and "primary" not in urls and not url:
        pairs = env.get("SONICHA_SIM_PAIRS", "1")
        print(f"ctl: the simulator found has {pairs} pair(s), not a pair {pair}", file=sys.stderr)
        return 2
    if not ca or any(t not in urls for t in targets):
        print(
            f"ctl: no simulator found: {where} does not exist or lacks its addresses. Is the"
            f" simulator running? {START_HINT.capitalize()}; or name its env file with"
            " --env-file PATH (or --state-dir DIR), or source that file in this shell (its"
            " SONICHA_SIM_* variables), or pass --url and --ca.",
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
    """`ctl show` as text, in the resources' words: what each unit holds as the inputs
    of HaPair and HaMonitoring name it (as `pulumi refresh` would read it back), the HA
    status as HaPair's outputs, each port's zone and link, who holds the session; then
    the portal's products and associations as LicenseAssociation names them. `--json`
    gives the API's own objects."""
    from ..models import ha_monitoring, ha_pair  # the inputs' names and normalization

    lines: list[str] = []
    for name in ("primary", "backup"):
        view = views.get(name)
        if view is None:
            continue
        lines.append(
            f"{name.capitalize():8} {view['host']}  serial {view['serial']}  {view['model']}"
            f"  {view['firmware']}"
        )
        lines += _pair_lines(view["ha_settings"], ha_pair)
        status = ha_pair.status_outputs(view["ha_status"])
        lines.append("  HA status    " + _words(status))
        for entry in view.get("monitoring", []):
            inputs = ha_monitoring.inputs_from_api(entry)
            lines.append(f"  HaMonitoring {entry['name']}: {_words(inputs)}")
        answers = ", ".join(view.get("answers_at", [])) or "nowhere (no monitoring address)"
        lines.append(f"  answers at   {answers}")
        held = []
        for session in view["sessions"]:
            who = "API session" if session["via_api"] else "administrator (not the API)"
            mode = ", config mode" if session["config_mode"] else ""
            pending = ", changes pending" if session["pending"] else ""
            held.append(f"{who} {session['admin']!r} from {session['from']}{mode}{pending}")
        lines.append(f"  session      {'; '.join(held) or 'none'}")
        if view.get("outage"):
            lines.append(f"  outage       {view['outage']} (`ctl up {name}` answers again)")
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
                f"  association  {assoc['id']}  primary_serial {assoc['primary_serial']},"
                f" secondary_serial {assoc['secondary_serial']} (HA Secondary), status"
                f" {assoc['status']}"
            )
        if portal.get("latency_ms"):
            lines.append(f"  latency      {portal['latency_ms']:.0f} ms per request")
        if portal.get("outage"):
            lines.append(f"  outage       {portal['outage']} (`ctl up portal` answers again)")
    return "\n".join(lines).rstrip()


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "-" if value is None else str(value)


def _words(values: dict[str, Any]) -> str:
    """`name value, name value`, as the inputs and outputs are named."""
    return ", ".join(f"{key} {_value(value)}" for key, value in values.items())


def _pair_lines(ha: dict[str, Any], ha_pair: Any) -> list[str]:
    """The committed HA settings as HaPair's inputs: the pairing, then the timers."""
    pad = " " * 15
    inputs = ha_pair.settings_from_api(ha)
    mode = ha.get("mode") or {}
    if not mode:
        first = "HA off (no mode)"
    elif inputs["mode"] is None:
        first = f"HA on in a mode HaPair does not manage: {', '.join(mode)}"
    else:
        pairing = {k: inputs[k] for k in _PAIRING if inputs.get(k) is not None}
        first = _words(pairing)
    timers = {k: v for k, v in inputs.items() if k not in _PAIRING}
    return [f"  HaPair       {first}", pad + _words(timers)]


_PAIRING = (
    "mode",
    "backup_serial",
    "control_interface",
    "data_interface",
    "dpi_interface",
    "stateful_synchronization",
    "preempt",
    "virtual_mac",
    "encryption",
)


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
