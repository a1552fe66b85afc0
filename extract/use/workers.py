"""The loader's worker processes: each reads one file at a time into the rows to store, and the
parent (:mod:`extract.use.loader`) alone writes them.

A worker starts as a fork of a warm process (``extract.use.warm``: the pipeline and GiNZA already
imported), says it is ready, then reads the files the parent sends: for each, its rows (or the
:class:`Failure` that says why it has none) and what reading it cost (wall and CPU seconds,
pdfplumber's second opinions). A worker that runs past its file's timeout, or dies, is killed
with everything it started (its process group: Tesseract too) and replaced.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from extract import store
from extract.pipeline import DocumentReading, read_document
from extract.read import pdf
from extract.read.ocr import Tesseract
from extract.read.pdf import PdfReadError
from extract.records.indicators import Catalogue, catalogue_from
from schemas.records import ErrorKind

READY = "ready"
"""What a worker sends once it has started, before it is given a file."""
YOUNG_COLLECTION = 5000
"""Allocations between two collections of the youngest generation in a worker (Python's default is
700). Reading a page makes thousands of objects that live as long as the page (a glyph per
character), nearly none of them in cycles: collected every 700 allocations, they were walked again
and again as they aged (about a twentieth of a worker's CPU time); memory stays bounded, a
collection still comes every 5,000."""
Reader = Callable[..., DocumentReading]
"""How workers read a file's bytes, called as :func:`extract.pipeline.read_document` (the default):
a caller's own reading under the same workers, timeouts and error records (imported by name)."""


@dataclass
class Failure:
    """Why one file could not be loaded (what a worker sends back instead of a document)."""

    kind: ErrorKind
    message: str
    sha256: str | None = None


def process_file(
    path: str | Path,
    catalogue: Catalogue | None = None,
    ocr: Tesseract | None = None,
    on_ocr: Callable[[int, int], None] | None = None,
    reader: Reader = read_document,
) -> store.DocumentRows | Failure:
    """Read one file into rows to store, or say why it cannot be (runs in a worker process);
    KPI records are mapped with the indicator ``catalogue`` (planex's own by default); with
    ``ocr``, pages without a text layer are OCR'd (``on_ocr`` hears of each); ``reader`` reads
    the bytes (see :data:`Reader`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Failure("malformed", f"cannot read file: {exc.strerror or exc}")
    sha = hashlib.sha256(data).hexdigest()
    try:
        return store.document_rows(reader(data, catalogue, ocr=ocr, on_ocr=on_ocr))
    except PdfReadError as exc:
        return Failure(exc.kind, exc.message, sha)
    except MemoryError:
        return Failure("malformed", "ran out of memory reading the PDF", sha)
    except Exception as exc:  # the library's own bug on a strange file must not end the batch
        return Failure("malformed", f"unreadable PDF ({type(exc).__name__}: {exc})", sha)


def worker_main(
    conn: Connection, indicators: tuple[str, str] = ("", ""), ocr: Tesseract | None = None,
    reader: Reader = read_document,
) -> None:
    """Read the files the parent sends, one at a time. ``indicators``: the user's catalogue
    (TOML text, file name), validated by the parent; every file of the load is mapped with it.
    ``ocr``: Tesseract, with ``--ocr``; the worker tells the parent how many pages a file has to
    OCR and each one done (``("ocr", done, total)``) before the file's result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    with contextlib.suppress(OSError):
        os.setpgrp()  # a group of its own: killed with the worker, no Tesseract outlives it
    catalogue = catalogue_from(*indicators)
    from extract.records.ginza import nlp

    # Already loaded in the fork server; loads here only if that failed. Without a model, files
    # still load and a sentence that needs GiNZA fails its file, recorded as any bad file is.
    with contextlib.suppress(Exception):
        nlp()
    # What is loaded by now stays for the worker's life: out of the collector's reach, a page's
    # thousands of short-lived objects no longer make it walk GiNZA's model (a fifth of the
    # reading's CPU time)
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])
    try:
        conn.send(READY)  # start-up (imports) must not count against the first file's timeout
    except OSError:
        return
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        wall, cpu = time.perf_counter(), time.process_time()
        asked, kept = pdf.STATS["second_opinions"], pdf.STATS["second_opinions_kept"]

        def tell(done: int, total: int) -> None:
            with contextlib.suppress(OSError):
                conn.send(("ocr", done, total))

        result = process_file(path, catalogue, ocr, tell, reader)
        work = (time.perf_counter() - wall, time.process_time() - cpu,
                pdf.STATS["second_opinions"] - asked, pdf.STATS["second_opinions_kept"] - kept)  # fmt: skip
        try:
            conn.send((result, *work))
        except (BrokenPipeError, OSError):
            return


class Worker:
    """One worker process and the file it is working on."""

    def __init__(self, ctx: mp.context.BaseContext, indicators: tuple[str, str] = ("", ""),
                 ocr: Tesseract | None = None, reader: Reader = read_document) -> None:  # fmt: skip
        self.indicators = indicators
        self.ocr = ocr
        self.reader = reader
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=worker_main, args=(child, indicators, ocr, reader), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.path: Path | None = None
        self.sha: str | None = None
        self.started = 0.0
        self.to_ocr = 0

    def give(self, path: Path, sha: str | None) -> None:
        self.path, self.sha, self.started, self.to_ocr = path, sha, time.monotonic(), 0
        self.conn.send(str(path))

    def done(self) -> None:
        self.path, self.sha = None, None

    def kill(self) -> None:
        if self.process.pid is not None:  # the worker's group: the worker and its Tesseract
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.kill()




def replace(worker: Worker, ctx: mp.context.BaseContext) -> Worker:
    worker.kill()
    return Worker(ctx, worker.indicators, worker.ocr, worker.reader)
