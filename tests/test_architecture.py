"""The shape of the pipeline, read from the source: data flows one way through the stage packages.

Every module's imports are read with ``ast`` -- at the top, inside functions, under
``TYPE_CHECKING`` alike: an import hidden in a function is still a dependency -- and checked
against the order of the stages (docs/internals.md, "The stages"):

    read < structure < records < pipeline < store < use < evaluate < cli

A module may import its own stage and earlier ones, never a later one; ``schemas`` (the record
types) may be imported by all and imports nothing of ``extract``; ``extract/__init__.py`` only
holds the version. Nothing in planex imports ``evaluate`` (the tests and the bench do). There is
no import cycle, and no module is over 500 lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

STAGES = ("read", "structure", "records", "pipeline", "store", "use", "evaluate", "cli")
MAX_LINES = 500
PACKAGES = ("extract", "schemas")


def module_files() -> dict[str, Path]:
    """Every module of planex by dotted name (a package by its own name, for its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = module_files()


def imported_modules(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The planex modules that the module ``name`` imports, wherever in its code the import is.

    ``from extract.store import schema`` imports the module ``extract.store.schema``; ``from
    extract import __version__`` imports ``extract``. Relative imports are resolved."""
    found = set()
    here = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m.split(".")[0] in PACKAGES}


def rank(module: str) -> float:
    """Where a module stands in the flow: schemas first, the package root next, then the stages."""
    parts = module.split(".")
    if parts[0] == "schemas":
        return -2
    if parts == ["extract"]:
        return -1
    return STAGES.index(parts[1])


def graph(modules: dict[str, Path] = MODULES) -> dict[str, set[str]]:
    """Each module and the planex modules it imports."""
    edges = {}
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        edges[name] = imported_modules(source, name, path.name == "__init__.py", set(modules)) - {name}
    return edges


def later_imports(edges: dict[str, set[str]]) -> list[str]:
    """``module -> imported`` for every import of a later stage (or of ``extract`` by ``schemas``)."""
    return sorted(f"{m} -> {i}" for m, imported in edges.items() for i in imported if rank(i) > rank(m))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_module_is_in_a_stage() -> None:
    """No module outside the stage packages (and pipeline.py): the layout shows the flow."""
    stray = [m for m in MODULES if m.startswith("extract.") and m.split(".")[1] not in STAGES]
    assert stray == []
    assert all((ROOT / "extract" / s / "__init__.py").exists() for s in STAGES if s != "pipeline")


def test_no_stage_imports_a_later_one() -> None:
    assert later_imports(graph()) == []


def test_the_package_root_and_the_record_types_import_no_stage() -> None:
    edges = graph()
    assert {i for m, imported in edges.items() if m.startswith("schemas") for i in imported
            if i.startswith("extract")} == set()  # fmt: skip
    assert edges["extract"] == set()


def test_nothing_in_planex_imports_evaluate() -> None:
    users = {m for m, imported in graph().items() for i in imported
             if i.startswith("extract.evaluate") and not m.startswith("extract.evaluate")}  # fmt: skip
    assert users == set()


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_500_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(ROOT)}: {lines} lines"


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "pipeline"])
def test_each_stage_package_says_what_comes_in_and_goes_out(stage: str) -> None:
    """The first paragraph of the package's docstring: two lines, what comes in and what goes out."""
    doc = ast.get_docstring(ast.parse((ROOT / "extract" / stage / "__init__.py").read_text(encoding="utf-8")))
    assert doc, f"extract/{stage}/__init__.py has no docstring"
    first = doc.split("\n\n")[0].splitlines()
    assert len(first) == 2, first
    assert re.search(r"\bin\b", " ".join(first)) and re.search(r"\bout\b", " ".join(first)), first


# --- the checks themselves see what they must -------------------------------------------------------


def test_an_import_inside_a_function_or_for_type_checking_counts() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from extract.pipeline import DocumentReading\n"
        "def rows():\n    from extract.use import search\n    import extract.cli\n"
        "from . import layout\n"
        "from extract.store import schema, open_db\n"
    )
    known = {"extract.use.search", "extract.read.layout", "extract.store.schema"}
    found = imported_modules(source, "extract.read.pdf", False, known)
    assert found == {"extract.pipeline", "extract.use.search", "extract.cli", "extract.read.layout",
                     "extract.store.schema", "extract.store"}  # fmt: skip
    assert later_imports({"extract.read.pdf": found}) == [
        "extract.read.pdf -> extract.cli", "extract.read.pdf -> extract.pipeline",
        "extract.read.pdf -> extract.store", "extract.read.pdf -> extract.store.schema",
        "extract.read.pdf -> extract.use.search",
    ]  # fmt: skip


def test_a_cycle_through_a_function_import_is_found() -> None:
    """store.document_rows once imported the structure stage inside the function, and the search
    index imported the store inside two functions: a cycle the top of the files did not show."""
    edges = {
        "extract.store.writer": {"extract.store.search_index"},
        "extract.store.search_index": {"extract.store.writer", "extract.store.bigrams"},
        "extract.store.bigrams": set(),
    }
    assert cycles(edges) == [["extract.store.search_index", "extract.store.writer"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
