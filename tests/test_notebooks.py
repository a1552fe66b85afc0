"""The analyst notebooks in notebooks/: stored without outputs, and each runs top to bottom on the
corpus database (the session's fixture, passed in ``PLANEX_DB``) with Japanese that renders.

A kernel is this interpreter (the project's virtual environment) started through ipykernel, so the
notebooks import the ``extract`` under test. Japanese drawn in a font without it comes out as
boxes, and matplotlib says so with a warning ("Glyph 12354 (...) missing from font(s) DejaVu
Sans") in the cell's output: no output may carry one.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
NAMES = ["kpi_targets_by_branch", "measure_phrasing", "datahealth_targets_over_years"]
KERNEL = "planex-test"
MISSING_GLYPH = re.compile(r"Glyph \d+ .*missing from (current )?font|findfont: Font family .* not found")


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """A kernel spec that runs this very interpreter, whatever kernels the machine has installed."""
    folder = tmp_path_factory.mktemp("kernels") / KERNEL
    folder.mkdir()
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "planex test",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(folder.parent)], ensure_native_kernel=False)


def execute(nb: nbformat.NotebookNode, specs: KernelSpecManager, db: Path) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel started in notebooks/; fail the test on a cell's error."""
    km = AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
    client = NotebookClient(
        nb, km=km, timeout=120, kernel_name=KERNEL, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    try:
        client.execute(env={**os.environ, "PLANEX_DB": str(db)})
    except CellExecutionError as exc:
        pytest.fail(f"a cell failed:\n{exc}")
    return nb


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def texts(out: dict) -> list[str]:
    """What an output shows as text: a stream, an error, or a result's plain / HTML form."""
    if out["output_type"] == "stream":
        return [out["text"]]
    if out["output_type"] == "error":
        return ["\n".join(out["traceback"])]
    data = out.get("data", {})
    return [data[k] for k in ("text/plain", "text/html") if k in data]


def missing_glyphs(nb: nbformat.NotebookNode) -> list[str]:
    return [line for out in outputs(nb) for text in texts(out) for line in text.splitlines()
            if MISSING_GLYPH.search(line)]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code), (
        f"{name}.ipynb is stored with outputs: clear them before committing (notebooks/README.md)"
    )
    assert not [cell.id for cell in nb.cells if "execution" in cell.metadata], "execution timestamps stored"


@pytest.mark.parametrize("name", NAMES)
def test_runs_top_to_bottom(name: str, db_path: Path, kernel_specs: KernelSpecManager) -> None:
    nb = execute(nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4), kernel_specs, db_path)
    assert not [out for out in outputs(nb) if out["output_type"] == "error"]
    assert not missing_glyphs(nb), "Japanese drawn as boxes:\n" + "\n".join(missing_glyphs(nb))
    assert any("image/png" in out.get("data", {}) for out in outputs(nb)), "no chart was drawn"
    first = "".join(texts(outputs(nb)[0]))
    assert f"database {db_path}" in first  # the notebook read PLANEX_DB, not its default


def test_builds_a_missing_database(
    tmp_path: Path, corpus_pdfs: Path, kernel_specs: KernelSpecManager
) -> None:
    """With no database at PLANEX_DB, the first cell loads the corpus into one."""
    nb = nbformat.read(NOTEBOOKS / f"{NAMES[0]}.ipynb", as_version=4)
    nb.cells = [cell for cell in nb.cells if cell.cell_type == "code"][:1]
    db = tmp_path / "new.db"
    execute(nb, kernel_specs, db)
    assert "built " in "".join(texts(outputs(nb)[0]))
    from extract import store

    database = store.open_db(db)
    assert database["plans"].count == 47  # the nine corpus documents: 40 branch plans, 7 others
    database.close()


def test_boxes_are_detected(tmp_path: Path, kernel_specs: KernelSpecManager) -> None:
    """The check above is not vacuous: Japanese drawn without the font set up is caught."""
    cell = nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\n"
        "plt.rcParams['font.family'] = 'DejaVu Sans'\n"
        "fig, ax = plt.subplots()\n"
        "ax.set_title('目標値')\n"
        "plt.show()"
    )
    nb = execute(nbformat.v4.new_notebook(cells=[cell]), kernel_specs, tmp_path / "unused.db")
    assert missing_glyphs(nb)
