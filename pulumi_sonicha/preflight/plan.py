"""What a preflight proves: the pair a resource (or a change ticket) is about to set up.

A `Plan` names the two units by address (and by serial where the program declares
one) and the HA links with what each needs. Providers build one from their checked
inputs (`HaPair`, `HaInterface`); the command builds one from stack config or its
options.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: What a link carries, in the administrator's words (`purpose` of HaInterface).
PURPOSES = ("control", "data", "dpi")


@dataclass(frozen=True)
class Link:
    """One HA link: the same port on both units."""

    interface: str
    purpose: str = "data"
    #: The zone will be set to Unassigned by the plan itself (HaInterface with
    #: unassign_zone=True): another zone there now is not a failure.
    unassign_zone: bool = False
    #: The cable must be up on both units (HaInterface's require_link).
    require_link: bool = True


@dataclass(frozen=True)
class Plan:
    """The pair to prove. `pairing`: HA is to be turned on (or kept on) at the Primary
    naming the Backup (HaPair, the command); False for the links alone (HaInterface).
    `other_backup_allowed`: the Primary may already lead a pair naming another Backup
    (an update pointing the pair at a replaced Backup); False where a new resource
    would take a unit over (a replacement planned in `diff`, the command)."""

    primary_host: str
    backup_host: str | None = None
    primary_serial: str | None = None
    backup_serial: str | None = None
    links: tuple[Link, ...] = field(default_factory=tuple)
    pairing: bool = True
    other_backup_allowed: bool = False
    #: sonicha:overrideSession: config mode held by someone is then taken, not a failure.
    override_session: bool = False
