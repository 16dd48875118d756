"""No credential ever leaves the provider: a grep over everything it produces.

The simulator runs with distinctive passwords. Every operation of every
resource runs, in-process and through the SDK's provider host, together with
failures that tempt a leak (a wrong password, a held session, an appliance and
a portal echoing the password or the Basic-auth header in an error, a
password pasted into an input). Then the passwords, their base64 forms (the
Basic-auth header) and every session or portal token the simulator handed out
are looked for in: outputs, read-back inputs, CheckFailure reasons, exception
texts and tracebacks, log records at DEBUG (root, urllib3, pulumi_sonicha),
stdout/stderr (the provider host's too, with DEBUG logging switched on
there), the pickled `__provider`, and the state file of an `up`.

About `http.client.HTTPConnection.debuglevel = 1` (a common recipe to debug
requests): http.client then print()s every header sent and received, the
Basic-auth header and session cookies included, straight to stdout, past any
logging filter. Our connections pin it to 0 (`transport._QuietHTTPSConnection`),
so the claim holds there too; the test proves the recipe does leak with plain
requests, so the capture would see it.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import os
import pickle
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_sonicha import portal
from pulumi_sonicha.errors import SonicHaError
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.providers.license_association import LicenseAssociationProvider
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.simulator import server as sim_server
from pulumi_sonicha.testing import Lifecycle
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderError, ProviderHost, provider_ref

APPLIANCE_PASSWORD = "Zq9-appliance-S3cret"
PORTAL_PASSWORD = "Zq9-portal-S3cret"
WRONG_PASSWORD = "Zq9-wrong-appliance-S3cret"
WRONG_PORTAL_PASSWORD = "Zq9-wrong-portal-S3cret"
BACKUP_SERIAL = "2CB8ED0A9F00"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ha-pair"
URN = "urn:pulumi:dev::secrets::pulumi-python:dynamic/sonicha:{}::{}"
PROVIDERS: dict[str, type] = {
    "HaInterface": HaInterfaceProvider,
    "HaPair": HaPairProvider,
    "HaMonitoring": HaMonitoringProvider,
    "LicenseAssociation": LicenseAssociationProvider,
}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every session cookie/bearer token the appliances and the portal hand out."""
    issued: list[str] = []
    original = sim_server.new_token

    def recording() -> str:
        token = original()
        issued.append(token)
        return token

    # Both the units and the portal take their tokens from `server.new_token`.
    monkeypatch.setattr(sim_server, "new_token", recording)
    return issued


@pytest.fixture
def sim() -> Iterator[Simulator]:
    portal.forget_tokens()
    with Simulator(
        sync_seconds=0.0, password=APPLIANCE_PASSWORD, portal_password=PORTAL_PASSWORD
    ) as simulator:
        simulator.cable("X3")
        yield simulator
    portal.forget_tokens()


def secret_forms(sim: Simulator, tokens: list[str]) -> dict[str, str]:
    """What must never show, by name."""
    forms = {
        "appliance password": APPLIANCE_PASSWORD,
        "portal password": PORTAL_PASSWORD,
        "wrong appliance password": WRONG_PASSWORD,
        "wrong portal password": WRONG_PORTAL_PASSWORD,
        "Basic-auth header": b64(f"{sim.username}:{APPLIANCE_PASSWORD}"),
        "wrong Basic-auth header": b64(f"{sim.username}:{WRONG_PASSWORD}"),
        "appliance password in base64": b64(APPLIANCE_PASSWORD),
        "portal password in base64": b64(PORTAL_PASSWORD),
    }
    forms.update({f"token #{n}": token for n, token in enumerate(tokens)})
    return forms


def assert_nothing_secret(texts: dict[str, str], forms: dict[str, str]) -> None:
    assert texts, "nothing was collected"
    leaks = [
        f"{form} in {where}"
        for where, text in texts.items()
        for form, secret in forms.items()
        if secret in text
    ]
    assert leaks == []


def config(sim: Simulator, **overrides: str) -> dict[str, str]:
    values = {
        "sonicha:username": sim.username,
        "sonicha:password": APPLIANCE_PASSWORD,
        "sonicha:caBundle": sim.ca_path,
        "sonicha:portalUrl": sim.portal.url,
        "sonicha:portalUsername": sim.portal_username,
        "sonicha:portalPassword": PORTAL_PASSWORD,
        "sonicha:timeout": "5",
        "sonicha:maxRetries": "0",
    }
    values.update(overrides)
    return values


