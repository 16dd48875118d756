"""FirewallPair: the whole HA procedure for one pair, from one set of arguments.

An administrator sets a pair up in one order: each unit's own monitoring address
(so both stay reachable once paired), the HA links (same port on both units, zone
Unassigned), High Availability on the Primary naming the Backup, then the license
association on MySonicWall. Every program that writes those four steps by hand
has to get the order, the `depends_on` and the addresses right; this component
does it once:

- every address is named once: `primary_host` (the Primary's own monitoring
  address, where it answers once HA is on, also after a failover), `setup_host`
  (the pair's address, the Primary's own before pairing: the first contact only),
  `backup_host` (the Backup's own monitoring address). The monitoring entry takes
  its two addresses from the hosts unless given, so each unit answers exactly where
  the stack reaches it.
- children are named after the component (`<name>-management`, `-control-link`,
  `-data-link`, `-pair`, `-licenses`) with `parent=self`: an alias on the component
  (a renamed pair) carries to every child, as the engine derives a child's old name
  from its parent's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import pulumi

from ..resources import HaInterface, HaMonitoring, HaPair, LicenseAssociation

#: The component's type token (state files name it: public API, never moves).
TYPE = "sonicha:index:FirewallPair"

#: HaPair inputs a FirewallPair passes through as they are (the rest it sets itself).
PAIR_OPTIONS = frozenset(
    {
        "mode",
        "dpi_interface",
        "stateful_synchronization",
        "preempt",
        "virtual_mac",
        "encryption",
        "heartbeat_interval_ms",
        "failover_trigger_level",
        "probe_interval_s",
        "probe_count",
        "election_delay_s",
        "include_certificates_keys",
        "wait_for_sync",
        "sync_timeout_s",
        "on_delete",
    }
)


def address_of(host: str) -> str:
    """`10.0.0.2:443` (or `https://10.0.0.2/`) -> `10.0.0.2`: the address in a host input."""
    text = host.strip().removeprefix("https://").rstrip("/")
    return text.rpartition(":")[0] if text.count(":") == 1 else text


@dataclass
class FirewallPairArgs:
    """One pair, the whole procedure. Hosts are `host` or `host:port` (HTTPS)."""

    #: The Primary's own HA monitoring address: where it answers once HA is on.
    primary_host: pulumi.Input[str]
    #: The Primary's serial (12 hex digits, dashes allowed): nothing is written elsewhere.
    primary_serial: pulumi.Input[str]
    #: The Backup's own monitoring address (its interface address before pairing too).
    backup_host: pulumi.Input[str]
    #: The Backup's serial ("HA Secondary" on MySonicWall).
    backup_serial: pulumi.Input[str]
    #: The pair's address, the Primary's own before pairing; used only while primary_host
    #: does not answer yet, for a unit with primary_serial and HA off. None: not needed.
    setup_host: pulumi.Input[str] | None = None
    #: The interface both units are managed on (the monitoring entry's).
    management_interface: pulumi.Input[str] = "X0"
    #: The monitoring addresses; None: the address in primary_host / backup_host.
    primary_ip: pulumi.Input[str] | None = None
    backup_ip: pulumi.Input[str] | None = None
    #: The HA control link, and the data link (None: no data link).
    control_interface: pulumi.Input[str] = "X5"
    data_interface: pulumi.Input[str] | None = "X4"
    #: Set the links' zone to Unassigned on both units (delete puts it back).
    unassign_zone: pulumi.Input[bool] = True
    #: Associate the two units on MySonicWall (the Backup shares the Primary's licenses).
    license_association: bool = True
    #: HaPair inputs passed through (mode, preempt, timers, wait_for_sync...).
    pair_options: Mapping[str, Any] = field(default_factory=dict)


class FirewallPair(pulumi.ComponentResource):
    """One SonicWall HA pair: monitoring, HA links, HA pair, license association.

    Outputs: `primary_serial`, `backup_serial`, `ha_status`, `primary_state`,
    `backup_state`, `synchronized` (of the HaPair), `shared_licenses` and
    `association_id` (None without the license association). The children are
    attributes too: `monitoring`, `control_link`, `data_link` (None without a data
    link), `ha_pair`, `licenses` (None without the association).
    """

    primary_serial: pulumi.Output[str]
    backup_serial: pulumi.Output[str]
    ha_status: pulumi.Output[str]
    primary_state: pulumi.Output[str]
    backup_state: pulumi.Output[str]
    synchronized: pulumi.Output[bool]
    shared_licenses: pulumi.Output[list[str] | None]
    association_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: FirewallPairArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """Declare the pair; arguments as `args` or keywords (FirewallPairArgs' names,
        plus any HaPair option such as `preempt=True`, gathered into pair_options)."""
        args = _args(args, kwargs)
        super().__init__(TYPE, resource_name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        primary = {
            "primary_host": args.primary_host,
            "setup_host": args.setup_host,
            "primary_serial": args.primary_serial,
        }
        hosts = {**primary, "backup_host": args.backup_host}

        # 1. Each unit's own monitoring address, management allowed: reachable once paired.
        self.monitoring = HaMonitoring(
            f"{resource_name}-management",
            interface=args.management_interface,
            primary_ip=args.primary_ip
            or pulumi.Output.from_input(args.primary_host).apply(address_of),
            backup_ip=args.backup_ip
            or pulumi.Output.from_input(args.backup_host).apply(address_of),
            allow_management=True,
            opts=child,
            **primary,
        )
        # 2. The links: same port on both units, zone Unassigned, cabled directly.
        self.control_link = HaInterface(
            f"{resource_name}-control-link",
            interface=args.control_interface,
            purpose="control",
            unassign_zone=args.unassign_zone,
            opts=child,
            **hosts,
        )
        self.data_link = (
            HaInterface(
                f"{resource_name}-data-link",
                interface=args.data_interface,
                purpose="data",
                unassign_zone=args.unassign_zone,
                opts=child,
                **hosts,
            )
            if args.data_interface is not None
            else None
        )
        # 3. HA on the Primary once the links are ready (their interface outputs) and the
        # monitoring addresses are set (depends_on): destroy goes the other way round.
        options = dict(args.pair_options)
        if self.data_link is None:
            options.setdefault("stateful_synchronization", False)
        self.ha_pair = HaPair(
            f"{resource_name}-pair",
            backup_serial=args.backup_serial,
            control_interface=self.control_link.interface,
            data_interface=self.data_link.interface if self.data_link else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.monitoring]),
            **hosts,
            **options,
        )
        # 4. MySonicWall: the Backup shares the Primary's licenses. The pair's serial
        # outputs echo declared inputs, so a timer change never shows it as changing.
        self.licenses = (
            LicenseAssociation(
                f"{resource_name}-licenses",
                primary_serial=self.ha_pair.primary_serial,
                secondary_serial=self.ha_pair.backup_serial,
                opts=child,
            )
            if args.license_association
            else None
        )

        self.primary_serial = self.ha_pair.primary_serial
        self.backup_serial = self.ha_pair.backup_serial
        self.ha_status = self.ha_pair.ha_status
        self.primary_state = self.ha_pair.primary_state
        self.backup_state = self.ha_pair.backup_state
        self.synchronized = self.ha_pair.synchronized
        none = pulumi.Output.from_input(None)
        self.shared_licenses = self.licenses.shared_licenses if self.licenses else none
        self.association_id = self.licenses.association_id if self.licenses else none
        self.register_outputs(
            {
                "primary_serial": self.primary_serial,
                "backup_serial": self.backup_serial,
                "ha_status": self.ha_status,
                "primary_state": self.primary_state,
                "backup_state": self.backup_state,
                "synchronized": self.synchronized,
                "shared_licenses": self.shared_licenses,
                "association_id": self.association_id,
            }
        )


def _args(args: FirewallPairArgs | None, kwargs: dict[str, Any]) -> FirewallPairArgs:
    """`args` with the keywords applied; HaPair options gathered, anything else refused
    (naming what is accepted), before any child is declared."""
    names = set(FirewallPairArgs.__dataclass_fields__) - {"pair_options"}
    base = {f.name: getattr(args, f.name) for f in fields(args)} if args is not None else {}
    options = dict(base.pop("pair_options", {}) or {})
    options.update(kwargs.pop("pair_options", None) or {})
    for key in list(kwargs):
        if key in PAIR_OPTIONS:
            options[key] = kwargs.pop(key)
    unknown = sorted(set(kwargs) - names) + sorted(set(options) - PAIR_OPTIONS)
    if unknown:
        raise TypeError(
            f"FirewallPair: unknown argument(s) {', '.join(map(repr, unknown))}; accepted:"
            f" {', '.join(sorted(names))}, and the HaPair options {', '.join(sorted(PAIR_OPTIONS))}"
        )
    base.update({key: value for key, value in kwargs.items() if value is not None})
    missing = [
        key
        for key in ("primary_host", "primary_serial", "backup_host", "backup_serial")
        if base.get(key) is None
    ]
    if missing:
        raise TypeError(f"FirewallPair: missing required argument(s) {', '.join(missing)}")
    return FirewallPairArgs(**base, pair_options=options)
