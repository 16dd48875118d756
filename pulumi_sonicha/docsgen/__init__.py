"""The generated part of docs/: one page per resource or component, and docs/index.md.

    python -m pulumi_sonicha.docsgen           # (re)write the pages in the checkout
    python -m pulumi_sonicha.docsgen --check   # exit 1 naming each page that differs

Also the README's resources table, CONTRIBUTING.md's layout table and
docs/simulator.md's endpoints and rules tables, between their `<!-- docsgen:NAME -->`
markers.
Sources: the schema of each class registered with `docstrings.document` (all
public resources and components, imported through `pulumi_sonicha`), the
snippet examples/snippets/<name>.py of each, `settings.SETTINGS`, and the titles
of docs/guides/*.md. tests/docs/test_generated_docs.py runs the check, so a page
edited by hand, or a schema changed without regenerating, fails the suite.
"""

from __future__ import annotations

from pathlib import Path

from . import index_page, layout, resource_page, simulator_page

#: The checkout this package was imported from (an editable install).
CHECKOUT = Path(__file__).resolve().parent.parent.parent


def registry() -> dict:
    """Every documented class, after importing all that registers one."""
    import pulumi_sonicha  # noqa: F401  (imports resources and components)

    from ..docstrings import REGISTRY

    return dict(REGISTRY)


def guide_titles(root: Path) -> dict[str, str]:
    """docs/guides/<file>.md -> its first `# ` heading, in file name order."""
    titles = {}
    for path in sorted((root / "docs" / "guides").glob("*.md")):
        first = next(
            (line for line in path.read_text().splitlines() if line.startswith("# ")), None
        )
        titles[path.name] = first[2:].strip() if first else path.stem
    return titles


def pages(root: Path = CHECKOUT) -> dict[Path, str]:
    """Every generated page (path relative to `root`) with its content."""
    out: dict[Path, str] = {}
    summaries = {}
    for name, (_cls, documented) in registry().items():
        stem = resource_page.snippet_name(name)
        snippet_path = f"examples/snippets/{stem}.py"
        snippet_file = root / snippet_path
        if not snippet_file.is_file():
            raise FileNotFoundError(
                f"{name} has no example: write {snippet_path} (a minimal program declaring it)"
            )
        out[Path("docs/resources") / f"{stem}.md"] = resource_page.render(
            name, documented, snippet_file.read_text(), snippet_path
        )
        about = documented.schema.about
        summaries[name] = (f"{stem}.md", about.summary if about else "")
    out[Path("docs/index.md")] = index_page.render(summaries, guide_titles(root))
    readme = root / "README.md"
    if readme.is_file():
        table = index_page.resources_table(summaries, prefix="docs/resources/")
        out[Path("README.md")] = replace_block(readme.read_text(), "resources", table)
    contributing = root / "CONTRIBUTING.md"
    if contributing.is_file() and (root / "pulumi_sonicha").is_dir():
        out[Path("CONTRIBUTING.md")] = replace_block(
            contributing.read_text(), "layout", layout.layout_table(root)
        )
    simulator = root / "docs" / "simulator.md"
    if simulator.is_file():
        text = replace_block(
            simulator.read_text(), "endpoints", simulator_page.endpoints_table(root)
        )
        if "<!-- docsgen:rules -->" in text:
            text = replace_block(text, "rules", simulator_page.rules_table())
        out[Path("docs/simulator.md")] = text
    return out


def replace_block(text: str, name: str, content: str) -> str:
    """`text` with what stands between `<!-- docsgen:NAME -->` and its closing marker
    replaced by `content` (the README's generated parts)."""
    start, end = f"<!-- docsgen:{name} -->", f"<!-- /docsgen:{name} -->"
    if start not in text or end not in text:
        raise ValueError(f"the markers {start} ... {end} are missing")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}\n{end}{tail}"


def differences(root: Path = CHECKOUT) -> list[str]:
    """The generated files whose committed copy differs (or is missing), and resource
    pages left behind by a class that is gone."""
    generated = pages(root)
    wrong = [
        str(path)
        for path, text in generated.items()
        if not (root / path).is_file() or (root / path).read_text() != text
    ]
    for stale in sorted((root / "docs" / "resources").glob("*.md")):
        if stale.relative_to(root) not in generated:
            wrong.append(f"{stale.relative_to(root)} (no such resource: delete it)")
    return wrong


def write(root: Path = CHECKOUT) -> list[Path]:
    """Write every generated page; returns those that changed."""
    changed = []
    for path, text in pages(root).items():
        target = root / path
        if not target.is_file() or target.read_text() != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            changed.append(path)
    return changed
