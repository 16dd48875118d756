"""One SonicWall pair, the whole procedure: monitoring, HA links, HA pair, licenses.

Config (namespace `ha`): primaryHost, backupHost, primarySerial, backupSerial
(required: the serials printed on the units and listed in MySonicWall);
managementInterface (default X0), controlInterface (default X5), dataInterface
(default X4). backupHost is the Backup's own monitoring address, given to it before
pairing: named once here, it is both where the Backup is managed (backup_host) and
its monitoring address (backup_ip), so the two cannot disagree. Credentials are
provider settings: `pulumi config set --secret sonicha:password ...` (docs/index.md).
"""

import pulumi

from pulumi_sonicha import HaInterface, HaMonitoring, HaPair, LicenseAssociation

config = pulumi.Config("ha")
primary_host = config.require("primaryHost")
backup_host = config.require("backupHost")


def address_of(host: str) -> str:
    """`10.0.0.2:443` (or `https://10.0.0.2`) -> `10.0.0.2`: the address in a host input."""
    text = host.strip().removeprefix("https://").rstrip("/")
    return text.rpartition(":")[0] if text.count(":") == 1 else text


# Step 0: how each unit stays reachable. After pairing the Backup answers management
# only at its own monitoring address on an interface with management allowed: the
# address given as backupHost, on the interface the units are managed on.
management = HaMonitoring(
    "management",
    primary_host=primary_host,
    interface=config.get("managementInterface") or "X0",
    primary_ip=address_of(primary_host),
    backup_ip=address_of(backup_host),
    allow_management=True,
)

# Step 1: the links. Same port on both units, zone Unassigned, cabled directly.
control_link = HaInterface(
    "control-link",
    primary_host=primary_host,
    backup_host=backup_host,
    interface=config.get("controlInterface") or "X5",
    purpose="control",
    unassign_zone=True,
)
data_link = HaInterface(
    "data-link",
    primary_host=primary_host,
    backup_host=backup_host,
    interface=config.get("dataInterface") or "X4",
    purpose="data",
    unassign_zone=True,
)

# Step 2: HA on the Primary, naming the Backup by serial. Taking the interfaces from
# the links orders the steps: HA is set only once both links are ready. Naming the
# Primary's serial too means nothing is written to a unit that answers with another
# one (an address reused, a unit swapped).
pair = HaPair(
    "pair",
    primary_host=primary_host,
    backup_host=backup_host,
    primary_serial=config.require("primarySerial"),
    backup_serial=config.require("backupSerial"),
    control_interface=control_link.interface,
    data_interface=data_link.interface,
    stateful_synchronization=True,
    preempt=False,
    virtual_mac=True,
    # Pairing comes after the monitoring addresses: the Backup stays reachable at
    # backupHost, and destroy turns HA off before the monitoring entry goes.
    opts=pulumi.ResourceOptions(depends_on=[management]),
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
