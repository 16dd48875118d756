"""One SonicWall pair, the whole procedure: monitoring, HA links, HA pair, licenses.

Config (namespace `ha`), every address named once:
- primaryHost: the Primary's own HA monitoring address (host or host:port). Once HA
  is on, the interface addresses belong to the pair and answer on the Active unit;
  the Primary stays reachable as itself only here, also after a failover.
- pairHost: the pair's address on the management interface: the Primary's own
  interface address before pairing, the Active unit's after. Used only for the first
  contact, while primaryHost does not answer yet (it answers once HA is on), and only
  when the unit there has primarySerial with HA off (`setup_host`).
- backupHost: the Backup's own monitoring address, given to it before pairing as its
  interface address; it answers there before and after pairing.
- primarySerial, backupSerial: the serials printed on the units (dashes allowed).
- managementInterface (default X0), controlInterface (default X5), dataInterface
  (default X4).
Credentials are provider settings: `pulumi config set --secret sonicha:password ...`.
"""

import pulumi

from pulumi_sonicha import HaInterface, HaMonitoring, HaPair, LicenseAssociation

config = pulumi.Config("ha")
primary_host = config.require("primaryHost")
backup_host = config.require("backupHost")
# The Primary, as every Primary-side resource reaches it: at its own monitoring
# address, through the pair's address only before HA is on, checked by serial.
primary = {
    "primary_host": primary_host,
    "setup_host": config.require("pairHost"),
    "primary_serial": config.require("primarySerial"),
}


def address_of(host: str) -> str:
    """`10.0.0.2:443` (or `https://10.0.0.2`) -> `10.0.0.2`: the address in a host input."""
    text = host.strip().removeprefix("https://").rstrip("/")
    return text.rpartition(":")[0] if text.count(":") == 1 else text


# Step 0: how each unit stays reachable once paired: its own monitoring address on the
# management interface, management allowed. The addresses are the hosts above, so the
# stack reaches each unit exactly where the unit answers.
management = HaMonitoring(
    "management",
    interface=config.get("managementInterface") or "X0",
    primary_ip=address_of(primary_host),
    backup_ip=address_of(backup_host),
    allow_management=True,
    **primary,
)

# Step 1: the links. Same port on both units, zone Unassigned, cabled directly.
control_link = HaInterface(
    "control-link",
    backup_host=backup_host,
    interface=config.get("controlInterface") or "X5",
    purpose="control",
    unassign_zone=True,
    **primary,
)
data_link = HaInterface(
    "data-link",
    backup_host=backup_host,
    interface=config.get("dataInterface") or "X4",
    purpose="data",
    unassign_zone=True,
    **primary,
)

# Step 2: HA on the Primary, naming the Backup by serial. Taking the interfaces from
# the links orders the steps: HA is set only once both links are ready. Naming the
# Primary's serial too means nothing is written to a unit that answers with another
# one (an address reused, a unit swapped).
pair = HaPair(
    "pair",
    backup_host=backup_host,
    backup_serial=config.require("backupSerial"),
    control_interface=control_link.interface,
    data_interface=data_link.interface,
    stateful_synchronization=True,
    preempt=False,
    virtual_mac=True,
    # Pairing comes after the monitoring addresses: both units stay reachable at their
    # own addresses, and destroy turns HA off before the monitoring entry goes.
    opts=pulumi.ResourceOptions(depends_on=[management]),
    **primary,
)

# Step 3: MySonicWall shares the Primary's licenses with the Backup ("HA Secondary").
# The pair's serial outputs echo declared inputs, so they stay known in a preview
# and editing a timer on the pair never shows the association as changing.
licenses = LicenseAssociation(
    "licenses",
    primary_serial=pair.primary_serial,
    secondary_serial=pair.backup_serial,
)

pulumi.export("primary_serial", pair.primary_serial)
pulumi.export("backup_serial", pair.backup_serial)
pulumi.export("ha_status", pair.ha_status)
pulumi.export("synchronized", pair.synchronized)
pulumi.export("shared_licenses", licenses.shared_licenses)
