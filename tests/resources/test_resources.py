"""The resource classes as a program sees them, under pulumi.runtime.set_mocks."""

from __future__ import annotations

import base64
import pickle
import subprocess
import sys

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_sonicha import HaInterface, HaPair, HaPairArgs, LicenseAssociation
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.providers.license_association import LicenseAssociationProvider

PROVIDERS = [HaPairProvider, HaInterfaceProvider, LicenseAssociationProvider]


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.registered.append(args)
        outs = {k: v for k, v in args.inputs.items() if k != "__provider"}
        return f"{args.name}-id", outs

    def call(self, args):
        return {}, None


@pytest.fixture
def mocks():
    m = RecordingMocks()
    pulumi.runtime.set_mocks(m, preview=False)
    yield m


@pytest.mark.parametrize("cls", PROVIDERS)
def test_provider_pickles_by_reference_small_and_empty(cls):
    provider = cls()
    provider._settings = object()  # runtime state must never reach the pickle
    blob = serialize_provider(provider)
    raw = base64.b64decode(blob)
    assert len(blob) < 300
    assert cls.__module__.encode() in raw and cls.__name__.encode() in raw
    restored = pickle.loads(raw)
    assert type(restored) is cls and restored._settings is None
    assert cls.serialize_as_secret_always is False


@pytest.mark.parametrize("cls", PROVIDERS)
def test_fresh_process_imports_provider_by_stored_path(cls):
    blob = serialize_provider(cls())
    code = (
        "import base64, sys, dill; p = dill.loads(base64.b64decode(sys.argv[1]));"
        "print(type(p).__module__ + '.' + type(p).__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, blob], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == f"{cls.__module__}.{cls.__name__}"


@pulumi.runtime.test
def test_type_tokens_and_outputs_are_registered(mocks):
    pair = HaPair(
        "pair",
        HaPairArgs(primary_host="fw1", backup_serial="2CB8ED0A9F00", control_interface="X5"),
    )
    link = HaInterface("link", primary_host="fw1", backup_host="fw2", interface="X4")
    lic = LicenseAssociation("lic", primary_serial="2CB8ED0A1B2C", secondary_serial="2CB8ED0A9F00")

    def verify(_):
        # The SDK registers resources concurrently: order is not program order.
        tokens = sorted(r.typ for r in mocks.registered)
        assert tokens == [
            "pulumi-python:dynamic/sonicha:HaInterface",
            "pulumi-python:dynamic/sonicha:HaPair",
            "pulumi-python:dynamic/sonicha:LicenseAssociation",
        ]
        pair_inputs = next(r.inputs for r in mocks.registered if r.name == "pair")
        assert pair_inputs["backup_serial"] == "2CB8ED0A9F00"
        assert "password" not in str(pair_inputs).lower()

    # Outputs not given as inputs still exist as typed attributes.
    assert isinstance(pair.synchronized, pulumi.Output)
    assert isinstance(pair.primary_serial, pulumi.Output)
    return pulumi.Output.all(pair.urn, link.urn, lic.urn).apply(verify)


def test_hundreds_of_resources_do_not_exhaust_the_pickler(mocks):
    before = pickle._Pickler.__dict__.get("_batch_setitems")
    for i in range(600):
        HaPair(f"p{i}", primary_host=f"fw{i}", backup_serial="2CB8ED0A9F00", control_interface="X5")
    assert pickle._Pickler.__dict__.get("_batch_setitems") is before


@pulumi.runtime.test
def test_keyword_inputs_win_over_args_and_every_input_is_an_output(mocks):
    args = HaPairArgs(
        primary_host="fw1", backup_serial="2CB8ED0A9F00", control_interface="X5", preempt=True
    )
    pair = HaPair("pair", args, preempt=None, probe_count=4)  # None: not given
    link = HaInterface("link", primary_host="fw1", backup_host="fw2", interface="X4")

    def verify(_):
        pair_inputs = next(r.inputs for r in mocks.registered if r.name == "pair")
        assert pair_inputs["preempt"] is True
        assert pair_inputs["probe_count"] == 4
        assert pair_inputs["mode"] == "active-standby"  # the Args default, as check fills it
        link_inputs = next(r.inputs for r in mocks.registered if r.name == "link")
        assert link_inputs["unassign_zone"] is False and link_inputs["require_link"] is True

    # Inputs left out still exist as typed output attributes.
    assert isinstance(pair.mode, pulumi.Output) and isinstance(link.purpose, pulumi.Output)
    return pulumi.Output.all(pair.urn, link.urn).apply(verify)
