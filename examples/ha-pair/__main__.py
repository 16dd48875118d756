"""HA on an existing pair: the Primary names the Backup by serial.

Use this when the HA links are already cabled and unzoned (or managed
elsewhere). Config (namespace `ha`): primaryHost, backupSerial (required),
backupHost (optional: when set, the Backup is checked to be that serial and
the same model before anything is written).
"""

import pulumi

from pulumi_sonicha import HaPair, HaPairArgs

config = pulumi.Config("ha")

pair = HaPair(
    "pair",
    HaPairArgs(
        primary_host=config.require("primaryHost"),
        backup_host=config.get("backupHost"),
        backup_serial=config.require("backupSerial"),
        mode="active-standby",
        control_interface="X5",
        data_interface="X4",
        stateful_synchronization=True,
        preempt=config.get_bool("preempt") or False,
        heartbeat_interval_ms=config.get_int("heartbeatMs") or 1000,
        failover_trigger_level=5,
    ),
)

pulumi.export("primary_serial", pair.primary_serial)
pulumi.export("model", pair.model)
pulumi.export("ha_status", pair.ha_status)
pulumi.export("backup_state", pair.backup_state)
pulumi.export("synchronized", pair.synchronized)
