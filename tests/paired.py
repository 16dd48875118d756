"""A synchronized pair in the simulator, as HaFailover and HaSynchronize expect it.

The units as an administrator leaves them after pairing: HA monitoring on X0 gives
the Primary its own address 127.0.0.3 and the Backup its own 127.0.0.2 (both with
management allowed); the Primary's address 127.0.0.1 becomes the pair's, answered
by whichever unit is Active. HA is on at the Primary (active/standby, control X5,
data X4), set by hand as the UI would, so each test starts from a working pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pulumi_sonicha.simulator import Simulator

PRIMARY_OWN_IP = "127.0.0.3"
BACKUP_OWN_IP = "127.0.0.2"


def pair_up(sim: Simulator, preempt: bool = False) -> None:
    """Monitoring on X0, then HA on at the Primary; the pair synchronizes (sync_seconds)."""
    sim.primary.set_monitoring(
        "X0", primary=PRIMARY_OWN_IP, secondary=BACKUP_OWN_IP, allow_management=True
    )
    fields = {
        "primary_serial": sim.primary.serial,
        "secondary_serial": sim.backup.serial,
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        "preempt": preempt,
        "encryption": False,
    }
    if sim.primary.fw.virtual_mac:
        fields["virtual_mac"] = False  # 7.2 has it, 7.0.1 not
    sim.primary.set_ha_settings({"mode": {"active_standby": fields}})


@contextmanager
def paired_sim(
    failover_seconds: float = 0.3, reboot_seconds: float = 0.6, preempt: bool = False, **kw: Any
) -> Iterator[Simulator]:
    """A started simulator whose pair is synchronized, with short failover and reboot times."""
    with Simulator(
        sync_seconds=0.0, failover_seconds=failover_seconds, reboot_seconds=reboot_seconds, **kw
    ) as sim:
        pair_up(sim, preempt=preempt)
        yield sim


def hosts(sim: Simulator) -> dict[str, str]:
    """Each unit's own address, and the pair's."""
    return {
        "primary_host": sim.primary.address(PRIMARY_OWN_IP),
        "backup_host": sim.backup.address(BACKUP_OWN_IP),
        "pair_host": sim.primary.host,
    }
