"""The SonicOS client against the simulated appliances over real HTTPS."""

from __future__ import annotations

import socket
import threading

import pytest

from pulumi_sonicha.errors import (
    ApplianceError,
    ApplianceUnreachableError,
    AuthenticationError,
    NotFoundError,
    SessionHeldError,
)
from pulumi_sonicha.serials import normalize_serial
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.sonicos import SonicOSClient

from ..conftest import settings_for


def paths(records, method=None):
    return [r.path for r in records if method is None or r.method == method]


def test_normalize_serial_strips_dashes_and_upper_cases():
    assert normalize_serial("2cb8-ed0a-1b2c") == "2CB8ED0A1B2C"


def test_one_session_logs_in_reads_and_logs_out(sim: Simulator, settings: Settings):
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        info = unit.system()
    assert (info.serial, info.model, info.firmware_version) == (
        "2CB8ED0A1B2C",
        "NSa 2700",
        "7.2.0-7015",
    )
    methods_paths = [(r.method, r.path, r.status) for r in sim.primary.requests]
    assert methods_paths == [
        ("POST", "/api/sonicos/auth", 401),  # Basic first: the unit asks for Digest
        ("POST", "/api/sonicos/auth", 200),
        ("GET", "/api/sonicos/version", 200),
        ("DELETE", "/api/sonicos/auth", 200),
    ]


def test_backup_serial_without_dashes_is_normalized(sim: Simulator, settings: Settings):
    with SonicOSClient(f"https://{sim.backup.host}/", settings).session() as unit:
        assert unit.system().serial == "2CB8ED0A9F00"


def test_staged_write_is_committed_once(sim: Simulator, settings: Settings):
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        unit.put_ha_settings({"heartbeat_interval": 2000})
        assert sim.primary.ha_settings()["heartbeat_interval"] == 1000  # staged only
        unit.commit()
        unit.commit()  # nothing staged any more: no request
    assert sim.primary.ha_settings()["heartbeat_interval"] == 2000
    # Config mode is taken for the first write only, then the one commit.
    assert paths(sim.primary.writes(), "POST") == [
        "/api/sonicos/config-mode",
        "/api/sonicos/config/pending",
    ]


def test_failure_inside_session_discards_staged_writes_and_logs_out(
    sim: Simulator, settings: Settings
):
    with pytest.raises(RuntimeError):
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            unit.put_ha_settings({"heartbeat_interval": 2000})
            raise RuntimeError("boom")
    assert sim.primary.ha_settings()["heartbeat_interval"] == 1000
    assert sim.primary.pending() == {}
    assert [(r.method, r.path) for r in sim.primary.requests][-2:] == [
        ("DELETE", "/api/sonicos/config/pending"),
        ("DELETE", "/api/sonicos/auth"),
    ]


def test_validation_error_becomes_clear_exception(sim: Simulator, settings: Settings):
    with pytest.raises(ApplianceError) as caught:
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            unit.put_ha_settings({"heartbeat_interval": 10})
    err = caught.value
    assert err.status == 400
    assert err.code == "E_INVALID_VALUE"
    assert sim.primary.host in str(err)
    assert "heartbeat" in str(err).lower()


def test_wrong_password_is_an_authentication_error(sim: Simulator):
    settings = settings_for(sim, password="not-the-password")
    with pytest.raises(AuthenticationError) as caught:
        with SonicOSClient(sim.primary.host, settings).session():
            pass
    assert "sonicha:password" in str(caught.value)
    assert "not-the-password" not in str(caught.value)


def test_held_session_names_the_admin_and_the_fix(sim: Simulator, settings: Settings):
    sim.primary.hold_session(admin="alice")
    with pytest.raises(SessionHeldError) as caught:
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            unit.put_ha_settings({"heartbeat_interval": 2000})
    assert "alice" in str(caught.value)
    assert "WEB from 192.0.2.10" in str(caught.value)
    assert "sonicha:overrideSession" in str(caught.value)
    assert sim.primary.writes() == []  # failed before any write


def test_override_takes_the_session_over(sim: Simulator):
    sim.primary.hold_session(admin="alice")
    settings = settings_for(sim, override_session=True)
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        assert unit.system().serial == "2CB8ED0A1B2C"
        assert not unit.config_mode  # reading never preempts
        unit.put_ha_settings({"heartbeat_interval": 2000})
        unit.commit()
    logins = [
        r for r in sim.primary.requests if (r.method, r.path) == ("POST", "/api/sonicos/auth")
    ]
    assert {str(r.body) for r in logins} == {"{'override': False}"}
    assert paths(sim.primary.writes(), "POST")[0] == "/api/sonicos/config-mode"  # preempts
    assert sim.primary.ha_settings()["heartbeat_interval"] == 2000


