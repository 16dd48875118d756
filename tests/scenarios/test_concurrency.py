"""Many resources, two pairs, one provider host: the engine's parallelism.

`pulumi up` runs independent resources in parallel, and the provider host
serves them from 4 worker threads with one provider instance per class. Here
a client-side pool of 12 threads drives Create, Update and Read calls for
three HaInterface and one HaPair resources on each of two simulated pairs,
all through one real provider host. What must hold: every write lands (the
committed state is the last one asked for, each HaPair update is one PUT and
one commit in order), nothing is left pending, no two admin sessions are ever
open at once on one unit, and nothing deadlocks (every call and the whole
body run under a deadline).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import DEFAULT_HA, Simulator
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderHost, provider_ref

BODY_DEADLINE_S = 60.0
CALL_DEADLINE_S = 20.0
CLIENT_THREADS = 12
READS_PER_RESOURCE = 4
PAIR_URN = "urn:pulumi:dev::concurrency::pulumi-python:dynamic/sonicha:HaPair::{}"
LINK_URN = "urn:pulumi:dev::concurrency::pulumi-python:dynamic/sonicha:HaInterface::{}"
HA_PUT = ("PUT", "/api/sonicos/high-availability/base")
COMMIT = ("POST", "/api/sonicos/config/pending")
# Heartbeats each pair is updated through, in order; the last one must be committed.
HEARTBEATS = {"a": [1100 + 100 * n for n in range(8)], "b": [2100 + 100 * n for n in range(8)]}
# The HA links: interface -> (zone before, link cabled?)
LINKS = {"X2": ("DMZ", False), "X3": ("LAN", True), "X6": ("Unassigned", False)}


@pytest.fixture
def sims() -> Iterator[dict[str, Simulator]]:
    with Simulator(sync_seconds=0.0) as a, Simulator(sync_seconds=0.0) as b:
        for sim in (a, b):
            sim.cable("X3")
        yield {"a": a, "b": b}


@pytest.fixture
def host(sims: dict[str, Simulator], tmp_path: Path) -> Iterator[ProviderHost]:
    # Each simulator has its own CA: trust both, as a company bundle would.
    bundle = tmp_path / "both-cas.pem"
    bundle.write_text("".join(Path(sim.ca_path).read_text() for sim in sims.values()))
    env = {"SONICHA_PASSWORD": "", "SONICHA_CA_BUNDLE": ""}
    with ProviderHost(cwd=tmp_path, env=env, call_timeout=CALL_DEADLINE_S) as started:
        started.configure(
            {
                "sonicha:password": sims["a"].password,
                "sonicha:caBundle": str(bundle),
                "sonicha:timeout": "5",
                "sonicha:maxRetries": "0",
            },
            secret_keys={"sonicha:password"},
        )
        yield started


class Stack:
    """The engine's side for a handful of resources: check, then create/update/read."""

    def __init__(self, host: ProviderHost) -> None:
        self.host = host
        self.refs = {
            "pair": provider_ref(HaPairProvider()),
            "link": provider_ref(HaInterfaceProvider()),
        }
        self.state: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def urn(self, name: str) -> str:
        return (PAIR_URN if name.startswith("pair") else LINK_URN).format(name)

    def checked(self, name: str, program: dict[str, Any]) -> dict[str, Any]:
        kind = "pair" if name.startswith("pair") else "link"
        outcome = self.host.check(self.urn(name), {}, {**program, PROVIDER_KEY: self.refs[kind]})
        assert outcome.failures == []
        return outcome.inputs

    def up(self, name: str, program: dict[str, Any]) -> dict[str, Any]:
        inputs = self.checked(name, program)
        with self._lock:
            known = self.state.get(name)
        if known is None:
            id_, outs = self.host.create(self.urn(name), inputs)
        else:
            id_, olds, _ = known
            outs = self.host.update(self.urn(name), id_, olds, inputs)
        with self._lock:
            self.state[name] = (id_, outs, inputs)
        return outs

    def read(self, name: str) -> dict[str, Any]:
        with self._lock:
            id_, outs, inputs = self.state[name]
        read_id, read_outs, _ = self.host.read(self.urn(name), id_, outs, inputs)
        assert read_id == id_
        return read_outs


def pair_program(sim: Simulator, heartbeat: int = 1000) -> dict[str, Any]:
    return {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "backup_serial": sim.backup.serial,
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        "heartbeat_interval_ms": heartbeat,
    }


def link_program(sim: Simulator, interface: str, purpose: str = "data") -> dict[str, Any]:
    return {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "interface": interface,
        "purpose": purpose,
        "unassign_zone": True,
        "require_link": LINKS[interface][1],
    }


def run_all(pool: ThreadPoolExecutor, tasks: list[Callable[[], Any]], deadline: float) -> list:
    futures: list[Future] = [pool.submit(task) for task in tasks]
    done, pending = wait(futures, timeout=deadline, return_when=FIRST_EXCEPTION)
    for future in done:
        future.result()  # re-raise the first failure, with its own traceback
    assert not pending, f"{len(pending)} calls still running after {deadline:.0f} s: deadlock?"
    return [future.result() for future in futures]


