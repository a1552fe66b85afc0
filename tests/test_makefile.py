"""The Makefile's corpus target: built once, then rebuilt only when one of its sources changed.

`make test`, `make bench` and `make notebooks` all depend on the corpus; a prerequisite that is
no file (a phony check) would typeset it again on every run. In the checkout, after `make test`
built the corpus, `make -q corpus` must be true. In a copy of the Makefile and the corpus sources
(the builder replaced by ``true``, so that no PDF is typeset), each kind of source makes it stale
when it changes, and nothing else does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAMP = Path("corpus/pdfs/.built")
OUTPUTS = ("pdfs", "published", "variants", "scanned", "real", "__pycache__")


def make(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=cwd, capture_output=True, text=True)


def test_make_q_corpus_is_true_in_the_checkout_after_make_built_it() -> None:
    assert (ROOT / STAMP).exists(), "the corpus was not built by make: run `make test`, which builds it first"
    # The venv that runs these tests is the one make would check (`make test VENV=…` runs pytest there).
    venv = [f"VENV={sys.prefix}"] if sys.prefix != sys.base_prefix else []
    proc = make("-q", "corpus", *venv, cwd=ROOT)
    if proc.returncode != 0:
        why = make("-n", "--debug=b", "corpus", *venv, cwd=ROOT).stdout
        reasons = [line.strip() for line in why.splitlines() if "newer" in line or "does not exist" in line]
        pytest.fail(f"make would typeset the corpus again: {reasons or why}")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, list[str]]:
    """The Makefile and the corpus sources in a temporary folder, every file dated 100 s ago, with
    stand-ins for the venv stamp and the three fonts; returns (folder, make's variables)."""
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus", ignore=shutil.ignore_patterns(*OUTPUTS))
    (tmp_path / "corpus" / "pdfs").mkdir()  # where the real builder writes (and make's stamp goes)
    for name in ("venv/.installed", "fonts/ipaexg.ttf", "fonts/ipaexm.ttf", "fonts/migmix-2p-bold.ttf"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    past = time.time() - 100
    for path in tmp_path.rglob("*"):
        os.utime(path, (past, past))
    variables = ["PY=true", "VENV=venv", "PLANEX_FONT=fonts/ipaexg.ttf",
                 "FONTS_PUBLISHED=fonts/ipaexm.ttf fonts/migmix-2p-bold.ttf"]  # fmt: skip
    return tmp_path, variables


def build(folder: Path, variables: list[str]) -> None:
    done = make("corpus", *variables, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert (folder / STAMP).exists()


def test_after_a_build_the_corpus_is_up_to_date(project: tuple[Path, list[str]]) -> None:
    folder, variables = project
    assert make("-q", "corpus", *variables, cwd=folder).returncode == 1  # never built
    build(folder, variables)
    assert make("-q", "corpus", *variables, cwd=folder).returncode == 0
    built = (folder / STAMP).stat().st_mtime_ns
    assert make("corpus", *variables, cwd=folder).returncode == 0
    assert (folder / STAMP).stat().st_mtime_ns == built  # the builder did not run again


@pytest.mark.parametrize(
    "source",
    [
        "corpus/texts/kyoukai-kenpo_r3_branch-plans.txt",
        "corpus/manifest.toml",
        "corpus/build.py",
        "corpus/scanned.py",
        "corpus/producers/published/tables.py",  # a module of the builder in a subfolder, added later
        "fonts/ipaexg.ttf",  # PLANEX_FONT stands for IPAexGothic
        "fonts/migmix-2p-bold.ttf",
        "venv/.installed",
    ],
)
def test_a_changed_source_makes_the_corpus_stale(project: tuple[Path, list[str]], source: str) -> None:
    folder, variables = project
    path = folder / source
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    build(folder, variables)
    assert make("-q", "corpus", *variables, cwd=folder).returncode == 0
    future = time.time() + 100
    os.utime(path, (future, future))
    assert make("-q", "corpus", *variables, cwd=folder).returncode == 1
    built = (folder / STAMP).stat().st_mtime_ns
    build(folder, variables)
    assert (folder / STAMP).stat().st_mtime_ns > built  # the builder ran


@pytest.mark.parametrize("other", ["corpus/README.md", "corpus/texts/README.md", "README.md"])
def test_a_file_the_builder_does_not_read_leaves_it_up_to_date(
    project: tuple[Path, list[str]], other: str
) -> None:
    folder, variables = project
    build(folder, variables)
    path = folder / other
    path.touch()
    future = time.time() + 100
    os.utime(path, (future, future))
    assert make("-q", "corpus", *variables, cwd=folder).returncode == 0
