"""CONTRIBUTING.md's layout table: each module of the package and its role.

The role is the first line of the module's docstring, so the table cannot
drift from the code: a new module appears once it has a docstring and the
docs are regenerated (`python -m pulumi_sonicha.docsgen`).
"""

from __future__ import annotations

import ast
from pathlib import Path

from .markdown import cell, table


def role(path: Path) -> str:
    """The first line of a module's docstring ("" when it has none)."""
    doc = ast.get_docstring(ast.parse(path.read_text()))
    return (doc or "").strip().splitlines()[0] if doc and doc.strip() else ""


def modules(root: Path, package: str = "pulumi_sonicha") -> list[Path]:
    """Every module of the package, package by package (a package's `__init__` first)."""
    base = root / package
    found = [p for p in base.rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(
        found,
        key=lambda p: (p.parent.relative_to(base).parts, p.name != "__init__.py", p.name),
    )


def layout_table(root: Path) -> str:
    rows = []
    for path in modules(root):
        shown = path.parent if path.name == "__init__.py" else path
        name = (
            f"{shown.relative_to(root)}/" if path.name == "__init__.py" else shown.relative_to(root)
        )
        rows.append((f"`{name}`", cell(role(path)) or "(no docstring: write one)"))
    return table(("file", "role"), rows)
