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
from ..schema import About, Failure, Field, Output, Schema

WHAT = ("settings", "firmware")
DEFAULT_MAX_SECONDS = 600


def _rules(inputs: dict[str, Any]) -> Iterable[Failure]:
    yield from schema.backup_host_is_another_unit(inputs, SCHEMA.label(inputs))


SCHEMA = Schema(
    resource="HaSynchronize",
    fields=(
        Field(
            "primary_host",
            str,
            replace=True,
            normalize=schema.host,
            observed=False,
            doc="The Primary's own management address (its HA monitoring address); the"
            " synchronization is asked there, of the Active unit.",
        ),
        Field(
            "backup_host",
            str,
            default=None,
            normalize=schema.host,
            observed=False,
            doc="The Backup's own management address: after its reboot it must answer there"
            " again. Leave it out: the Primary's HA status alone says when it is back.",
        ),
        Field(
            "what",
            str,
            default="settings",
            choices=WHAT,
            observed=False,
            doc='"settings" (the configuration) or "firmware": what the Backup takes from the'
            " Primary; it reboots either way.",
        ),
        Field(
            "trigger",
            str,
            default=None,
            observed=False,
            doc="Any text: when it changes, `up` synchronizes again (a create always does).",
        ),
        Field(
            "max_seconds",
            int,
            default=DEFAULT_MAX_SECONDS,
            minimum=1,
            maximum=7200,
            unit="seconds",
            observed=False,
            doc="How long the Backup may take to reboot and be STANDBY again; then the error"
            " says where each unit stands.",
        ),
    ),
    rules=(_rules,),
    outputs=(
        Output("primary_serial", "str", "The Primary's serial number."),
        Output("backup_serial", "str", "The Backup's serial number."),
        Output("synchronized_at", "str", "When the last synchronization started (UTC, ISO 8601)."),
        Output("sync_seconds", "float", "Seconds until the Backup was STANDBY again."),
        Output("states_after", "dict[str, str]", "Each unit's HA state after the synchronization."),
        Output("sync_result", "str", "What the last synchronization did."),
    ),
    about=About(
        summary="Synchronizes the Backup's settings or firmware from the Primary (the Backup"
        " reboots), on create and whenever `trigger` changes.",
        id="`<primary_serial>`.",
        replacement="A new `primary_host` replaces the resource: the new one synchronizes on"
        " create.",
        delete="Changes nothing on the units.",
    ),
)
