"""Size of the pickled `__provider` of each resource, and the provider host's peak memory.

Why: the engine stores `__provider` in state with every resource and sends
it with every call, so a fleet's state and each refresh grow with it. A
provider pickled *by reference* (module path + class name, empty state) stays
a few hundred bytes; one pickled by value would carry its code.
"""

from __future__ import annotations

import base64
import os
import pickletools
from dataclasses import dataclass
from typing import Any

from pulumi_sonicha.testing import provider_ref

from .fleet import PROVIDERS
from .report import Target

LIMIT_BYTES = 300


@dataclass(frozen=True)
class ProviderSize:
    resource: str
    class_path: str
    size: int  # length of the base64 string in `__provider`
    pickled_bytes: int
    by_reference: bool
    globals: tuple[str, ...]  # what the pickle imports when loaded

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.class_path,
            "serialized_length": self.size,
            "pickled_bytes": self.pickled_bytes,
            "by_reference": self.by_reference,
            "imports": list(self.globals),
        }


def _imports(raw: bytes) -> tuple[str, ...]:
    """`module.name` of every global the pickle loads (GLOBAL / STACK_GLOBAL)."""
    names: list[str] = []
    strings: list[str] = []
    for opcode, arg, _ in pickletools.genops(raw):
        if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(str(arg))
        elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
            names.append(f"{strings[-2]}.{strings[-1]}")
        elif opcode.name == "GLOBAL":
            names.append(str(arg).replace(" ", "."))
    return tuple(names)


def measure() -> dict[str, ProviderSize]:
    """`serialize_provider(Provider())` of each resource, as a dynamic resource stores it."""
    sizes: dict[str, ProviderSize] = {}
    for resource, cls in PROVIDERS.items():
        text = provider_ref(cls())
        raw = base64.b64decode(text)
        class_path = f"{cls.__module__}.{cls.__qualname__}"
        imports = _imports(raw)
        # By reference: the pickle names our class and builds nothing else from code
        # (no dill `_create_type`/`_create_function`/`_create_code` helpers).
        by_reference = class_path in imports and not any(
            name.startswith("dill.") for name in imports
        )
        sizes[resource] = ProviderSize(
            resource, class_path, len(text), len(raw), by_reference, imports
        )
    return sizes


def peak_memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a process, in KiB, from /proc."""
    found: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                found[key] = int(value.split()[0])
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc (threads included)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat: the share of the
    machine a measurement had, and whether something else (or the rig) took it."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Share of all CPUs busy between two `machine_cpu()` readings (0..1)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else 0.0


def targets(sizes: dict[str, ProviderSize]) -> list[Target]:
    return [
        Target(
            f"{resource} __provider",
            f"< {LIMIT_BYTES} bytes, pickled by reference",
            f"{size.size} bytes, {'by reference' if size.by_reference else 'BY VALUE'}",
            size.size < LIMIT_BYTES and size.by_reference,
        )
        for resource, size in sizes.items()
    ]
