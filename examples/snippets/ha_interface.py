"""HaInterface: X4 as the HA data link, zone Unassigned on both units."""

import pulumi

from pulumi_sonicha import HaInterface

link = HaInterface(
    "data-link",
    primary_host="192.168.168.168",
    backup_host="192.168.168.3",  # the Backup's monitoring address
    interface="X4",
    unassign_zone=True,  # remove a zone the port has (delete puts it back)
)
pulumi.export("backup_link", link.backup_link)
