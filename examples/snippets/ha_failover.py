"""HaFailover: keep the Primary Active (a drift preview flags a pair that failed over)
and run a failover drill whenever `drill` changes (here: once a quarter)."""

import pulumi

from pulumi_sonicha import HaFailover

config = pulumi.Config()
failover = HaFailover(
    "site-failover",
    primary_host=config.require("primaryHost"),  # the Primary's own HA monitoring address
    backup_host=config.require("backupHost"),  # the Backup's own HA monitoring address
    pair_host=config.get("pairHost"),  # the pair's address: it must follow the Active unit
    active="primary",
    drill="2026-Q1",
    max_seconds=120,
)
pulumi.export("activeUnit", failover.active_unit)
pulumi.export("lastDrill", failover.drill_result)
