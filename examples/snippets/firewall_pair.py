"""FirewallPair: one pair, the whole procedure (monitoring, HA links, HA pair, licenses)."""

import pulumi

from pulumi_sonicha import FirewallPair

site = FirewallPair(
    "site-a",
    primary_host="192.168.168.2",  # the Primary's own monitoring address on X0
    setup_host="192.168.168.168",  # the pair's X0 address: the Primary's before pairing
    primary_serial="2CB8-ED0A-1B2C",
    backup_host="192.168.168.3",  # the Backup's own address (its monitoring address)
    backup_serial="2CB8-ED0A-9F00",
    control_interface="X5",
    data_interface="X4",
    stateful_synchronization=True,  # an HaPair option, passed through
)
pulumi.export("synchronized", site.synchronized)
