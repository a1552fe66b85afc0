"""The bulk loader on real files: good and bad ones mixed, reruns, --force, timeouts, kills."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pymupdf
import pytest
import sqlite_utils

from extract import __version__, store
from extract.store import search_tables
from extract.use.loader import UsageError, discover, load
from tests import faults
from tests.conftest import read_whole


def _counts(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("documents", "pages", "lines", "load_errors", "plans", "sections", "kpis",
                          "programs", "health_issues", "search_sentences")}  # fmt: skip
    finally:
        conn.close()


def _errors(db_path: Path) -> dict[str, str]:
    conn = sqlite3.connect(db_path)
    try:
        return dict(conn.execute("select file_name, kind from load_errors").fetchall())
    finally:
        conn.close()


def _scan_pdf(path: Path) -> None:
    """A 'scanned' PDF: one page with an image and no text at all."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.set_rect(pix.irect, (200, 200, 200))
    page.insert_image(page.rect, pixmap=pix)
    doc.save(path)


@pytest.fixture
def mixed_folder(tmp_path: Path, corpus_pdfs: Path, real_dir: Path) -> Path:
    folder = tmp_path / "downloads"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(corpus_pdfs / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf", folder / "tokyo.pdf")
    shutil.copy(corpus_pdfs / "like-kenpo-datahealth-plan-step-format.pdf", folder / "sub" / "like.PDF")
    for name in ("password-example.pdf", "empty.pdf", "vertical.pdf", "90ms_rksj_h_sample.pdf"):
        shutil.copy(real_dir / name, folder / name)
    (folder / "sub" / "error-page.pdf").write_text("<html><body>404 Not Found</body></html>")
    _scan_pdf(folder / "sub" / "scan.pdf")
    data = (corpus_pdfs / "chikyosai-oita-datahealth-plan-3rd.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(data[:2000])
    (folder / "notes.txt").write_text("not a pdf and not named like one")
    return folder


def test_discover_finds_pdfs_recursively_in_any_case(mixed_folder: Path) -> None:
    names = {p.name for p in discover([mixed_folder])}
    assert "like.PDF" in names and "scan.pdf" in names
    assert "notes.txt" not in names


def test_discover_rejects_missing_paths(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        discover([tmp_path / "nope"])


def test_mixed_folder_loads_good_files_and_records_each_bad_one(mixed_folder: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "plans.db"
    summary = load([mixed_folder], db_path, workers=2)
    assert _errors(db_path) == {
        "password-example.pdf": "encrypted",
        "empty.pdf": "empty",
        "error-page.pdf": "not_pdf",
        "scan.pdf": "no_text",
        "truncated.pdf": "truncated",  # cut inside its embedded font: nothing left
    }
    assert summary.loaded == 4
    assert dict(summary.failed) == {"encrypted": 1, "empty": 1, "not_pdf": 1, "no_text": 1, "truncated": 1}
    conn = sqlite3.connect(db_path)
    names = {r[0] for r in conn.execute("select file_name from documents")}
    assert {"tokyo.pdf", "like.PDF", "vertical.pdf", "90ms_rksj_h_sample.pdf"} <= names
    # every error row carries what a user needs to find and understand the file
    for row in conn.execute("select file_name, path, sha256, kind, message, at from load_errors"):
        assert all(row[i] for i in (0, 1, 3, 4, 5)), row
        assert Path(row[1]).exists()
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_loading_twice_changes_nothing_and_force_reloads(mixed_folder: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "plans.db"
    load([mixed_folder], db_path, workers=2)
    first = _counts(db_path)
    conn = sqlite3.connect(db_path)
    loaded_at = dict(conn.execute("select id, loaded_at from documents").fetchall())
    conn.close()
    assert all(stamp > "2000-01-01T00:00:00+00:00" for stamp in loaded_at.values())
    again = load([mixed_folder], db_path, workers=2)
    assert again.loaded == 0 and again.unchanged == 5  # 4 loaded + the scan stored as no_text
    assert _counts(db_path) == first
    conn = sqlite3.connect(db_path)  # as if loaded long ago: a reload must stamp its own time
    conn.execute("update documents set loaded_at = '2000-01-01T00:00:00+00:00'")
    conn.commit()
    conn.close()
    before = store.now()
    forced = load([mixed_folder], db_path, workers=2, force=True)
    assert forced.loaded == 4
    assert _counts(db_path) == first
    conn = sqlite3.connect(db_path)
    reloaded = dict(conn.execute("select id, loaded_at from documents").fetchall())
    conn.close()
    assert reloaded.keys() == loaded_at.keys()
    assert all(reloaded[i] >= before for i in reloaded)  # stamped again with the time of the reload


def test_files_that_failed_are_not_read_again_unless_forced(mixed_folder: Path, tmp_path: Path) -> None:
    """A rerun of the same planex on the same folder does not read again the files whose bytes
    failed (encrypted, empty, not a PDF, cut short): they would fail the same way. Their error rows
    stay; --force reads them again; an error recorded by another planex version is tried again."""
    db_path = tmp_path / "plans.db"
    load([mixed_folder], db_path, workers=1)
    errors = _errors(db_path)
    outcomes: dict[str, str] = {}
    again = load([mixed_folder], db_path, workers=1,
                 progress=lambda o: outcomes.update({o.path.name: o.outcome}))  # fmt: skip
    assert (again.failed_before, again.failed_total, again.loaded) == (4, 0, 0)
    assert {name for name, outcome in outcomes.items() if outcome == "failed_before"} == {
        "password-example.pdf", "empty.pdf", "error-page.pdf", "truncated.pdf"}  # fmt: skip
    assert _errors(db_path) == errors
    conn = sqlite3.connect(db_path)
    conn.execute("update load_errors set planex_version = '0.1.0' where kind = 'encrypted'")
    conn.commit()
    conn.close()
    upgraded = load([mixed_folder], db_path, workers=1)
    assert (upgraded.failed_before, dict(upgraded.failed)) == (3, {"encrypted": 1})
    forced = load([mixed_folder], db_path, workers=1, force=True)
    assert forced.failed_before == 0
    assert dict(forced.failed) == {"encrypted": 1, "empty": 1, "not_pdf": 1, "no_text": 1, "truncated": 1}
    assert _errors(db_path) == errors


def test_a_document_loaded_by_another_version_is_read_again(mixed_folder: Path, tmp_path: Path) -> None:
    """Upgrading planex and loading the same folder re-reads what the old version stored (a newer
    version extracts more: programs came with 0.2.0); the current version's documents are skipped."""
    db_path = tmp_path / "plans.db"
    load([mixed_folder], db_path, workers=1)
    first = _counts(db_path)
    conn = sqlite3.connect(db_path)
    old = conn.execute("select id from documents where text_quality != 'no_text' limit 1").fetchone()[0]
    conn.execute("update documents set planex_version = '0.1.0' where id = ?", [old])
    conn.execute("delete from programs where doc_id = ?", [old])  # as 0.1.0 left it: no programs
    conn.commit()
    conn.close()
    again = load([mixed_folder], db_path, workers=1)
    assert (again.loaded, again.unchanged) == (1, 4)
    assert _counts(db_path) == first
    conn = sqlite3.connect(db_path)
    version = conn.execute("select planex_version from documents where id = ?", [old]).fetchone()[0]
    assert version == __version__
    conn.close()


def test_same_content_under_two_names_is_one_document(tmp_path: Path, corpus_pdfs: Path) -> None:
    src = corpus_pdfs / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf"
    for name in ("a.pdf", "b.pdf"):
        shutil.copy(src, tmp_path / name)
    summary = load([tmp_path / "a.pdf", tmp_path / "b.pdf"], tmp_path / "x.db", workers=2)
    assert (summary.loaded, summary.unchanged) == (1, 1)


def _stuck_pdf(path: Path, depth: int = 10, fan: int = 10) -> None:
    """A 3 KB PDF whose one page the reader never finishes: it draws a form that draws another
    form ten times, ten levels deep: 10¹⁰ strokes (10⁶ take about 5 s). Unlike a big file, whose
    reading time depends on the machine, this one is stuck whatever the machine."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((50, 80), "stuck", fontsize=12)  # text, so that it is no scan
    inner = doc.get_new_xref()
    doc.update_object(inner, "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] >>")
    doc.update_stream(inner, b"0 0 m 1 1 l S")
    for _ in range(depth):
        outer = doc.get_new_xref()
        doc.update_object(outer, "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                                 f"/Resources << /XObject << /X {inner} 0 R >> >> >>")  # fmt: skip
        doc.update_stream(outer, b" ".join([b"/X Do"] * fan))
        inner = outer
    kind, resources = doc.xref_get_key(page.xref, "Resources")
    assert kind == "xref"
    doc.xref_set_key(int(resources.split()[0]), "XObject", f"<< /B {inner} 0 R >>")
    draw = doc.get_new_xref()
    doc.update_object(draw, "<< >>")
    doc.update_stream(draw, b"q /B Do Q")
    _, contents = doc.xref_get_key(page.xref, "Contents")
    doc.xref_set_key(page.xref, "Contents", f"[{contents.strip('[]')} {draw} 0 R]")
    doc.save(path)


def _one_line_pdf(path: Path, text: str = "one line") -> None:
    """A page with one line of text: read in milliseconds, whatever the machine."""
    doc = pymupdf.open()
    doc.new_page(width=595, height=842).insert_text((50, 80), text, fontsize=12)
    doc.save(path)


def test_a_stuck_file_times_out_and_the_batch_goes_on(tmp_path: Path) -> None:
    """The stuck file never finishes, whatever the machine; the file after it is one line of
    text, read in milliseconds: the timeout (2 s) is hundreds of times what it needs."""
    stuck = tmp_path / "a-stuck.pdf"  # sorted before the small file: the worker meets it first
    _stuck_pdf(stuck)
    small = tmp_path / "b-small.pdf"
    _one_line_pdf(small)
    db_path = tmp_path / "t.db"
    outcomes: list = []
    summary = load([stuck, small], db_path, workers=1, timeout=2.0, progress=outcomes.append)
    assert summary.failed["timeout"] == 1 and summary.loaded == 1
    assert _errors(db_path) == {stuck.name: "timeout"}
    assert [(o.path.name, o.outcome) for o in outcomes] == [(stuck.name, "timeout"), (small.name, "loaded")]
    assert outcomes[0].message == "gave up after 2 s"
    # the replacement worker went on with the next file; a second run tries the stuck one again
    summary = load([stuck, small], db_path, workers=1, timeout=2.0)
    assert (summary.failed["timeout"], summary.unchanged) == (1, 1)
    assert _errors(db_path) == {stuck.name: "timeout"}


def test_a_worker_killed_in_the_middle_of_a_file_costs_only_that_file(tmp_path: Path) -> None:
    """A worker that dies while it reads a file (killed for memory, a crash in the PDF library):
    that file is recorded as the reader's crash, a new worker reads the files after it, and a
    rerun reads the file again. The worker is killed as the loader reports it started the stuck
    file, which it can never finish: the kill lands in the middle of that file, by construction."""
    folder = tmp_path / "files"
    folder.mkdir()
    _one_line_pdf(folder / "a.pdf", "first")
    _stuck_pdf(folder / "b-stuck.pdf")
    _one_line_pdf(folder / "c.pdf", "last")
    killed: list[int] = []
    started: list[str] = []

    def kill_on_the_stuck_file(path: Path, pid: int) -> None:
        started.append(path.name)
        if path.name == "b-stuck.pdf":
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    db_path = tmp_path / "k.db"
    summary = load([folder], db_path, workers=1, timeout=300, on_start=kill_on_the_stuck_file)
    assert started == ["a.pdf", "b-stuck.pdf", "c.pdf"] and len(killed) == 1
    assert (summary.loaded, dict(summary.failed)) == (2, {"malformed": 1})
    conn = sqlite3.connect(db_path)
    [(name, kind, message)] = conn.execute("select file_name, kind, message from load_errors").fetchall()
    documents = {r[0] for r in conn.execute("select file_name from documents")}
    conn.close()
    assert (name, kind) == ("b-stuck.pdf", "malformed")
    assert message == f"{store.CRASHED} (exit code -{int(signal.SIGKILL)})"
    assert documents == {"a.pdf", "c.pdf"}
    again = load([folder], db_path, workers=1, timeout=300, on_start=kill_on_the_stuck_file)
    assert started[3:] == ["b-stuck.pdf"] and len(killed) == 2  # a crash is tried again, not skipped
    assert (again.unchanged, dict(again.failed)) == (2, {"malformed": 1})


@pytest.mark.parametrize(
    ("reader", "stage", "error"),
    [(faults.read_with_failing_structure, "structure", faults.STRUCTURE_BUG),
     (faults.read_with_failing_records, "records", faults.RECORDS_BUG)],
    ids=["structure", "records"],
)  # fmt: skip
def test_a_stage_that_fails_in_the_worker_is_stored_as_partial(
    tmp_path: Path, corpus_pdfs: Path, reader, stage: str, error: Exception
) -> None:
    """A later stage raising on a file in a worker (tests/faults.py: the real pipeline with one
    stage broken) costs what that stage reads: the document is stored with its pages and lines
    (and, when the records fail, the plan and its sections), recorded as ``partial`` with the
    stage and the exception, and counted as failed."""
    path = corpus_pdfs / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf"
    db_path = tmp_path / "p.db"
    outcomes: list = []
    summary = load([path], db_path, workers=1, reader=reader, progress=outcomes.append)
    assert (summary.loaded, dict(summary.failed)) == (0, {"partial": 1})
    assert [o.outcome for o in outcomes] == ["partial"]
    counts = _counts(db_path)
    assert counts["documents"] == 1 and counts["pages"] == 13 and counts["lines"] > 100
    assert (counts["kpis"], counts["programs"]) == (0, 0)
    assert (counts["plans"], counts["sections"] > 0) == ((0, False) if stage == "structure" else (1, True))
    conn = sqlite3.connect(db_path)
    [(kind, message)] = conn.execute("select kind, message from load_errors").fetchall()
    conn.close()
    assert kind == "partial" and outcomes[0].message == message
    assert f"the {stage} stage failed" in message and f"{type(error).__name__}: {error}" in message
    assert message.endswith("its pages and lines are stored; please report it")


def test_write_is_one_transaction(tmp_path: Path, corpus_pdfs: Path) -> None:
    db = store.open_db(tmp_path / "t.db")
    reading = read_whole((corpus_pdfs / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf").read_bytes())
    broken = store.document_rows(reading)
    _, lines = broken.tables[store.LINES]
    lines[-1] = (*lines[-1][:5], "not a number", *lines[-1][6:])  # x0 of the last line: fails mid-write
    db[store.LINES].transform(types={"x0": float})
    db.execute("create trigger no_strings before insert on lines when typeof(new.x0) = 'text' "
               "begin select raise(abort, 'bad x0'); end")  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError):
        store.write_document(db, broken, tmp_path / "x.pdf")
    assert db[store.DOCUMENTS].count == 0 and db[store.PAGES].count == 0 and db[store.LINES].count == 0
    store.write_document(db, reading, tmp_path / "x.pdf")
    assert db[store.DOCUMENTS].count == 1


def _planex(*args: str) -> list[str]:
    return [sys.executable, "-m", "extract.cli", *args]


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> tuple[Path, Path]:
    """Five distinct copies of a plan (different bytes: each is a document of its own), and the
    database they give loaded in one go."""
    folder = tmp_path_factory.mktemp("copies")
    base = pymupdf.open(corpus_pdfs / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf")
    for i in range(5):
        base.set_metadata({"title": f"copy {i}"})
        base.save(folder / f"copy{i:02d}.pdf")
    clean_db = tmp_path_factory.mktemp("clean") / "clean.db"
    load([folder], clean_db, workers=1)
    return folder, clean_db


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_an_interrupted_load_resumes_to_the_same_database(
    tmp_path: Path, copies: tuple[Path, Path], how: signal.Signals
) -> None:
    """``planex load`` killed (or given Ctrl-C) in the middle of a batch keeps the documents it
    wrote, each whole, and a second run gives the database an uninterrupted load gives. The
    interruption is at a known point: one worker reads the files in order and the fourth never
    finishes (a stuck file), so the load is cut once three documents are stored, never later."""
    folder = tmp_path / "many"
    shutil.copytree(copies[0], folder)
    stuck = folder / "copy02x-stuck.pdf"  # sorted after copy02.pdf: the fourth file
    _stuck_pdf(stuck)
    cut_db = tmp_path / "cut.db"
    proc = subprocess.Popen(_planex("load", str(folder), "--db", str(cut_db), "-w", "1", "-q"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    family: list[psutil.Process] = []  # the fork server and the worker
    try:
        deadline = time.monotonic() + 300  # a guard against a hang, no measure: it is never reached
        while _stored_documents(cut_db) < 3:
            assert proc.poll() is None and time.monotonic() < deadline, "the load ended or never began"
            time.sleep(0.05)
        family = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(how)
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            family = family or psutil.Process(proc.pid).children(recursive=True)
            proc.kill()
            proc.wait()
        for process in family:  # left alone, a worker would read the stuck file for hours
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
    assert _counts(cut_db)["documents"] == 3
    if how == signal.SIGINT:
        assert code == 130
    # every stored document is whole
    conn = sqlite3.connect(cut_db)
    pages = conn.execute("select d.pages, count(p.page_no) from documents d join pages p on p.doc_id = d.id "
                         "group by d.id").fetchall()  # fmt: skip
    conn.close()
    assert len(pages) == 3 and all(expected == found for expected, found in pages)
    stuck.unlink()  # the rest of the batch
    subprocess.run(_planex("load", str(folder), "--db", str(cut_db), "-q"), check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    assert _counts(cut_db) == _counts(copies[1])


def _stored_documents(db_path: Path) -> int:
    """Documents a load running in another process has committed so far."""
    if not db_path.exists():
        return 0
    try:
        return _counts(db_path)["documents"]
    except sqlite3.OperationalError:  # the tables are not there yet
        return 0


@pytest.mark.skipif(os.cpu_count() == 1, reason="needs two cores to run two workers")
def test_two_workers_give_the_same_database_as_one(mixed_folder: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    load([mixed_folder], one, workers=1)
    load([mixed_folder], two, workers=2)
    assert _counts(one) == _counts(two)


def test_damaged_downloads_keep_what_can_be_read(tmp_path: Path, corpus_pdfs: Path) -> None:
    """In one batch: a plan cut short after some of its pages (loaded, flagged truncated, no
    error), one cut inside its font (nothing left: truncated), a 500-page plan whose fonts lost
    their Unicode maps (loaded in seconds, flagged garbled: the second reader was asked three
    times, not 500), the slide deck with a dictionary pdfminer cannot parse (loaded)."""
    from tests.mutations import repeated_pages, without_unicode_maps
    from tests.read.test_pdf import SLIDES, _break_second_page_dictionary

    tokyo = (corpus_pdfs / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf").read_bytes()
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "cut-late.pdf").write_bytes(tokyo[: int(len(tokyo) * 0.95)])
    (folder / "cut-early.pdf").write_bytes(tokyo[: len(tokyo) // 3])
    (folder / "garbled-giant.pdf").write_bytes(repeated_pages(without_unicode_maps(tokyo), 500))
    (folder / "slides.pdf").write_bytes(_break_second_page_dictionary((corpus_pdfs / SLIDES).read_bytes()))
    outcomes = []
    summary = load([folder], tmp_path / "d.db", workers=2, timeout=60, progress=outcomes.append)
    assert _errors(tmp_path / "d.db") == {"cut-early.pdf": "truncated"}
    assert (summary.loaded, summary.truncated) == (3, 1)
    conn = sqlite3.connect(tmp_path / "d.db")
    sql = "select file_name, pages, text_quality, truncated from documents"
    docs = {r[0]: r[1:] for r in conn.execute(sql)}
    conn.close()
    assert docs["cut-late.pdf"] == (13, "mixed", 1)
    assert docs["garbled-giant.pdf"] == (500, "garbled", 0)
    assert docs["slides.pdf"][:1] == (13,)
    by_name = {o.path.name: o for o in outcomes}
    assert by_name["cut-late.pdf"].truncated and not by_name["slides.pdf"].truncated
    assert "the file ends early: an incomplete download?" in by_name["cut-early.pdf"].message
    assert all(o.cpu_seconds > 0 for o in outcomes if o.pages)  # measured by the worker


USER_CATALOGUE = """
[[indicator]]
id = "generic_seal_rate"
label = "ジェネリック希望シール貼付率"
unit = "%"
counts = "保険証にジェネリック希望シールを貼付した加入者の割合"
generic = ["^シール貼付率$"]
programs = ["ジェネリック.{0,6}シール"]
"""


def _ids(db_path: Path, indicator: str) -> set[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("select indicator_id, indicator_rule from kpis where indicator = ?", [indicator])
        return set(rows.fetchall())
    finally:
        conn.close()


def test_a_users_catalogue_reaches_the_workers_and_the_stored_records(tmp_path: Path, corpus_pdfs: Path):
    """load --indicators: the workers map new documents with the user's catalogue, the records
    already stored are mapped again with it, and the database keeps it for later loads."""
    from extract.records.indicators import catalogue_from

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    shutil.copy(corpus_pdfs / "like-kenpo-datahealth-plan-step-format.pdf", first)
    shutil.copy(corpus_pdfs / "variant-midori-kenpo-datahealth-plan-3rd.pdf", second)
    db_path = tmp_path / "k.db"
    load([first], db_path, workers=1)
    assert _ids(db_path, "シール貼付率") == {("", None)}  # planex's catalogue has no such indicator
    catalogue = catalogue_from(USER_CATALOGUE, "mine.toml")
    summary = load([second], db_path, workers=1, catalogue=catalogue)
    assert summary.loaded == 1 and summary.remapped is not None and summary.remapped.changed >= 1
    [(ident, rule)] = _ids(db_path, "シール貼付率")  # the stored document, mapped again
    assert ident == "generic_seal_rate" and rule.startswith("program: シール貼付率 in ジェネリック")
    db = store.open_db(db_path)
    assert store.stored_catalogue(db).user_source == "mine.toml"
    db.close()
    load([first], db_path, workers=1, force=True)  # read again: with the catalogue the database keeps
    assert {i for i, _ in _ids(db_path, "シール貼付率")} == {"generic_seal_rate"}


def test_a_load_leaves_the_search_index_one_segment(db: sqlite_utils.Database) -> None:
    """FTS5 writes a segment of postings for each document's transaction; the loader merges them
    at the end, so that a query reads one (the corpus, loaded by the real loader)."""
    assert db["documents"].count > 5 and search_tables.segments(db) == 1
