"""HaFailover: keep the Primary Active, and run a failover drill when `drill` changes."""

import pulumi

from pulumi_sonicha import HaFailover

failover = HaFailover(
    "failover",
    primary_host="192.168.168.2",  # the Primary's own (monitoring) address
    backup_host="192.168.168.3",  # the Backup's own (monitoring) address
    pair_host="192.168.168.168",  # X0's address: answers on the Active unit
    active="primary",
    drill="2026-12-08",  # change it to run another drill
)
pulumi.export("failover_seconds", failover.failover_seconds)
