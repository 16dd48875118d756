"""The three Pulumi resources, with typed inputs (`*Args`) and typed outputs.

Type tokens are `pulumi-python:dynamic/sonicha:<Name>` and the providers are
pickled by reference to `pulumi_sonicha.providers.*`: state files name both,
so neither ever moves.

Defaults live in one place, the provider's schema (`models/`): an input left
out here arrives as None and `check` fills in the documented default, which
then shows in the outputs.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import pulumi
from pulumi import dynamic

from .providers.ha_interface import HaInterfaceProvider
from .providers.ha_pair import HaPairProvider
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


def _props(args: Any, kwargs: dict[str, Any], outputs: tuple[str, ...]) -> dict[str, Any]:
    inputs = asdict(args) if args is not None else {}
    inputs.update(kwargs)
    # Output names registered as None become output properties of the resource.
    return {**inputs, **{name: None for name in outputs if name not in inputs}}


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


@dataclass
class HaInterfaceArgs:
    """The HA link: the same interface on both units, zone Unassigned, cabled directly."""

    primary_host: pulumi.Input[str]
    backup_host: pulumi.Input[str]
    interface: pulumi.Input[str]
    purpose: pulumi.Input[str] | None = None
    unassign_zone: pulumi.Input[bool] | None = None
    require_link: pulumi.Input[bool] | None = None


class HaInterface(_SonicHaResource, module="sonicha", name="HaInterface"):
    """The interface that links the Primary and the Backup (e.g. X4 on both)."""

    primary_host: pulumi.Output[str]
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

    # primary_zone/backup_zone: the zone each unit reports ("Unassigned" once
    # applied); a zone set back by hand shows as drift on them.
    OUTPUTS = (
        "primary_serial",
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
        **kwargs: Any,
    ) -> None:
        props = _props(args, kwargs, self.OUTPUTS)
        super().__init__(HaInterfaceProvider(), resource_name, props, opts)


# -- HaPair --------------------------------------------------------------------


@dataclass
class HaPairArgs:
    """High Availability on the Primary; see the README for each setting."""

    primary_host: pulumi.Input[str]
    backup_serial: pulumi.Input[str]
    control_interface: pulumi.Input[str]
    backup_host: pulumi.Input[str] | None = None
    # Optional: the Primary's serial as you know it. Nothing is written to a unit
    # answering with another serial, and the output is then known during previews.
    primary_serial: pulumi.Input[str] | None = None
    mode: pulumi.Input[str] | None = None
    data_interface: pulumi.Input[str] | None = None
    # Mode "active-active-dpi" only (and required there): the Active/Active DPI link.
    dpi_interface: pulumi.Input[str] | None = None
    stateful_synchronization: pulumi.Input[bool] | None = None
    preempt: pulumi.Input[bool] | None = None
    virtual_mac: pulumi.Input[bool] | None = None
    encryption: pulumi.Input[bool] | None = None
    heartbeat_interval_ms: pulumi.Input[int] | None = None
    failover_trigger_level: pulumi.Input[int] | None = None
    probe_interval_s: pulumi.Input[int] | None = None
    probe_count: pulumi.Input[int] | None = None
    election_delay_s: pulumi.Input[int] | None = None
    include_certificates_keys: pulumi.Input[bool] | None = None
    wait_for_sync: pulumi.Input[bool] | None = None
    sync_timeout_s: pulumi.Input[int] | None = None
    on_delete: pulumi.Input[str] | None = None


class HaPair(_SonicHaResource, module="sonicha", name="HaPair"):
    """High Availability between a Primary and its Backup, managed on the Primary."""

    primary_host: pulumi.Output[str]
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
        **kwargs: Any,
    ) -> None:
        props = _props(args, kwargs, self.OUTPUTS)
        super().__init__(HaPairProvider(), resource_name, props, opts)


# -- LicenseAssociation ----------------------------------------------------------


@dataclass
class LicenseAssociationArgs:
    """The Primary and its Backup ("HA Secondary") associated on MySonicWall."""

    primary_serial: pulumi.Input[str]
    secondary_serial: pulumi.Input[str]


class LicenseAssociation(_SonicHaResource, module="sonicha", name="LicenseAssociation"):
    """Lets the Backup share the Primary's licenses (all but consulting services)."""

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
        **kwargs: Any,
    ) -> None:
        props = _props(args, kwargs, self.OUTPUTS)
        super().__init__(LicenseAssociationProvider(), resource_name, props, opts)
