"""HA on an existing pair: the Primary names the Backup by serial.

Use this when the HA links are already cabled and unzoned, and each unit's HA
monitoring address is already set with management allowed (or both are managed
elsewhere; examples/complete-pair does the whole procedure). Config (namespace `ha`):
- primaryHost: the Primary's own HA monitoring address, where it answers once HA
  is on, also after a failover (required);
- pairHost: the pair's address, the Primary's own before pairing: used only while
  primaryHost does not answer yet, and only for a unit with primarySerial and HA off
  (optional; needs primarySerial);
- primarySerial: the Primary's serial (optional; nothing is written to another unit);
- backupSerial (required); backupHost: the Backup's monitoring address (optional:
  when set, the Backup is checked to be that serial and the same model before
  anything is written);
- preempt, heartbeatMs (optional).
"""

import pulumi

from pulumi_sonicha import HaPair, HaPairArgs

config = pulumi.Config("ha")

pair = HaPair(
    "pair",
    HaPairArgs(
        primary_host=config.require("primaryHost"),
        setup_host=config.get("pairHost"),
        primary_serial=config.get("primarySerial"),
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
