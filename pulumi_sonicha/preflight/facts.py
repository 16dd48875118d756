"""What a preflight reads from one unit: one admin session, reads only, no config mode.

Requests per unit (on top of the login, which may meet one Digest challenge, and
the logout): `GET /version`, `/high-availability/base`,
`/reporting/high-availability` and `/reporting/status/system` (restart pending);
`GET /interfaces/ipv4` and `/reporting/interfaces/ipv4/status` when the plan
names links; on the Primary `GET /high-availability/monitoring/ipv4` when the
plan pairs with a `backup_host`. Who holds config mode comes free with the login
answer (`config_mode`, `curr_config_type`, `curr_config_ip`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import NotFoundError, SonicHaError
from ..models import ha_interface as links_model
from ..settings import Settings
from ..sonicos import LinkStatus, LoginInfo, SonicOSClient, SystemInfo

#: `restart` of a unit that does not serve `GET /reporting/status/system` (404).
NOT_REPORTED = "not reported"


@dataclass
class UnitFacts:
    """One unit as read; `error` set when it could not be read (then nothing else is).
    A fact left None was not read (HaPair's apply evaluates what it read anyway), and
    the checks that need it are skipped."""

    role: str  # "Primary" or "Backup"
    host: str
    error: str | None = None
    system: SystemInfo | None = None
    login: LoginInfo | None = None
    ha: dict[str, Any] | None = None
    status: dict[str, Any] | None = None
    restart: str | None = None
    #: Whether `restart` was read (None then means: no restart pending).
    restart_read: bool = False
    zones: dict[str, str] | None = None
    links: dict[str, LinkStatus] | None = None
    monitoring: list[dict[str, Any]] | None = None

    @property
    def label(self) -> str:
        serial = self.system.serial if self.system else None
        return f"{self.role} {self.host}" + (f" ({serial})" if serial else "")


def read_unit(
    role: str, host: str, settings: Settings, *, links: bool, monitoring: bool
) -> UnitFacts:
    """Read one unit for a preflight; a failure to log in or read is a fact too."""
    client = SonicOSClient(host, settings)
    facts = UnitFacts(role=role, host=client.host)
    try:
        with client.session() as unit:
            facts.login = unit.login_info
            facts.system = unit.system()
            facts.ha = unit.ha_settings()
            facts.status = unit.ha_status()
            try:
                facts.restart = unit.restart_pending()
            except NotFoundError:
                facts.restart = NOT_REPORTED
            facts.restart_read = True
            if links:
                facts.zones = {
                    str(ipv4.get("name", "")).upper(): links_model.zone_of(ipv4)
                    for ipv4 in unit.interfaces()
                    if not ipv4.get("vlan")
                }
                facts.links = unit.link_statuses()
            if monitoring:
                facts.monitoring = unit.ha_monitoring_all()
    except SonicHaError as exc:
        facts.error = exc.message
    return facts
