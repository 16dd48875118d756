"""`setup_host`: how a program reaches the Primary before High Availability is on.

Once paired, every interface address belongs to the pair and answers on the Active
unit, so the Primary's steady management address (`primary_host`) is its own HA
monitoring address, which stays its own after a failover. That address answers only
while HA is on (assumed: no public source; the stricter reading). Before pairing the
Primary answers at its interface address, which becomes the pair's: `setup_host`.

The Primary-side resources (HaMonitoring, HaInterface, HaPair) try `primary_host`
first and use `setup_host` only while `primary_host` does not answer and the unit
found at `setup_host` has the declared `primary_serial` with HA off (a standalone
unit: the Primary before pairing, or after HA was turned off). So `setup_host` needs
`primary_serial`, and never reaches the Active unit of a pair in its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field

#: The optional input every Primary-side resource shares (behaviour only: no unit holds it).
SETUP_HOST = Field("setup_host", str, default=None, normalize=schema.host, observed=False)
#: The Primary's serial as an optional safety check (required with setup_host).
PRIMARY_SERIAL = Field(
    "primary_serial", str, default=None, normalize=schema.serial, expectation=True
)


def setup_host_rules(inputs: dict[str, Any], label: str) -> Iterable[Failure]:
    """setup_host comes with primary_serial, and is an address of its own."""
    setup = inputs.get("setup_host")
    if not setup:
        return
    if not inputs.get("primary_serial"):
        yield Failure(
            "primary_serial",
            f"{label}: setup_host {setup} is used only for the unit with the declared serial;"
            " set primary_serial to the Primary's serial (as printed on the unit) too",
        )
    for key in ("primary_host", "backup_host"):
        other = inputs.get(key)
        if isinstance(other, str) and schema.same_host(setup, other):
            yield Failure(
                "setup_host",
                f"{label}: setup_host is the same address as {key} ({other}); setup_host is"
                " the pair's address, where the Primary answers before HA is on, and"
                " primary_host the Primary's own HA monitoring address: give the pair's"
                " address, or leave setup_host out",
            )
