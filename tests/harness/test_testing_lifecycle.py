"""Lifecycle runs the toy project's whole life as `pulumi preview/up/refresh/destroy` would.

The toy provider keeps counters in a JSON file and logs every write, so each
test reads like an administrator's procedure: change config or the backend,
run an operation, look at the plan, the backend and the state file.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_sonicha.testing import Lifecycle, LifecycleError, SecretLeakError, load_stack_config

FIXTURES = Path(__file__).parent.parent / "fixtures"
PROJECT = FIXTURES / "toy_project"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))

from counter_provider import read_backend, write_backend  # noqa: E402

TOKEN = "tok-5ecr3t-77"
HOST_ENV = {"PYTHONPATH": str(FIXTURES)}


def counters(backend: Path) -> dict[str, dict[str, Any]]:
    """Backend counters by label."""
    return {c["label"]: c for c in read_backend(backend)["counters"].values()}


def state_names(stack: Lifecycle) -> list[str]:
    return [r["name"] for r in stack.state.get("resources", [])]


@pytest.fixture
def backend(tmp_path: Path) -> Path:
    return tmp_path / "backend.json"


@pytest.fixture
def toy(tmp_path: Path, backend: Path) -> Iterator[Lifecycle]:
    with Lifecycle(
        PROJECT,
        config={"counter:backend": str(backend)},
        state_file=tmp_path / "state.json",
        env=HOST_ENV,
    ) as stack:
        yield stack


def test_whole_lifecycle(toy: Lifecycle, backend: Path) -> None:
    plan = toy.preview()
    assert plan.changes == {"create": 3}
    assert not backend.exists() and toy.state == {}

    applied = toy.up()
    assert applied.changes == {"create": 3}
    assert sorted(counters(backend)) == ["alpha", "beta", "gamma"]
    assert toy.outputs["alpha_serial"] == toy.outputs["beta_source"] == "SN-1"
    state = toy.state
    alpha = state["resources"][0]
    assert alpha["name"] == "alpha" and alpha["id"] == "1"
    assert "__provider" in alpha["inputs"] and alpha["outputs"]["serial"] == "SN-1"

    writes = read_backend(backend)["writes"]
    again = toy.up()
    assert not again.has_changes
    assert {s.op for s in again.steps} == {"same"}
    assert read_backend(backend)["writes"] == writes

    toy.set_config("beta", 5)
    plan = toy.preview()
    assert plan.changes == {"update": 1}
    assert plan.step("beta").diff_keys == ["value"]
    assert read_backend(backend)["writes"] == writes

    assert toy.up().changes == {"update": 1}
    assert counters(backend)["beta"]["value"] == 5

    # Someone changes gamma by hand; the integers the backend keeps are no drift.
    data = read_backend(backend)
    gamma_id = next(k for k, c in data["counters"].items() if c["label"] == "gamma")
    data["counters"][gamma_id]["value"] = 99
    write_backend(backend, data)

    state_before = toy.state_file.read_text()
    plan = toy.preview(refresh=True)
    assert plan.drift == {"gamma": ["value"]}
    assert plan.ops_for("gamma") == ["drift", "update"]
    assert plan.changes == {"drift": 1, "update": 1}
    assert toy.state_file.read_text() == state_before

    refreshed = toy.refresh()
    assert refreshed.drift == {"gamma": ["value"]}
    assert refreshed.changes == {"drift": 1}
    gamma = next(r for r in toy.state["resources"] if r["name"] == "gamma")
    assert gamma["outputs"]["value"] == 99

    assert toy.up().ops_for("gamma") == ["update"]
    assert counters(backend)["gamma"]["value"] == 3
    assert not toy.preview(refresh=True).has_changes

    destroyed = toy.destroy()
    assert destroyed.changes == {"delete": 3}
    assert destroyed.ops_for("alpha") == ["delete"]
    assert [s.name for s in destroyed.steps][-1] == "alpha"  # beta (its dependent) first
    assert counters(backend) == {}
    assert toy.state["resources"] == []


def test_output_feeds_input_and_is_unknown_in_preview(toy: Lifecycle, backend: Path) -> None:
    plan = toy.preview()
    assert isinstance(plan.step("beta").inputs["source"], Unknown)
    assert isinstance(plan.outputs["alpha_serial"], Unknown)
    assert plan.ops_for("beta") == ["create"]

    toy.up()
    assert counters(backend)["beta"]["source"] == toy.outputs["alpha_serial"] == "SN-1"


def test_replace_delete_before_replace_and_create_before_delete(
    toy: Lifecycle, backend: Path
) -> None:
    toy.up()
    toy.set_config("alpha_slot", "s2")
    toy.set_config("exclusive", True)
    plan = toy.preview()
    step = plan.step("alpha")
    assert (step.op, step.replaces, step.delete_before_replace) == ("replace", ["slot"], True)
    # alpha's serial is unknown until it is recreated, so beta will be updated.
    assert plan.changes == {"replace": 1, "update": 1}

    log_start = len(read_backend(backend)["log"])
    toy.up()
    log = read_backend(backend)["log"][log_start:]
    assert log == [["delete", "alpha"], ["create", "alpha"], ["update", "beta"]]
    assert counters(backend)["beta"]["source"] == "SN-4"

    # Without `exclusive` the engine creates the replacement first and deletes
    # the old object at the end of the update.
    toy.set_config("alpha_slot", "s3")
    toy.set_config("exclusive", False)
    log_start = len(read_backend(backend)["log"])
    result = toy.up()
    assert result.step("alpha").delete_before_replace is False
    log = read_backend(backend)["log"][log_start:]
    assert log == [["create", "alpha"], ["update", "beta"], ["delete", "alpha"]]
    assert state_names(toy).count("alpha") == 1


def test_a_removed_resource_is_deleted(toy: Lifecycle, backend: Path) -> None:
    toy.up()
    toy.set_config("drop_gamma", True)
    plan = toy.preview()
    assert plan.changes == {"delete": 1} and plan.ops_for("gamma") == ["delete"]
    assert "gamma" in counters(backend)

    assert toy.up().changes == {"delete": 1}
    assert "gamma" not in counters(backend)
    assert "gamma" not in state_names(toy)


def test_a_failing_create_keeps_what_succeeded(toy: Lifecycle, backend: Path) -> None:
    toy.set_config("boom", True)
    with pytest.raises(LifecycleError) as caught:
        toy.up()
    error = caught.value
    assert error.resource == "boom" and error.op == "create"
    assert "backend refused counter 'boom'" in str(error)
    assert error.result is not None and error.result.failures[0].name == "boom"
    # The engine stops at the failure: what was created is in the state, exactly.
    created = set(counters(backend))
    assert {"alpha", "gamma"} <= created and "boom" not in created
    assert set(state_names(toy)) == created

    toy.remove_config("boom")
    toy.up()
    assert set(state_names(toy)) == set(counters(backend)) == {"alpha", "beta", "gamma"}


def test_check_failures_stop_the_update(toy: Lifecycle, backend: Path) -> None:
    toy.set_config("alpha", -1)
    with pytest.raises(LifecycleError, match=r"alpha .*invalid inputs: value: must be"):
        toy.preview()
    with pytest.raises(LifecycleError):
        toy.up()
    assert "alpha" not in counters(backend)


def test_secret_config_never_written_or_shown(tmp_path: Path, backend: Path) -> None:
    data = read_backend(backend)
    data["required_token"] = TOKEN  # writes only succeed if the host got the secret
    write_backend(backend, data)
    state_file = tmp_path / "state.json"
    settings: dict[str, Any] = dict(
        config={"counter:backend": str(backend), "counter:token": TOKEN, "vault": True},
        secret_keys={"counter:token"},
        state_file=state_file,
        env=HOST_ENV,
    )
    with Lifecycle(PROJECT, **settings) as stack:
        result = stack.up()
        assert result.secret_outputs == {"vault_note"}
        assert counters(backend)["vault"]["note"] == TOKEN  # it did reach the provider
        assert not stack.preview().has_changes

        text = state_file.read_text()
        assert TOKEN not in text
        vault = next(r for r in json.loads(text)["resources"] if r["name"] == "vault")
        assert vault["inputs"]["note"] == {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            "ciphertext": "[secret]",
            "template": "[secret:counter:token]",
        }

        # The toy provider's failing create quotes the token: the harness fails the
        # command on the leak (naming the config key and where, never the value).
        stack.set_config("boom", True)
        with pytest.raises(SecretLeakError) as caught:
            stack.up()
        assert "counter:token" in str(caught.value) and TOKEN not in str(caught.value)
        assert "the provider's error (Create of boom)" in str(caught.value)
        assert isinstance(caught.value.__cause__, LifecycleError)
        assert "[secret]" in str(caught.value.__cause__)
        assert TOKEN not in str(caught.value.__cause__)
        assert TOKEN not in state_file.read_text()

    # A new session reads the placeholders back from the current config.
    with Lifecycle(PROJECT, **settings) as again:
        assert not again.preview().has_changes


def test_a_failing_program_is_reported(tmp_path: Path) -> None:
    project = tmp_path / "broken"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (project / "__main__.py").write_text("raise RuntimeError('no appliance configured')\n")
    stack = Lifecycle(project, state_file=tmp_path / "state.json", env=HOST_ENV)
    with pytest.raises(LifecycleError, match="program failed: RuntimeError: no appliance"):
        stack.preview()


INLINE_PROGRAM = """
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class GreetingProvider(ResourceProvider):  # pickled by value, as a secret (the default)
    def create(self, props):
        return CreateResult(props["who"], {**props, "text": "hello " + props["who"]})

    def delete(self, id_, props):
        pass


