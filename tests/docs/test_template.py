"""The `pulumi new` template, rendered as `pulumi new` renders it, and its program run
through the lifecycle harness against the simulator: up, a refresh that finds no
drift, destroy.

Rendering, as the CLI does it: `${PROJECT}` and `${DESCRIPTION}` replaced in the
files, the `template:` section dropped from Pulumi.yaml, and the answers to its
config prompts written to the stack's `Pulumi.<stack>.yaml` (secrets are given
to the harness through the environment instead, as a CI job gives them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pulumi_sonicha.simulator import Simulator

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p.parent for p in (REPO / "templates").glob("*/Pulumi.yaml"))


def render(template: Path, dest: Path, answers: dict[str, str]) -> list[str]:
    """Render `template` into `dest`; returns the config keys it prompted for."""
    shutil.copytree(template, dest, ignore=shutil.ignore_patterns("README.md"))
    for path in dest.rglob("*"):
        if path.is_file():
            text = path.read_text()
            text = text.replace("${PROJECT}", "my-ha").replace("${DESCRIPTION}", "my HA pair")
            path.write_text(text)
    project = yaml.safe_load((dest / "Pulumi.yaml").read_text())
    prompts = project.pop("template")["config"]
    (dest / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    stack = {}
    for key, prompt in prompts.items():
        if prompt.get("secret"):
            continue  # encrypted in a real stack file: the harness reads the environment
        value = answers.get(key, prompt.get("default"))
        assert value is not None, f"the test has no answer for the prompt {key}"
        stack[key] = value
    (dest / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": stack}))
    return list(prompts)


def harness(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.testing", *args, "--cwd", str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_there_is_a_template():
    assert [t.name for t in TEMPLATES] == ["sonicwall-ha-pair"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_template_prompts_for_hosts_serials_and_the_secret_password(template: Path):
    prompts = yaml.safe_load((template / "Pulumi.yaml").read_text())["template"]["config"]
    for key in ("ha:primaryHost", "ha:backupHost", "ha:primarySerial", "ha:backupSerial"):
        assert prompts[key]["description"]
    assert prompts["sonicha:password"].get("secret") is True
    assert prompts["sonicha:portalPassword"].get("secret") is True


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_rendered_template_runs_against_the_simulator(template: Path, tmp_path: Path):
    with Simulator(sync_seconds=0) as sim:
        project = tmp_path / "my-ha"
        render(
            template,
            project,
            {
                "ha:primaryHost": sim.primary.host,
                "ha:backupHost": sim.backup.host,
                "ha:primaryIp": "127.0.0.3",
                "ha:primarySerial": sim.primary.serial,
                "ha:backupSerial": sim.backup.serial,
                "sonicha:portalUsername": sim.portal_username,
            },
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("SONICHA_")}
        env.update(sim.env())
        env.pop("SONICHA_PORTAL_USERNAME", None)  # the stack's config answers it
        env.pop("SONICHA_USERNAME", None)
        up = harness(project, env, "up", "--stack", "dev")
        assert up.returncode == 0, up.stdout + up.stderr
        mode = sim.primary.ha_settings()["mode"]["active_standby"]
        assert mode["secondary_serial"] == sim.backup.serial
        assert (mode["control_interface"], mode["data_interface"]) == ("X5", "X4")
        assert sim.primary.ha_status()["secondary_state"] == "STANDBY"
        ours = {sim.primary.serial, sim.backup.serial}

        def associated() -> list[dict]:
            return [a for a in sim.portal.associations() if {a["primary_serial"]} <= ours]

        assert [(a["primary_serial"], a["secondary_serial"]) for a in associated()] == [
            (sim.primary.serial, sim.backup.serial)
        ]
        drift = harness(
            project, env, "preview", "--stack", "dev", "--refresh", "--expect-no-changes"
        )
        assert drift.returncode == 0, drift.stdout + drift.stderr
        destroy = harness(project, env, "destroy", "--stack", "dev")
        assert destroy.returncode == 0, destroy.stdout + destroy.stderr
        assert sim.primary.ha_settings()["mode"] == {} and associated() == []
