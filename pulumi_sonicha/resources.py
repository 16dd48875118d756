"""The four Pulumi resources, with typed inputs (`*Args`) and typed outputs.

Type tokens are `pulumi-python:dynamic/sonicha:<Name>` and the providers are
pickled by reference to `pulumi_sonicha.providers.*`: state files name both,
so neither ever moves.

Each class has a real signature (keyword inputs) and a docstring whose Inputs
section is rendered from the provider's schema (`models/`, see docstrings.py),
so `help(HaPair)` shows each input's type, default and accepted values as
`check` enforces them. The `*Args` dataclasses carry the same defaults;
tests/docs/test_resources_docs.py keeps signatures, defaults and docs equal to the
schema.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any

import pulumi
from pulumi import dynamic

from .docstrings import document
from .models.ha_failover import SCHEMA as HA_FAILOVER_SCHEMA
from .models.ha_interface import SCHEMA as HA_INTERFACE_SCHEMA
from .models.ha_monitoring import SCHEMA as HA_MONITORING_SCHEMA
from .models.ha_pair import SCHEMA as HA_PAIR_SCHEMA
from .models.ha_synchronize import SCHEMA as HA_SYNCHRONIZE_SCHEMA
from .models.license_association import SCHEMA as LICENSE_ASSOCIATION_SCHEMA
from .providers.ha_failover import HaFailoverProvider
from .providers.ha_interface import HaInterfaceProvider
from .providers.ha_monitoring import HaMonitoringProvider
from .providers.ha_pair import HaPairProvider
from .providers.ha_synchronize import HaSynchronizeProvider
from .providers.license_association import LicenseAssociationProvider

_PATCHED_PICKLER_ATTRS = ("_batch_setitems", "save_dict")


@contextmanager
def _pickler_patches_undone() -> Iterator[None]:
    """Undo what `pulumi.dynamic.serialize_provider` leaves on `pickle._Pickler`.

    The SDK wraps `_batch_setitems` again on every resource construction and
    never restores it, so a program declaring a few hundred resources (a
    fleet of pairs) dies with RecursionError. Restoring the attributes around
    each construction keeps the wrapper one level deep.
    """
    saved = {name: pickle._Pickler.__dict__.get(name) for name in _PATCHED_PICKLER_ATTRS}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                if name in pickle._Pickler.__dict__:
                    delattr(pickle._Pickler, name)
            else:
                setattr(pickle._Pickler, name, value)


def _props(
    args_class: type,
    args: Any,
    given: dict[str, Any],
    outputs: tuple[str, ...],
) -> dict[str, Any]:
    """The properties to register: the Args defaults, then `args`, then the keyword
    inputs given (None means not given); every output name too, so each typed
    output attribute exists even when its input was left out."""
    inputs = {
        f.name: f.default
        for f in fields(args_class)
        if f.default is not MISSING  # a required input left out reaches check as absent
    }
    if args is not None:
        inputs.update(asdict(args))
    inputs.update({key: value for key, value in given.items() if value is not None})
    # Output names registered as None become output properties of the resource.
    return {**inputs, **{name: None for name in outputs if name not in inputs}}


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The keyword inputs of a resource `__init__` (its `locals()`), without the rest."""
    skip = {"self", "resource_name", "args", "opts", "__class__"}
    return {key: value for key, value in values.items() if key not in skip}


