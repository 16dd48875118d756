"""`ctl` reads its arguments the ways a person types them (no simulator needed here)."""

from __future__ import annotations

import json

import pytest

from pulumi_sonicha.simulator.ctl import ACTIONS, UsageError, help_text, parse


@pytest.mark.parametrize(
    "words",
    [
        ["X4", "DMZ"],
        ["--interface", "X4", "--zone", "DMZ"],
        ["--interface=X4", "--zone=DMZ"],
        ['{"interface": "X4", "zone": "DMZ"}'],
        ["X4", "--zone", "DMZ"],
    ],
)
def test_set_zone_positional_flags_or_json(words):
    action, body, options = parse("set-zone", words)
    assert action.target == "unit" and body == {"interface": "X4", "zone": "DMZ"}
    assert options == {}


def test_ctl_options_anywhere_after_the_action():
    _, body, options = parse("uncable", ["X5", "--unit", "backup", "--state-dir", "/tmp/s"])
    assert body == {"interface": "X5"} and options == {"unit": "backup", "state_dir": "/tmp/s"}


def test_fail_converts_status_and_times():
    _, body, _ = parse("fail", ["POST", "/config/pending", "503", "E_BUSY", "--times", "0"])
    assert body == {
        "method": "POST",
        "path": "/config/pending",
        "status": 503,
        "code": "E_BUSY",
        "times": None,  # 0: until clear-faults
    }
    _, body, _ = parse("fail", ['{"method": "GET", "path": "/version"}'])
    assert body == {"method": "GET", "path": "/version", "times": 1}


def test_set_ha_takes_the_object_itself(tmp_path):
    settings = {"mode": {}, "heartbeat_interval": 5000}
    assert parse("set-ha", [json.dumps(settings)])[1] == settings
    path = tmp_path / "ha.json"
    path.write_text(json.dumps(settings))
    assert parse("set-ha", [f"@{path}"])[1] == settings


def test_portal_actions_and_their_defaults():
    assert parse("rate-limit", [])[1] == {"times": 1, "retry_after": 1}
    assert parse("rate-limit", ["3", "5"])[1] == {"times": 3, "retry_after": 5}
    assert parse("rate-limit", ["--retry-after", "9"])[1] == {"times": 1, "retry_after": 9}
    assert parse("register", ["2CB8ED0A4444"])[1] == {"serial": "2CB8ED0A4444"}
    assert {ACTIONS[a].target for a in ("dissociate", "unregister", "associations")} == {"portal"}


@pytest.mark.parametrize(
    ("action", "words", "expected"),
    [
        ("set-zone", ["X4"], "ctl set-zone: missing ZONE; usage: ctl set-zone INTERFACE ZONE"),
        ("uncable", ["X4", "X5"], "too many arguments; usage: ctl uncable INTERFACE"),
        ("uncable", ["--port", "X4"], "unknown option --port"),
        ("latency", ["soon"], "ctl latency: MS:"),
        ("set-ha", ["{not json"], "ctl set-ha: SETTINGS:"),
        ("set-zone", ["X4", "--interface", "X5", "DMZ"], "given twice"),
        ("unplug", [], "unknown action 'unplug'; one of: show, uncable"),
    ],
)
def test_what_cannot_be_understood_says_how_to_write_it(action, words, expected):
    with pytest.raises(UsageError) as caught:
        parse(action, words)
    assert expected in str(caught.value)


def test_help_lists_every_action():
    text = help_text()
    for name in ACTIONS:
        assert f"  ctl {name}" in text


def test_set_monitoring_takes_addresses_and_flags():
    _, body, _ = parse(
        "set-monitoring", ["X0", "127.0.0.1", "127.0.0.3", "--allow-management", "true"]
    )
    assert body == {
        "interface": "X0",
        "primary": "127.0.0.1",
        "secondary": "127.0.0.3",
        "allow_management": "true",
    }


def test_fail_can_drop_what_the_session_staged():
    _, body, _ = parse("fail", ["POST", "/config/pending", "--drop-staged", "true"])
    assert body == {"method": "POST", "path": "/config/pending", "times": 1, "drop_staged": True}
