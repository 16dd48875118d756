"""The pairs a stack declares, read from its `Pulumi.<stack>.yaml` (no Pulumi CLI needed).

The examples' config keys: `ha:primaryHost`, `ha:backupHost`, `ha:primarySerial`,
`ha:backupSerial`, `ha:controlInterface`, `ha:dataInterface` for one pair, or
`ha:pairs` (a JSON list of such objects with a `name`) for a fleet. Provider
settings come from the `sonicha:*` keys there; encrypted values (`secure:`)
cannot be read without the CLI, so secrets come from the environment
(`SONICHA_PASSWORD`), as the provider host would inherit them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import SettingsError


@dataclass(frozen=True)
class StackPair:
    """One pair as the stack's config names it."""

    name: str
    primary_host: str
    backup_host: str | None
    primary_serial: str | None
    backup_serial: str | None
    control_interface: str | None
    data_interface: str | None


def read_stack(project_dir: Path, stack: str, namespace: str) -> tuple[dict[str, str], list[str]]:
    """(plain config values by full key, keys whose values are encrypted)."""
    file = project_dir / f"Pulumi.{stack}.yaml"
    if not file.is_file():
        raise SettingsError(f"no stack file {file}: give --project and --stack, or the hosts")
    project = ""
    project_file = project_dir / "Pulumi.yaml"
    if project_file.is_file():
        project = str((yaml.safe_load(project_file.read_text()) or {}).get("name") or "")
    entries = (yaml.safe_load(file.read_text()) or {}).get("config") or {}
    config: dict[str, str] = {}
    encrypted: list[str] = []
    for key, value in entries.items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            encrypted.append(full)
        elif isinstance(value, str):
            config[full] = value
        else:
            config[full] = json.dumps(value)
    return config, encrypted


def pairs_of(config: dict[str, str], namespace: str) -> list[StackPair]:
    """The pair (or fleet of pairs) the config names under `namespace`."""
    fleet = config.get(f"{namespace}:pairs")
    if fleet:
        try:
            entries: Any = json.loads(fleet)
        except ValueError as exc:
            raise SettingsError(f"{namespace}:pairs is not a JSON list: {exc}") from None
        if not isinstance(entries, list):
            raise SettingsError(f"{namespace}:pairs must be a JSON list of pairs")
        return [_pair(entry, f"{namespace}:pairs[{i}]") for i, entry in enumerate(entries)]
    single = {
        key.partition(":")[2]: value
        for key, value in config.items()
        if key.startswith(f"{namespace}:")
    }
    if not single.get("primaryHost"):
        raise SettingsError(
            f"the stack config names no pair: set {namespace}:primaryHost (and backupHost,"
            f" primarySerial, backupSerial) or {namespace}:pairs, or give --primary/--backup"
        )
    return [_pair({"name": "pair", **single}, namespace)]


def _pair(entry: Any, where: str) -> StackPair:
    if not isinstance(entry, dict) or not entry.get("primaryHost"):
        raise SettingsError(f"{where} must be an object with primaryHost (and backupHost...)")

    def text(key: str) -> str | None:
        value = entry.get(key)
        return str(value) if value not in (None, "") else None

    return StackPair(
        name=text("name") or where,
        primary_host=str(entry["primaryHost"]),
        backup_host=text("backupHost"),
        primary_serial=text("primarySerial"),
        backup_serial=text("backupSerial"),
        control_interface=text("controlInterface"),
        data_interface=text("dataInterface"),
    )