class _SonicHaResource(dynamic.Resource):
    """Construct a dynamic resource without leaking pickler patches."""

    def __init__(
        self,
        provider: dynamic.ResourceProvider,
        name: str,
        props: dict[str, Any],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        with _pickler_patches_undone():
            super().__init__(provider, name, props, opts)


# -- HaInterface ---------------------------------------------------------------

# What each input and output means; type, default and accepted values come from the
# schema (models/ha_interface.py). A new input: a Field there, a line here, a field in
# HaInterfaceArgs and a keyword in HaInterface.__init__ (tests/docs/test_resources_docs.py).
HA_INTERFACE_INPUTS = {
    "primary_host": "The Primary's management address (HTTPS): its own HA monitoring"
    " address, which stays its own after pairing and after a failover.",
    "primary_serial": "The Primary's serial as you know it. Nothing is written to a unit"
    " answering with another serial; required with setup_host.",
    "setup_host": "The pair's address, where the Primary answers before HA is on (its"
    " interface address, which becomes the pair's). Used only while primary_host (the"
    " Primary's own HA monitoring address, which answers once HA is on) does not answer,"
    " and only when the unit there has primary_serial with HA off. Needs primary_serial.",
    "backup_host": "The Backup's management address (HTTPS).",
    "interface": 'The HA link\'s port, the same name on both units (e.g. "X4").',
    "purpose": "What the link will carry: the HA data link or the HA control link.",
    "unassign_zone": "False: fail when the port has a zone on either unit, naming the zone"
    " and the unit. True: set it to Unassigned on both units; delete puts the old zone back.",
    "require_link": "Fail unless the link is up on both units (cable the two ports directly,"
    " unit to unit).",
    "primary_zone": "The zone the link must have on the Primary. Leave it out: only"
    ' "Unassigned" is accepted; a zone given by hand shows as drift here.',
    "backup_zone": "The zone the link must have on the Backup. Leave it out: only"
    ' "Unassigned" is accepted; a zone given by hand shows as drift here.',
}
HA_INTERFACE_OUTPUTS = {
    "primary_serial": "The Primary's serial number (12 upper-case hex digits).",
    "backup_serial": "The Backup's serial number.",
    "primary_link": 'Link status of the port on the Primary (a speed, or "No link").',
    "backup_link": "Link status of the port on the Backup.",
    "primary_zone": "The zone the Primary reports for the port.",
    "backup_zone": "The zone the Backup reports for the port.",
    "previous_zones": "The zone per unit before this resource unassigned it (empty if none).",
    "previous_ip_assignments": "The IP settings per unit that delete puts back.",
    "primary_serial_declared": "Whether the program declared primary_serial.",
}


@document(HA_INTERFACE_SCHEMA, HA_INTERFACE_INPUTS, {}, "HaInterfaceArgs")
@dataclass
class HaInterfaceArgs:
    """The HA link: the same interface on both units, zone Unassigned, cabled directly."""

    primary_host: pulumi.Input[str]
    backup_host: pulumi.Input[str]
    interface: pulumi.Input[str]
    primary_serial: pulumi.Input[str] | None = None
    setup_host: pulumi.Input[str] | None = None
    purpose: pulumi.Input[str] = "data"
    unassign_zone: pulumi.Input[bool] = False
    require_link: pulumi.Input[bool] = True
    primary_zone: pulumi.Input[str] = "Unassigned"
    backup_zone: pulumi.Input[str] = "Unassigned"


@document(HA_INTERFACE_SCHEMA, HA_INTERFACE_INPUTS, HA_INTERFACE_OUTPUTS, "HaInterfaceArgs")
class HaInterface(_SonicHaResource, module="sonicha", name="HaInterface"):
    """The interface that links the Primary and the Backup (e.g. X4 on both).

    id: `<primary_serial>/<interface>`. Delete restores the zones it changed.
    """

    primary_host: pulumi.Output[str]
    setup_host: pulumi.Output[str | None]
    backup_host: pulumi.Output[str]
    interface: pulumi.Output[str]
    purpose: pulumi.Output[str]
    unassign_zone: pulumi.Output[bool]
    require_link: pulumi.Output[bool]
    primary_serial: pulumi.Output[str]
    backup_serial: pulumi.Output[str]
    primary_link: pulumi.Output[str]
    backup_link: pulumi.Output[str]
    primary_zone: pulumi.Output[str]
    backup_zone: pulumi.Output[str]
    previous_zones: pulumi.Output[dict[str, str]]
    previous_ip_assignments: pulumi.Output[dict[str, dict[str, Any]]]
    primary_serial_declared: pulumi.Output[bool]

    # primary_zone/backup_zone: the zone each unit reports ("Unassigned" once
    # applied); a zone set back by hand shows as drift on them.
    OUTPUTS = (
        "primary_serial",
        "primary_serial_declared",
        "backup_serial",
        "primary_link",
        "backup_link",
        "primary_zone",
        "backup_zone",
        "previous_zones",
        "previous_ip_assignments",
    )

    def __init__(
        self,
        resource_name: str,
        args: HaInterfaceArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        primary_host: pulumi.Input[str] | None = None,
        primary_serial: pulumi.Input[str] | None = None,
        setup_host: pulumi.Input[str] | None = None,
        backup_host: pulumi.Input[str] | None = None,
        interface: pulumi.Input[str] | None = None,
        purpose: pulumi.Input[str] | None = None,
        unassign_zone: pulumi.Input[bool] | None = None,
        require_link: pulumi.Input[bool] | None = None,
        primary_zone: pulumi.Input[str] | None = None,
        backup_zone: pulumi.Input[str] | None = None,
    ) -> None:
        """Declare the link; inputs as keywords or `args` (keywords win). None: not given."""
        props = _props(HaInterfaceArgs, args, _given(locals()), self.OUTPUTS)
        super().__init__(HaInterfaceProvider(), resource_name, props, opts)


# -- HaPair --------------------------------------------------------------------

# A new input: a Field in models/ha_pair.py, a line here, a field in HaPairArgs and a
# keyword in HaPair.__init__ (tests/docs/test_resources_docs.py says which is missing).
HA_PAIR_INPUTS = {
    "primary_host": "The Primary's management address (HTTPS); HA is configured there.",
    "primary_serial": "The Primary's serial as you know it. Nothing is written to a unit"
    " answering with another serial, and the primary_serial output stays known in previews.",
    "setup_host": "The pair's address, where the Primary answers before HA is on (its"
    " interface address, which becomes the pair's). Used only while primary_host (the"
    " Primary's own HA monitoring address, which answers once HA is on) does not answer,"
    " and only when the unit there has primary_serial with HA off. Needs primary_serial.",
    "backup_host": "The Backup's management address. When set, the Backup is checked to be"
    " backup_serial and the same model before anything is written, and delete turns HA"
    " off there too.",
    "backup_serial": "The Backup's serial number (API field secondary_serial).",
    "mode": "The HA mode.",
    "control_interface": 'The HA control link (e.g. "X5").',
    "data_interface": 'The HA data link (e.g. "X4"); required with stateful_synchronization'
    ' or mode "active-active-dpi", and different from control_interface.',
    "dpi_interface": 'The Active/Active DPI link; mode "active-active-dpi" only, and required'
    " there; different from the control and data links.",
    "stateful_synchronization": "Synchronize connection state to the Backup (needs"
    " data_interface).",
    "preempt": "The Primary takes the Active role back when it recovers.",
    "virtual_mac": "Both units answer with one virtual MAC address.",
    "encryption": "Encrypt the HA control traffic.",
    "heartbeat_interval_ms": "Time between heartbeats.",
    "failover_trigger_level": "Missed heartbeats before the Backup takes over.",
    "probe_interval_s": "Time between probes of monitored interfaces.",
    "probe_count": "Failed probes before failover.",
    "election_delay_s": "Time the units wait at start-up before electing the Active unit.",
    "include_certificates_keys": "Synchronize certificates and keys to the Backup.",
    "wait_for_sync": "After create or update, wait until the Backup is synchronized.",
    "sync_timeout_s": "How long to wait for the sync; then fail with the last status seen.",
    "on_delete": 'What delete does: "disable" turns HA off, "retain" leaves the units as they are.',
}
HA_PAIR_OUTPUTS = {
    "primary_serial": "The Primary's serial number (12 upper-case hex digits).",
    "primary_serial_declared": "Whether the program declared primary_serial.",
    "model": 'The Primary\'s model (e.g. "NSa 2700").',
    "firmware_version": 'The Primary\'s firmware (e.g. "7.0.1-5145").',
    "ha_status": 'The HA status the Primary reports (e.g. "Primary Active").',
    "primary_state": "The Primary's HA state (ACTIVE, STANDBY, ELECTION, SYNC, ...).",
    "backup_state": "The Backup's HA state.",
    "synchronized": "True when one unit is ACTIVE and the other STANDBY.",
    "restart_required": '"NONE", or what the unit\'s last commit said in restart_required:'
    " restart the unit.",
}


@document(HA_PAIR_SCHEMA, HA_PAIR_INPUTS, {}, "HaPairArgs")
@dataclass
class HaPairArgs:
    """High Availability on the Primary, naming the Backup by serial."""

    primary_host: pulumi.Input[str]
    backup_serial: pulumi.Input[str]
    control_interface: pulumi.Input[str]
    backup_host: pulumi.Input[str] | None = None
    primary_serial: pulumi.Input[str] | None = None
    setup_host: pulumi.Input[str] | None = None
    mode: pulumi.Input[str] = "active-standby"
    data_interface: pulumi.Input[str] | None = None
    # Mode "active-active-dpi" only (and required there): the Active/Active DPI link.
    dpi_interface: pulumi.Input[str] | None = None
    stateful_synchronization: pulumi.Input[bool] = False
    preempt: pulumi.Input[bool] = False
    virtual_mac: pulumi.Input[bool] = False
    encryption: pulumi.Input[bool] = False
    heartbeat_interval_ms: pulumi.Input[int] = 1000
    failover_trigger_level: pulumi.Input[int] = 5
    probe_interval_s: pulumi.Input[int] = 20
    probe_count: pulumi.Input[int] = 3
    election_delay_s: pulumi.Input[int] = 3
    include_certificates_keys: pulumi.Input[bool] = True
    wait_for_sync: pulumi.Input[bool] = True
    sync_timeout_s: pulumi.Input[int] = 600
    on_delete: pulumi.Input[str] = "disable"


@document(HA_PAIR_SCHEMA, HA_PAIR_INPUTS, HA_PAIR_OUTPUTS, "HaPairArgs")
class HaPair(_SonicHaResource, module="sonicha", name="HaPair"):
    """High Availability between a Primary and its Backup, managed on the Primary.

    id: `<primary_serial>`. Create on a Primary that already has HA settings
    adopts them (writes only what differs).
    """

    primary_host: pulumi.Output[str]
    setup_host: pulumi.Output[str | None]
    backup_host: pulumi.Output[str | None]
    backup_serial: pulumi.Output[str]
    mode: pulumi.Output[str]
    control_interface: pulumi.Output[str]
    data_interface: pulumi.Output[str | None]
    dpi_interface: pulumi.Output[str | None]
    stateful_synchronization: pulumi.Output[bool]
    preempt: pulumi.Output[bool]
    virtual_mac: pulumi.Output[bool]
    encryption: pulumi.Output[bool]
    heartbeat_interval_ms: pulumi.Output[int]
    failover_trigger_level: pulumi.Output[int]
    probe_interval_s: pulumi.Output[int]
    probe_count: pulumi.Output[int]
    election_delay_s: pulumi.Output[int]
    include_certificates_keys: pulumi.Output[bool]
    wait_for_sync: pulumi.Output[bool]
    sync_timeout_s: pulumi.Output[int]
    on_delete: pulumi.Output[str]
    primary_serial: pulumi.Output[str]
    primary_serial_declared: pulumi.Output[bool]
    model: pulumi.Output[str]
    firmware_version: pulumi.Output[str]
    ha_status: pulumi.Output[str]
    primary_state: pulumi.Output[str]
    backup_state: pulumi.Output[str]
    synchronized: pulumi.Output[bool]
    # "NONE", or what the unit's last commit said in restart_required: restart it.
    restart_required: pulumi.Output[str]

    OUTPUTS = (
        "primary_serial",
        "primary_serial_declared",
        "model",
        "firmware_version",
        "ha_status",
        "primary_state",
        "backup_state",
        "synchronized",
        "restart_required",
    )

    def __init__(
        self,
        resource_name: str,
        args: HaPairArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        primary_host: pulumi.Input[str] | None = None,
        primary_serial: pulumi.Input[str] | None = None,
        setup_host: pulumi.Input[str] | None = None,
        backup_host: pulumi.Input[str] | None = None,
        backup_serial: pulumi.Input[str] | None = None,
        mode: pulumi.Input[str] | None = None,
        control_interface: pulumi.Input[str] | None = None,
        data_interface: pulumi.Input[str] | None = None,
        dpi_interface: pulumi.Input[str] | None = None,
        stateful_synchronization: pulumi.Input[bool] | None = None,
        preempt: pulumi.Input[bool] | None = None,
        virtual_mac: pulumi.Input[bool] | None = None,
        encryption: pulumi.Input[bool] | None = None,
        heartbeat_interval_ms: pulumi.Input[int] | None = None,
        failover_trigger_level: pulumi.Input[int] | None = None,
        probe_interval_s: pulumi.Input[int] | None = None,
        probe_count: pulumi.Input[int] | None = None,
        election_delay_s: pulumi.Input[int] | None = None,
        include_certificates_keys: pulumi.Input[bool] | None = None,
        wait_for_sync: pulumi.Input[bool] | None = None,
        sync_timeout_s: pulumi.Input[int] | None = None,
        on_delete: pulumi.Input[str] | None = None,
    ) -> None:
        """Declare the pair; inputs as keywords or `args` (keywords win). None: not given."""
        props = _props(HaPairArgs, args, _given(locals()), self.OUTPUTS)
        super().__init__(HaPairProvider(), resource_name, props, opts)


# -- HaMonitoring ----------------------------------------------------------------

# A new input: a Field in models/ha_monitoring.py, a line here, a field in
# HaMonitoringArgs and a keyword in HaMonitoring.__init__ (tests/docs/test_resources_docs.py).
HA_MONITORING_INPUTS = {
    "primary_host": "The Primary's management address (HTTPS); the monitoring settings live"
    " there and reach the Backup when the pair synchronizes. Its own HA monitoring address"
    " (primary_ip), which stays its own after pairing and after a failover.",
    "primary_serial": "The Primary's serial as you know it. Nothing is written to a unit"
    " answering with another serial; required with setup_host.",
    "setup_host": "The pair's address, where the Primary answers before HA is on (its"
    " interface address, which becomes the pair's). Used only while primary_host (the"
    " Primary's own HA monitoring address, which answers once HA is on) does not answer,"
    " and only when the unit there has primary_serial with HA off. Needs primary_serial.",
    "interface": 'The monitored interface (e.g. "X0", the one you manage the units on).',
    "primary_ip": "The Primary's own monitoring address on that interface's subnet.",
    "backup_ip": "The Backup's own monitoring address on that interface's subnet. After"
    " pairing the Backup answers management only there (with allow_management): give the"
    " Backup this address before pairing, and use it as backup_host of HaPair and"
    " HaInterface.",
    "allow_management": "Allow management (HTTPS, the SonicOS API) on the two monitoring"
    " addresses. Delete leaves an entry alone while HA is on and it allows management at"
    " backup_ip: that would cut the Backup off.",
    "link_monitoring": "Fail over when this interface's link goes down.",
    "logical_probe_ip": "A host to probe through this interface (fail over when it stops"
    " answering). Leave it out: probing off.",
}
HA_MONITORING_OUTPUTS = {
    "primary_serial": "The Primary's serial number (12 upper-case hex digits).",
    "primary_serial_declared": "Whether the program declared primary_serial.",
    "previous_entry": "The monitoring settings the interface had before this resource first"
    " set them (empty: none); delete puts them back, or clears the entry.",
}


@document(HA_MONITORING_SCHEMA, HA_MONITORING_INPUTS, {}, "HaMonitoringArgs")
@dataclass
class HaMonitoringArgs:
    """Each unit's own monitoring address on one interface, set on the Primary."""

    primary_host: pulumi.Input[str]
    interface: pulumi.Input[str]
    primary_ip: pulumi.Input[str]
    backup_ip: pulumi.Input[str]
    primary_serial: pulumi.Input[str] | None = None
    setup_host: pulumi.Input[str] | None = None
    allow_management: pulumi.Input[bool] = True
    link_monitoring: pulumi.Input[bool] = True
    logical_probe_ip: pulumi.Input[str] | None = None


@document(HA_MONITORING_SCHEMA, HA_MONITORING_INPUTS, HA_MONITORING_OUTPUTS, "HaMonitoringArgs")
class HaMonitoring(_SonicHaResource, module="sonicha", name="HaMonitoring"):
    """HA monitoring of one interface: how each unit stays reachable after pairing.

    id: `<primary_serial>/<interface>`. Create on an interface that already has
    monitoring takes it over; delete puts back what was there before (or clears it).
    """

    primary_host: pulumi.Output[str]
    setup_host: pulumi.Output[str | None]
    interface: pulumi.Output[str]
    primary_ip: pulumi.Output[str]
    backup_ip: pulumi.Output[str]
    allow_management: pulumi.Output[bool]
    link_monitoring: pulumi.Output[bool]
    logical_probe_ip: pulumi.Output[str | None]
    primary_serial: pulumi.Output[str]
    primary_serial_declared: pulumi.Output[bool]
    previous_entry: pulumi.Output[dict[str, Any]]

    OUTPUTS = ("primary_serial", "primary_serial_declared", "previous_entry")

    def __init__(
        self,
        resource_name: str,
        args: HaMonitoringArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        primary_host: pulumi.Input[str] | None = None,
        primary_serial: pulumi.Input[str] | None = None,
        setup_host: pulumi.Input[str] | None = None,
        interface: pulumi.Input[str] | None = None,
        primary_ip: pulumi.Input[str] | None = None,
        backup_ip: pulumi.Input[str] | None = None,
        allow_management: pulumi.Input[bool] | None = None,
        link_monitoring: pulumi.Input[bool] | None = None,
        logical_probe_ip: pulumi.Input[str] | None = None,
    ) -> None:
        """Declare the monitoring; inputs as keywords or `args` (keywords win). None: not
        given."""
        props = _props(HaMonitoringArgs, args, _given(locals()), self.OUTPUTS)
        super().__init__(HaMonitoringProvider(), resource_name, props, opts)


# -- LicenseAssociation ----------------------------------------------------------

LICENSE_ASSOCIATION_INPUTS = {
    "primary_serial": "The Primary's serial (HA Primary on MySonicWall).",
    "secondary_serial": "The Backup's serial (HA Secondary on MySonicWall); on a change the"
    " old association is deleted first (a unit belongs to one association).",
}
LICENSE_ASSOCIATION_OUTPUTS = {
    "association_id": "MySonicWall's id of the association (also the resource id).",
    "status": "The association's status (ASSOCIATED).",
    "shared_licenses": "Services the Backup now shares from the Primary.",
    "non_shareable_licenses": "Services the portal never shares (consulting services such as"
    " GMS Preventive Maintenance).",
}


@document(LICENSE_ASSOCIATION_SCHEMA, LICENSE_ASSOCIATION_INPUTS, {}, "LicenseAssociationArgs")
@dataclass
class LicenseAssociationArgs:
    """The Primary and its Backup ("HA Secondary") associated on MySonicWall."""

    primary_serial: pulumi.Input[str]
    secondary_serial: pulumi.Input[str]


@document(
    LICENSE_ASSOCIATION_SCHEMA,
    LICENSE_ASSOCIATION_INPUTS,
    LICENSE_ASSOCIATION_OUTPUTS,
    "LicenseAssociationArgs",
)
class LicenseAssociation(_SonicHaResource, module="sonicha", name="LicenseAssociation"):
    """Lets the Backup share the Primary's licenses (all but consulting services).

    id: the association id. Credentials: sonicha:portalUsername/portalPassword.
    """

    primary_serial: pulumi.Output[str]
    secondary_serial: pulumi.Output[str]
    association_id: pulumi.Output[str]
    status: pulumi.Output[str]
    shared_licenses: pulumi.Output[list[str]]
    non_shareable_licenses: pulumi.Output[list[str]]

    OUTPUTS = ("association_id", "status", "shared_licenses", "non_shareable_licenses")

    def __init__(
        self,
        resource_name: str,
        args: LicenseAssociationArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        primary_serial: pulumi.Input[str] | None = None,
        secondary_serial: pulumi.Input[str] | None = None,
    ) -> None:
        """Declare the association; inputs as keywords or `args` (keywords win)."""
        props = _props(LicenseAssociationArgs, args, _given(locals()), self.OUTPUTS)
        super().__init__(LicenseAssociationProvider(), resource_name, props, opts)


# -- HaFailover --------------------------------------------------------------------

HA_FAILOVER_INPUTS = {
    "primary_host": "The Primary's own management address: its HA monitoring address"
    " (HaMonitoring primary_ip), which stays the Primary's after a failover. Not the pair's"
    " address, which answers on whichever unit is Active.",
    "backup_host": "The Backup's own management address (its HA monitoring address): a drill"
    " fails back there, and the Backup is asked there when the Primary does not answer.",
    "pair_host": "An address of the pair (an interface address, e.g. X0's), which moves to the"
    " Active unit: after each failover of a drill it must answer on the unit now Active."
    " Leave it out: not checked.",
    "active": 'Which unit should be Active: "primary" or "backup". A drift preview flags a'
    " pair whose Active unit is another one; `up` moves it back after checking the pair is"
    " synchronized and its links are up. Leave it out: no alert, nothing moved.",
    "drill": "Any text (a date, a ticket number): when it changes (and at create, when"
    " given), `up` runs a drill: fail over to the other unit, check the pair's address, fail"
    " back, each step waited for and timed.",
    "max_seconds": "How long each wait of a failover may take; then the pair is left as it is"
    " and the error says where each unit stands.",
}
HA_FAILOVER_OUTPUTS = {
    "primary_serial": "The Primary's serial number.",
    "backup_serial": "The Backup's serial number (as the Primary's HA settings name it).",
    "active_unit": 'Which unit is Active: "primary", "backup", or "none" (the pair is not'
    " steady).",
    "ha_status": 'The HA status of the unit asked (e.g. "Primary Active").',
    "primary_state": "The Primary's HA state (ACTIVE, STANDBY, ...).",
    "backup_state": "The Backup's HA state.",
    "drilled_at": "When the last drill started (UTC, ISO 8601).",
    "drill_result": "What the last drill did, with its timings.",
    "failover_seconds": "Seconds the last drill took to fail over (until the other unit was"
    " ACTIVE and the first STANDBY).",
    "failback_seconds": "Seconds the last drill took to fail back.",
    "states_before": "Each unit's HA state before the last drill.",
    "states_after": "Each unit's HA state after the last drill.",
}


@document(HA_FAILOVER_SCHEMA, HA_FAILOVER_INPUTS, {}, "HaFailoverArgs")
@dataclass
class HaFailoverArgs:
    """Which unit of a pair should be Active, and failover drills."""

    primary_host: pulumi.Input[str]
    backup_host: pulumi.Input[str]
    pair_host: pulumi.Input[str] | None = None
    active: pulumi.Input[str] | None = None
    drill: pulumi.Input[str] | None = None
    max_seconds: pulumi.Input[int] = 120


@document(HA_FAILOVER_SCHEMA, HA_FAILOVER_INPUTS, HA_FAILOVER_OUTPUTS, "HaFailoverArgs")
class HaFailover(_SonicHaResource, module="sonicha", name="HaFailover"):
    """Keeps the declared unit Active and runs failover drills (opt-in).

    id: `<primary_serial>`. Delete changes nothing on the units.
    """

    primary_host: pulumi.Output[str]
    backup_host: pulumi.Output[str]
    pair_host: pulumi.Output[str | None]
    active: pulumi.Output[str | None]
    drill: pulumi.Output[str | None]
    max_seconds: pulumi.Output[int]
    primary_serial: pulumi.Output[str]
    backup_serial: pulumi.Output[str]
    active_unit: pulumi.Output[str]
    ha_status: pulumi.Output[str]
    primary_state: pulumi.Output[str]
    backup_state: pulumi.Output[str]
    drilled_at: pulumi.Output[str | None]
    drill_result: pulumi.Output[str | None]
    failover_seconds: pulumi.Output[float | None]
    failback_seconds: pulumi.Output[float | None]
    states_before: pulumi.Output[dict[str, str] | None]
    states_after: pulumi.Output[dict[str, str] | None]

    OUTPUTS = tuple(HA_FAILOVER_OUTPUTS)

    def __init__(
        self,
        resource_name: str,
        args: HaFailoverArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        primary_host: pulumi.Input[str] | None = None,
        backup_host: pulumi.Input[str] | None = None,
        pair_host: pulumi.Input[str] | None = None,
        active: pulumi.Input[str] | None = None,
        drill: pulumi.Input[str] | None = None,
        max_seconds: pulumi.Input[int] | None = None,
    ) -> None:
        """Declare it; inputs as keywords or `args` (keywords win). None: not given."""
        props = _props(HaFailoverArgs, args, _given(locals()), self.OUTPUTS)
        super().__init__(HaFailoverProvider(), resource_name, props, opts)


# -- HaSynchronize -----------------------------------------------------------------

HA_SYNCHRONIZE_INPUTS = {
    "primary_host": "The Primary's own management address (its HA monitoring address); the"
    " synchronization is asked there, of the Active unit.",
    "backup_host": "The Backup's own management address: after its reboot it must answer"
    " there again. Leave it out: the Primary's HA status alone says when it is back.",
    "what": '"settings" (the configuration) or "firmware": what the Backup takes from the'
    " Primary; it reboots either way.",
    "trigger": "Any text: when it changes, `up` synchronizes again (a create always does).",
    "max_seconds": "How long the Backup may take to reboot and be STANDBY again; then the"
    " error says where each unit stands.",
}
HA_SYNCHRONIZE_OUTPUTS = {
    "primary_serial": "The Primary's serial number.",
    "backup_serial": "The Backup's serial number.",
    "synchronized_at": "When the last synchronization started (UTC, ISO 8601).",
    "sync_seconds": "Seconds until the Backup was STANDBY again.",
    "states_after": "Each unit's HA state after the synchronization.",
    "sync_result": "What the last synchronization did.",
}


@document(HA_SYNCHRONIZE_SCHEMA, HA_SYNCHRONIZE_INPUTS, {}, "HaSynchronizeArgs")
@dataclass
class HaSynchronizeArgs:
    """Synchronize the Backup's settings or firmware from the Primary."""

    primary_host: pulumi.Input[str]
    backup_host: pulumi.Input[str] | None = None
    what: pulumi.Input[str] = "settings"
    trigger: pulumi.Input[str] | None = None
    max_seconds: pulumi.Input[int] = 600


@document(HA_SYNCHRONIZE_SCHEMA, HA_SYNCHRONIZE_INPUTS, HA_SYNCHRONIZE_OUTPUTS, "HaSynchronizeArgs")
class HaSynchronize(_SonicHaResource, module="sonicha", name="HaSynchronize"):
    """Synchronizes the Backup from the Primary (it reboots) on create and on a new trigger.

    id: `<primary_serial>`. Delete changes nothing on the units.
    """

    primary_host: pulumi.Output[str]
    backup_host: pulumi.Output[str | None]
    what: pulumi.Output[str]
    trigger: pulumi.Output[str | None]
    max_seconds: pulumi.Output[int]
    primary_serial: pulumi.Output[str]
    backup_serial: pulumi.Output[str]
    synchronized_at: pulumi.Output[str]
    sync_seconds: pulumi.Output[float]
    states_after: pulumi.Output[dict[str, str]]
    sync_result: pulumi.Output[str]

    OUTPUTS = tuple(HA_SYNCHRONIZE_OUTPUTS)

    def __init__(
        self,
        resource_name: str,
        args: HaSynchronizeArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        primary_host: pulumi.Input[str] | None = None,
        backup_host: pulumi.Input[str] | None = None,
        what: pulumi.Input[str] | None = None,
        trigger: pulumi.Input[str] | None = None,
        max_seconds: pulumi.Input[int] | None = None,
    ) -> None:
        """Declare it; inputs as keywords or `args` (keywords win). None: not given."""
        props = _props(HaSynchronizeArgs, args, _given(locals()), self.OUTPUTS)
        super().__init__(HaSynchronizeProvider(), resource_name, props, opts)
