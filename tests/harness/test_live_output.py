"""What the harness shows while it runs, and how it ends, as its user sees it in a shell:
each step as it starts and ends, the provider host's diagnostics as they come, `up`
previewing first, and a last line that says what the state file holds."""

from __future__ import annotations

import json
from pathlib import Path

from pulumi_sonicha.simulator import Simulator

from .cli import Watched, harness, stack_flags


def state_names(state: Path) -> list[str]:
    return [entry["name"] for entry in json.loads(state.read_text())["resources"]]


def test_up_streams_each_step_and_the_sync_progress_while_it_runs(tmp_path: Path) -> None:
    with Simulator(sync_seconds=3) as sim:
        state = tmp_path / "state.json"
        env = {"SONICHA_PASSWORD": sim.password, "SONICHA_PASWORD": "typed-by-hand"}
        flags = stack_flags(sim, "t:syncTimeout=60")
        with Watched("up", "--state", str(state), *flags, env=env) as run:
            creating = run.wait_for("HaPair  site-pair  creating")
            progress = run.wait_for("pulumi-sonicha: HaPair on")  # the sync wait's progress
            created = run.wait_for("HaPair  site-pair  created")
            code, ended = run.finish()
        out = run.out
    assert code == 0, out + run.err
    # Shown while it happened: the wait's progress a good while before the step ended.
    assert creating < progress < created - 0.5 and created - creating > 2, out
    assert ended - created < 30
    # The misspelled variable: the provider host's warning, shown (once per host).
    assert "SONICHA_PASWORD (did you mean SONICHA_PASSWORD?) is ignored" in out
    assert "typed-by-hand" not in out + run.err and sim.password not in out + run.err
    # up previews first, then updates: the stack, its plan, the update, the summary.
    order = [
        "Stack ha-stack/dev",
        "Previewing update (ha-stack/dev):",
        "+  HaPair  site-pair  create",
        "Updating (ha-stack/dev):",
        "+  HaInterface  site-x4  creating",
        "+  HaInterface  site-x4  created",
        "+  HaPair  site-pair  created",
        "Resources:",
        "2 created",
    ]
    at = 0
    for text in order:
        at = out.find(text, at)
        assert at != -1, f"{text!r} missing or out of order:\n{out}"
    # The last line is what the state file holds, exactly.
    assert out.splitlines()[-1] == (
        f"State {state}: 2 resources ({', '.join(state_names(state))})"
    )


def test_up_previews_first_so_a_bad_input_fails_before_any_write(sim: Simulator, tmp_path):
    """A typo in the last resource of the program: `up` fails in its preview, before the
    first resource is written, as with the CLI; `--skip-preview` goes straight to work
    and stops at the bad resource, after writing the ones before it."""
    sim.primary.set_zone("X4", "DMZ")
    state = tmp_path / "state.json"
    env = {"SONICHA_PASSWORD": sim.password}
    flags = stack_flags(sim, "t:control=Q5")

    previewed = harness("up", "--state", str(state), *flags, env=env)
    assert previewed.returncode == 1, previewed.stdout + previewed.stderr
    assert "site-pair (pulumi-python:dynamic/sonicha:HaPair): invalid inputs" in (
        previewed.stderr
    )
    assert "control_interface" in previewed.stderr
    assert "Updating (" not in previewed.stdout
    assert sim.primary.zone("X4") == "DMZ"
    assert not [r for r in sim.primary.requests if r.method in ("PUT", "POST", "PATCH")
                and not r.path.endswith("/auth")]
    assert not state.exists()

    skipped = harness("up", "--skip-preview", "--state", str(state), *flags, env=env)
    assert skipped.returncode == 1
    assert "Previewing update" not in skipped.stdout
    assert sim.primary.zone("X4") == "Unassigned"  # written before the bad resource
    assert state_names(state) == ["site-x4"]
    assert skipped.stdout.splitlines()[-1] == f"State {state}: 1 resource (site-x4)"


def test_advice_is_said_for_a_harness_user(sim: Simulator, tmp_path: Path) -> None:
    """No password anywhere: the step and the error say which variable to export, once,
    never `pulumi config set` (the harness has no config store)."""
    state = tmp_path / "state.json"
    missing = harness(
        "up", "--state", str(state), *stack_flags(sim), env={"SONICHA_PASSWORD": ""}
    )
    assert missing.returncode == 1
    text = missing.stdout + missing.stderr
    assert "pulumi config set" not in text and "pulumi up" not in text
    (error,) = [line for line in missing.stderr.splitlines() if line.startswith("error:")]
    assert "no appliance password: set it with `export SONICHA_PASSWORD=...`" in error
    assert error.count("SONICHA_PASSWORD") == 1, error
