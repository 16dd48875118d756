"""HaSyncWait: one wait for many pairs whose HaPairs do not wait (wait_for_sync=False)."""

import pulumi

from pulumi_sonicha import HaPair
from pulumi_sonicha.sync_wait import HaSyncWait

pairs = {
    "site-a": ("10.1.0.2", "2CB8-ED0A-1B2C", "2CB8-ED0A-9F00"),
    "site-b": ("10.2.0.2", "2CB8-EE00-0B01", "2CB8-EF00-0B02"),
}
ha_pairs = [
    HaPair(
        f"{name}-pair",
        primary_host=host,  # already paired: the Primary's own monitoring address
        primary_serial=primary,
        backup_serial=backup,
        control_interface="X5",
        heartbeat_interval_ms=2000,
        wait_for_sync=False,  # the fleet's wait below does it, for all at once
    )
    for name, (host, primary, backup) in pairs.items()
]
wait = HaSyncWait(
    "fleet-sync",
    pairs=[
        {
            "name": name,
            "primary_host": host,
            "primary_serial": primary,
            "backup_serial": backup,
            "revision": "heartbeat 2000",  # change it with the settings: it waits again
        }
        for name, (host, primary, backup) in pairs.items()
    ],
    timeout_s=900,
    opts=pulumi.ResourceOptions(depends_on=ha_pairs),
)
pulumi.export("synchronized", wait.synchronized)
