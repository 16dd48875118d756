"""Plans for the fuzzer: a design an administrator could write, the program it makes,
and what the units must hold once an `up` of it succeeded.

A *design* (a JSON-able dict) says which resources a stack declares and with which
settings, in the administrator's terms: which physical unit is the Primary, which
HA links, the pair's settings, the license association, the names' prefix and the
former prefix its aliases name. `program()` turns it into the plan project's
`fuzz:resources` list, naming the units at their current addresses and serials,
valid under the address model: the Primary named at its own address, the Backup
at its monitoring address (which it answers before pairing as its own), X0
monitoring with management allowed declared whenever a pair is, before it.
`problems()` is the oracle: what differs on the units from what the design says.
"""

from __future__ import annotations

from typing import Any

from pulumi_sonicha.simulator import ApplianceSim, Simulator

CONTROL, DATA, DPI = "X5", "X4", "X6"
MODE_KEYS = {"active-standby": "active_standby", "active-active-dpi": "active_active_dpi"}
# HaPair input -> the API's key in high_availability (or in its mode object: `mode.`).
PAIR_TIMERS = {
    "heartbeat_interval_ms": "heartbeat_interval",
    "failover_trigger_level": "failover_trigger_level",
    "election_delay_s": "election_delay_time",
    "include_certificates_keys": "include_certificates_keys",
}
PAIR_FLAGS = ("preempt", "virtual_mac", "encryption")
UNKNOWN_SERIAL = "2CB8ED0AFFFE"  # registered nowhere, no unit has it


# -- the units as the design names them ------------------------------------------------
def roles(sim: Simulator, design: dict[str, Any]) -> tuple[ApplianceSim, ApplianceSim]:
    """(the Primary, the Backup) the design names: the simulator's two units, or the
    other way round once the design has swapped the roles."""
    return (sim.backup, sim.primary) if design["swapped"] else (sim.primary, sim.backup)


def ip_of(unit: ApplianceSim) -> str:
    return unit.own_address


def host_of(unit: ApplianceSim, spelling: str = "address") -> str:
    """How the program names the unit: `127.0.0.1:9441`, `https://...`, or the name
    `localhost` for a unit whose address is 127.0.0.1 (two spellings of one unit)."""
    if spelling == "localhost" and ip_of(unit) == "127.0.0.1":
        return f"localhost:{unit.port}"
    if spelling == "https":
        return f"https://{unit.address(ip_of(unit))}"
    return unit.address(ip_of(unit))


def serial_spelling(serial: str, spelling: str) -> str:
    if spelling == "lower":
        return serial.lower()
    if spelling == "dashed":
        return "-".join(serial[i : i + 4] for i in range(0, 12, 4))
    return serial


