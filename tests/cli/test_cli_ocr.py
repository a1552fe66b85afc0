"""``planex load --ocr`` end to end, in a subprocess: scans loaded by OCR, the hint without it, and
the usage error on a machine without Tesseract."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import CORPUS, ROOT

SCAN = CORPUS / "scanned" / "tokyo-ishikokuho-tokutei-kenshin-plan-scan.pdf"  # a typeset page, a scan


def planex(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, env=env)  # fmt: skip


def test_without_ocr_a_scan_loads_as_before_and_the_hint_names_ocr(corpus_pdfs, tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    shutil.copy(CORPUS / "scanned" / "chikyosai-oita-datahealth-plan-scan.pdf", scans)
    done = planex("load", str(scans), "--db", str(tmp_path / "a.db"), "--json")
    assert done.returncode == 0, done.stderr
    (line, _) = [json.loads(x) for x in done.stdout.splitlines()]
    assert line["outcome"] == "no_text" and "--ocr" in line["message"] and line["ocr_pages"] == 0


def test_load_with_ocr_reads_the_scanned_page_and_only_it(corpus_pdfs, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    first = planex("load", str(SCAN), "--db", str(db), "--json")  # without --ocr first
    assert first.returncode == 0, first.stderr
    done = planex("load", str(SCAN), "--db", str(db), "--json", "--ocr", "--workers", "1")
    assert done.returncode == 0, done.stderr
    file_line, summary = [json.loads(x) for x in done.stdout.splitlines()]
    assert file_line["outcome"] == "loaded" and file_line["ocr_pages"] == 1  # read again, with OCR
    assert summary["ocr_pages"] == 1
    conn = sqlite3.connect(db)
    sql = "select page_no, quality, reader, ocr_confidence from pages order by page_no"
    pages = conn.execute(sql).fetchall()
    assert pages[0] == (1, "ok", "pymupdf", None)
    assert pages[1][1:3] == ("ocr", "tesseract") and 0 < pages[1][3] <= 100
    assert conn.execute("select text_quality, ocr from documents").fetchone() == ("mixed", 1)
    kpis = conn.execute("select page, ocr from kpis").fetchall()
    assert kpis and all(ocr == (page == 2) for page, ocr in kpis)  # users filter on it
    again = planex("load", str(SCAN), "--db", str(db), "--json", "--ocr")
    assert json.loads(again.stdout.splitlines()[0])["outcome"] == "unchanged"
    plain = planex("load", str(SCAN), "--db", str(db), "--json")  # without --ocr: what OCR read stays
    assert json.loads(plain.stdout.splitlines()[0])["outcome"] == "unchanged"


def test_ocr_without_tesseract_is_a_usage_error_naming_the_packages(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # no tesseract on the PATH
    done = planex("load", str(SCAN), "--db", str(tmp_path / "a.db"), "--ocr", env=env)
    assert done.returncode == 2
    assert "tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert" in done.stderr
    assert "Traceback" not in done.stderr


def test_ocr_without_the_japanese_model_is_a_usage_error(tmp_path: Path) -> None:
    env = {**os.environ, "TESSDATA_PREFIX": str(tmp_path)}  # Tesseract, but no models there
    done = planex("load", str(SCAN), "--db", str(tmp_path / "a.db"), "--ocr", env=env)
    assert done.returncode == 2 and "tesseract-ocr-jpn" in done.stderr and "jpn.traineddata" in done.stderr


def _gated_tesseract(folder: Path) -> tuple[Path, Path, Path]:
    """A ``tesseract`` to put first on the PATH: the real one, except that an OCR run first marks
    ``asked`` and then waits until ``gate`` exists. The test decides when Tesseract may read."""
    real = shutil.which("tesseract")
    assert real is not None
    bin_dir, asked, gate = folder / "bin", folder / "asked", folder / "gate"
    bin_dir.mkdir()
    script = bin_dir / "tesseract"
    script.write_text(f"""#!/bin/sh
case "$1" in --*) exec "{real}" "$@";; esac
touch "{asked}"
while [ ! -e "{gate}" ]; do sleep 0.05; done
exec "{real}" "$@"
""")
    script.chmod(0o755)
    return bin_dir, asked, gate


def test_the_timeout_grows_with_the_pages_to_ocr_and_the_bar_counts_them(corpus_pdfs, tmp_path: Path) -> None:
    """A file is given ``--timeout`` seconds, and more for each page it has to OCR: with OCR held
    back by the test until well past the timeout (the worker has said how many pages it has to
    OCR before its first Tesseract run), the file is not given up, and its two pages are read.
    Reading the scan up to its OCR takes milliseconds: the 2 s timeout is hundreds of times that."""
    scan = CORPUS / "scanned" / "chikyosai-oita-datahealth-plan-scan.pdf"  # 2 pages to OCR
    bin_dir, asked, gate = _gated_tesseract(tmp_path)
    env = {**os.environ, "COLUMNS": "200", "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    command = [sys.executable, "-m", "extract.cli", "load", str(scan), "--db", str(tmp_path / "a.db"),
               "--ocr", "--timeout", "2"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)  # fmt: skip
    try:
        deadline = time.monotonic() + 300  # a guard against a hang, no measure: it is never reached
        while not asked.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the load ended or never began"
            time.sleep(0.05)
        time.sleep(5)  # the file stays on its first OCR page for 2 s + 3 s: past the timeout, for sure
        gate.touch()
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert "failed: timeout" not in stdout and "gave up" not in stdout
    assert "2 pages OCR'd" in stderr  # the progress bar
    assert "2 of them by OCR" in stdout  # the summary
