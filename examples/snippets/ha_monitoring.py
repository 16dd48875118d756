"""HaMonitoring: each unit's own monitoring address on X0, where each stays reachable."""

import pulumi

from pulumi_sonicha import HaMonitoring

management = HaMonitoring(
    "management",
    primary_host="192.168.168.168",  # the Primary's X0 address (the pair's, once paired)
    interface="X0",
    primary_ip="192.168.168.2",  # the Primary's own address on X0's subnet
    backup_ip="192.168.168.3",  # the Backup's: give it this address before pairing
)
pulumi.export("primary_serial", management.primary_serial)