class Greeting(Resource, module="greet", name="Greeting"):
    def __init__(self, name, who):
        super().__init__(GreetingProvider(), name, {"who": who, "text": None})


greeting = Greeting("hi", pulumi.Config().get("who") or "world")
pulumi.export("text", greeting.text)
"""


def test_an_inline_provider_of_any_program(tmp_path: Path) -> None:
    project = tmp_path / "inline"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: inline\nruntime: python\n")
    (project / "__main__.py").write_text(INLINE_PROGRAM)
    with Lifecycle(project, state_file=tmp_path / "state.json") as stack:
        assert stack.preview().changes == {"create": 1}
        assert stack.up().outputs == {"text": "hello world"}
        assert not stack.preview().has_changes
        stack.set_config("who", "pulumi")
        # The default diff says nothing: the engine compares old and new inputs.
        assert stack.preview().ops_for("hi") == ["update"]
        assert stack.destroy().changes == {"delete": 1}


def test_stack_config_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: proj\nruntime:\n  name: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  proj:count: 3\n  flag: true\n  sonicha:password:\n    secure: AAAB\n"
    )
    assert load_stack_config(tmp_path, "dev") == (
        {"proj:count": "3", "proj:flag": "true"},
        {"sonicha:password"},
    )
    assert load_stack_config(tmp_path, "prod") == ({}, set())


def test_many_resources_many_runs_do_not_exhaust_the_pickler(toy: Lifecycle) -> None:
    # serialize_provider nests one pickler patch per call (~970 calls -> RecursionError).
    before = pickle._Pickler.__dict__["_batch_setitems"]
    toy.set_config("extras", 60)
    for _ in range(18):
        assert toy.preview().changes == {"create": 63}
    assert pickle._Pickler.__dict__["_batch_setitems"] is before


def test_one_provider_host_per_command_as_the_cli_starts_them(toy: Lifecycle) -> None:
    """preview, up, refresh and destroy each start a new host process and stop it at
    the end, also inside `with` (the CLI starts one per command)."""
    hosts = []
    with toy:
        for command in (toy.preview, toy.up, toy.refresh, toy.preview, toy.destroy):
            command()
            assert toy._host is not None and toy._host not in hosts
            hosts.append(toy._host)
    assert len({host.pid for host in hosts}) == 5
    assert not any(host.running for host in hosts)  # each stopped when its command ended
    toy.preview()  # outside `with`: started and stopped by the command itself
    assert toy._host not in hosts and not toy._host.running


def cli(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), *sys.path])}
    return subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.testing", *args, "--cwd", str(cwd)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli(tmp_path: Path, backend: Path) -> None:
    common = [
        "--state",
        str(tmp_path / "state.json"),
        "--config",
        f"counter:backend={backend}",
        "--config",
        "vault=true",
        "--secret",
        f"counter:token={TOKEN}",
    ]
    outputs = []

    first = cli("up", *common)
    outputs.append(first)
    assert first.returncode == 0, first.stderr
    # A value on the command line is discouraged: the command says so, and what to do.
    assert "warning: --secret counter:token: a value on the command line" in first.stderr
    assert "in the environment instead" in first.stderr
    assert "+  Counter  alpha  created" in first.stdout and "4 created" in first.stdout
    assert "vault_note: [secret]" in first.stdout

    unchanged = cli("preview", *common, "--expect-no-changes")
    outputs.append(unchanged)
    assert unchanged.returncode == 0, unchanged.stderr
    assert "4 unchanged" in unchanged.stdout

    changed = cli("preview", *common, "--config", "beta=9", "--expect-no-changes")
    outputs.append(changed)
    assert changed.returncode == 2
    assert "~  update   pulumi-python:dynamic/counter:Counter  beta [diff: ~value]" in (
        changed.stdout
    )
    assert "no changes were expected" in changed.stderr
    # --diff: each changed input with its old and new value, as `pulumi preview --diff`.
    diffed = cli("preview", *common, "--config", "beta=9", "--diff")
    outputs.append(diffed)
    assert diffed.returncode == 0
    assert "        ~ value 2.0 => 9.0" in diffed.stdout

    failed = cli("up", *common, "--config", "boom=true")
    outputs.append(failed)
    assert failed.returncode == 1
    assert "error: boom" in failed.stderr and "[secret]" in failed.stderr
    # The toy provider quotes the token in that error: the leak is reported too.
    assert "a secret appeared in plain text: secret config value counter:token" in (
        failed.stderr
    )

    gone = cli("destroy", *common)
    outputs.append(gone)
    assert gone.returncode == 0 and "4 deleted" in gone.stdout

    for run in outputs:
        assert TOKEN not in run.stdout and TOKEN not in run.stderr
    assert TOKEN not in (tmp_path / "state.json").read_text()


# -- resource options and renames ------------------------------------------------------
def test_a_rename_with_an_alias_is_the_same_resource(toy: Lifecycle, backend: Path) -> None:
    toy.up()
    writes = read_backend(backend)["writes"]
    toy.set_config("gamma_name", "gamma-2")
    toy.set_config("gamma_alias", True)
    plan = toy.preview()
    assert plan.ops_for("gamma-2") == ["same"] and plan.ops_for("gamma") == []
    assert plan.step("gamma-2").aliased_from == "gamma"
    applied = toy.up()
    assert not applied.has_changes
    assert read_backend(backend)["writes"] == writes  # nothing created, nothing deleted
    assert sorted(state_names(toy)) == ["alpha", "beta", "gamma-2"]
    assert any(r["urn"].endswith("::gamma-2") for r in toy.state["resources"])


def test_a_rename_without_an_alias_creates_then_deletes(toy: Lifecycle, backend: Path) -> None:
    toy.up()
    toy.set_config("gamma_name", "gamma-2")
    applied = toy.up()
    assert [(s.name, s.op) for s in applied.steps if s.op != "same"] == [
        ("gamma-2", "create"),
        ("gamma", "delete"),
    ]
    assert sorted(state_names(toy)) == ["alpha", "beta", "gamma-2"]


def test_protect_refuses_the_delete_and_keeps_the_state(toy: Lifecycle, backend: Path) -> None:
    toy.set_config("protect_gamma", True)
    toy.up()
    assert next(r for r in toy.state["resources"] if r["name"] == "gamma")["protect"] is True
    with pytest.raises(LifecycleError, match="marked for protection"):
        toy.destroy()
    assert "gamma" in counters(backend) and "gamma" in state_names(toy)
    toy.set_config("drop_gamma", True)
    with pytest.raises(LifecycleError, match="marked for protection"):
        toy.preview()
    toy.set_config("drop_gamma", False)
    toy.set_config("protect_gamma", False)
    toy.up()  # records protect=False
    assert toy.destroy().changes == {"delete": 3}


def test_retain_on_delete_forgets_without_deleting(toy: Lifecycle, backend: Path) -> None:
    toy.set_config("retain_gamma", True)
    toy.up()
    destroyed = toy.destroy()
    assert destroyed.changes == {"delete": 3}
    assert sorted(counters(backend)) == ["gamma"]  # the object stays
    assert toy.state["resources"] == []


def test_drift_lines_say_what_changed_from_what(toy: Lifecycle, backend: Path) -> None:
    from pulumi_sonicha.testing.__main__ import render

    toy.up()
    data = read_backend(backend)
    gamma_id = next(k for k, c in data["counters"].items() if c["label"] == "gamma")
    data["counters"][gamma_id]["value"] = 99
    write_backend(backend, data)
    plan = toy.preview(refresh=True)
    assert plan.step("gamma").op == "update"
    drift = next(s for s in plan.steps if s.op == "drift")
    assert drift.diff_values == {"value": (3, 99)}
    text = render(plan, "toy/dev", diff=True)
    assert "gamma [drift: value 3.0 => 99.0]" in text  # numbers travel as floats
    assert "        ~ value 99.0 => 3.0" in text
