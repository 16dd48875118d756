"""docs/simulator.md's generated tables: the endpoints the simulator serves, and the
rules it enforces, each with its public source or "assumed".

The endpoints come from the simulator's route tables (`simulator/sonicos/urls.py`,
`simulator/portal/urls.py`), their sources from the schema the suite validates every
exchange against (`tests/sonicos_api_schema.py`, which names the source of each
endpoint), and the rules from the simulator's rules table when it has one
(`simulator/sonicos/rules.py`). So a route added to the simulator shows here once the
docs are regenerated, and the check fails until then.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from .markdown import cell, table

PORTAL_SOURCE = "ours: no public API ([portal API](reference/portal-api.md))"
FIRMWARES = ("7.2", "7.0.1")


def _api_schema(root: Path) -> ModuleType | None:
    """tests/sonicos_api_schema.py of the checkout (not installed with the package)."""
    path = root / "tests" / "sonicos_api_schema.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("_sonicha_api_schema", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _source(schema: ModuleType | None, method: str, path: str) -> str:
    """The source the API schema names for (method, path under /api/sonicos)."""
    if schema is None:
        return "?"
    concrete = re.sub(r"\{[^}]+\}", "X0", path)
    for firmware in FIRMWARES:
        for endpoint in schema.endpoints(firmware):
            if endpoint.matches(method, concrete):
                return endpoint.source
    return "assumed (not in the API schema)"


def endpoints_table(root: Path) -> str:
    from ..simulator.portal import urls as portal_urls
    from ..simulator.sonicos import urls as sonicos_urls
    from ..simulator.sonicos.fields import API

    schema = _api_schema(root)
    rows = [
        ("unit", method, f"`{path}`", cell(_source(schema, method, path.removeprefix(API))))
        for method, path in sonicos_urls.endpoints()
    ]
    rows += [
        ("portal", method, f"`{path}`", PORTAL_SOURCE) for method, path in portal_urls.endpoints()
    ]
    return table(("server", "method", "path", "source"), rows)


def rules_module() -> ModuleType | None:
    """The simulator's rules table, when it has one."""
    name = f"{__package__.rpartition('.')[0]}.simulator.sonicos.rules"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def rules_table() -> str:
    module = rules_module()
    assert module is not None
    rows = []
    for rule in module.RULES:
        source = f"**{rule.source}**" if rule.assumed else rule.source
        rows.append((f"`{rule.id}`", cell(rule.rule), cell(source)))
    return table(("rule", "what a unit refuses or does", "source"), rows)