SECRET_KEYS = {"sonicha:password", "sonicha:portalPassword"}


def programs(sim: Simulator) -> dict[str, dict[str, Any]]:
    return {
        "HaInterface": {
            "primary_host": sim.primary.host,
            "backup_host": sim.backup.host,
            "interface": "X3",
            "unassign_zone": True,
        },
        "HaPair": {
            "primary_host": sim.primary.host,
            "backup_host": sim.backup.host,
            "backup_serial": BACKUP_SERIAL,
            "control_interface": "X5",
            "data_interface": "X4",
            "stateful_synchronization": True,
        },
        "HaMonitoring": {
            "primary_host": sim.primary.host,
            "interface": "X2",
            "primary_ip": "172.16.2.10",
            "backup_ip": "172.16.2.11",
            "logical_probe_ip": "172.16.2.1",
        },
        "LicenseAssociation": {"primary_serial": "2CB8ED0A1B2C", "secondary_serial": BACKUP_SERIAL},
    }


# The failures that tempt a leak: (label, arrange the fault, resource to create, its program).
def tempting_failures(sim: Simulator) -> list[tuple[str, Callable[[], None], str]]:
    basic = b64(f"{sim.username}:{APPLIANCE_PASSWORD}")
    return [
        (
            "appliance echoing the password",
            lambda: sim.primary.fail(
                "GET", "/version", 400, "E_INVALID_VALUE", f"login admin:{APPLIANCE_PASSWORD} bad"
            ),
            "HaPair",
        ),
        (
            "appliance echoing the Basic-auth header",
            lambda: sim.backup.fail(
                "GET", "/interfaces/ipv4$", 500, message=f"header Basic {basic} refused"
            ),
            "HaInterface",
        ),
        ("held session", lambda: sim.primary.hold_session("alice"), "HaPair"),
        (
            "appliance echoing the password on a monitoring write",
            lambda: sim.primary.fail(
                "PUT", "/monitoring/", 400, "E_INVALID_VALUE", f"admin:{APPLIANCE_PASSWORD} bad"
            ),
            "HaMonitoring",
        ),
        (
            "portal echoing the password",
            lambda: sim.portal.fail(
                "POST", "/ha-associations$", 500, message=f"password={PORTAL_PASSWORD}"
            ),
            "LicenseAssociation",
        ),
    ]


def exception_texts(label: str, exc: BaseException) -> dict[str, str]:
    texts = {
        f"{label}: str": str(exc),
        f"{label}: repr": repr(exc),
        f"{label}: traceback": "".join(traceback.format_exception(exc)),
    }
    if isinstance(exc, ProviderError):
        texts[f"{label}: details"] = exc.details
    return texts


def pickled_texts(provider: Any) -> dict[str, str]:
    ref = provider_ref(provider)
    return {
        "__provider (base64)": ref,
        "__provider (decoded)": base64.b64decode(ref).decode("latin-1"),
        "pickle.dumps": pickle.dumps(provider).decode("latin-1"),
    }


# -- in-process -------------------------------------------------------------------------


def configured(cls: type, raw_config: dict[str, str]) -> Any:
    """A provider configured as the host does it, from stack config (no environment)."""
    provider = cls()
    provider.configure(ConfigureRequest(Config(raw_config, "secrets")))
    return provider


