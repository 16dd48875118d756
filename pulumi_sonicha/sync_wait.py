"""HaSyncWait: one wait for a whole fleet's pairs (see providers/ha_sync_wait.py).

Type token `pulumi-python:dynamic/sonicha:HaSyncWait`, provider
`pulumi_sonicha.providers.ha_sync_wait.HaSyncWaitProvider`: state files name both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from .providers.ha_sync_wait import HaSyncWaitProvider
from .resources import _SonicHaResource


class HaSyncWait(_SonicHaResource, module="sonicha", name="HaSyncWait"):
    """Waits until every pair listed is synchronized (one ACTIVE, one STANDBY).

    Declare it after the pairs' HaPairs (`depends_on`), each with
    `wait_for_sync=False`: `pulumi up` then returns once the whole fleet is
    synchronized, in about one sync time instead of one per four pairs. Each entry
    of `pairs`: `name`, `primary_host`, `setup_host` (optional), `primary_serial`,
    `backup_serial`, `revision` (any text that changes with the pair's settings, so
    the wait runs again). Outputs: `states` (per pair: ha_status, primary_state,
    backup_state, synchronized), `synchronized_count`, `synchronized` (all).
    Delete touches nothing.
    """

    pairs: pulumi.Output[list[dict[str, Any]]]
    timeout_s: pulumi.Output[int]
    parallel: pulumi.Output[int]
    states: pulumi.Output[dict[str, dict[str, Any]]]
    synchronized_count: pulumi.Output[int]
    synchronized: pulumi.Output[bool]

    OUTPUTS = ("states", "synchronized_count", "synchronized")

    def __init__(
        self,
        resource_name: str,
        pairs: Sequence[Mapping[str, Any]] | pulumi.Input[Sequence[Any]],
        opts: pulumi.ResourceOptions | None = None,
        *,
        timeout_s: pulumi.Input[int] | None = None,
        parallel: pulumi.Input[int] | None = None,
    ) -> None:
        """Declare the wait; `timeout_s` (default 600) for the whole fleet, `parallel`
        (default 16) pairs polled at once."""
        props: dict[str, Any] = {"pairs": pairs, **{name: None for name in self.OUTPUTS}}
        if timeout_s is not None:
            props["timeout_s"] = timeout_s
        if parallel is not None:
            props["parallel"] = parallel
        super().__init__(HaSyncWaitProvider(), resource_name, props, opts)
