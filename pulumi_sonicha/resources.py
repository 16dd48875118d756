"""The Pulumi resources, with typed inputs (`*Args`) and typed outputs.

Type tokens are `pulumi-python:dynamic/sonicha:<Name>` and the providers are
pickled by reference to `pulumi_sonicha.providers.*`: state files name both,
so neither ever moves.

Each class has a real signature (keyword inputs, for IDEs and type checkers)
and a docstring rendered from the schema in `models/` (docstrings.py): each
input's meaning, type, default and accepted values as `check` enforces them,
the outputs, the id, what replacement and delete do. The `*Args` dataclasses,
the `__init__` keywords and the output annotations repeat the schema's names
for IDEs; tests/docs/test_resources_docs.py fails when they disagree with it.
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


@document(HA_INTERFACE_SCHEMA, "HaInterfaceArgs")
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


@document(HA_INTERFACE_SCHEMA, "HaInterfaceArgs")
class HaInterface(_SonicHaResource, module="sonicha", name="HaInterface"):
    """The interface that links the Primary and the Backup (e.g. X4 on both)."""

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

    OUTPUTS = HA_INTERFACE_SCHEMA.output_names

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


@document(HA_PAIR_SCHEMA, "HaPairArgs")
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


@document(HA_PAIR_SCHEMA, "HaPairArgs")
class HaPair(_SonicHaResource, module="sonicha", name="HaPair"):
    """High Availability between a Primary and its Backup, managed on the Primary."""

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

    OUTPUTS = HA_PAIR_SCHEMA.output_names

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


@document(HA_MONITORING_SCHEMA, "HaMonitoringArgs")
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


@document(HA_MONITORING_SCHEMA, "HaMonitoringArgs")
class HaMonitoring(_SonicHaResource, module="sonicha", name="HaMonitoring"):
    """HA monitoring of one interface: how each unit stays reachable after pairing."""

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

    OUTPUTS = HA_MONITORING_SCHEMA.output_names

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


@document(LICENSE_ASSOCIATION_SCHEMA, "LicenseAssociationArgs")
@dataclass
class LicenseAssociationArgs:
    """The Primary and its Backup ("HA Secondary") associated on MySonicWall."""

    primary_serial: pulumi.Input[str]
    secondary_serial: pulumi.Input[str]


@document(LICENSE_ASSOCIATION_SCHEMA, "LicenseAssociationArgs")
class LicenseAssociation(_SonicHaResource, module="sonicha", name="LicenseAssociation"):
    """Lets the Backup share the Primary's licenses (all but consulting services)."""

    primary_serial: pulumi.Output[str]
    secondary_serial: pulumi.Output[str]
    association_id: pulumi.Output[str]
    status: pulumi.Output[str]
    shared_licenses: pulumi.Output[list[str]]
    non_shareable_licenses: pulumi.Output[list[str]]

    OUTPUTS = LICENSE_ASSOCIATION_SCHEMA.output_names

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


@document(HA_FAILOVER_SCHEMA, "HaFailoverArgs")
@dataclass
class HaFailoverArgs:
    """Which unit of a pair should be Active, and failover drills."""

    primary_host: pulumi.Input[str]
    backup_host: pulumi.Input[str]
    pair_host: pulumi.Input[str] | None = None
    active: pulumi.Input[str] | None = None
    drill: pulumi.Input[str] | None = None
    max_seconds: pulumi.Input[int] = 120


@document(HA_FAILOVER_SCHEMA, "HaFailoverArgs")
class HaFailover(_SonicHaResource, module="sonicha", name="HaFailover"):
    """Keeps the declared unit Active and runs failover drills (opt-in)."""

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

    OUTPUTS = HA_FAILOVER_SCHEMA.output_names

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


@document(HA_SYNCHRONIZE_SCHEMA, "HaSynchronizeArgs")
@dataclass
class HaSynchronizeArgs:
    """Synchronize the Backup's settings or firmware from the Primary."""

    primary_host: pulumi.Input[str]
    backup_host: pulumi.Input[str] | None = None
    what: pulumi.Input[str] = "settings"
    trigger: pulumi.Input[str] | None = None
    max_seconds: pulumi.Input[int] = 600


@document(HA_SYNCHRONIZE_SCHEMA, "HaSynchronizeArgs")
class HaSynchronize(_SonicHaResource, module="sonicha", name="HaSynchronize"):
    """Synchronizes the Backup from the Primary (it reboots) on create and on a new trigger."""

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

    OUTPUTS = HA_SYNCHRONIZE_SCHEMA.output_names

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
