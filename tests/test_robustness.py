"""A download folder of damaged plan PDFs, loaded in one batch by ``planex load`` (a real
subprocess, two workers), then listed, summarized and served.

The folder (``tests/mutations.py``, seeded) holds the small sources — the first pages of every
corpus PDF and the small real-world PDFs — and COUNT damaged copies: cut short, bytes flipped,
runs deleted, runs inserted (random, or spliced from the file itself). What must hold:

- the batch finishes (exit status 0) and nothing prints a traceback;
- every file is a document or a load error with a kind;
- no file PyMuPDF can read text from is lost: a second reader's error, a lost page tree or a
  cut-off end costs nothing that could be read;
- no damaged copy asks pdfplumber to read more pages than its original did, or than the few
  tries the reader gives it (deterministic: counted by the worker), and none is given up.

What each file costs (CPU time against its original's) is no test: ``make bench`` reports it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest

from extract.read.pdf import SECOND_OPINION_TRIES
from schemas.records import ErrorKind
from tests.conftest import ROOT
from tests.mutations import Batch, Mutant, build_batch, sources, text_readable, with_title
from tests.use.test_serve import Server, start

SEED = 13
COUNT = 120


TITLED_SOURCE = "tokyo-ishikokuho-tokutei-kenshin-plan-3rd"
TITLE = "[/'PDF', /'Text', …] [bold]計画[/bold] :warning: <script>alert(1)</script>"


@dataclass
class Loaded:
    batch: Batch
    db: Path
    run: subprocess.CompletedProcess
    outcomes: dict[str, dict]
    """``planex load --json`` lines per file path."""


def planex(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "extract.cli", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def no_traceback(run: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path, real_dir: Path) -> Loaded:
    folder = tmp_path_factory.mktemp("robustness")
    small = sources(corpus_pdfs, real_dir)
    batch = build_batch(folder / "downloads", small, COUNT, SEED)
    titled = folder / "downloads" / "2-titled" / "markup-and-html.pdf"  # text a PDF hands over verbatim
    titled.parent.mkdir()
    titled.write_bytes(with_title(small[TITLED_SOURCE], TITLE))
    batch.mutants.append(Mutant(titled, TITLED_SOURCE, "title"))
    db = folder / "damaged.db"
    run = planex("load", str(folder / "downloads"), "--db", str(db), "--json", "--workers", "2",
                 "--timeout", "60")  # fmt: skip
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    outcomes = {line["path"]: line for line in lines if line["type"] == "file"}
    return Loaded(batch, db, run, outcomes)


def _stored(db: Path) -> tuple[set[str], dict[str, str]]:
    conn = sqlite3.connect(db)
    try:
        documents = {r[0] for r in conn.execute("select path from documents")}
        errors = dict(conn.execute("select path, kind from load_errors").fetchall())
    finally:
        conn.close()
    return documents, errors


def _all_files(batch: Batch) -> list[Path]:
    return sorted([*batch.originals.values(), *(m.path for m in batch.mutants)])


def test_the_batch_finishes_without_a_traceback(loaded: Loaded) -> None:
    assert loaded.run.returncode == 0, loaded.run.stderr
    no_traceback(loaded.run)
    summary = json.loads(loaded.run.stdout.splitlines()[-1])
    assert summary["type"] == "summary" and summary["files"] == len(_all_files(loaded.batch)) > COUNT
    assert len(loaded.batch.mutants) > COUNT
    assert set(loaded.outcomes) == {str(p) for p in _all_files(loaded.batch)}


def test_every_file_is_a_document_or_an_error_with_a_kind(loaded: Loaded) -> None:
    documents, errors = _stored(loaded.db)
    kinds = set(get_args(ErrorKind))
    for path in map(str, _all_files(loaded.batch)):
        assert path in documents or path in errors, path
        if path in errors:
            assert errors[path] in kinds, (path, errors[path])
    assert all(str(p) in documents for p in loaded.batch.originals.values())


def test_no_file_pymupdf_can_read_is_lost(loaded: Loaded) -> None:
    documents, errors = _stored(loaded.db)
    readable = [m.path for m in loaded.batch.mutants if text_readable(m.path.read_bytes())]
    assert len(readable) >= COUNT // 2  # the damage leaves most files readable: a real test
    lost = [(p.name, errors.get(str(p))) for p in readable if str(p) not in documents or str(p) in errors]
    assert lost == []


def test_every_kind_of_damage_is_met(loaded: Loaded) -> None:
    """The seed gives files of every outcome the checks are about (else they would prove little)."""
    _, errors = _stored(loaded.db)
    assert {"truncate", "flip", "delete", "insert"} <= {m.how for m in loaded.batch.mutants}
    assert "truncated" in errors.values() and "malformed" in errors.values()
    recovered = [o for o in loaded.outcomes.values() if o["truncated"] and o["outcome"] == "loaded"]
    assert recovered  # cut short, and its surviving pages loaded


def test_no_copy_asks_the_second_reader_more_than_it_earns(loaded: Loaded) -> None:
    """pdfplumber's readings that were not kept stay within the few it is always allowed, or one
    more than it was kept for: no damaged copy makes it read every page."""

    def opinions(path: Path) -> tuple[int, int]:
        outcome = loaded.outcomes[str(path)]
        return outcome["second_opinions"], outcome["second_opinions_kept"]

    original = opinions(loaded.batch.originals["tokyo-without-unicode-maps"])
    assert original == (SECOND_OPINION_TRIES, 0)  # every page garbled, none rescued: it gave up
    wasteful = []
    for path in [*loaded.batch.originals.values(), *(m.path for m in loaded.batch.mutants)]:
        asked, kept = opinions(path)
        if asked - kept > max(SECOND_OPINION_TRIES, kept + 1):
            wasteful.append((path.name, asked, kept))
    assert wasteful == []
    assert sum(opinions(m.path)[0] for m in loaded.batch.mutants) > 0
    assert [p for p, o in loaded.outcomes.items() if o["outcome"] == "timeout"] == []


def test_summary_documents_and_info_print(loaded: Loaded) -> None:
    db = str(loaded.db)
    commands = {
        "load": ["load", str(loaded.batch.mutants[0].path.parent), "--db", db, "-q"],  # all unchanged
        "documents": ["documents", "--db", db], "info": ["info", "--db", db], "plans": ["plans", "--db", db],
        "search": ["search", "健診", "--db", db], "programs": ["programs", "--db", db],
        "documents --json": ["documents", "--db", db, "--json"],
        "info --json": ["info", "--db", db, "--json"],
    }  # fmt: skip
    with ThreadPoolExecutor(max_workers=4) as pool:  # one process each, side by side
        runs = dict(zip(commands, pool.map(lambda args: planex(*args), commands.values()), strict=True))
    for name, run in runs.items():
        assert run.returncode == 0 and run.stdout.strip(), (name, run.stderr)
        no_traceback(run)
    assert "unchanged" in runs["load"].stdout  # the summary tables, with every error message
    assert TITLE[:40] in runs["documents"].stdout  # as written: not read as markup, no emoji
    documents, errors = _stored(loaded.db)
    rows = [json.loads(line) for line in runs["documents --json"].stdout.splitlines()]
    conn = sqlite3.connect(loaded.db)
    names = {r[0] for r in conn.execute("select file_name from documents")}
    conn.close()
    assert {r["file_name"] for r in rows if r["type"] == "document"} == names
    assert sum(r["type"] == "load_error" for r in rows) == len(errors)
    facts = json.loads(runs["info --json"].stdout)
    assert facts["tables"]["documents"] == len(documents)
    assert sum(facts["errors_by_kind"].values()) == len(errors)
    assert facts["documents_truncated"] >= 1


# -- the same database served ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start(loaded.db, tmp_path_factory.mktemp("serve-damaged") / "server.log")
    yield running
    assert running.stop() == 0, running.log.read_text()
    assert "Traceback" not in running.log.read_text(), running.log.read_text()


def test_served_pages_answer(served: Server, loaded: Loaded) -> None:
    name = served.name
    tables = [t["name"] for t in served.get(f"/{name}.json").json()["tables"] if not t["hidden"]]
    assert {"documents", "pages", "load_errors", "plans"} <= set(tables)
    for table in tables:
        for suffix in ("", ".json"):
            assert served.get(f"/{name}/{table}{suffix}").status_code == 200, table
    conn = sqlite3.connect(loaded.db)
    ids = [r[0] for r in conn.execute("select id from documents order by file_name")]
    conn.close()
    for doc_id in ids:
        assert served.get(f"/{name}/documents/{doc_id}").status_code == 200, doc_id
    for path, params in ((f"/{name}/search", {"q": "健診"}), (f"/{name}/search.json", {"q": "["}),
                         (f"/{name}/load_errors", {"kind": "truncated"})):  # fmt: skip
        assert served.get(path, **params).status_code == 200, path
    page = served.get(f"/{name}/documents").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/{name}/no_such_table", {}, 404, "table not found"),
        ("/{name}/no_such_table.json", {}, 404, "table not found"),
        ("/{name}.json", {"sql": "select * from no_such_table"}, 400, "no such table"),
        ("/{name}.json", {"sql": "select from where ("}, 400, "syntax error"),
        ("/{name}", {"sql": "select planex_snippet(1)"}, 400, "planex_snippet"),
        ("/{name}.json", {"sql": "delete from documents"}, 400, "select"),
    ],
)
def test_a_bad_request_gets_a_4xx_with_a_message(
    served: Server, path: str, params: dict, status: int, words: str
) -> None:
    response = served.get(path.format(name=served.name), **params)
    assert response.status_code == status, response.text[:300]
    assert words.lower() in response.text.lower()


def test_the_server_log_has_no_traceback(served: Server) -> None:
    for sql in ("select * from no_such_table", "select planex_target(1, 2)", "select x'00' || "):
        assert 400 <= served.get(f"/{served.name}.json", sql=sql).status_code < 500, sql
    assert served.get("/-/versions.json").status_code == 200
    assert "Traceback" not in served.log.read_text()
