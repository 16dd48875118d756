"""`run.stopping()`: how a long wait in a provider thread learns that the provider host
is stopping (SIGINT ends the SDK host's main thread; the interpreter then shuts down and
waits for the worker threads).

`threading._SHUTTING_DOWN` is CPython's private flag for that; `stopping()` also takes
the public sign (the main thread's `Thread` is stopped before the others are joined).
A guard: a small interpreter run the way the host runs (a worker thread in a wait
loop, the main thread in `Event().wait()`, then SIGINT) shows both signs on this
interpreter, and the fallback alone is checked in-process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from pulumi_sonicha.providers import run

HOST_LIKE = textwrap.dedent(
    """
    import threading, time
    from pulumi_sonicha.providers import run

    def wait():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and threading.main_thread().is_alive():
            time.sleep(0.01)
        private = bool(getattr(threading, "_SHUTTING_DOWN", False))
        public = not threading.main_thread().is_alive()
        print(f"private={private} public={public} stopping={run.stopping()}", flush=True)

    threading.Thread(target=wait).start()
    print("ready", flush=True)
    try:
        threading.Event().wait()  # the SDK host's main thread
    except KeyboardInterrupt:
        pass
    """
)


def test_not_stopping_while_the_host_serves() -> None:
    seen: list[bool] = []
    worker = threading.Thread(target=lambda: seen.append(run.stopping()))
    worker.start()
    worker.join()
    assert seen == [False] and run.stopping() is False


def test_both_signs_show_when_sigint_stops_a_host_like_interpreter() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOST_LIKE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert out.strip() == "private=True public=True stopping=True", (out, err)


def test_the_public_sign_alone_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """An interpreter without the private flag: a stopped main thread still says so."""
    ended = threading.Thread(target=lambda: None)
    ended.start()
    ended.join()
    monkeypatch.delattr(threading, "_SHUTTING_DOWN", raising=False)
    assert run.stopping() is False
    monkeypatch.setattr(threading, "main_thread", lambda: ended)
    assert run.stopping() is True
