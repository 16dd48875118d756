"""The Inputs and Outputs sections of the resource docstrings, rendered from the schema.

Why generated: what `help(HaPair)` says about an input's type, default and
accepted values must be what `check` enforces. The type, the default and
"accepts ..." come from the resource's `Schema` (models/); only the meaning is
written by hand, in the table next to each class in resources.py. An input
without a meaning renders as UNDOCUMENTED, and tests/docs/test_resources_docs.py fails.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from . import schema as _schema
from .schema import Field, Schema

UNDOCUMENTED = "UNDOCUMENTED"
_INDENT = "    "
_WIDTH = 84

T = TypeVar("T")


def default_text(field: Field) -> str:
    """`required`, `optional` (no default value) or `default <value>` as Python spells it."""
    if field.required:
        return "required"
    if field.default is None:
        return "optional"
    return f"default {field.default!r}"


def input_entry(field: Field, meaning: str) -> str:
    """One input: `name: type, default` then its meaning and what it accepts."""
    text = f"{meaning or UNDOCUMENTED} Accepts {field.describe()}."
    if field.replace and field.normalize is _schema.host:
        text += " An address of another unit replaces the resource."
    elif field.replace:
        text += " A change replaces the resource."
    return f"{field.name}: {field.kind.__name__}, {default_text(field)}\n" + _wrap(text)


def _wrap(text: str) -> str:
    return textwrap.fill(text, _WIDTH, initial_indent=_INDENT, subsequent_indent=_INDENT)


def sections(
    schema: Schema,
    inputs: Mapping[str, str],
    outputs: Mapping[str, str],
    args_class: str,
) -> str:
    """The Inputs and Outputs sections for one resource (dedented, one entry per name)."""
    entries = [input_entry(f, inputs.get(f.name, "")) for f in schema.fields]
    head = (
        f"Inputs (keyword arguments, or the fields of `{args_class}`; an input left out"
        " takes its default):"
        if outputs
        else f"Fields (the inputs of `{schema.resource}`; a field left out takes its default):"
    )
    text = [textwrap.fill(head, _WIDTH + 4), "", *(_indent(entry) for entry in entries)]
    if outputs:
        text += ["", "Outputs: every input (normalized as above), and:", ""]
        for name, about in outputs.items():
            text.append(_indent(f"{name}\n{_wrap(about or UNDOCUMENTED)}"))
    return "\n".join(text)


def _indent(text: str) -> str:
    return "\n".join(_INDENT + line for line in text.splitlines())


@dataclass(frozen=True)
class Documented:
    """What a class was documented from: its schema, the meanings, its Args class name."""

    schema: Schema
    inputs: Mapping[str, str]
    outputs: Mapping[str, str]
    args_class: str


def document(
    schema: Schema,
    inputs: Mapping[str, str],
    outputs: Mapping[str, str],
    args_class: str,
) -> Any:
    """Class decorator: append the rendered sections to the class docstring."""

    def decorate(cls: type[T]) -> type[T]:
        head = inspect.cleandoc(cls.__doc__ or "")
        cls.__doc__ = f"{head}\n\n{sections(schema, inputs, outputs, args_class)}\n"
        # What tests/docs/test_resources_docs.py checks the class against.
        cls.__sonicha_docs__ = Documented(schema, inputs, outputs, args_class)  # type: ignore[attr-defined]
        return cls

    return decorate
