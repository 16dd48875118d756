"""HaSynchronize: the Backup takes the Primary's settings (it reboots) when `trigger` changes."""

import pulumi

from pulumi_sonicha import HaSynchronize

sync = HaSynchronize(
    "sync",
    primary_host="192.168.168.2",  # the Primary's own (monitoring) address
    backup_host="192.168.168.3",
    what="settings",
    trigger="2026-12-08",  # change it to synchronize again
)
pulumi.export("sync_seconds", sync.sync_seconds)
