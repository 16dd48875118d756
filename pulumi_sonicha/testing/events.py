"""What a command reports while it runs, as the Pulumi CLI streams it.

The CLI shows each step as it starts and as it ends, and every diagnostic as it
arrives: a provider's warnings sent to the engine's `Log` service and each line
the provider host writes to stderr (the engine shows a plugin's stderr lines as
diagnostics). `Lifecycle.on_event` receives the same as `Event`s; the
command-line tool prints them (`display`).

`HostLines` is the provider host's side: its reader threads and its `Log`
service hand it lines as they come; it passes each to the listener set by the
command using the host (lines that arrive before one is set, e.g. from a host
started ahead, wait for it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

STARTED = "started"  # a step began (create, update, replace, delete, refresh)
DONE = "done"  # a step ended well; `seconds` says how long it took
FAILED = "failed"  # a step ended with an error (`message`)
PLANNED = "planned"  # a preview's step (nothing is written)
DIAGNOSTIC = "diagnostic"  # a provider's or program's message (`severity`, `message`)

STDERR = "stderr"
"""The `severity` of a line the provider host wrote to its stderr."""


@dataclass(frozen=True)
class Event:
    """One thing a running command reports. Steps carry the resource's `name`, its
    `type` token and the `op` (create, update, replace, delete, same, refresh...);
    diagnostics a `severity` (warning, info, error, or `STDERR`) and the `message`,
    redacted of every secret the harness knows."""

    kind: str
    name: str = ""
    type: str = ""
    op: str = ""
    seconds: float | None = None
    message: str = ""
    severity: str = ""


Listener = Callable[[str, str], None]
"""Called with (severity, text) for each line the provider host produces."""


class HostLines:
    """Lines from one provider host (stderr lines, `Log` messages), passed on as they
    come. Holds no reference to the host, so the host's finalizer can still run while
    its reader threads are alive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listener: Listener | None = None
        self._waiting: list[tuple[str, str]] = []
        self._partial = b""

    def listen(self, listener: Listener | None) -> None:
        """Pass every later line to `listener`, and the ones that arrived before now."""
        with self._lock:
            self._listener = listener
            waiting, self._waiting = self._waiting, []
        if listener is not None:
            for severity, text in waiting:
                listener(severity, text)

    def message(self, severity: str, text: str) -> None:
        with self._lock:
            listener = self._listener
            if listener is None:
                self._waiting.append((severity, text))
                return
        listener(severity, text)

    def chunk(self, data: bytes) -> None:
        """Bytes read from stderr: each complete line passed on."""
        with self._lock:
            complete, newline, self._partial = (self._partial + data).rpartition(b"\n")
        if not newline:
            return
        for line in complete.decode(errors="replace").split("\n"):
            if line.strip():
                self.message(STDERR, line.rstrip())

    def end(self) -> None:
        """EOF on stderr: pass on a last line that had no newline."""
        with self._lock:
            rest, self._partial = self._partial, b""
        if rest.strip():
            self.message(STDERR, rest.decode(errors="replace").rstrip())