def test_parallel_creates_updates_and_reads_on_two_pairs(
    sims: dict[str, Simulator], host: ProviderHost
):
    stack = Stack(host)
    names = [f"pair-{p}" for p in sims] + [f"link-{p}-{i}" for p in sims for i in LINKS]

    def program(name: str, **kw: Any) -> dict[str, Any]:
        _, pair, *rest = name.split("-")
        return link_program(sims[pair], rest[0], **kw) if rest else pair_program(sims[pair], **kw)

    def pair_updates(pair: str) -> Callable[[], None]:
        def run() -> None:
            for heartbeat in HEARTBEATS[pair]:
                outs = stack.up(f"pair-{pair}", program(f"pair-{pair}", heartbeat=heartbeat))
                assert outs["heartbeat_interval_ms"] == heartbeat
                # Read-your-writes: a read after the update sees it, whatever runs alongside.
                assert stack.read(f"pair-{pair}")["heartbeat_interval_ms"] == heartbeat

        return run

    def link_updates(pair: str, interface: str) -> Callable[[], None]:
        name = f"link-{pair}-{interface}"
        sim = sims[pair]

        def run() -> None:
            for purpose in ("control", "data"):
                # Someone puts the link back into a zone; read sees it; update fixes it.
                sim.primary.set_zone(interface, "DMZ")
                assert stack.read(name)["primary_zone"] == "DMZ"
                outs = stack.up(name, program(name, purpose=purpose))
                assert (outs["purpose"], outs["primary_zone"]) == (purpose, "Unassigned")
                assert stack.read(name)["primary_zone"] == "Unassigned"

        return run

    def reader(name: str) -> Callable[[], dict[str, Any]]:
        return lambda: stack.read(name)

    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        try:
            created = run_all(
                pool, [lambda n=n: stack.up(n, program(n)) for n in names], BODY_DEADLINE_S / 2
            )
            assert [outs["primary_serial"] for outs in created] == [sims["a"].primary.serial] * 8
            tasks: list[Callable[[], Any]] = [pair_updates(p) for p in sims]
            tasks += [link_updates(p, i) for p in sims for i in LINKS]
            # Plain reads of every resource, interleaved with the writers.
            tasks += [reader(n) for n in names for _ in range(READS_PER_RESOURCE)]
            results = run_all(pool, tasks, BODY_DEADLINE_S / 2)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    # The plain reads saw a heartbeat some update asked for (or the created one), never
    # anything else, and the links' Unassigned or the hand-set DMZ.
    reads = iter(results[len(sims) + len(sims) * len(LINKS) :])
    for name in names:
        for outs in itertools.islice(reads, READS_PER_RESOURCE):
            if name.startswith("pair"):
                allowed = {1000, *HEARTBEATS[name.split("-")[1]]}
                assert outs["heartbeat_interval_ms"] in allowed
            else:
                assert outs["primary_zone"] in {"Unassigned", "DMZ"}

    for pair, sim in sims.items():
        # Every HaPair write landed, once, in order: the create's, then each update's.
        puts = [r for r in sim.primary.writes() if (r.method, r.path) == HA_PUT]
        assert [r.status for r in puts] == [200] * 9
        # Each PUT is the whole object (the unit replaces it), with the update's heartbeat.
        assert [r.body["high_availability"]["heartbeat_interval"] for r in puts[1:]] == list(
            HEARTBEATS[pair]
        )
        assert all(set(r.body["high_availability"]) == set(DEFAULT_HA) for r in puts)
        assert sim.primary.ha_settings()["heartbeat_interval"] == HEARTBEATS[pair][-1]
        assert sim.backup.ha_settings() == sim.primary.ha_settings()
        _, outs, _ = stack.state[f"pair-{pair}"]
        assert outs["heartbeat_interval_ms"] == HEARTBEATS[pair][-1]
        for interface, (zone, _) in LINKS.items():
            assert sim.primary.zone(interface) == "Unassigned"
            assert sim.backup.zone(interface) == "Unassigned"
            _, outs, _ = stack.state[f"link-{pair}-{interface}"]
            # What was there before this resource first touched the port: X6 was
            # Unassigned, and the DMZ set by hand since (and repaired) is not recorded.
            remembered = {} if zone == "Unassigned" else {"primary": zone, "backup": zone}
            assert outs["previous_zones"] == remembered
            assert outs["purpose"] == "data"
        for unit in (sim.primary, sim.backup):
            assert unit.pending() == {}
            # Only the first login meets the Digest challenge (401): the nonce is shared
            # by the host's threads from then on.
            challenges = [r for r in unit.requests if r.status == 401]
            assert [(r.method, r.path) for r in challenges] in ([], [("POST", "/api/sonicos/auth")])
            assert all(r.status in (200, 201, 401) for r in unit.requests), [
                (r.method, r.path, r.status) for r in unit.requests if r.status >= 300
            ]
            assert unit.max_concurrent_sessions == 1, unit.name
            assert unit.sessions_opened > 10
