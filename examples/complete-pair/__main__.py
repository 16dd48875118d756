"""One SonicWall pair, the whole procedure: HA links, HA pair, license association.

Config (namespace `ha`): primaryHost, backupHost, primarySerial, backupSerial
(required: the serials printed on the units and listed in MySonicWall);
controlInterface (default X5), dataInterface (default X4). Credentials are
provider settings: `pulumi config set --secret sonicha:password ...` (README).
"""

import pulumi

from pulumi_sonicha import HaInterface, HaPair, LicenseAssociation

config = pulumi.Config("ha")
primary_host = config.require("primaryHost")
backup_host = config.require("backupHost")

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
