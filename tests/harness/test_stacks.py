"""Stacks as the CLI keeps them: a stack's config in `Pulumi.<stack>.yaml`, its state
file its own, and the exit codes a scheduled drift job tells apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pulumi_sonicha.simulator import Simulator

from .cli import HA_STACK, harness


def test_a_state_file_of_another_stack_is_refused_naming_both(tmp_path: Path) -> None:
    state = tmp_path / "quickstart.json"
    text = json.dumps(
        {"version": 1, "project": "ha-stack", "stack": "quickstart", "resources": []}
    )
    state.write_text(text)
    done = harness("up", "--state", str(state), "--config", "t:primaryHost=10.0.0.1")
    assert done.returncode == 1
    (error,) = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "is stack ha-stack/quickstart's, not ha-stack/dev's" in error
    assert "give --stack quickstart" in error
    assert state.read_text() == text  # not rewritten as the other stack's


def test_stack_config_file_and_the_exit_codes_of_a_drift_job(sim: Simulator, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(HA_STACK, project)
    (project / "Pulumi.site-a.yaml").write_text(
        "config:\n"
        f"  t:primaryHost: {sim.primary.host}\n"
        f"  t:backupHost: {sim.backup.host}\n"
        f"  t:backupSerial: {sim.backup.serial}\n"
        f"  sonicha:caBundle: {sim.ca_path}\n"
        "  sonicha:password:\n"
        "    secure: AAABAKx0bm90LWEtcmVhbC1jaXBoZXJ0ZXh0\n"
    )
    env = {"SONICHA_PASSWORD": sim.password}
    stack = ["--stack", "site-a"]

    up = harness("up", *stack, cwd=project, env=env)
    assert up.returncode == 0, up.stdout + up.stderr
    assert "Stack ha-stack/site-a" in up.stdout
    assert "config  Pulumi.site-a.yaml (5 keys)" in up.stdout
    state = project / ".pulumi-harness" / "site-a.json"
    assert json.loads(state.read_text())["stack"] == "site-a"

    drift_job = ["preview", "--refresh", "--expect-no-changes", *stack]
    clean = harness(*drift_job, cwd=project, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    sim.primary.set_zone("X4", "DMZ")  # by hand
    drifted = harness(*drift_job, cwd=project, env=env)
    assert drifted.returncode == 2, drifted.stdout + drifted.stderr
    assert 'site-x4 [drift: primary_zone "Unassigned" => "DMZ"]' in drifted.stdout

    # An error is not drift: the job tells them apart.
    failed = harness(*drift_job, cwd=project, env={"SONICHA_PASSWORD": ""})
    assert failed.returncode == 1
    assert (
        "encrypted config in Pulumi.site-a.yaml cannot be read here; set SONICHA_PASSWORD"
        " in the environment, or pass it with --secret: sonicha:password"
    ) in failed.stderr
