"""Every reference in the docs and the code resolves inside the repository.

A relative link names a file of the checkout (and, with `#anchor`, a heading of
it); a path quoted in the docs (`tests/...`, `pulumi_sonicha/...`) exists; no
text, in the docs or the code, points at a path outside the repository, an issue
number or a numbered "fact" that a reader cannot open (history belongs in git
log and CHANGELOG.md; sources are named as docs/reference defines them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [
        *REPO.glob("*.md"),
        *(REPO / "docs").rglob("*.md"),
        *(REPO / "examples").rglob("*.md"),
        *(REPO / "templates").rglob("*.md"),
    ]
)
CODE = sorted(
    p
    for top in ("pulumi_sonicha", "tests", "benchmarks", "examples", "templates")
    for p in (REPO / top).rglob("*.py")
    if "__pycache__" not in p.parts and p != Path(__file__)
)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# A repository path quoted in backticks: `tests/docs/test_readme.py`, `pulumi_sonicha/x/`.
QUOTED_PATH = re.compile(
    r"`((?:pulumi_sonicha|tests|examples|docs|benchmarks|templates)/[\w./-]*)`"
)
# What no reader can open: a path outside the checkout, an issue, a numbered fact.
UNREACHABLE = re.compile(
    r"/work/|shared/spec|\b[Ii]ssues? \d+|(?<!&)#\d+\b|\bfacts? \d+",
)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors of a Markdown page's headings."""
    found = set()
    for line in page.read_text().splitlines():
        if line.startswith("#") and not line.startswith("#!"):
            title = line.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            found.add(slug)
    return found


def links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)  # not in code
    return [target for target in LINK.findall(text) if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(page: Path):
    for target in links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.relative_to(REPO)}: {target} does not exist"
        assert REPO in resolved.parents or resolved == REPO, f"{target} leaves the checkout"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{page.relative_to(REPO)}: no #{anchor} there"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_quoted_repository_path_exists(page: Path):
    for path in QUOTED_PATH.findall(page.read_text()):
        if "*" in path or "<" in path or "/." in path:
            continue  # a pattern, a placeholder, or what a run creates (.pulumi-harness/)
        assert (REPO / path).exists(), f"{page.relative_to(REPO)}: `{path}` does not exist"


@pytest.mark.parametrize("page", [*PAGES, *CODE], ids=lambda p: str(p.relative_to(REPO)))
def test_no_reference_a_reader_cannot_open(page: Path):
    for number, line in enumerate(page.read_text().splitlines(), 1):
        assert not UNREACHABLE.search(line), f"{page.relative_to(REPO)}:{number}: {line}"


def test_the_check_finds_what_it_looks_for():
    for bad in ("see /work/shared/spec/x.md", "(issue 14)", "pulumi/pulumi#6065", "fact 11"):
        assert UNREACHABLE.search(bad), bad
    for good in ("X0..X31", "step 2 of 4", "`#` after two spaces", "&#124;"):
        assert not UNREACHABLE.search(good), good
