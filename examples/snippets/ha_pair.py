"""HaPair: HA on the Primary, naming the Backup by serial; waits for the sync."""

import pulumi

from pulumi_sonicha import HaPair

pair = HaPair(
    "pair",
    primary_host="192.168.168.168",
    backup_host="192.168.168.3",  # checked to be backup_serial before anything is written
    primary_serial="2CB8ED0A1B2C",
    backup_serial="2CB8ED0A9F00",
    control_interface="X5",
    data_interface="X4",
    stateful_synchronization=True,
)
pulumi.export("synchronized", pair.synchronized)