def test_in_process_nothing_leaks(
    sim: Simulator,
    tokens: list[str],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    for name in (None, "urllib3", "pulumi_sonicha"):
        caplog.set_level(logging.DEBUG, logger=name)
    for variable in ("SONICHA_PASSWORD", "SONICHA_PORTAL_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    assert http.client.HTTPConnection.debuglevel == 0
    texts: dict[str, str] = {}
    providers = {name: configured(cls, config(sim)) for name, cls in PROVIDERS.items()}

    # Every operation of every resource.
    for name, provider in providers.items():
        checked = provider.check({}, programs(sim)[name])
        assert checked.failures == []
        created = provider.create(checked.inputs)
        read = provider.read(created.id, created.outs)
        assert read.id == created.id
        updated = provider.update(created.id, created.outs, checked.inputs)
        provider.delete(created.id, updated.outs)
        texts[f"{name} outputs"] = json.dumps([created.outs, read.outs, read.inputs, updated.outs])

    # A password pasted into an input is not quoted back.
    failures = providers["HaPair"].check(
        {}, {**programs(sim)["HaPair"], "backup_serial": APPLIANCE_PASSWORD}
    )
    assert [f.property for f in failures.failures] == ["backup_serial"]
    assert "got '****'" in failures.failures[0].reason
    texts["CheckFailure"] = json.dumps([[f.property, f.reason] for f in failures.failures])

    # The failures.
    for label, arrange, name in tempting_failures(sim):
        arrange()
        with pytest.raises(SonicHaError) as caught:
            providers[name].create(providers[name].check({}, programs(sim)[name]).inputs)
        texts.update(exception_texts(label, caught.value))
        for server in sim.servers:
            server.clear_faults()
        sim.primary.release_session()
    assert "****" in texts["appliance echoing the password: str"]
    assert "****" in texts["appliance echoing the Basic-auth header: str"]
    assert "****" in texts["portal echoing the password: str"]
    wrong = config(
        sim, **{"sonicha:password": WRONG_PASSWORD, "sonicha:portalPassword": WRONG_PORTAL_PASSWORD}
    )
    for name in ("HaPair", "LicenseAssociation"):
        provider = configured(PROVIDERS[name], wrong)
        with pytest.raises(SonicHaError) as caught:
            provider.create(provider.check({}, programs(sim)[name]).inputs)
        assert "credentials" in str(caught.value) and "rejected" in str(caught.value)
        texts.update(exception_texts(f"{name} with a wrong password", caught.value))
        texts.update({f"{name} {k}": v for k, v in pickled_texts(provider).items()})

    for name, provider in providers.items():
        texts.update({f"{name} {k}": v for k, v in pickled_texts(provider).items()})
    texts["log records"] = caplog.text
    texts["log record args"] = repr([(r.msg, r.args) for r in caplog.records])
    captured = capsys.readouterr()
    texts["stdout"], texts["stderr"] = captured.out, captured.err
    assert any(r.name.startswith("urllib3") for r in caplog.records)  # debug logging was on
    assert len(tokens) > 10
    assert_nothing_secret(texts, secret_forms(sim, tokens))


def test_http_client_debuglevel_prints_nothing_of_ours(
    sim: Simulator,
    tokens: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(http.client.HTTPConnection, "debuglevel", 1)
    for name in ("HaPair", "LicenseAssociation"):
        provider = configured(PROVIDERS[name], config(sim))
        provider.create(provider.check({}, programs(sim)[name]).inputs)
    ours = capsys.readouterr()
    assert_nothing_secret({"stdout": ours.out, "stderr": ours.err}, secret_forms(sim, tokens))
    assert ours.out == ""
    # The capture does see what the recipe prints for plain requests: the Basic header.
    requests.post(
        f"{sim.primary.url}/api/sonicos/auth",
        auth=(sim.username, APPLIANCE_PASSWORD),
        verify=sim.ca_path,
        timeout=5,
    )
    plain = capsys.readouterr().out
    assert f"Authorization: Basic {b64(f'{sim.username}:{APPLIANCE_PASSWORD}')}" in plain


# -- through the provider host ----------------------------------------------------------


def host_env(tmp_path: Path) -> dict[str, str]:
    """No credential from the environment; DEBUG logging and http.client debugging on."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(
        "import http.client, logging\n"
        "logging.basicConfig(level=logging.DEBUG)\n"
        "http.client.HTTPConnection.debuglevel = 1\n"
    )
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
        "SONICHA_PASSWORD": "",
        "SONICHA_PORTAL_PASSWORD": "",
        "SONICHA_CA_BUNDLE": "",
    }


def test_through_the_provider_host_nothing_leaks(sim: Simulator, tokens: list[str], tmp_path: Path):
    texts: dict[str, str] = {}
    refs = {name: provider_ref(cls()) for name, cls in PROVIDERS.items()}
    with ProviderHost(cwd=tmp_path, env=host_env(tmp_path)) as host:
        host.configure(config(sim), secret_keys=SECRET_KEYS)
        # The harness scrubs secret config values from what it reports; see the raw texts.
        host._secrets.clear()
        for name, program in programs(sim).items():
            urn = URN.format(name, name.lower())
            checked = host.check(urn, {}, {**program, PROVIDER_KEY: refs[name]})
            assert checked.failures == []
            id_, outs = host.create(urn, checked.inputs)
            read_id, read_outs, read_inputs = host.read(urn, id_, outs, checked.inputs)
            assert read_id == id_
            updated = host.update(urn, id_, outs, checked.inputs)
            texts[f"{name} outputs"] = json.dumps([outs, read_outs, read_inputs, updated])
            host.delete(urn, id_, updated)

        urn = URN.format("HaPair", "pasted")
        pasted = {**programs(sim)["HaPair"], "backup_serial": APPLIANCE_PASSWORD}
        outcome = host.check(urn, {}, {**pasted, PROVIDER_KEY: refs["HaPair"]})
        assert [prop for prop, _ in outcome.failures] == ["backup_serial"]
        texts["CheckFailure"] = json.dumps(outcome.failures)

        for label, arrange, name in tempting_failures(sim):
            arrange()
            urn = URN.format(name, "failing")
            checked = host.check(urn, {}, {**programs(sim)[name], PROVIDER_KEY: refs[name]})
            with pytest.raises(ProviderError) as caught:
                host.create(urn, checked.inputs)
            texts.update(exception_texts(label, caught.value))
            for server in sim.servers:
                server.clear_faults()
            sim.primary.release_session()
        texts["host stderr"] = host.stderr_text()
        texts["host stdout"] = host.stdout_text()

    with ProviderHost(cwd=tmp_path, env=host_env(tmp_path)) as host:
        wrong = {
            "sonicha:password": WRONG_PASSWORD,
            "sonicha:portalPassword": WRONG_PORTAL_PASSWORD,
        }
        host.configure(config(sim, **wrong), secret_keys=SECRET_KEYS)
        host._secrets.clear()
        for name in ("HaPair", "LicenseAssociation"):
            urn = URN.format(name, "wrong-password")
            checked = host.check(urn, {}, {**programs(sim)[name], PROVIDER_KEY: refs[name]})
            with pytest.raises(ProviderError) as caught:
                host.create(urn, checked.inputs)
            assert "credentials" in str(caught.value) and "rejected" in str(caught.value)
            texts.update(exception_texts(f"{name} with a wrong password", caught.value))
        texts["wrong-password host stderr"] = host.stderr_text()
        texts["wrong-password host stdout"] = host.stdout_text()

    # DEBUG logging really ran in the host (urllib3's connection lines), and was clean.
    assert "urllib3.connectionpool" in texts["host stderr"]
    assert "****" in texts["appliance echoing the password: str"]
    assert_nothing_secret(texts, secret_forms(sim, tokens))


# -- the state file of `pulumi up` ------------------------------------------------------


def test_state_file_of_an_up_holds_no_secret(sim: Simulator, tokens: list[str], tmp_path: Path):
    stack = Lifecycle(
        EXAMPLE,
        config={
            "ha:primaryHost": sim.primary.host,
            "ha:backupSerial": BACKUP_SERIAL,
            "sonicha:caBundle": sim.ca_path,
            "sonicha:password": APPLIANCE_PASSWORD,
        },
        secret_keys={"sonicha:password"},
        state_file=tmp_path / "state.json",
        env={"SONICHA_PASSWORD": "", "SONICHA_CA_BUNDLE": ""},
    )
    with stack:
        stack.up()
    assert "active_standby" in sim.primary.ha_settings()["mode"]
    text = stack.state_file.read_text()
    texts = {"state file": text, "stack outputs": json.dumps(stack.outputs)}
    for n, resource in enumerate(json.loads(text)["resources"]):
        ref = resource["inputs"][PROVIDER_KEY]
        texts[f"state __provider #{n}"] = base64.b64decode(ref).decode("latin-1")
    assert_nothing_secret(texts, secret_forms(sim, tokens))


# -- warnings and progress lines ----------------------------------------------------------


def test_warnings_and_progress_lines_are_scrubbed(capsys, caplog) -> None:
    """A warning or progress line quoting a unit's text (which may echo a credential)
    reaches stderr, the log and the engine's Diagnostics without the credential."""
    from pulumi_sonicha import progress
    from pulumi_sonicha.errors import register_secret
    from pulumi_sonicha.providers import run

    register_secret(APPLIANCE_PASSWORD)
    caplog.set_level(logging.DEBUG, logger="pulumi_sonicha")
    run.warn(f"could not reach the Backup (the unit said: bad password {APPLIANCE_PASSWORD})")
    progress.report(f"HaPair on fw1: Backup ELECTION ({APPLIANCE_PASSWORD})")
    captured = capsys.readouterr()
    texts = {"stderr": captured.err, "stdout": captured.out, "log": caplog.text}
    assert "bad password ****" in caplog.text and "ELECTION (****)" in captured.err
    assert_nothing_secret(texts, {"appliance password": APPLIANCE_PASSWORD})
