"""The opt-in health check of a drift job: is each pair synchronized, each HA link up?

Drift is a declared setting changed by hand; a pulled HA cable or a Backup out of
sync is not drift (the engine decides drift with the provider's Diff, which
compares declared inputs only), but a scheduled job may want to fail on it.
`problems` looks at the outputs a refresh (or an up) just read: `synchronized` of
every HaPair, `primary_link`/`backup_link` of every HaInterface that requires its
link. The harness command's `--expect-healthy` uses it; with the Pulumi CLI, the
same check runs on `pulumi stack output --json` after a refresh (docs/guides/drift-detection.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..models.ha_interface import link_up

HA_PAIR = "pulumi-python:dynamic/sonicha:HaPair"
HA_INTERFACE = "pulumi-python:dynamic/sonicha:HaInterface"


def problems(resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[str]:
    """One line per unhealthy resource, from (name, type, outputs) triples."""
    found: list[str] = []
    for name, type_, outs in resources:
        if type_ == HA_PAIR and outs.get("synchronized") is not True:
            found.append(
                f"{name}: the Backup is not synchronized (HA status {outs.get('ha_status')!r},"
                f" Backup state {outs.get('backup_state')!r})"
            )
        if type_ == HA_INTERFACE and outs.get("require_link", True):
            for role in ("primary", "backup"):
                status = outs.get(f"{role}_link")
                if not link_up(status):
                    found.append(
                        f"{name}: {outs.get('interface')} on the {role.capitalize()} reports"
                        f" {status or 'no link status'!r} (HA link down)"
                    )
    return found
