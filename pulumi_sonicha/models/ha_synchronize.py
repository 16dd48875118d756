"""HaSynchronize: the vendor's synchronize action, run on create and on a new trigger.

`POST /high-availability/synchronize/settings` or `.../firmware` (O70/O72) makes the
Backup take the Active unit's settings or firmware; the Backup reboots meanwhile
(the 5.8.1 admin guide: "The Idle unit will reboot"), then comes back STANDBY. No
unit holds a trace of it, so nothing here can drift: every input says what `up`
does, and read keeps them as declared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field, Schema

WHAT = ("settings", "firmware")
DEFAULT_MAX_SECONDS = 600


def _rules(inputs: dict[str, Any]) -> Iterable[Failure]:
    yield from schema.backup_host_is_another_unit(inputs, SCHEMA.label(inputs))


SCHEMA = Schema(
    resource="HaSynchronize",
    fields=(
        Field("primary_host", str, replace=True, normalize=schema.host, observed=False),
        Field("backup_host", str, default=None, normalize=schema.host, observed=False),
        Field("what", str, default="settings", choices=WHAT, observed=False),
        Field("trigger", str, default=None, observed=False),
        Field(
            "max_seconds",
            int,
            default=DEFAULT_MAX_SECONDS,
            minimum=1,
            maximum=7200,
            unit="seconds",
            observed=False,
        ),
    ),
    rules=(_rules,),
)
