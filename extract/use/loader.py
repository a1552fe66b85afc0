"""Bulk loading: many PDFs, in parallel, into one database, without babysitting.

Design:

- Each file is read by a worker process (:func:`extract.use.workers.process_file`: the pipeline,
  :func:`extract.pipeline.read_document`, a pure function of the file's bytes, then the store's
  rows of its reading), and the parent alone writes to SQLite, one transaction per document. A
  crash or a kill leaves only whole documents behind; the next run skips them (their id is their
  content hash) and does the rest.
- A worker that runs past ``timeout`` seconds on one file is killed and replaced; the file is
  recorded as ``timeout``. A worker that dies (a crash inside the PDF library) costs only its
  file, recorded as ``malformed``.
- Every failure is recorded in ``load_errors`` with its kind and the batch goes on.
- Each file's wall and CPU time are measured in the worker and reported per file
  (:class:`FileOutcome`): CPU time is what a file costs, whatever else the machine is doing.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

import sqlite_utils

from extract import __version__, store
from extract.pipeline import read_document
from extract.read.ocr import SECONDS_PER_PAGE, OcrUnavailable, find_tesseract
from extract.records.indicators import Catalogue
from extract.store import search_tables
from extract.use.limits import DEFAULT_TIMEOUT
from extract.use.workers import READY, Failure, Reader, Worker, replace
from schemas.records import LoadError


class UsageError(ValueError):
    """The command was given something it cannot work with (a path that does not exist)."""


class LoadInterrupted(Exception):
    """Ctrl-C during a load; carries what was done so far (all of it safely committed)."""

    def __init__(self, summary: LoadSummary) -> None:
        super().__init__("load interrupted")
        self.summary = summary


@dataclass
class LoadSummary:
    loaded: int = 0
    unchanged: int = 0
    failed_before: int = 0
    """Files this planex failed on before, for a reason of their bytes (encrypted, malformed …):
    not read again (``force`` does); their ``load_errors`` rows stay."""
    failed: Counter[str] = field(default_factory=Counter)
    truncated: int = 0
    """Documents loaded from files cut short (the pages that could be recovered)."""
    pages: int = 0
    characters: int = 0
    seconds: float = 0.0
    files: int = 0
    remapped: store.Remapped | None = None
    ocr_pages: int = 0
    """Pages read by OCR (``--ocr``)."""
    """With a new indicator catalogue: the records already stored, mapped again with it."""

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())


@dataclass
class FileOutcome:
    """What happened to one file: ``outcome`` is ``loaded``, ``unchanged``, ``failed_before`` (its
    bytes failed before with this planex: not read again) or an error kind."""

    path: Path
    outcome: str
    pages: int = 0
    seconds: float = 0.0
    """Wall time the worker spent on it (or until it was given up)."""
    cpu_seconds: float = 0.0
    """CPU time of the worker on it: the file's own cost, unaffected by the machine's load."""
    message: str = ""
    truncated: bool = False
    second_opinions: int = 0
    """Pages pdfplumber was asked to read again (garbled pages; at most a few if it never helps)."""
    second_opinions_kept: int = 0
    """Of those, the pages where pdfplumber's reading was kept (it was cleaner than PyMuPDF's)."""
    ocr_pages: int = 0
    """Pages read by OCR (pages without a text layer, with ``--ocr``)."""


ProgressCallback = Callable[[FileOutcome], None]
"""Called once per file, as soon as its outcome is known."""
OcrCallback = Callable[[Path, int, int], None]
"""Called with (file, pages OCR'd so far, pages to OCR) as a worker OCRs a file's pages."""
StartCallback = Callable[[Path, int], None]
"""Called with (file, id of the worker process reading it) as a worker is given a file: what is
being read now, and which process to watch (its memory, with psutil, while a long file is read)."""
NO_TEXT_HINT = "a scan? load it with --ocr to read its pages by OCR"


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, ``*.pdf`` in any case) into a sorted file list."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"no such file or folder: {raw}")
    unique = dict.fromkeys(p.resolve() for p in found)
    return sorted(unique, key=str)


def document_error(path: Path, rows: store.DocumentRows) -> LoadError | None:
    """The error a document read is stored with, if any: ``no_text`` (no page had text: the hint
    names ``--ocr``), or ``partial`` (a later stage failed: what it would have read is missing)."""
    if rows.text_quality == "no_text":
        message = f"no text on any of its {rows.pages} pages " + (
            "(OCR read none: blank pages?)" if rows.ocr else f"({NO_TEXT_HINT})"
        )
        kind = "no_text"
    elif rows.failures:
        message = "; ".join(rows.failures) + " — its pages and lines are stored; please report it"
        kind = "partial"
    else:
        return None
    return LoadError(file_name=path.name, path=str(path), sha256=rows.sha256, kind=kind, message=message,
                     at=store.now(), planex_version=__version__)  # fmt: skip


def _hash_file(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def load(
    paths: Iterable[str | Path],
    db_path: str | Path,
    *,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    force: bool = False,
    progress: ProgressCallback | None = None,
    catalogue: Catalogue | None = None,
    ocr: bool = False,
    ocr_progress: OcrCallback | None = None,
    on_start: StartCallback | None = None,
    reader: Reader = read_document,
) -> LoadSummary:
    """Load PDFs (files or folders) into the database at ``db_path``; return what happened.

    Unchanged files (same content hash as a loaded document) are skipped unless ``force``, and so
    are files whose same bytes this planex failed on before for a reason of their own
    (:func:`store.known_failures`: encrypted, malformed … ; timeouts and crashes are tried again).
    KPI records are mapped with the database's indicator catalogue (:func:`store.stored_catalogue`);
    a ``catalogue`` given replaces it: it is stored in the database first, and once every file
    is loaded the records already there are mapped again with it (no PDF is read twice).
    With ``ocr``, pages without a text layer are read by Tesseract (a page with text never is);
    a file's timeout grows by :data:`extract.read.ocr.SECONDS_PER_PAGE` for each page it has to
    OCR, and a document loaded before without OCR is read again if it has pages without text.
    Paths that hold no PDF load nothing and leave ``db_path`` alone (not even created).
    ``on_start`` hears of each file a worker starts; ``reader`` reads the bytes (:data:`Reader`).
    Raises :class:`UsageError` for a missing path or, with ``ocr``, a machine without Tesseract's
    Japanese model (the message names the packages), :class:`LoadInterrupted` on Ctrl-C and
    :class:`store.DatabaseProblem` for a database this planex must not write (see
    :func:`store.check_database`; also one holding documents read by a newer planex).
    """
    files = discover(paths)
    workers = max(1, workers or os.cpu_count() or 1)
    if timeout <= 0:
        raise UsageError("--timeout must be positive")
    if not files:  # nothing to load: no database is created or touched
        return LoadSummary(files=0)
    engine = None
    if ocr:
        try:
            engine = find_tesseract()
        except OcrUnavailable as exc:
            raise UsageError(str(exc)) from None
    db = open_target(db_path)
    remap = catalogue is not None
    if catalogue is None:
        catalogue = store.stored_catalogue(db)
    else:
        store.store_catalogue(db, catalogue)  # an interrupted load maps the rest alike when rerun
    indicators = (catalogue.user_text, catalogue.user_source)
    summary = LoadSummary(files=len(files))
    started = time.perf_counter()
    known = store.known_ids(db, ocr=ocr)
    failed_before = {} if force else store.known_failures(db)
    queue: deque[tuple[Path, str | None]] = deque()
    claimed: set[str] = set()

    def report(outcome: FileOutcome) -> None:
        if progress is not None:
            progress(outcome)

    for path in files:
        sha = _hash_file(path)
        if sha is not None and not force and (sha in known or sha in claimed):
            summary.unchanged += 1
            report(FileOutcome(path, "unchanged"))
            continue
        if sha is not None and sha in failed_before:
            before = failed_before[sha]
            summary.failed_before += 1
            report(FileOutcome(path, "failed_before", message=f"{before.kind}: {before.message} "
                               "(failed before with this planex; --force tries again)"))  # fmt: skip
            continue
        if sha is not None:
            claimed.add(sha)
        queue.append((path, sha))

    def fail(path: Path, failure: Failure, work: tuple[float, float, int, int] = (0.0, 0.0, 0, 0)) -> None:
        store.record_error(
            db,
            LoadError(
                file_name=path.name,
                path=str(path),
                sha256=failure.sha256,
                kind=failure.kind,
                message=failure.message,
                at=store.now(),
                planex_version=__version__,
            ),
        )
        summary.failed[failure.kind] += 1
        seconds, cpu, asked, kept = work
        report(FileOutcome(path, failure.kind, 0, seconds, cpu, failure.message, second_opinions=asked,
                           second_opinions_kept=kept))  # fmt: skip

    def finish(path: Path, result: store.DocumentRows | Failure, work: tuple[float, float, int, int]) -> None:
        if isinstance(result, Failure):
            fail(path, result, work)
            return
        error = document_error(path, result)
        store.write_document(db, result, path, error)
        pages = result.pages
        summary.pages += pages
        summary.characters += result.characters
        summary.ocr_pages += result.ocr_pages
        seconds, cpu, asked, kept = work
        if error is not None:
            summary.failed[error.kind] += 1
            report(FileOutcome(path, error.kind, pages, seconds, cpu, error.message, second_opinions=asked,
                               second_opinions_kept=kept, ocr_pages=result.ocr_pages))  # fmt: skip
        else:
            summary.loaded += 1
            summary.truncated += result.truncated
            outcome = FileOutcome(path, "loaded", pages, seconds, cpu, truncated=result.truncated,
                                  second_opinions=asked, second_opinions_kept=kept,
                                  ocr_pages=result.ocr_pages)  # fmt: skip
            report(outcome)

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["extract.use.warm"])  # workers start as forks of a warm process
    pool: list[Worker] = []
    failed_starts = 0
    try:
        pool = [Worker(ctx, indicators, engine, reader) for _ in range(min(workers, len(queue)))]
        while queue or any(w.path is not None for w in pool):
            for worker in pool:
                if worker.ready and worker.path is None and queue:
                    worker.give(*queue.popleft())
                    if on_start is not None and worker.path is not None and worker.process.pid is not None:
                        on_start(worker.path, worker.process.pid)
            starting = [w for w in pool if not w.ready]
            busy = [w for w in pool if w.path is not None]
            ready = wait([w.conn for w in starting + busy], timeout=0.2)
            for worker in starting:
                if worker.conn in ready:
                    try:
                        worker.ready = worker.conn.recv() == READY
                    except (EOFError, OSError):  # could not even start: try a fresh one
                        failed_starts += 1
                        if failed_starts > 3 * workers:
                            raise RuntimeError("worker processes keep dying at start-up") from None
                        pool[pool.index(worker)] = replace(worker, ctx)
            for worker in busy:
                path = worker.path
                assert path is not None
                elapsed = time.monotonic() - worker.started
                if worker.conn in ready:
                    try:
                        result, *work = worker.conn.recv()
                        if result == "ocr":  # pages to OCR: the file's time grows with them
                            worker.to_ocr = work[1]
                            if ocr_progress is not None:
                                ocr_progress(path, work[0], work[1])
                            continue
                    except (EOFError, OSError):
                        worker.process.join(5)  # its pipe closed as it died: its exit code follows
                        code = worker.process.exitcode
                        message = f"{store.CRASHED} (exit code {code})"
                        result, work = Failure("malformed", message, worker.sha), [elapsed, elapsed, 0, 0]
                        pool[pool.index(worker)] = replace(worker, ctx)
                    else:
                        worker.done()
                    finish(path, result, (work[0], work[1], work[2], work[3]))
                elif elapsed > timeout + worker.to_ocr * SECONDS_PER_PAGE:
                    allowed = timeout + worker.to_ocr * SECONDS_PER_PAGE
                    pages = f" ({worker.to_ocr} pages to OCR)" if worker.to_ocr else ""
                    pool[pool.index(worker)] = replace(worker, ctx)
                    given_up = Failure("timeout", f"gave up after {allowed:g} s{pages}", worker.sha)
                    fail(path, given_up, (elapsed, elapsed, 0, 0))
        if remap:  # the documents loaded before, mapped with the new catalogue as well
            summary.remapped = store.remap_kpis(db, catalogue)
        if summary.loaded:  # one segment of postings to read per query, not one per load
            search_tables.compact(db)
    except KeyboardInterrupt:
        for worker in pool:
            worker.kill()
        pool = []
        summary.seconds = time.perf_counter() - started
        raise LoadInterrupted(summary) from None
    finally:
        for worker in pool:
            worker.stop()
        db.close()
    summary.seconds = time.perf_counter() - started
    return summary


def open_target(db_path: str | Path) -> sqlite_utils.Database:
    """The database a load writes, created if missing, or :class:`store.DatabaseProblem` saying
    why it cannot be: not a planex database, one from a newer planex, a folder or file that
    cannot be written (SQLite's own words are only "unable to open database file")."""
    store.check_database(db_path, create=True)
    try:
        db = store.open_db(db_path)
    except sqlite3.OperationalError as exc:
        raise store.DatabaseProblem(
            f"cannot write the database {db_path}: {exc} (is its folder writable, the disk not full?)",
            usage=False,
        ) from None
    try:
        _refuse_newer_documents(db, db_path)
    except BaseException:
        db.close()
        raise
    return db


def _refuse_newer_documents(db: sqlite_utils.Database, db_path: str | Path) -> None:
    """A load must not replace what a newer planex read with this version's older reading."""
    newer = store.newer_documents(db)
    if newer is not None:
        raise store.DatabaseProblem(
            f"{db_path} holds documents read by planex {newer}, newer than this planex "
            f"{__version__}: upgrade planex, or load into another --db",
            usage=False,
        )
