"""Running the harness as its user does: `python -m pulumi_sonicha.testing ...` in a
shell, against the simulator, with the password in the environment."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from pulumi_sonicha.simulator import Simulator

HA_STACK = Path(__file__).resolve().parent.parent / "fixtures" / "ha_stack"


def stack_flags(sim: Simulator, *config: str) -> list[str]:
    """`--config` flags pointing the scenario project (HA_STACK) at `sim`."""
    flags: list[str] = []
    for arg in [
        f"t:primaryHost={sim.primary.host}",
        f"t:backupHost={sim.backup.host}",
        f"t:backupSerial={sim.backup.serial}",
        f"sonicha:caBundle={sim.ca_path}",
        *config,
    ]:
        flags += ["--config", arg]
    return flags


def harness(
    *args: str, cwd: Path = HA_STACK, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.testing", *args, "--cwd", str(cwd)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


class Watched:
    """A harness command in its own process group, each stdout line kept with the time
    it arrived and whether the command was still running then."""

    def __init__(self, *args: str, cwd: Path = HA_STACK, env: dict[str, str] | None = None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pulumi_sonicha.testing", *args, "--cwd", str(cwd)],
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: list[tuple[float, str]] = []
        self.err = ""
        self._started = time.monotonic()
        self._readers = [
            threading.Thread(target=self._read_out, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.monotonic() - self._started, line.rstrip("\n")))

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        self.err = self.proc.stderr.read()

    def wait_for(self, text: str, timeout: float = 60) -> float:
        """When a stdout line containing `text` arrived (waiting for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in list(self.lines):
                if text in line:
                    return at
            if self.proc.poll() is not None and not self._readers[0].is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no line with {text!r}:\n{self.out}\n{self.err}")

    def finish(self, timeout: float = 120) -> tuple[int, float]:
        """(exit code, when it ended)."""
        self.proc.wait(timeout=timeout)
        ended = time.monotonic() - self._started
        for reader in self._readers:
            reader.join(timeout=10)
        return self.proc.returncode, ended

    @property
    def out(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def __enter__(self) -> Watched:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
