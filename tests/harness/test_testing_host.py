"""ProviderHost drives the SDK's real provider host the way the engine does.

One host (configured with a secret token the toy backend demands) serves most
tests; each start costs a fraction of a second, so the lifecycle tests of the
process itself start their own.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi.output import Unknown

from pulumi_sonicha.testing import HostError, ProviderError, ProviderHost, provider_ref
from pulumi_sonicha.testing.host import provider_error_text

FIXTURES = Path(__file__).parent.parent / "fixtures"
if str(FIXTURES) not in sys.path:
    sys.path.insert(0, str(FIXTURES))

from counter_provider import CounterProvider, read_backend, write_backend  # noqa: E402

TOKEN = "tok-9f8e7d6c"
URN = "urn:pulumi:dev::toy::pulumi-python:dynamic/counter:Counter::{}"
HOST_ENV = {"PYTHONPATH": str(FIXTURES)}


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("host") / "backend.json"
    data = read_backend(path)
    data["required_token"] = TOKEN
    write_backend(path, data)
    return path


@pytest.fixture(scope="module")
def host(backend: Path) -> Iterator[ProviderHost]:
    with ProviderHost(FIXTURES / "toy_project", HOST_ENV, project="toy") as started:
        started.configure(
            {"counter:backend": str(backend), "counter:token": TOKEN, "toy:extra": 3},
            secret_keys={"counter:token"},
        )
        yield started


@pytest.fixture(scope="module")
def ref() -> str:
    return provider_ref(CounterProvider())


def test_secret_config_reaches_configure_unwrapped(
    host: ProviderHost, ref: str, backend: Path
) -> None:
    # The backend refuses writes unless the provider got the plain token.
    checked = host.check(URN.format("s"), {}, {"__provider": ref, "value": 1, "label": "s"})
    id_, _ = host.create(URN.format("s"), checked.inputs)
    assert read_backend(backend)["counters"][id_]["label"] == "s"
    host.delete(URN.format("s"), id_, {"__provider": ref, "label": "s"})
    assert TOKEN not in host.stderr_text()


def test_check_failures_surface(host: ProviderHost, ref: str) -> None:
    outcome = host.check(URN.format("bad"), {}, {"__provider": ref, "value": -1})
    assert outcome.failures == [("value", "must be a number >= 0, got -1.0")]


def test_check_sees_and_returns_unknowns(host: ProviderHost, ref: str) -> None:
    outcome = host.check(URN.format("u"), {}, {"__provider": ref, "value": Unknown()})
    assert outcome.failures == []
    assert isinstance(outcome.inputs["value"], Unknown)
    assert outcome.inputs["__provider"] == ref  # the host echoes the provider


def test_create_read_update_delete_round_trip(host: ProviderHost, ref: str, backend: Path) -> None:
    urn = URN.format("rt")
    inputs = host.check(urn, {}, {"__provider": ref, "value": 5, "label": "rt"}).inputs
    assert inputs["value"] == 5.0  # numbers travel as floats

    id_, outs = host.create(urn, inputs)
    assert outs["serial"] == f"SN-{id_}"
    assert outs["__provider"] == ref

    read_id, read_outs, read_inputs = host.read(urn, id_, outs, inputs)
    assert read_id == id_ and read_outs["value"] == 5.0
    assert read_inputs is not None and read_inputs["label"] == "rt"

    assert host.diff(urn, id_, outs, inputs).changes is False
    bigger = host.check(urn, inputs, {**inputs, "value": 6}).inputs
    diff = host.diff(urn, id_, outs, bigger, old_inputs=inputs)
    assert (diff.changes, diff.replaces) == (True, [])
    moved = host.diff(urn, id_, outs, {**bigger, "slot": "s2", "exclusive": True})
    assert (moved.replaces, moved.delete_before_replace) == (["slot"], True)

    outs = host.update(urn, id_, outs, bigger, old_inputs=inputs)
    assert outs["value"] == 6.0
    assert read_backend(backend)["counters"][id_]["value"] == 6

    host.delete(urn, id_, outs, old_inputs=bigger)
    assert host.read(urn, id_, outs, bigger)[0] == ""  # gone


def test_provider_error_carries_the_providers_message(host: ProviderHost, ref: str) -> None:
    urn = URN.format("boom")
    with pytest.raises(ProviderError) as caught:
        host.create(urn, {"__provider": ref, "label": "boom", "fail": "create"})
    error = caught.value
    assert str(error) == "backend refused counter 'boom' (token [secret])"
    assert error.exc_type == "counter_provider.CounterError"
    assert error.method == "Create" and error.urn == urn
    assert "Traceback" in error.details
    assert TOKEN not in str(error) and TOKEN not in error.details


def test_every_call_needs_the_provider_property(host: ProviderHost) -> None:
    with pytest.raises(ValueError, match="__provider"):
        host.create(URN.format("x"), {"value": 1})


def test_config_keys_must_be_namespaced(host: ProviderHost) -> None:
    with pytest.raises(ValueError, match="namespaced"):
        host.configure({"password": "x"})


def test_host_is_terminated_on_exit_also_on_error() -> None:
    with pytest.raises(RuntimeError), ProviderHost(FIXTURES, HOST_ENV) as started:
        process = started._proc
        assert started.running
        raise RuntimeError("test body failed")
    assert process is not None and process.poll() is not None
    assert not started.running


def test_a_host_that_prints_no_port_is_reported_and_stopped(tmp_path: Path) -> None:
    fake = tmp_path / "fake-python"
    fake.write_text("#!/bin/sh\necho 'not a port'\necho 'boot failure' >&2\nexec sleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    host = ProviderHost(tmp_path, python=str(fake), start_timeout=10)
    with pytest.raises(HostError, match="instead of a port"):
        host.start()
    assert host._proc is not None and host._proc.poll() is not None


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        (
            'Traceback (most recent call last):\n  File "x.py", line 1, in f\n'
            "    raise ValueError('bad')\nValueError: bad value\n",
            ("ValueError", "bad value"),
        ),
        (
            'Traceback (most recent call last):\n  File "a.py", line 2, in g\n    g()\n'
            "KeyError: 'k'\n\nDuring handling of the above exception, another exception"
            ' occurred:\n\nTraceback (most recent call last):\n  File "b.py", line 3, in h\n'
            "    raise pkg.Err('x')\n    ^^^^^^^^^^^^^^^^^^\npkg.errors.Err: fw1: refused\n"
            "second line\n",
            ("pkg.errors.Err", "fw1: refused\nsecond line"),
        ),
        (
            'Traceback (most recent call last):\n  File "x.py", line 1, in f\n    raise E\n'
            "NotImplementedError\n",
            ("NotImplementedError", "NotImplementedError"),
        ),
    ],
)
def test_provider_error_text(details: str, expected: tuple[str, str]) -> None:
    assert provider_error_text(details) == expected


def test_environment_reaches_the_host(tmp_path: Path, ref: str) -> None:
    # The backend path from the environment (no config): env is the host's.
    backend = tmp_path / "env-backend.json"
    env = {**HOST_ENV, "COUNTER_BACKEND": str(backend)}
    with ProviderHost(FIXTURES / "toy_project", env) as started:
        started.configure({})
        urn = URN.format("env")
        started.create(urn, {"__provider": ref, "label": "env", "value": 1})
    assert os.path.exists(backend)
