"""The library as an IDE and `help()` show it: signatures, defaults and docs equal the schema.

Adding an input to a schema (models/) without its keyword, its Args field, its default
and its meaning fails here, naming what is missing.
"""

from __future__ import annotations

import dataclasses
import inspect
import pydoc
from importlib import resources as package_files
from pathlib import Path

import pulumi
import pytest

import pulumi_sonicha
from pulumi_sonicha import resources
from pulumi_sonicha.docstrings import UNDOCUMENTED
from pulumi_sonicha.models import ha_interface, ha_pair, license_association
from pulumi_sonicha.schema import Schema


def _documented(cls: type):
    docs = getattr(cls, "__sonicha_docs__", None)
    assert docs is not None, f"decorate {cls.__name__} with @document (resources.py)"
    args_cls = getattr(pulumi_sonicha, docs.args_class)
    return (cls, args_cls, docs.schema, docs.inputs, docs.outputs)


# Every public resource class: a new one (and its Args) is checked here once it is exported.
PUBLIC = [
    getattr(pulumi_sonicha, name)
    for name in pulumi_sonicha.__all__
    if isinstance(getattr(pulumi_sonicha, name), type)
    and issubclass(getattr(pulumi_sonicha, name), pulumi.dynamic.Resource)
]
RESOURCES = [_documented(cls) for cls in PUBLIC]
IDS = [r[0].__name__ for r in RESOURCES]


def keyword_inputs(cls: type) -> list[str]:
    params = inspect.signature(cls.__init__).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def flat(text: str) -> str:
    """pydoc text as one line of words, without its `|` margin."""
    return " ".join(word for word in text.split() if word != "|")


def test_the_resources_and_their_schemas():
    assert set(IDS) >= {"HaInterface", "HaPair", "LicenseAssociation"}
    by_name = {r[0].__name__: r for r in RESOURCES}
    assert by_name["HaInterface"][2] is ha_interface.SCHEMA
    assert by_name["HaPair"][2] is ha_pair.SCHEMA
    assert by_name["LicenseAssociation"][2] is license_association.SCHEMA
    for _cls, args_cls, schema, _, _ in RESOURCES:
        assert args_cls.__sonicha_docs__.schema is schema, args_cls.__name__


@pytest.mark.parametrize(("cls", "args_cls", "schema", "inputs", "outputs"), RESOURCES, ids=IDS)
def test_signature_lists_exactly_the_schemas_inputs(cls, args_cls, schema: Schema, inputs, outputs):
    params = inspect.signature(cls.__init__).parameters
    assert list(params)[:4] == ["self", "resource_name", "args", "opts"]
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()), (
        f"{cls.__name__}.__init__ takes **kwargs: declare each input as a keyword"
    )
    assert keyword_inputs(cls) == schema.keys, (
        f"{cls.__name__}.__init__ keywords differ from models/ schema inputs"
    )
    for name in schema.keys:
        assert params[name].default is None  # None: not given, the schema's default applies
        assert "pulumi.Input[" in str(params[name].annotation)


@pytest.mark.parametrize(("cls", "args_cls", "schema", "inputs", "outputs"), RESOURCES, ids=IDS)
def test_args_class_has_every_input_with_the_real_default(
    cls, args_cls, schema: Schema, inputs, outputs
):
    arg_fields = {f.name: f for f in dataclasses.fields(args_cls)}
    assert set(arg_fields) == set(schema.keys), f"{args_cls.__name__} fields differ from schema"
    for field in schema.fields:
        default = arg_fields[field.name].default
        if field.required:
            assert default is dataclasses.MISSING, f"{args_cls.__name__}.{field.name} is required"
        else:
            assert default == field.default and type(default) is type(field.default), (
                f"{args_cls.__name__}.{field.name} defaults to {default!r},"
                f" the schema to {field.default!r}"
            )
    params = inspect.signature(args_cls).parameters  # what help() and IDEs show
    for field in schema.fields:
        assert "pulumi.Input[" in str(params[field.name].annotation)
        if not field.required:
            assert params[field.name].default == field.default


@pytest.mark.parametrize(("cls", "args_cls", "schema", "inputs", "outputs"), RESOURCES, ids=IDS)
def test_help_shows_each_input_with_type_default_and_meaning(
    cls, args_cls, schema: Schema, inputs, outputs
):
    assert set(inputs) == set(schema.keys), f"document each {cls.__name__} input in resources.py"
    assert set(outputs) == set(cls.OUTPUTS), f"document each {cls.__name__} output"
    for shown in (cls, args_cls):
        text = pydoc.render_doc(shown, renderer=pydoc.plaintext)
        assert UNDOCUMENTED not in text
        for field in schema.fields:
            default = "required" if field.required else (
                "optional" if field.default is None else f"default {field.default!r}"
            )
            assert f"{field.name}: {field.kind.__name__}, {default}" in text
            first_words = " ".join(inputs[field.name].split()[:4])
            assert first_words in flat(text), field.name
            assert field.describe().split()[0] in text
    text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
    for name in cls.OUTPUTS:
        assert f"\n |      {name}\n" in text, name


def test_help_of_ha_pair_reads_as_a_reference():
    text = flat(pydoc.render_doc(resources.HaPair, renderer=pydoc.plaintext))
    assert "heartbeat_interval_ms: int, default 1000" in text
    assert "Accepts a whole number from 1000 to 300000 ms." in text
    assert "mode: str, default 'active-standby'" in text
    assert 'Accepts one of "active-standby", "active-active-dpi".' in text
    assert "backup_serial: str, required" in text
    assert "data_interface: str, optional" in text
    assert "synchronized True when one unit is ACTIVE and the other STANDBY." in text


def test_args_defaults_are_what_the_provider_would_fill_in():
    """Registering an Args instance sends the same inputs check would produce."""
    args = resources.HaPairArgs(
        primary_host="fw1", backup_serial="2CB8ED0A9F00", control_interface="X5"
    )
    checked, failures = ha_pair.SCHEMA.check(
        {k: v for k, v in dataclasses.asdict(args).items() if v is not None}
    )
    assert not failures
    assert {k: v for k, v in dataclasses.asdict(args).items() if v is not None} == {
        k: v for k, v in checked.items() if v is not None
    }


def test_package_ships_py_typed():
    assert package_files.files("pulumi_sonicha").joinpath("py.typed").is_file()
    pyproject = Path(pulumi_sonicha.__file__).parent.parent / "pyproject.toml"
    assert 'pulumi_sonicha = ["py.typed"]' in pyproject.read_text()  # package data: installed


def test_an_input_added_without_a_meaning_shows_as_undocumented():
    from pulumi_sonicha.docstrings import sections
    from pulumi_sonicha.schema import Field

    grown = Schema("HaPair", (*ha_pair.SCHEMA.fields, Field("dpi_link", str, default=None)))
    text = sections(grown, resources.HA_PAIR_INPUTS, resources.HA_PAIR_OUTPUTS, "HaPairArgs")
    assert f"dpi_link: str, optional\n        {UNDOCUMENTED}" in text
