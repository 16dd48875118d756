"""The HA status answer read into roles and states (pulumi_sonicha.ha_state)."""

from __future__ import annotations

import pytest

from pulumi_sonicha.ha_state import HaView, role_word


def view(status: str, primary: str, secondary: str, up: str = "0 Days, 00:00:10") -> HaView:
    return HaView.parse(
        {
            "status": status,
            "primary_state": primary,
            "secondary_state": secondary,
            "active_up_time": up,
        }
    )


def test_each_unit_names_itself_by_role_and_reports_the_pair() -> None:
    primary = view("Primary Standby", "STANDBY", "ACTIVE")
    backup = view("Secondary Active", "standby", "active")
    for seen in (primary, backup):
        assert seen.active == "backup"
        assert seen.synchronized and seen.is_("backup") and not seen.is_("primary")
        assert seen.describe() == "Primary STANDBY, Backup ACTIVE"
    assert (primary.role, primary.own_state) == ("Primary", "STANDBY")
    assert (backup.role, backup.own_state) == ("Secondary", "ACTIVE")


@pytest.mark.parametrize(
    ("primary", "secondary", "active", "synchronized"),
    [
        ("ACTIVE", "STANDBY", "primary", True),
        ("ACTIVE", "SYNC", "primary", False),
        ("ACTIVE", "REBOOT", "primary", False),
        ("NONE", "ACTIVE", "backup", False),
        ("ELECTION", "ELECTION", None, False),
        ("ACTIVE", "ACTIVE", None, False),
    ],
)
def test_which_unit_is_active(
    primary: str, secondary: str, active: str | None, synchronized: bool
) -> None:
    seen = view("Primary Active", primary, secondary)
    assert seen.active == active
    assert seen.synchronized is synchronized


def test_ha_off_is_not_enabled() -> None:
    off = view("Primary Disabled", "NONE", "NONE", "High Availability Disabled")
    assert not off.enabled and off.active is None and off.up_time_seconds() is None
    assert view("Primary Active", "ACTIVE", "NONE").enabled


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3 Days, 02:10:05", 3 * 86400 + 2 * 3600 + 605),
        ("0 Days 00:12:30", 750),
        ("01:00:00", 3600),
    ],
)
def test_active_up_time_reads_as_seconds(text: str, seconds: float) -> None:
    assert view("Primary Active", "ACTIVE", "STANDBY", text).up_time_seconds() == seconds


def test_role_words() -> None:
    assert [role_word(r) for r in ("primary", "backup", None)] == [
        "the Primary",
        "the Backup",
        "no unit",
    ]