# -- the program -----------------------------------------------------------------------
def program(sim: Simulator, design: dict[str, Any]) -> list[dict[str, Any]]:
    """The `fuzz:resources` list of a design, in dependency order."""
    primary, backup = roles(sim, design)
    prefix = design["prefix"]
    former = design.get("alias_of")
    spelling = design.get("host_spelling", "address")
    p_host, b_host = host_of(primary, spelling), host_of(backup, spelling)
    resources: list[dict[str, Any]] = []

    def add(kind: str, suffix: str, args: dict[str, Any], after: list[str] = ()) -> str:
        name = f"{prefix}-{suffix}"
        spec: dict[str, Any] = {"type": kind, "name": name, "args": args}
        if former:
            spec["aliases"] = [f"{former}-{suffix}"]
        if after:
            spec["depends_on"] = list(after)
        resources.append(spec)
        return name

    before_pair: list[str] = []
    monitoring = design.get("monitoring")
    if monitoring is not None:
        args = {
            "primary_host": p_host,
            "interface": "X0",
            "primary_ip": ip_of(primary),
            "backup_ip": ip_of(backup),
            "allow_management": True,
            "link_monitoring": monitoring["link_monitoring"],
        }
        if monitoring.get("probe"):
            args["logical_probe_ip"] = "127.0.0.9"
        before_pair.append(add("HaMonitoring", "x0", args))
    links = design.get("links") or {}
    for interface, purpose in sorted(links.items()):
        args = {
            "primary_host": p_host,
            "backup_host": b_host,
            "interface": interface,
            "purpose": purpose,
            "unassign_zone": True,
        }
        before_pair.append(add("HaInterface", interface.lower(), args))
    pair = design.get("pair")
    pair_name = None
    if pair is not None:
        args = {
            "primary_host": p_host,
            "backup_serial": serial_spelling(backup.serial, pair.get("serial_spelling", "")),
            "mode": pair["mode"],
            "control_interface": CONTROL,
            "sync_timeout_s": 10,
            "on_delete": pair["on_delete"],
        }
        if design.get("unknown_backup_serial"):  # a mistake: no unit has it
            args["backup_serial"] = UNKNOWN_SERIAL
        if design.get("typo") == "primary_host":  # a mistake: the Backup's address
            args["primary_host"] = b_host
        if pair.get("declare_backup_host"):
            args["backup_host"] = b_host
        if pair.get("declare_primary_serial"):
            args["primary_serial"] = primary.serial
        if pair["mode"] == "active-active-dpi":
            args["data_interface"], args["dpi_interface"] = DATA, DPI
        elif pair["stateful_synchronization"]:
            args["stateful_synchronization"] = True
            args["data_interface"] = DATA
        for key in (*PAIR_FLAGS, *PAIR_TIMERS, "probe_interval_s", "probe_count"):
            args[key] = pair[key]
        pair_name = add("HaPair", "pair", args, before_pair)
    if design.get("license"):
        args = {"primary_serial": primary.serial, "secondary_serial": backup.serial}
        add("LicenseAssociation", "licenses", args, [pair_name] if pair_name else [])
    return resources


def needs_data_link(pair: dict[str, Any] | None) -> bool:
    return bool(pair) and (pair["mode"] == "active-active-dpi" or pair["stateful_synchronization"])


def normalized(design: dict[str, Any]) -> dict[str, Any]:
    """The design made valid: the links the pair uses declared, X0 monitoring with
    management whenever a pair is (the Backup answers nowhere else once paired), DPI
    mode without stateful synchronization."""
    design = {**design}
    pair = design.get("pair")
    links = dict(design.get("links") or {})
    if pair is not None:
        pair = design["pair"] = {**pair}
        if pair["mode"] == "active-active-dpi":
            pair["stateful_synchronization"] = False
        links[CONTROL] = "control"
        if needs_data_link(pair):
            links[DATA] = "data"
        if design.get("monitoring") is None:
            design["monitoring"] = {"link_monitoring": True}
    design["links"] = links
    return design


# -- the oracle ------------------------------------------------------------------------
def _answers(sim: Simulator, host: str) -> ApplianceSim | None:
    """The unit that answers management at `host` now (None: nobody)."""
    text = host.removeprefix("https://")
    address, _, port = text.rpartition(":")
    address = "127.0.0.1" if address == "localhost" else address
    for unit in (sim.primary, sim.backup):
        if unit.port == int(port) and unit.answers(address):
            return unit
    return None


def problems(sim: Simulator, design: dict[str, Any] | None) -> list[str]:
    """How the units differ from what an `up` of `design` must leave (empty: as declared)."""
    if design is None:
        return []
    found: list[str] = []
    primary, backup = roles(sim, design)
    resources = program(sim, design)
    for spec in resources:
        for key, unit in (("primary_host", primary), ("backup_host", backup)):
            host = spec["args"].get(key)
            if host is None:
                continue
            answering = _answers(sim, host)
            if answering is None or answering.serial != unit.serial:
                who = "nobody" if answering is None else f"serial {answering.serial}"
                found.append(f"{spec['name']}.{key} {host}: {who} answers, not {unit.serial}")
    for interface in design.get("links") or {}:
        for unit in (primary, backup):
            if unit.zone(interface) != "Unassigned":
                found.append(f"{unit.name} {interface}: zone {unit.zone(interface)}")
    monitoring = design.get("monitoring")
    if monitoring is not None:
        entry = primary.monitoring("X0")
        expected = {
            "primary": ip_of(primary),
            "secondary": ip_of(backup),
            "allow_management": True,
            "link_monitoring": monitoring["link_monitoring"],
        }
        for key, value in expected.items():
            if entry.get(key) != value:
                found.append(f"monitoring X0 {key}: {entry.get(key)!r}, declared {value!r}")
        probe = entry.get("logical_probe") or {}
        if bool(probe.get("enable")) != bool(monitoring.get("probe")):
            found.append(f"monitoring X0 logical_probe: {probe!r}")
    pair = design.get("pair")
    if pair is not None:
        found += _pair_problems(primary, backup, pair)
    if design.get("license"):
        pairs = {(a["primary_serial"], a["secondary_serial"]) for a in sim.portal.associations()}
        if (primary.serial, backup.serial) not in pairs:
            found.append(f"no association {primary.serial} -> {backup.serial} on the portal")
    for unit in (sim.primary, sim.backup):
        if unit.pending():
            found.append(f"{unit.name}: changes left pending {unit.pending()}")
    return found


