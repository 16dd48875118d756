"""One SonicWall pair, the whole procedure: HA links, HA pair, license association.

Config (namespace `ha`): primaryHost, backupHost (required); controlInterface
(default X5), dataInterface (default X4). Credentials are provider settings:
`pulumi config set --secret sonicha:password ...` (see the README).
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

# Step 2: HA on the Primary, naming the Backup by the serial the link found on it.
# Using the links' outputs orders the steps: HA is set only once both links are ready.
pair = HaPair(
    "pair",
    primary_host=primary_host,
    backup_host=backup_host,
    backup_serial=data_link.backup_serial,
    control_interface=control_link.interface,
    data_interface=data_link.interface,
    stateful_synchronization=True,
    preempt=False,
    virtual_mac=True,
)

# Step 3: MySonicWall shares the Primary's licenses with the Backup ("HA Secondary").
# The serials come from the link, which rarely changes: during a preview, values a
# provider computes are unknown for every resource being updated, so taking them
# from the pair would show the association as changing whenever a timer is edited.
# depends_on keeps the administrator's order: licenses once HA is up.
licenses = LicenseAssociation(
    "licenses",
    primary_serial=data_link.primary_serial,
    secondary_serial=data_link.backup_serial,
    opts=pulumi.ResourceOptions(depends_on=[pair]),
)

pulumi.export("primary_serial", pair.primary_serial)
pulumi.export("backup_serial", pair.backup_serial)
pulumi.export("ha_status", pair.ha_status)
pulumi.export("synchronized", pair.synchronized)
pulumi.export("shared_licenses", licenses.shared_licenses)
