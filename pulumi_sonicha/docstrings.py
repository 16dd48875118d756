"""`help()` of every resource, rendered from its schema, and the registry of documented classes.

Why generated: what `help(HaPair)` says about an input's type, default and
accepted values must be what `check` enforces, and what it says an input means
must be what the docs pages say. Everything comes from the resource's `Schema`
(models/): each `Field`'s type, default, accepted values and `doc`, the
`Output` list and the `About` text. An input or output without a `doc` renders
as UNDOCUMENTED, and tests/docs/test_resources_docs.py fails.

`document` also registers the class: the docs generator (`pulumi_sonicha.docsgen`)
writes one page per registered resource or component, so a new one needs only
its schema, this decorator and a snippet in examples/snippets/.
"""

from __future__ import annotations

import inspect
import re
import textwrap
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


def replaces_text(field: Field) -> str:
    """What a change of this input does to the resource, in one sentence (or "")."""
    if field.replace and field.normalize is _schema.host:
        return "An address of another unit replaces the resource."
    if field.replace:
        return "A change replaces the resource."
    return ""


def input_entry(field: Field) -> str:
    """One input: `name: type, default` then its meaning and what it accepts."""
    text = f"{field.doc or UNDOCUMENTED} Accepts {field.describe()}."
    if replaces_text(field):
        text += " " + replaces_text(field)
    if field.behaviour_only:
        text += " Not read back from the unit: never shows as drift."
    return f"{field.name}: {field.kind.__name__}, {default_text(field)}\n" + _wrap(text)


def _wrap(text: str) -> str:
    return textwrap.fill(text, _WIDTH, initial_indent=_INDENT, subsequent_indent=_INDENT)


def sections(schema: Schema, args_class: str, *, with_outputs: bool = True) -> str:
    """The Inputs and Outputs sections for one resource (dedented, one entry per name)."""
    entries = [input_entry(f) for f in schema.fields]
    head = (
        f"Inputs (keyword arguments, or the fields of `{args_class}`; an input left out"
        " takes its default):"
        if with_outputs
        else f"Fields (the inputs of `{schema.resource}`; a field left out takes its default):"
    )
    text = [textwrap.fill(head, _WIDTH + 4), "", *(_indent(entry) for entry in entries)]
    if with_outputs and schema.outputs:
        text += ["", "Outputs: every input (normalized as above), and:", ""]
        for output in schema.outputs:
            text.append(_indent(f"{output.name}\n{_wrap(output.doc or UNDOCUMENTED)}"))
    return "\n".join(text)


def about_text(schema: Schema) -> str:
    """The id, replacement and delete paragraphs of a resource (from its `About`)."""
    about = schema.about
    if about is None:
        return ""
    parts = [f"id: {plain(about.id)}", f"Replacement: {plain(about.replacement)}"]
    parts.append(f"Delete: {plain(about.delete)}")
    if about.details:
        parts.append(plain(about.details))
    return "\n\n".join(textwrap.fill(p, _WIDTH + 4) for p in parts)


def plain(text: str) -> str:
    """Markdown's backticks dropped, for a terminal."""
    return re.sub(r"`([^`]*)`", r"\1", text)


def _indent(text: str) -> str:
    return "\n".join(_INDENT + line for line in text.splitlines())


@dataclass(frozen=True)
class Documented:
    """What a class was documented from: its schema and its Args class name."""

    schema: Schema
    args_class: str
    kind: str  # "resource" (a custom resource) or "component"


#: Every documented resource and component, by class name, in the order registered.
#: The docs generator writes one page per entry (`pulumi_sonicha.docsgen`).
REGISTRY: dict[str, tuple[type, Documented]] = {}


def document(schema: Schema, args_class: str, *tables: Any, kind: str = "resource") -> Any:
    """Class decorator: append the rendered sections to the class docstring.

    On the resource (or component) class itself it also registers the class for
    the docs pages; on its `*Args` dataclass it renders the Fields section only.
    """
    if tables or not isinstance(args_class, str):
        raise TypeError(
            "document(schema, args_class) takes no tables of meanings: write each input's"
            " meaning as Field(doc=...) and each output as Output(name, kind, doc) in the"
            " schema's outputs, in models/ (CONTRIBUTING.md, 'Add an input')"
        )

    def decorate(cls: type[T]) -> type[T]:
        head = inspect.cleandoc(cls.__doc__ or "")
        is_args = cls.__name__ == args_class
        body = [head]
        if not is_args and about_text(schema):
            body.append(about_text(schema))
        body.append(sections(schema, args_class, with_outputs=not is_args))
        cls.__doc__ = "\n\n".join(body) + "\n"
        documented = Documented(schema, args_class, kind)
        cls.__sonicha_docs__ = documented  # type: ignore[attr-defined]
        if not is_args:
            REGISTRY[cls.__name__] = (cls, documented)
        return cls

    return decorate
