"""The rollout benchmark's comparison: the same `ha:pairs` as examples/fleet, each
pair a FirewallPair whose HaPair waits for its own sync (holding one of the provider
host's four workers meanwhile), and no fleet-wide wait."""

import json

import pulumi

from pulumi_sonicha import FirewallPair, FirewallPairArgs

config = pulumi.Config("ha")
heartbeat = config.get_int("heartbeatIntervalMs")
options = {"stateful_synchronization": True, "preempt": False, "virtual_mac": True}
if heartbeat:
    options["heartbeat_interval_ms"] = heartbeat
for pair in json.loads(config.require("pairs")):
    FirewallPair(
        pair["name"],
        FirewallPairArgs(
            primary_host=pair["primaryHost"],
            setup_host=pair["pairHost"],
            primary_serial=pair["primarySerial"],
            backup_host=pair["backupHost"],
            backup_serial=pair["backupSerial"],
            pair_options={**options, "wait_for_sync": True},
        ),
    )
