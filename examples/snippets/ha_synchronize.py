"""HaSynchronize: the Backup takes the Primary's settings (it reboots, then is STANDBY
again); a new `trigger` value synchronizes again."""

import pulumi

from pulumi_sonicha import HaSynchronize

config = pulumi.Config()
sync = HaSynchronize(
    "site-sync",
    primary_host=config.require("primaryHost"),
    backup_host=config.require("backupHost"),
    what="settings",
    trigger="after-2026-03-maintenance",
)
pulumi.export("syncSeconds", sync.sync_seconds)
