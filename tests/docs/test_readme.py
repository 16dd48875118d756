"""The README as a first-time reader pastes it: its shell snippets run as written.

The snippets are extracted from README.md here, so the docs and the code cannot
drift: every `ctl` line is run against a simulator started by the README's own
lines, the quick start's sample output must be what the command prints, and
no snippet uses the virtualenv without activating it or sources the env file
before the simulator wrote it. The only change made to a snippet: the
simulator listens on free ports (`--*-port 0`) instead of 9441-9443, so the
suite can run next to a simulator of yours, and HA sync is instant.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
START = "python -m pulumi_sonicha.simulator --ready-file"
FREE_PORTS = f"{START.removesuffix(' --ready-file')} --primary-port 0 --backup-port 0" \
    " --portal-port 0 --sync-seconds 0 --ready-file"
CTL = "pulumi_sonicha.simulator ctl"


def blocks(language: str, text: str = README) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.S | re.M)


def shell_lines(block: str) -> list[str]:
    """Lines without their trailing comments (a `#` after two spaces)."""
    return [re.split(r"\s{2,}#", line)[0].rstrip() for line in block.splitlines()]


SH = blocks("sh")
CTL_BLOCKS = [b for b in SH if CTL in b]
STARTING = [b for b in CTL_BLOCKS if START in b]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A directory like the checkout: `. .venv/bin/activate` puts this suite's python first."""
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    python = venv_bin / "python"  # a venv's python finds its packages by its own path
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    (venv_bin / "activate").write_text(f'PATH="{venv_bin}:$PATH"; export PATH\n')
    return tmp_path


def run_shell(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = script.replace(START, FREE_PORTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SONICHA_")}
    return subprocess.run(
        ["bash", "-e", "-c", script + "\nwait\n"],  # wait: the simulator has stopped
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_has_the_snippets_this_file_runs():
    assert len(STARTING) == 1 and len(CTL_BLOCKS) >= 3
    for block in CTL_BLOCKS:
        for line in shell_lines(block):
            if CTL in line:
                assert line.startswith(f"python -m {CTL} "), line


def test_the_ctl_snippets_run_in_one_shell_as_a_reader_pastes_them(workdir: Path):
    """The block that starts the simulator, then each later `ctl` block, then `kill %1`."""
    assert CTL_BLOCKS[0] in STARTING  # the first one starts the simulator the others use
    done = run_shell("\n".join(CTL_BLOCKS) + "\nkill %1\n", workdir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "HA status" in done.stdout and "association  assoc-" in done.stdout
    assert '"zone": "DMZ"' in done.stdout and '"link_status": "No link"' in done.stdout
    assert '"removed": [' in done.stdout and '"unregistered": "2CB8ED0A4444"' in done.stdout
    assert not (workdir / ".sonicha-sim" / "ready").exists()  # removed at stop


def test_pointing_pulumi_at_the_simulator_waits_for_the_env_file(workdir: Path):
    """The README's CLI walk-through up to the first `pulumi` command (no CLI here)."""
    (block,) = [b for b in SH if START in b and "pulumi config set" in b]
    lines = block.splitlines()
    first_pulumi = next(i for i, line in enumerate(lines) if line.startswith("pulumi "))
    script = "\n".join(lines[:first_pulumi])
    script += '\ntest -n "$SONICHA_PASSWORD" && test -f "$SONICHA_CA_BUNDLE"\nkill %1\n'
    done = run_shell(script, workdir)
    assert done.returncode == 0, done.stdout + done.stderr


EXAMPLE_READMES = sorted((REPO / "examples").glob("*/README.md"))


@pytest.mark.parametrize(
    "readme", [REPO / "README.md", *EXAMPLE_READMES], ids=lambda p: str(p.relative_to(REPO))
)
def test_no_snippet_sources_the_env_file_before_it_exists(readme: Path):
    for block in blocks("sh", readme.read_text()):
        lines = shell_lines(block)
        for index, line in enumerate(lines):
            if line.startswith(". .sonicha-sim/"):
                assert any(
                    earlier.startswith("while [ ! -e .sonicha-sim/ready ]")
                    for earlier in lines[:index]
                ), block


def test_every_snippet_running_bare_python_activates_the_virtualenv():
    for block in SH:
        lines = shell_lines(block)
        uses = [i for i, line in enumerate(lines) if re.match(r"python -m ", line)]
        if uses:
            activate = [i for i, line in enumerate(lines) if line == ". .venv/bin/activate"]
            assert activate and activate[0] < uses[0], block


def normalized(text: str) -> list[str]:
    text = re.sub(r"(127\.0\.0\.\d+):\d+", r"\1:PORT", text)
    text = re.sub(r"\S*/\.sonicha-state/", "CHECKOUT/.sonicha-state/", text)
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def test_quick_start_output_shown_is_what_command_one_prints(tmp_path: Path):
    shown = next(b for b in blocks("text") if b.startswith("== simulator"))
    project = tmp_path / "checkout"
    shutil.copytree(REPO / "examples" / "complete-pair", project / "examples" / "complete-pair")
    shutil.copy(REPO / "Pulumi.yaml", project / "Pulumi.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SONICHA_")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not (Path(p) / "pulumi").exists()
    )  # no Pulumi CLI: the harness, as the README says
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.quickstart", "--sync-seconds", "0"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    printed = iter(normalized(done.stdout))
    # Every line shown, in order (the real run may print more, e.g. progress lines).
    for line in normalized(shown):
        assert any(line == real for real in printed), f"README shows {line!r}: not printed"
