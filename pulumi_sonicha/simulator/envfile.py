"""The simulator's env file: `export SONICHA_...` lines a shell sources and `ctl` reads.

Written by `python -m pulumi_sonicha.simulator` and by the quickstart's
`--keep-running`, to `.sonicha-sim/sonicha-sim.env` unless told otherwise. It
holds the simulator's passwords, so it is written owner-only, and atomically,
since scripts wait for it to appear.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

ENV_FILENAME = "sonicha-sim.env"
DEFAULT_STATE_DIR = ".sonicha-sim"


def env_text(env: dict[str, str]) -> str:
    lines = ["# pulumi_sonicha simulator: `source` this file to point Pulumi at it"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    """Write atomically (scripts poll for the file) and owner-only (it holds passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def read_env_file(state_dir: str | Path, name: str = ENV_FILENAME) -> dict[str, str]:
    """The variables an env file exports; {} when there is none."""
    path = Path(state_dir) / name
    if not path.exists():
        return {}
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            env[key] = value
    return env


def remove_if_ours(path: Path | None, text: str) -> None:
    """At stop: remove a file we wrote, unless a simulator started since has rewritten it."""
    if path is None:
        return
    try:
        if path.read_text() == text:
            path.unlink()
    except OSError:
        pass
