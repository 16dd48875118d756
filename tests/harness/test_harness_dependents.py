"""The harness does what the engine does to the dependents of a delete-first replacement:
they are deleted before the replaced resource (last one first), then created again
when the program registers them, and stay deleted when it does not.

The toy project: `delta`'s slot (replace on change) is alpha's serial; alpha is
replaced deleting first (`toy:exclusive`). `beta` takes alpha's serial as `source`,
which is not replace-on-change: the engine leaves it to an update.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_sonicha.testing import Lifecycle

FIXTURES = Path(__file__).parent.parent / "fixtures"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))
from counter_provider import read_backend  # noqa: E402


@pytest.fixture
def toy(tmp_path: Path) -> Iterator[tuple[Lifecycle, Path]]:
    backend = tmp_path / "backend.json"
    with Lifecycle(
        FIXTURES / "toy_project",
        config={"counter:backend": str(backend), "toy:chained": "true"},
        state_file=tmp_path / "state.json",
        env={"PYTHONPATH": str(FIXTURES)},
    ) as stack:
        yield stack, backend


def log_since(backend: Path, start: int) -> list[list[str]]:
    return read_backend(backend)["log"][start:]


def test_dependents_are_deleted_first_then_recreated(toy: tuple[Lifecycle, Path]) -> None:
    stack, backend = toy
    stack.up()
    (delta,) = [r for r in stack.state["resources"] if r["name"] == "delta"]
    assert delta["property_dependencies"]["slot"] == [
        r["urn"] for r in stack.state["resources"] if r["name"] == "alpha"
    ]
    stack.set_config("alpha_slot", "s2")
    stack.set_config("exclusive", True)
    start = len(read_backend(backend)["log"])
    plan = stack.preview()
    assert [(s.name, s.op) for s in plan.steps if s.op != "same"] == [
        ("delta", "delete-replaced"),
        ("alpha", "replace"),
        ("beta", "update"),
        ("delta", "replace"),
    ]
    assert log_since(backend, start) == []  # a preview writes nothing
    result = stack.up()
    assert [(s.name, s.op) for s in result.steps if s.op != "same"] == [
        (s.name, s.op) for s in plan.steps if s.op != "same"
    ]
    assert log_since(backend, start) == [
        ["delete", "delta"],
        ["delete", "alpha"],
        ["create", "alpha"],
        ["update", "beta"],
        ["create", "delta"],
    ]
    counters = {c["label"]: c for c in read_backend(backend)["counters"].values()}
    assert counters["delta"]["slot"] == stack.outputs["alpha_serial"]
    assert [r["name"] for r in stack.state["resources"]].count("delta") == 1
    assert not stack.preview().has_changes


def test_a_dependent_dropped_in_the_same_change_is_deleted_once(
    toy: tuple[Lifecycle, Path],
) -> None:
    stack, backend = toy
    stack.up()
    stack.set_config("alpha_slot", "s2")
    stack.set_config("exclusive", True)
    stack.set_config("chained", False)
    start = len(read_backend(backend)["log"])
    result = stack.up()
    assert log_since(backend, start) == [
        ["delete", "delta"],
        ["delete", "alpha"],
        ["create", "alpha"],
        ["update", "beta"],
    ]
    assert "delta" not in [r["name"] for r in stack.state["resources"]]
    assert result.ops_for("delta") == ["delete-replaced"]


def test_create_before_delete_replacement_leaves_dependents_to_their_diff(
    toy: tuple[Lifecycle, Path],
) -> None:
    stack, backend = toy
    stack.up()
    stack.set_config("alpha_slot", "s2")
    start = len(read_backend(backend)["log"])
    stack.up()
    assert log_since(backend, start) == [
        ["create", "alpha"],
        ["update", "beta"],
        ["create", "delta"],
        ["delete", "delta"],
        ["delete", "alpha"],
    ]
