"""FirewallFleet: many pairs, their HaPairs not waiting, one wait for the whole fleet."""

import pulumi

from pulumi_sonicha import FirewallFleet, FirewallPairArgs


def site(octet: int, primary_serial: str, backup_serial: str) -> FirewallPairArgs:
    return FirewallPairArgs(
        primary_host=f"10.{octet}.0.2",  # each Primary's own monitoring address
        setup_host=f"10.{octet}.0.1",  # the pair's address (first contact only)
        primary_serial=primary_serial,
        backup_host=f"10.{octet}.0.3",
        backup_serial=backup_serial,
        pair_options={"heartbeat_interval_ms": 2000},  # a fleet-wide timer
    )


fleet = FirewallFleet(
    "fleet",
    {
        "site-a": site(1, "2CB8-ED0A-1B2C", "2CB8-ED0A-9F00"),
        "site-b": site(2, "2CB8-EE00-0B01", "2CB8-EF00-0B02"),
    },
    sync_timeout_s=900,
)
pulumi.export("synchronized", fleet.synchronized)
