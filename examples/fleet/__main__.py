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
(default X5) and dataInterface (default X4) are optional. Each
resource's name starts with its pair's (`site-a-pair`), so a drift preview says
which site drifted.

Resource names come from data, so renaming a pair renames its resources. Give the
old name in `renamedFrom` (a name or a list of names) when you rename a pair:
each resource gets `aliases` naming its old name, and the engine moves it to the
new name (nothing created, nothing deleted). Without it the engine creates the
new resources and then deletes the old ones; the provider keeps the pair working
through that (README: "Renames and replacements"), but the plan is ten steps
instead of none. Credentials are provider settings, one set for the whole
fleet: `pulumi config set --secret sonicha:password ...` (README).
"""

import re
from typing import Any

import pulumi

from pulumi_sonicha import HaInterface, HaMonitoring, HaPair, LicenseAssociation

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


def renamed(pair: dict[str, Any], suffix: str) -> pulumi.ResourceOptions:
    """`aliases` naming the resource as it was called under the pair's former names."""
    return pulumi.ResourceOptions(
        aliases=[pulumi.Alias(name=f"{old}-{suffix}") for old in pair["renamedFrom"]]
    )


def address_of(host: str) -> str:
    """`10.0.0.2:443` (or `https://10.0.0.2`) -> `10.0.0.2`: the address in a host input."""
    text = host.strip().removeprefix("https://").rstrip("/")
    return text.rpartition(":")[0] if text.count(":") == 1 else text


def ha_pair(pair: dict[str, Any]) -> dict[str, Any]:
    """One pair, the whole procedure (as examples/complete-pair); returns its outputs."""
    name = pair["name"]
    # The Primary at its own monitoring address, through the pair's only before HA is on.
    primary = {
        "primary_host": pair["primaryHost"],
        "setup_host": pair["pairHost"],
        "primary_serial": pair["primarySerial"],
    }
    hosts = {**primary, "backup_host": pair["backupHost"]}

    # Step 0: each unit's own monitoring address, management allowed: the hosts above.
    management = HaMonitoring(
        f"{name}-management",
        interface=pair["managementInterface"],
        primary_ip=address_of(pair["primaryHost"]),
        backup_ip=address_of(pair["backupHost"]),
        allow_management=True,
        opts=renamed(pair, "management"),
        **primary,
    )

    # Step 1: the links. Same port on both units, zone Unassigned, cabled directly.
    control_link = HaInterface(
        f"{name}-control-link",
        interface=pair["controlInterface"],
        purpose="control",
        unassign_zone=True,
        opts=renamed(pair, "control-link"),
        **hosts,
    )
    data_link = HaInterface(
        f"{name}-data-link",
        interface=pair["dataInterface"],
        purpose="data",
        unassign_zone=True,
        opts=renamed(pair, "data-link"),
        **hosts,
    )

    # Step 2: HA on the Primary once both links are ready, naming both units by serial.
    ha = HaPair(
        f"{name}-pair",
        backup_serial=pair["backupSerial"],
        control_interface=control_link.interface,
        data_interface=data_link.interface,
        stateful_synchronization=True,
        preempt=False,
        virtual_mac=True,
        opts=pulumi.ResourceOptions.merge(
            renamed(pair, "pair"), pulumi.ResourceOptions(depends_on=[management])
        ),
        **hosts,
    )

    # Step 3: MySonicWall shares the Primary's licenses with the Backup. The pair's
    # serial outputs echo declared inputs: known in a preview, so a change to one
    # pair never shows its association (or another pair) as changing.
    licenses = LicenseAssociation(
        f"{name}-licenses",
        primary_serial=ha.primary_serial,
        secondary_serial=ha.backup_serial,
        opts=renamed(pair, "licenses"),
    )
    return {
        "primary_serial": ha.primary_serial,
        "backup_serial": ha.backup_serial,
        "ha_status": ha.ha_status,
        "synchronized": ha.synchronized,
        "shared_licenses": licenses.shared_licenses,
    }


# Validate the whole list first: nothing is declared when any pair is wrong.
fleet = read_pairs(pulumi.Config("ha"))
pulumi.export("pairs", {pair["name"]: ha_pair(pair) for pair in fleet})
