"""Where a pair stands, as one unit reports it (`GET /reporting/high-availability`).

Fields (the vendor's scripts and API guide; the OpenAPI schemas are empty): `status`
("Primary Active", "Secondary Standby", "Primary Disabled", "Primary not in a steady
state"; the first word is the role of the unit asked, the rest its own state),
`primary_state` and `secondary_state` (ACTIVE, STANDBY, ELECTION, SYNC, ERROR, REBOOT,
NONE), `active_up_time` (how long the Active unit has been Active; "High Availability
Disabled" when HA is off). There is no `synchronized` key: a pair is synchronized when
one unit is ACTIVE and the other STANDBY. Both units answer; each names itself by role.

`HaView` reads one answer into those words, so the providers ask "which unit is Active"
and "say where each unit stands" in one place. No request is made here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

STEADY = frozenset({"ACTIVE", "STANDBY"})
ROLES = {"PRIMARY": "Primary", "SECONDARY": "Secondary"}
# "3 Days, 02:10:05" (the simulator's spelling) or "0 Days 00:12:30": days, then H:M:S.
_UP_TIME = re.compile(r"(?:(\d+)\s*days?,?\s*)?(\d+):(\d{2}):(\d{2})", re.IGNORECASE)


@dataclass(frozen=True)
class HaView:
    """One unit's HA status answer, in the administrator's words."""

    status: str
    role: str  # "Primary" or "Secondary" (the unit asked), "" when the text says neither
    primary_state: str
    backup_state: str
    active_up_time: str

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> HaView:
        status = str(doc.get("status") or "").strip()
        first = status.split(" ", 1)[0].upper() if status else ""
        return cls(
            status=status,
            role=ROLES.get(first, ""),
            primary_state=str(doc.get("primary_state") or "").strip().upper(),
            backup_state=str(doc.get("secondary_state") or "").strip().upper(),
            active_up_time=str(doc.get("active_up_time") or "").strip(),
        )

    @property
    def enabled(self) -> bool:
        """HA is on at the unit asked (its status does not say Disabled)."""
        return not self.status.lower().endswith("disabled") and bool(
            {self.primary_state, self.backup_state} - {"", "NONE"}
        )

    @property
    def own_state(self) -> str:
        """The state of the unit that answered."""
        return self.backup_state if self.role == "Secondary" else self.primary_state

    @property
    def active(self) -> str | None:
        """Which unit is Active: "primary", "backup", or None (none, or both: not steady)."""
        primary, backup = self.primary_state == "ACTIVE", self.backup_state == "ACTIVE"
        if primary == backup:
            return None
        return "primary" if primary else "backup"

    @property
    def synchronized(self) -> bool:
        """One unit ACTIVE and the other STANDBY."""
        return {self.primary_state, self.backup_state} == STEADY

    def is_(self, active: str) -> bool:
        """`active` ("primary" or "backup") is ACTIVE and the other unit STANDBY."""
        return self.synchronized and self.active == active

    def up_time_seconds(self) -> float | None:
        """`active_up_time` in seconds, when it reads as a duration."""
        match = _UP_TIME.search(self.active_up_time)
        if not match:
            return None
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return float(((days * 24 + hours) * 60 + minutes) * 60 + seconds)

    def describe(self) -> str:
        """What the unit asked says of each: "Primary STANDBY, Backup ACTIVE"."""
        return f"Primary {self.primary_state or '?'}, Backup {self.backup_state or '?'}"

    def states(self) -> dict[str, str]:
        """The two states, as outputs record them."""
        return {"primary": self.primary_state, "backup": self.backup_state}


def role_word(active: str | None) -> str:
    """How messages name a unit: "the Primary", "the Backup", or "no unit" for None."""
    return {"primary": "the Primary", "backup": "the Backup"}.get(active or "", "no unit")
