"""The documentation stays true to the code and to itself.

docs/commands.md is written from the command line by docs/commands.py (``make docs``): a changed
help text or option that was not written out again fails here. Every relative link of the README
and of docs/ must reach a file of the repository and, with an anchor, a heading of that file, as
GitHub makes anchors from headings.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def commands_module():
    spec = importlib.util.spec_from_file_location("docs_commands", ROOT / "docs" / "commands.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_is_written_from_the_cli(tmp_path):
    written = tmp_path / "commands.md"
    written.write_text(commands_module().render(), encoding="utf-8")
    committed = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert written.read_text(encoding="utf-8") == committed, (
        "docs/commands.md differs from the command line: run `make docs`"
    )


def test_command_reference_lists_every_command_and_option():
    """The generator walks the whole tree: a nested command and an option of each are on the page."""
    page = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for command in ("planex load", "planex search", "planex kpis remap", "planex export kpis"):
        assert f"#{'#' * command.count(' ')} `{command}`\n" in page
    for option in ("| `--ocr` |", "| `--by ", "| `--builtin` |", "| `--wide` |"):
        assert option in page
    assert "| `--help` |" not in page  # every command has it: said once, not in every table


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: inline markup dropped, lower case, punctuation removed,
    spaces turned into hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor GitHub gives the headings of a Markdown file (a repeated one gets -1, -2 …)."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def links(page: Path) -> list[str]:
    """The targets of a page's inline links, leaving code blocks and code spans aside."""
    text = CODE_SPAN.sub("", FENCE.sub("", page.read_text(encoding="utf-8")))
    return LINK.findall(text)


def test_slug_follows_github():
    assert slug("How targets are found") == "how-targets-are-found"
    assert slug("Scanned plans (OCR)") == "scanned-plans-ocr"
    assert slug("Moved in 0.5.0") == "moved-in-050"
    assert slug("`planex export health-issues`") == "planex-export-health-issues"
    assert slug("What `make bench` runs") == "what-make-bench-runs"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_reach_a_file_and_a_heading(page):
    broken = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / unquote(path)).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and unquote(anchor) not in anchors(file):
            broken.append(f"{target}: no heading with that anchor in {file.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_readme_starts_with_the_two_commands_and_links_every_docs_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    title, first, *_ = readme.split("\n\n")
    assert title == "# planex"
    assert first.startswith("```") and "make demo" in first and "make test" in first, first
    targets = {target.partition("#")[0] for target in links(ROOT / "README.md")}
    for page in sorted((ROOT / "docs").glob("*.md")):
        if page.name != "README.md":
            assert f"docs/{page.name}" in targets, f"the README does not link docs/{page.name}"
