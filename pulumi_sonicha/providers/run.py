"""What one provider host shares over its run: claims, warnings, and whether it is stopping.

The engine starts one provider host (`python -m pulumi.dynamic`) per `pulumi up`,
`preview`, `refresh` or `destroy`, and that host serves every dynamic resource of
the run from one provider instance per class on four worker threads (facts 9, 12
in shared/spec/pulumi-dynamic-facts.md). Three things follow, and live here:

- **Claims.** A rename without `aliases`, or a resource removed from the program
  while another one now declares the same unit, makes the engine run the new
  resource's create *before* the old resource's delete, and both name the same
  unit object (the same HA configuration, the same port). Every create and update
  records here which resource instance (its `instance_id` output, made at create and
  kept for the resource's life) last set which unit object, and so does every diff of
  a resource the program declares (the engine diffs those before it deletes the
  dropped ones, so a rename spread over two runs is covered too); a delete in the
  same process leaves an object alone when another instance claims it. Only within
  one process: a `pulumi destroy`, or another stack, cannot know it (the delete then
  relies on the unit's live state, checked by each provider).
- **Warnings the user sees.** A Python dynamic provider has no engine connection
  of its own (pulumi/pulumi#6065), and since pulumi/pulumi#17943 the CLI shows a
  provider's stderr only at debug level. The engine passes its address as the
  host's last argument and serves `pulumirpc.Engine.Log` there (the engine's
  `hostServer.Log`), which is how provider SDKs log: a warning sent there shows in
  the CLI's Diagnostics. `warn` sends it there when it can, and logs it to stderr
  too (`pulumi up --debug` or `-v=9 --logtostderr` show that line).
- **Stopping.** The engine stops a provider host with SIGINT to its process group,
  then SIGKILL 5 s later (`cmdutil.InterruptChildren` in the engine's plugin
  `Close`). In the SDK's host, SIGINT stops the gRPC server and the interpreter
  starts shutting down while our worker thread still runs; `stopping()` tells a long
  wait (the HA sync) to give up now, put settings back and log out. SIGTERM and
  SIGKILL cannot be caught: Python lets only the main thread install signal handlers,
  and the SDK's host owns it; the unit then drops staged changes when the session
  ends, and the next `pulumi up` compares and re-applies.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import uuid

from ..errors import redact

log = logging.getLogger("pulumi_sonicha")

UnitObject = tuple[str, ...]
"""What a claim is about: ("ha", serial), ("port", serial, interface), ("association", id)."""


class Claims:
    """Which resource instance set each unit object last, in this process (thread-safe)."""

    def __init__(self) -> None:
        self._by_object: dict[UnitObject, str] = {}
        self._lock = threading.Lock()

    def record(self, objects: list[UnitObject], instance: str) -> None:
        """`instance` has just set `objects` (a create or an update)."""
        with self._lock:
            for obj in objects:
                self._by_object[obj] = instance

    def taken_over(self, obj: UnitObject, instance: str | None) -> bool:
        """Another resource instance set `obj` since `instance` did: leave it alone."""
        with self._lock:
            holder = self._by_object.get(obj)
        return holder is not None and holder != instance

    def release(self, objects: list[UnitObject], instance: str | None) -> None:
        """`instance` was deleted: forget its claims (not another instance's)."""
        with self._lock:
            for obj in objects:
                if self._by_object.get(obj) == instance:
                    del self._by_object[obj]

    def clear(self) -> None:
        with self._lock:
            self._by_object.clear()


CLAIMS = Claims()


class Written:
    """The Primaries whose HA settings a write of this run changed (by serial): a fleet's
    HaSyncWait then waits again even when its declared inputs did not change (a drift
    repaired, a hand change put back), since the engine diffs it after its pairs'
    steps, in the same host."""

    def __init__(self) -> None:
        self._serials: set[str] = set()
        self._lock = threading.Lock()

    def note(self, serial: str) -> None:
        with self._lock:
            self._serials.add(serial)

    def any_of(self, serials: list[str]) -> bool:
        with self._lock:
            return any(serial in self._serials for serial in serials)

    def clear(self) -> None:
        with self._lock:
            self._serials.clear()


#: The process-wide record of HA settings written in this run.
WRITTEN = Written()


def new_instance_id() -> str:
    """The `instance_id` output a create gives a resource; kept by every update."""
    return uuid.uuid4().hex


def stopping() -> bool:
    """The provider host was asked to stop (SIGINT): its main thread has ended and the
    interpreter is shutting down, waiting for our worker thread.

    CPython sets `threading._SHUTTING_DOWN` then (3.9+); it is private, so the public
    sign counts too: `threading._shutdown` stops the main thread's `Thread` object
    before it joins the others, so `main_thread().is_alive()` turns False
    (tests/harness/test_run_stopping.py checks both on this interpreter)."""
    if getattr(threading, "_SHUTTING_DOWN", False):
        return True
    return not threading.main_thread().is_alive()


_ADDRESS = re.compile(r"^(?:\[[0-9a-fA-F:]+\]|[\w.\-]+):\d{1,5}$")


def engine_address() -> str | None:
    """The engine's address when we run in the SDK's provider host (its last argument)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if getattr(spec, "name", None) not in ("pulumi.dynamic.__main__", "pulumi.dynamic"):
        return None
    args = [a for a in sys.argv[1:] if _ADDRESS.match(a)]
    return args[-1] if args else None


def warn(message: str) -> None:
    """A warning the user sees: engine diagnostics when we can reach the engine, and
    stderr always; scrubbed of every registered credential first (a unit's message may
    echo one)."""
    message = redact(message)
    log.warning("%s", message)
    address = engine_address()
    if address is None:
        return
    try:
        import grpc
        from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

        with grpc.insecure_channel(address) as channel:
            engine_pb2_grpc.EngineStub(channel).Log(
                engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message), timeout=10
            )
    except Exception as exc:  # noqa: BLE001 - the stderr line above remains
        log.debug("could not send the warning to the engine: %s", exc.__class__.__name__)
