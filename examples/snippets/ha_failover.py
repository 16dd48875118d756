"""HaFailover: keep the Primary Active (a drift preview flags a pair that failed over)
and run a failover drill whenever `drill` changes (here: once a quarter)."""

import pulumi

from pulumi_sonicha import HaFailover

failover = HaFailover(
    "site-failover",
    primary_host="192.168.168.2",  # the Primary's own HA monitoring address
    backup_host="192.168.168.3",  # the Backup's own HA monitoring address
    pair_host="192.168.168.168",  # the pair's X0 address: it follows the Active unit
    active="primary",
    drill="2026-Q1",  # change it to run the next drill
    max_seconds=120,
)
pulumi.export("active_unit", failover.active_unit)
pulumi.export("last_drill", failover.drill_result)
