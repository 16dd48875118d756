"""The state file of the harness: one entry per resource, written after every step.

Entries keep urn, name, type, id, checked inputs (with `__provider`), outputs,
order, and the resource options the engine records in its snapshot (`protect`,
`retain_on_delete`); `pending_delete` marks the old half of a create-before-delete
replacement until the end of the update. Secret config values are scrubbed
(`secrets.StackSecrets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .secrets import _Secrets


# -- state -----------------------------------------------------------------------
@dataclass
class _Resource:
    urn: str
    name: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    order: int
    pending_delete: bool = False
    protect: bool = False
    retain_on_delete: bool = False
    #: URNs this resource depends on, and per input the URNs its value came from, as
    #: the program registered them (the engine's dependency graph).
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    def all_dependencies(self) -> set[str]:
        return {
            *self.dependencies,
            *(u for urns in self.property_dependencies.values() for u in urns),
        }


@dataclass
class _State:
    resources: list[_Resource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)

    def live(self, urn: str) -> _Resource | None:
        for res in self.resources:
            if res.urn == urn and not res.pending_delete:
                return res
        return None

    def ordered(self) -> list[_Resource]:
        return sorted(self.resources, key=lambda r: r.order)

    def remove(self, res: _Resource) -> None:
        self.resources = [r for r in self.resources if r is not res]

    def to_json(self, secrets: _Secrets, project: str, stack: str) -> dict[str, Any]:
        resources = []
        for index, res in enumerate(self.ordered()):
            entry: dict[str, Any] = {
                "urn": res.urn,
                "name": res.name,
                "type": res.type,
                "id": res.id,
                "order": index,
                "inputs": secrets.scrub(res.inputs),
                "outputs": secrets.scrub(res.outputs),
            }
            if res.pending_delete:
                entry["pending_delete"] = True
            if res.protect:
                entry["protect"] = True
            if res.retain_on_delete:
                entry["retain_on_delete"] = True
            if res.dependencies:
                entry["dependencies"] = list(res.dependencies)
            if res.property_dependencies:
                entry["property_dependencies"] = dict(res.property_dependencies)
            resources.append(entry)
        return {
            "version": 1,
            "project": project,
            "stack": stack,
            "resources": resources,
            "outputs": secrets.scrub(self.outputs),
            "secret_outputs": sorted(self.secret_outputs),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], secrets: _Secrets) -> _State:
        resources = [
            _Resource(
                urn=entry["urn"],
                name=entry["name"],
                type=entry["type"],
                id=entry["id"],
                inputs=secrets.restore(entry.get("inputs") or {}),
                outputs=secrets.restore(entry.get("outputs") or {}),
                order=int(entry.get("order", index)),
                pending_delete=bool(entry.get("pending_delete")),
                protect=bool(entry.get("protect")),
                retain_on_delete=bool(entry.get("retain_on_delete")),
                dependencies=list(entry.get("dependencies") or []),
                property_dependencies=dict(entry.get("property_dependencies") or {}),
            )
            for index, entry in enumerate(data.get("resources") or [])
        ]
        return cls(
            resources=resources,
            outputs=secrets.restore(data.get("outputs") or {}),
            secret_outputs=set(data.get("secret_outputs") or []),
        )