def _pair_problems(primary: ApplianceSim, backup: ApplianceSim, pair: dict[str, Any]) -> list[str]:
    found: list[str] = []
    ha = primary.ha_settings()
    kind = MODE_KEYS[pair["mode"]]
    fields = (ha.get("mode") or {}).get(kind)
    if fields is None:
        return [f"HA mode on the Primary {ha.get('mode')!r}, declared {kind}"]
    expected: dict[str, Any] = {
        "secondary_serial": backup.serial,
        "control_interface": CONTROL,
        **{flag: pair[flag] for flag in PAIR_FLAGS},
    }
    if kind == "active_standby":
        expected["stateful_synchronization"] = pair["stateful_synchronization"]
    if needs_data_link(pair):
        expected["data_interface"] = DATA
    if kind == "active_active_dpi":
        expected["dpi_interface"] = [{"id": 1, "interface": DPI}]
    for key, value in expected.items():
        if fields.get(key) != value:
            found.append(f"HA {kind}.{key}: {fields.get(key)!r}, declared {value!r}")
    for name, api in PAIR_TIMERS.items():
        if ha.get(api) != pair[name]:
            found.append(f"HA {api}: {ha.get(api)!r}, declared {pair[name]!r}")
    probe = ha.get("probe") or {}
    for name, api in (("probe_interval_s", "interval"), ("probe_count", "count")):
        if probe.get(api) != pair[name]:
            found.append(f"HA probe.{api}: {probe.get(api)!r}, declared {pair[name]!r}")
    status = primary.ha_status()
    if (status.get("primary_state"), status.get("secondary_state")) != ("ACTIVE", "STANDBY"):
        found.append(f"the pair is not synchronized: {status}")
    return found


def destroyed_problems(sim: Simulator, design: dict[str, Any]) -> list[str]:
    """What a destroy of `design` must leave: HA off unless the pair said `on_delete:
    retain` (then HA on, naming the same Backup, its links still Unassigned), no
    association of the pair, nothing pending."""
    found: list[str] = []
    primary, backup = roles(sim, design)
    pair = design.get("pair")
    if pair is not None and pair["on_delete"] == "retain":
        mode = primary.ha_settings().get("mode") or {}
        fields = next(iter(mode.values()), {})
        if fields.get("secondary_serial") != backup.serial:
            found.append(f"on_delete retain, but HA on the Primary is {mode!r}")
        for interface in (CONTROL, DATA) if needs_data_link(pair) else (CONTROL,):
            for unit in (primary, backup):
                if unit.zone(interface) != "Unassigned":
                    found.append(
                        f"{unit.name} {interface} (an HA link kept): {unit.zone(interface)}"
                    )
    elif pair is not None:
        # HA off at the Primary; at the Backup too when the pair names where it answers
        # (without backup_host the Backup keeps the copy it synchronized: documented).
        for unit in (primary, backup) if pair.get("declare_backup_host") else (primary,):
            if unit.ha_settings().get("mode"):
                found.append(
                    f"{unit.name}: HA still on after destroy: {unit.ha_settings()['mode']}"
                )
    if design.get("license"):
        for a in sim.portal.associations():
            if a["primary_serial"] == primary.serial and a["secondary_serial"] == backup.serial:
                found.append(f"association {a['id']} left after destroy")
    for unit in (sim.primary, sim.backup):
        if unit.pending():
            found.append(f"{unit.name}: changes left pending")
    return found
