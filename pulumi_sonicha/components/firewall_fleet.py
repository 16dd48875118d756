"""FirewallFleet: many pairs in one stack, rolled out in one sync time.

Each pair is a `FirewallPair` whose HaPair does not wait for its sync
(`wait_for_sync=False`): its create or update returns once the settings are
committed, so the provider host's four workers go from write to write. One
`HaSyncWait` after all the pairs then waits for every pair at once, on threads of
its own, so `pulumi up` returns once the whole fleet is synchronized, not before,
in about one sync time instead of one per four pairs (docs: the fleet guide has
the numbers). Its `revision` per pair is the pair's declared HA settings: a change
to one pair, or a pair added, runs the wait again for the fleet.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ..sync_wait import HaSyncWait
from .firewall_pair import FirewallPair, FirewallPairArgs

#: The component's type token (state files name it: public API, never moves).
TYPE = "sonicha:index:FirewallFleet"


class FirewallFleet(pulumi.ComponentResource):
    """Pairs by name (`pairs`: name -> FirewallPairArgs) and one wait for all of them.

    `renamed_from`: name -> the pair's former names (aliases on its FirewallPair,
    which carry to its resources). `sync_timeout_s` bounds the fleet's wait,
    `parallel` how many pairs it polls at once. Outputs: `synchronized` (every pair),
    `states` (each pair's HA state after the wait); attributes `firewall_pairs`
    (name -> FirewallPair) and `sync` (the HaSyncWait).
    """

    synchronized: pulumi.Output[bool]
    states: pulumi.Output[dict[str, dict[str, Any]]]

    def __init__(
        self,
        resource_name: str,
        pairs: Mapping[str, FirewallPairArgs],
        opts: pulumi.ResourceOptions | None = None,
        *,
        renamed_from: Mapping[str, Sequence[str]] | None = None,
        sync_timeout_s: pulumi.Input[int] | None = None,
        parallel: pulumi.Input[int] | None = None,
    ) -> None:
        if not pairs:
            raise ValueError("FirewallFleet: pairs is empty; give at least one pair")
        unknown = sorted(set(renamed_from or {}) - set(pairs))
        if unknown:
            raise ValueError(f"FirewallFleet: renamed_from names no pair: {', '.join(unknown)}")
        super().__init__(TYPE, resource_name, None, opts)
        self.firewall_pairs: dict[str, FirewallPair] = {}
        entries = []
        for name, args in pairs.items():
            options = {**args.pair_options, "wait_for_sync": False}
            old_names = (renamed_from or {}).get(name, ())
            firewall = FirewallPair(
                name,
                dataclasses.replace(args, pair_options=options),
                opts=pulumi.ResourceOptions(
                    parent=self, aliases=[pulumi.Alias(name=old) for old in old_names]
                ),
            )
            self.firewall_pairs[name] = firewall
            entries.append(
                {
                    "name": name,
                    "primary_host": args.primary_host,
                    "setup_host": args.setup_host,
                    "primary_serial": args.primary_serial,
                    "backup_serial": args.backup_serial,
                    "revision": _revision(args),
                }
            )
        self.sync = HaSyncWait(
            f"{resource_name}-sync",
            pairs=entries,
            timeout_s=sync_timeout_s,
            parallel=parallel,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[f.ha_pair for f in self.firewall_pairs.values()]
            ),
        )
        self.synchronized = self.sync.synchronized
        self.states = self.sync.states
        self.register_outputs({"synchronized": self.synchronized, "states": self.states})


def _revision(args: FirewallPairArgs) -> pulumi.Output[str]:
    """The pair's declared HA settings as one text: it changes exactly when the pair's
    HaPair is written (or the pair is new), which is when the wait must run again."""
    settings = {
        "backup_serial": args.backup_serial,
        "control_interface": args.control_interface,
        "data_interface": args.data_interface,
        **{k: v for k, v in args.pair_options.items() if k != "wait_for_sync"},
    }
    return pulumi.Output.from_input(settings).apply(lambda s: json.dumps(s, sort_keys=True))
