"""What a first-time user sees through the SDK's provider host (what `pulumi up` shows):
a misspelled setting, SONICHA_INSECURE=true, an unresolvable host name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.settings import ENV_VAR
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderError, ProviderHost, provider_ref

from ..conftest import appliance_config

URN = "urn:pulumi:dev::sonicha-test::pulumi-python:dynamic/sonicha:HaPair::pair"


def pair_inputs(host: str, **extra: Any) -> dict[str, Any]:
    return {
        "primary_host": host,
        "backup_serial": "2CB8ED0A9F00",
        "control_interface": "X5",
        "wait_for_sync": False,
        PROVIDER_KEY: provider_ref(HaPairProvider()),
        **extra,
    }


def blank_env(**values: str) -> dict[str, str]:
    return {**{env: "" for env in ENV_VAR.values()}, **values}


def test_misspelled_setting_fails_the_run_naming_the_key_and_the_fix(sim: Simulator, tmp_path):
    config = appliance_config(sim)
    config["sonicha:pasword"] = config.pop("sonicha:password")
    with ProviderHost(cwd=tmp_path, env=blank_env()) as host:
        host.configure(config=config, secret_keys={"sonicha:pasword"})
        with pytest.raises(ProviderError) as caught:
            host.check(URN, {}, pair_inputs(sim.primary.host))
    text = str(caught.value)
    assert "sonicha:pasword (did you mean sonicha:password?)" in text
    assert sim.password not in text
    assert sim.primary.requests == []  # refused before any request


def test_insecure_from_the_environment_warns_on_the_hosts_stderr(sim: Simulator, tmp_path: Path):
    config = appliance_config(sim)
    del config["sonicha:caBundle"]
    with ProviderHost(cwd=tmp_path, env=blank_env(SONICHA_INSECURE="true")) as host:
        host.configure(config=config, secret_keys={"sonicha:password"})
        checked = host.check(URN, {}, pair_inputs(sim.primary.host))
        id_, outs = host.create(URN, checked.inputs)
        host.read(URN, id_, outs, checked.inputs)  # once per unit and run
        stderr = host.stderr_text()
    lines = [line for line in stderr.splitlines() if "verification is OFF" in line]
    # The engine shows the provider host's stderr lines: one line, said once.
    assert lines == [
        f"TLS certificate verification is OFF for https://{sim.primary.host}"
        " (sonicha:insecure=true): anyone on the path can read the admin credentials."
        " Set sonicha:caBundle instead."
    ]
    assert "Traceback" not in stderr


def test_unresolvable_host_says_name_not_found(sim: Simulator, tmp_path: Path):
    config = {**appliance_config(sim), "sonicha:maxRetries": "0"}
    with ProviderHost(cwd=tmp_path, env=blank_env()) as host:
        host.configure(config=config, secret_keys={"sonicha:password"})
        checked = host.check(URN, {}, pair_inputs("fw-primary.invalid"))
        with pytest.raises(ProviderError) as caught:
            host.create(URN, checked.inputs)
    assert "fw-primary.invalid" in str(caught.value)
    assert "name not found" in str(caught.value)


def test_misspelled_environment_variable_is_named_on_the_hosts_stderr(sim: Simulator, tmp_path):
    env = blank_env(SONICHA_OVERIDE_SESSION="true")
    with ProviderHost(cwd=tmp_path, env=env) as host:
        host.configure(config=appliance_config(sim), secret_keys={"sonicha:password"})
        host.check(URN, {}, pair_inputs(sim.primary.host))
        stderr = host.stderr_text()
    assert (
        "environment variable SONICHA_OVERIDE_SESSION (did you mean SONICHA_OVERRIDE_SESSION?)"
        " is ignored: not a provider setting"
    ) in stderr
