"""docs/index.md and docs/resources/*.md are what `python -m pulumi_sonicha.docsgen` writes
from the schemas, the snippets and the settings: a page edited by hand, or a schema
changed without regenerating, fails here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pulumi_sonicha import docsgen
from pulumi_sonicha.docstrings import REGISTRY
from pulumi_sonicha.settings import SETTINGS

REPO = Path(__file__).resolve().parents[2]


def test_committed_pages_are_what_the_generator_writes():
    wrong = docsgen.differences(REPO)
    assert wrong == [], f"regenerate: python -m pulumi_sonicha.docsgen ({wrong})"


def test_every_registered_class_has_a_page_with_each_input_and_output():
    pages = docsgen.pages(REPO)
    for name, (_cls, documented) in REGISTRY.items():
        page = pages[Path("docs/resources") / f"{docsgen.resource_page.snippet_name(name)}.md"]
        for field in documented.schema.fields:
            assert f"| `{field.name}` |" in page and field.doc.split(".")[0] in page
        for output in documented.schema.outputs:
            assert f"| `{output.name}` |" in page
        assert documented.schema.about.delete in page


def test_index_lists_every_setting_and_guide():
    index = (REPO / "docs" / "index.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.key}`" in index and f"`{setting.env}`" in index
    for guide in sorted((REPO / "docs" / "guides").glob("*.md")):
        assert f"(guides/{guide.name})" in index


def test_check_names_a_page_edited_by_hand(tmp_path: Path):
    for part in ("docs", "examples/snippets"):
        shutil.copytree(REPO / part, tmp_path / part)
    page = tmp_path / "docs" / "resources" / "ha_pair.md"
    page.write_text(page.read_text().replace("Time between heartbeats.", "Heartbeats."))
    (tmp_path / "docs" / "resources" / "gone.md").write_text("# Gone\n")
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.docsgen", "--check", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "out of date: docs/resources/ha_pair.md" in done.stderr
    assert "docs/resources/gone.md (no such resource" in done.stderr
    subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.docsgen", "--root", str(tmp_path)], check=True
    )
    assert "Time between heartbeats." in page.read_text()


def test_simulator_page_lists_every_endpoint_with_a_source():
    from pulumi_sonicha.simulator.portal import urls as portal_urls
    from pulumi_sonicha.simulator.sonicos import urls as sonicos_urls

    page = (REPO / "docs" / "simulator.md").read_text()
    for method, path in [*sonicos_urls.endpoints(), *portal_urls.endpoints()]:
        rows = [line for line in page.splitlines() if f"| {method} | `{path}` |" in line]
        assert len(rows) == 1, (method, path)
        source = rows[0].rstrip(" |").rsplit("|", 1)[1].strip()
        assert source and source != "?", rows[0]
