"""Every program the docs show runs: each examples/snippets/*.py and each ```python block
of README.md and docs/, under pulumi.runtime.set_mocks, with every sonicha resource's
inputs passed through its schema's check (tests/docs/mock_program.py). A block that
drives the lifecycle harness (a test of a stack, not a program) runs as the script it
is, against the simulator, in a copy of the examples."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("mock_program.py")
SNIPPETS = sorted((REPO / "examples" / "snippets").glob("*.py"))
DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
# The stack config the docs' programs read (`pulumi config set ha:primaryHost ...`).
CONFIG = {
    "ha:primaryHost": "192.168.168.2",
    "ha:pairHost": "192.168.168.168",
    "ha:backupHost": "192.168.168.3",
    "ha:primarySerial": "2CB8ED0A1B2C",
    "ha:backupSerial": "2CB8ED0A9F00",
}


def run(program: Path) -> list[dict]:
    env = {**os.environ, "PULUMI_CONFIG": json.dumps(CONFIG)}
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(program)],
        cwd=program.parent,  # whatever a program writes stays beside it
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def python_blocks() -> list[tuple[str, str]]:
    found = []
    for path in DOC_FILES:
        blocks = re.findall(r"^```python\n(.*?)^```$", path.read_text(), flags=re.S | re.M)
        for index, block in enumerate(blocks):
            found.append((f"{path.relative_to(REPO)}#{index}", block))
    return found


BLOCKS = python_blocks()


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda p: p.name)
def test_each_snippet_runs_and_passes_check(snippet: Path):
    registered = run(snippet)
    ours = [r for r in registered if r["type"].startswith("pulumi-python:dynamic/sonicha:")]
    assert ours, f"{snippet.name} declares no sonicha resource"
    for resource in ours:
        assert resource["failures"] == [], resource


@pytest.mark.parametrize(("where", "block"), BLOCKS, ids=[w for w, _ in BLOCKS])
def test_each_python_block_in_the_docs_runs(where: str, block: str, tmp_path: Path):
    if "Lifecycle(" in block:
        shutil.copytree(REPO / "examples", tmp_path / "examples")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SONICHA_")}
        done = subprocess.run(
            [sys.executable, "-c", block],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, (where, done.stderr[-3000:])
        return
    program = tmp_path / "__main__.py"
    program.write_text(block)
    registered = run(program)
    assert registered, f"{where} declares nothing"
    for resource in registered:
        assert resource["failures"] == [], (where, resource)


def test_the_docs_show_python_programs():
    assert len(BLOCKS) >= len(SNIPPETS)  # the resource pages show every snippet


def test_a_snippet_with_an_input_check_refuses_fails(tmp_path: Path):
    """The runner is not lenient: a serial the provider refuses shows as a failure."""
    program = tmp_path / "bad.py"
    program.write_text(
        (REPO / "examples" / "snippets" / "license_association.py")
        .read_text()
        .replace('"2CB8ED0A9F00"', '"not-a-serial"')
    )
    (resource,) = run(program)
    assert any("secondary_serial" in reason for reason in resource["failures"])
