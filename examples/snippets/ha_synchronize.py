"""HaSynchronize: the Backup takes the Primary's settings (it reboots, then is STANDBY
again); a new `trigger` value synchronizes again."""

import pulumi

from pulumi_sonicha import HaSynchronize

sync = HaSynchronize(
    "site-sync",
    primary_host="192.168.168.2",  # the Primary's own HA monitoring address
    backup_host="192.168.168.3",  # the Backup's: it must answer there after its reboot
    what="settings",
    trigger="after-2026-03-maintenance",
)
pulumi.export("sync_seconds", sync.sync_seconds)
