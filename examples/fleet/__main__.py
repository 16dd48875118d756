"""A fleet of SonicWall pairs in one stack: for each, HA monitoring, HA links, HA pair,
license association.

Config `ha:pairs`: a JSON list with one object per pair, e.g.

    [{"name": "site-a", "primaryHost": "10.1.0.3", "pairHost": "10.1.0.1",
      "backupHost": "10.1.0.2", "primarySerial": "2CB8-ED0A-1B2C",
      "backupSerial": "2CB8-ED0A-9F00", "controlInterface": "X5", "dataInterface": "X4"}]

Every address is named once (as in examples/complete-pair): primaryHost is the
Primary's own HA monitoring address (where it answers once HA is on, also after a
failover), pairHost the pair's address (the Primary's own before pairing: used only
for the first contact, while primaryHost does not answer yet, and only for a unit
with primarySerial and HA off), backupHost the Backup's own monitoring address (its
interface address before pairing). managementInterface (default X0), controlInterface
(default X5) and dataInterface (default X4) are optional; `ha:syncTimeoutS` bounds
the fleet's wait (default 600); `ha:heartbeatIntervalMs` sets every pair's heartbeat
(a fleet-wide timer change). Each pair is one `FirewallPair` (monitoring, links,
pair, licenses in the right order) named after it, and each of its resources' names
starts with the pair's (`site-a-pair`), so a drift preview says which site drifted.

The pairs form one `FirewallFleet`: each HaPair returns once its settings are
committed, and one `HaSyncWait` (`fleet-sync`) waits for every pair at once, so `up`
returns once the whole fleet is synchronized, in about one sync time (docs: the
fleet guide).

Resource names come from data, so renaming a pair renames its resources. Give the
old name in `renamedFrom` (a name or a list of names) when you rename a pair: the
pair's FirewallPair gets `aliases` naming its old name, which carry to each of its
resources, and the engine moves them to the new name (nothing created, nothing
deleted). Without it the engine creates the new resources and then deletes the old
ones; the provider keeps the pair working through that (README: "Renames and
replacements"), but the plan is ten steps instead of none. Credentials are provider
settings, one set for the whole fleet: `pulumi config set --secret sonicha:password
...` (README).
"""

import re
from typing import Any

import pulumi

from pulumi_sonicha import FirewallFleet, FirewallPairArgs

REQUIRED = ("name", "primaryHost", "pairHost", "backupHost", "primarySerial", "backupSerial")
DEFAULTS = {"managementInterface": "X0", "controlInterface": "X5", "dataInterface": "X4"}
OPTIONAL = ("renamedFrom",)
PAIR_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def read_pairs(config: pulumi.Config) -> list[dict[str, Any]]:
    """`ha:pairs`, checked before anything is declared; each error names the pair and key."""
    pairs = config.require_object("pairs")
    if not isinstance(pairs, list) or not pairs:
        raise pulumi.RunError(
            'ha:pairs must be a non-empty JSON list of pairs: [{"name": "site-a", '
            '"primaryHost": ..., "backupHost": ..., "primarySerial": ..., "backupSerial": ...}]'
        )
    checked: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    for index, pair in enumerate(pairs):
        where = f"ha:pairs[{index}]"
        if not isinstance(pair, dict):
            raise pulumi.RunError(f"{where} must be an object with {', '.join(REQUIRED)}")
        if isinstance(pair.get("name"), str) and pair["name"]:
            where += f' ("{pair["name"]}")'
        missing = [key for key in REQUIRED if pair.get(key) in (None, "")]
        if missing:
            raise pulumi.RunError(f"{where} is missing {', '.join(map(repr, missing))}")
        unknown = sorted(set(pair) - set(REQUIRED) - set(DEFAULTS) - set(OPTIONAL))
        if unknown:
            allowed = ", ".join([*REQUIRED, *DEFAULTS, *OPTIONAL])
            raise pulumi.RunError(
                f"{where} has unknown key(s) {', '.join(map(repr, unknown))} (allowed: {allowed})"
            )
        former = pair.get("renamedFrom", [])
        former = [former] if isinstance(former, str) else former
        if not isinstance(former, list) or not all(
            isinstance(n, str) and PAIR_NAME.fullmatch(n) for n in former
        ):
            raise pulumi.RunError(
                f"{where}: 'renamedFrom' must be the pair's former name, or a list of them"
            )
        for key, value in pair.items():
            if key == "renamedFrom":
                continue
            if not isinstance(value, str):
                # `pulumi config set --path` turns an all-digit value into a number.
                raise pulumi.RunError(
                    f"{where}: {key!r} must be a string, got {value!r} "
                    "(with `pulumi config set --path`, add `--type string`)"
                )
        name = pair["name"]
        if not PAIR_NAME.fullmatch(name):
            raise pulumi.RunError(
                f"{where}: 'name' may hold only letters, digits, '.', '_' and '-' "
                "(it starts every resource name of the pair)"
            )
        if name in index_of:
            raise pulumi.RunError(f"{where}: 'name' is already used by ha:pairs[{index_of[name]}]")
        index_of[name] = index
        checked.append({**DEFAULTS, **pair, "renamedFrom": former})
    return checked


def pair_args(pair: dict[str, Any], timers: dict[str, int]) -> FirewallPairArgs:
    """One pair, the whole procedure (monitoring, links, pair, licenses)."""
    return FirewallPairArgs(
        primary_host=pair["primaryHost"],
        setup_host=pair["pairHost"],
        primary_serial=pair["primarySerial"],
        backup_host=pair["backupHost"],
        backup_serial=pair["backupSerial"],
        management_interface=pair["managementInterface"],
        control_interface=pair["controlInterface"],
        data_interface=pair["dataInterface"],
        pair_options={
            "stateful_synchronization": True,
            "preempt": False,
            "virtual_mac": True,
            **timers,
        },
    )


# Validate the whole list first: nothing is declared when any pair is wrong.
config = pulumi.Config("ha")
pairs = read_pairs(config)
# A fleet-wide timer (optional): every pair's HaPair changes, the fleet waits once.
heartbeat = config.get_int("heartbeatIntervalMs")
timers = {"heartbeat_interval_ms": heartbeat} if heartbeat else {}
fleet = FirewallFleet(
    "fleet",
    {pair["name"]: pair_args(pair, timers) for pair in pairs},
    renamed_from={pair["name"]: pair["renamedFrom"] for pair in pairs if pair["renamedFrom"]},
    sync_timeout_s=config.get_int("syncTimeoutS"),
)
pulumi.export(
    "pairs",
    {
        name: {
            "primary_serial": firewall.primary_serial,
            "backup_serial": firewall.backup_serial,
            "shared_licenses": firewall.shared_licenses,
            # The state after the fleet's one wait (each HaPair does not wait).
            "ha_status": fleet.states.apply(lambda states, n=name: states[n]["ha_status"]),
            "synchronized": fleet.states.apply(lambda states, n=name: states[n]["synchronized"]),
        }
        for name, firewall in fleet.firewall_pairs.items()
    },
)
pulumi.export("synchronized", fleet.synchronized)
