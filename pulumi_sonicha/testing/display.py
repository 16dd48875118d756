"""The command-line tool's live lines: each step as it starts and ends, each diagnostic
as it arrives, as the Pulumi CLI's non-interactive display streams them.

    +  HaMonitoring  management  creating
    +  HaMonitoring  management  created (0.4s)
    +  HaPair  pair  creating
       pulumi-sonicha: pair 2CB8ED0A1B2C: waiting for the Backup to synchronize...
    +  HaPair  pair  created (3.2s)

Lines the provider host writes to stderr are shown as they are (the engine shows a
plugin's stderr the same way); warnings a provider sends to the engine's `Log` are
shown as `warning: ...`, once: our providers write each warning to both, and a text
already shown is not shown again. Every line is said for a harness user
(`words.for_harness`) and redacted of the secrets the command knows.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from .events import DIAGNOSTIC, DONE, FAILED, PLANNED, STARTED, STDERR, Event
from .host import redact
from .results import CREATE, DELETE, DRIFT, GONE, READ, REPLACE, UPDATE
from .words import for_harness

SYMBOLS = {CREATE: "+", UPDATE: "~", REPLACE: "+-", DELETE: "-", DRIFT: "~", GONE: "-"}
_DOING = {
    CREATE: ("creating", "created"),
    UPDATE: ("updating", "updated"),
    REPLACE: ("replacing", "replaced"),
    DELETE: ("deleting", "deleted"),
    READ: ("refreshing", "unchanged"),
    DRIFT: ("refreshing", "drifted"),
    GONE: ("refreshing", "gone"),
    "refresh": ("refreshing", "refresh failed"),
    "check": ("checking", "invalid inputs"),
    "diff": ("comparing", "diff failed"),
    "register": ("registering", "failed"),
}


def short_type(token: str) -> str:
    """`pulumi-python:dynamic/sonicha:HaPair` -> `HaPair`."""
    return token.rsplit(":", 1)[-1]


class LiveDisplay:
    """Prints `Event`s as lines, as they come (safe to call from any thread)."""

    def __init__(self, out: TextIO | None = None, secrets: Iterable[str] = ()) -> None:
        self._out = out
        self._secrets = [s for s in secrets if s]
        self._lock = threading.Lock()
        # Texts shown from each channel (stderr, Log) not yet seen on the other one.
        self._unmatched: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}

    def say(self, line: str) -> None:
        """One line of the harness's own (a section header), flushed at once."""
        out = self._out or sys.stdout
        with self._lock:
            print(redact(for_harness(line), self._secrets), file=out, flush=True)

    def __call__(self, event: Event) -> None:
        line = self.line(event)
        if line is not None:
            self.say(line)

    def line(self, event: Event) -> str | None:
        """The line an event shows as, or None (a diagnostic shown already)."""
        if event.kind == DIAGNOSTIC:
            return self._diagnostic(event)
        what = f"{short_type(event.type)}  {event.name}"
        symbol = SYMBOLS.get(event.op, " ")
        doing, done = _DOING.get(event.op, (event.op, event.op))
        seconds = f" ({event.seconds:.1f}s)" if event.seconds is not None else ""
        if event.kind == STARTED:
            return f"  {symbol:<2} {what}  {doing}"
        if event.kind == DONE:
            return f"  {symbol:<2} {what}  {done}{seconds}"
        if event.kind == FAILED:
            return f"  ** {what}  {doing} failed"
        if event.kind == PLANNED:
            return f"  {symbol:<2} {what}  {event.op}"
        return None

    def _diagnostic(self, event: Event) -> str | None:
        text = event.message.strip()
        on_stderr = event.severity == STDERR
        with self._lock:
            # Our providers write a warning to stderr and to the engine's Log: the copy on
            # the other channel is not shown again (a line repeated on one channel is).
            other = self._unmatched[not on_stderr]
            if other[text] > 0:
                other[text] -= 1
                return None
            self._unmatched[on_stderr][text] += 1
        if on_stderr:
            return f"       {text}"
        return f"       {event.severity}: {text}"
