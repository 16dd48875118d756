"""The "Using it in your project" snippet, run as a reader pastes it into a project.

Correct by construction means: every address comes from config, named once, and a
unit answers management exactly where the stack reaches it, before and after pairing.
So the snippet is run on units with no HA monitoring preset (as real units come): up,
then a refresh that finds each unit where the state says (no drift), then destroy.
The snippet is taken from whichever Markdown file of the repository carries the
heading, so the test follows it when the docs move.
"""

from __future__ import annotations

import re
from pathlib import Path

from pulumi_sonicha.quickstart import stack_config
from pulumi_sonicha.simulator import PRIMARY_MONITORING_IP, Simulator
from pulumi_sonicha.testing import Lifecycle

REPO = Path(__file__).resolve().parents[2]
HEADING = re.compile(r"^#+ Using it in your project\s*$", re.MULTILINE)
PROJECT = "name: snippet\nruntime: python\n"


def project_snippet() -> str:
    """The first python block under the heading, in README.md or docs/."""
    for path in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        if not path.is_file():
            continue
        text = path.read_text()
        found = HEADING.search(text)
        if found:
            block = re.search(r"```python\n(.*?)```", text[found.end() :], re.DOTALL)
            assert block, f"{path}: no python block under 'Using it in your project'"
            return block.group(1)
    raise AssertionError("no 'Using it in your project' section in README.md or docs/")


def test_the_project_snippet_reaches_each_unit_where_it_answers(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "__main__.py").write_text(project_snippet())
    with Simulator(sync_seconds=0, monitoring=False) as sim:
        config, secret_keys = stack_config(sim)
        with Lifecycle(
            tmp_path, config=config, secret_keys=secret_keys, state_file=tmp_path / "state.json"
        ) as stack:
            applied = stack.up()
            assert applied.failures == []
            assert sim.primary.ha_status()["status"] == "Primary Active"
            # Once paired, each unit answers at the address the stack uses for it.
            assert sim.backup.answering_ips() == [sim.backup_ip]
            assert PRIMARY_MONITORING_IP in sim.primary.answering_ips()
            refreshed = stack.preview(refresh=True)
            assert refreshed.failures == [] and not refreshed.has_changes
            stack.destroy()
            assert sim.primary.ha_settings()["mode"] == {}
            assert stack.state["resources"] == []
