"""A SonicWall HA pair: monitoring, HA links, HA pair and licenses, in setup order.

Made by `pulumi new` from the sonicwall-ha-pair template of pulumi-sonicha. The
config it asked for (namespace `ha`): primaryHost, backupHost, primaryIp,
primarySerial, backupSerial; the credentials are provider settings
(`sonicha:password`, `sonicha:portalPassword`, secrets). Which unit answers at
which address, before and after pairing: docs/guides/addresses.md of pulumi-sonicha.
"""

import pulumi

from pulumi_sonicha import HaInterface, HaMonitoring, HaPair, LicenseAssociation

config = pulumi.Config("ha")
primary_host = config.require("primaryHost")
backup_host = config.require("backupHost")


def address_of(host: str) -> str:
    """`10.0.0.3:443` (or `https://10.0.0.3`) -> `10.0.0.3`: the address in a host input."""
    text = host.strip().removeprefix("https://").rstrip("/")
    return text.rpartition(":")[0] if text.count(":") == 1 else text


# Each unit's own monitoring address on X0: after pairing, the Backup answers
# management only at backupHost, the address named here as its monitoring address.
management = HaMonitoring(
    "management",
    primary_host=primary_host,
    interface="X0",
    primary_ip=config.require("primaryIp"),
    backup_ip=address_of(backup_host),
)

# The HA links: the same port on both units, zone Unassigned, cabled directly.
links = {
    purpose: HaInterface(
        f"{purpose}-link",
        primary_host=primary_host,
        backup_host=backup_host,
        interface=port,
        purpose=purpose,
        unassign_zone=True,
    )
    for purpose, port in (("control", "X5"), ("data", "X4"))
}

# HA on the Primary, naming the Backup by serial; waits until the Backup is synchronized.
pair = HaPair(
    "pair",
    primary_host=primary_host,
    backup_host=backup_host,
    primary_serial=config.require("primarySerial"),
    backup_serial=config.require("backupSerial"),
    control_interface=links["control"].interface,
    data_interface=links["data"].interface,
    stateful_synchronization=True,
    opts=pulumi.ResourceOptions(depends_on=[management]),
)

# The Backup ("HA Secondary") shares the Primary's licenses on MySonicWall.
licenses = LicenseAssociation(
    "licenses", primary_serial=pair.primary_serial, secondary_serial=pair.backup_serial
)

pulumi.export("ha_status", pair.ha_status)
pulumi.export("synchronized", pair.synchronized)
pulumi.export("shared_licenses", licenses.shared_licenses)