def test_expired_session_logs_in_once_more_and_replays_staged_writes(
    sim: Simulator, settings: Settings
):
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        whole = unit.ha_settings()
        unit.put_ha_settings({**whole, "heartbeat_interval": 3000})
        sim.primary.expire_sessions()  # the staged write is lost on the appliance
        unit.put_ha_settings({**whole, "heartbeat_interval": 3000, "failover_trigger_level": 9})
        unit.commit()
    committed = sim.primary.ha_settings()
    assert committed["heartbeat_interval"] == 3000
    assert committed["failover_trigger_level"] == 9
    logins = [
        r
        for r in sim.primary.requests
        if (r.method, r.path, r.status) == ("POST", "/api/sonicos/auth", 200)
    ]
    assert len(logins) == 2


def test_5xx_is_retried_then_succeeds(sim: Simulator, settings: Settings):
    sim.primary.fail("GET", "/api/sonicos/version", status=503, code="E_BUSY", times=2)
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        assert unit.system().serial == "2CB8ED0A1B2C"
    assert paths(sim.primary.requests, "GET").count("/api/sonicos/version") == 3


def test_5xx_exhausted_says_nothing_was_committed(sim: Simulator, settings: Settings):
    sim.primary.fail("POST", "/api/sonicos/config/pending", status=500, times=None)
    with pytest.raises(ApplianceError) as caught:
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            unit.put_ha_settings({"heartbeat_interval": 2000})
            unit.commit()
    assert "nothing was committed" in str(caught.value)
    assert caught.value.status == 500
    sim.primary.clear_faults()
    assert sim.primary.ha_settings()["heartbeat_interval"] == 1000
    assert sim.primary.pending() == {}


def test_4xx_is_never_retried(sim: Simulator, settings: Settings):
    with pytest.raises(NotFoundError):
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            unit.interface("X99")
    # The interface list does not have X99 (no request retried); then a real 4xx:
    assert paths(sim.primary.requests).count("/api/sonicos/interfaces/ipv4") == 1
    sim.primary.fail("GET", "/api/sonicos/version", status=404, code="E_NOT_FOUND", times=None)
    with pytest.raises(NotFoundError):
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            unit.system()
    assert paths(sim.primary.requests).count("/api/sonicos/version") == 1


def test_connection_refused_is_unreachable(settings: Settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ApplianceUnreachableError) as caught:
        with SonicOSClient(f"127.0.0.1:{port}", settings).session():
            pass
    assert "cannot connect" in str(caught.value)


def test_timeout_mid_request_is_unreachable(sim: Simulator):
    settings = settings_for(sim, timeout=0.3, max_retries=0)
    sim.primary.hang("GET", "/api/sonicos/version", seconds=1.0)
    with pytest.raises(ApplianceUnreachableError) as caught:
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            unit.system()
    assert "sonicha:timeout" in str(caught.value)


def test_ca_bundle_wins_over_requests_ca_bundle_env(
    sim: Simulator, settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    # REQUESTS_CA_BUNDLE points at the system store, which does not trust the simulator.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        assert unit.system().serial == "2CB8ED0A1B2C"


def test_untrusted_certificate_is_refused(sim: Simulator):
    settings = settings_for(sim, ca_bundle=None)
    with pytest.raises(ApplianceUnreachableError) as caught:
        with SonicOSClient(sim.primary.host, settings).session():
            pass
    assert "sonicha:caBundle" in str(caught.value)


def test_insecure_skips_verification_and_warns(sim: Simulator, caplog):
    settings = settings_for(sim, ca_bundle=None, insecure=True)
    with pytest.warns(UserWarning, match="verification is OFF"):
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            assert unit.system().serial == "2CB8ED0A1B2C"


def test_per_host_lock_keeps_one_session_at_a_time(sim: Simulator, settings: Settings):
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(3):
                with SonicOSClient(sim.primary.host, settings).session() as unit:
                    unit.ha_settings()
        except BaseException as exc:  # noqa: BLE001 - collected for the assert
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sim.primary.max_concurrent_sessions == 1
    assert sim.primary.sessions_opened == 12


def test_no_password_without_settings_gives_the_fix(sim: Simulator):
    settings = settings_for(sim, password=None)
    with pytest.raises(Exception) as caught:
        with SonicOSClient(sim.primary.host, settings).session():
            pass
    assert "pulumi config set --secret sonicha:password" in str(caught.value)
