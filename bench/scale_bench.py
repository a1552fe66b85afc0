"""make bench-scale: search at the scale of a plan cycle — 650 times the corpus, every copy distinct.

A plan cycle is about 3,000 plans and 300,000 pages, 650 times the corpus. Copying the corpus
650 times would let the index keep each sentence once, so the copies are generated instead:

1. The corpus PDFs are loaded by the real loader (one worker) into a fresh database, and every
   document's sentence rows are made again from it (``extract.store.reindex``).
2. Copy ``k`` (1 … N-1) of a document gets words of its own: a few words of two or three kanji
   drawn for that copy, one put before every sentence with a kana or kanji (which one depends
   on the sentence, so that a sentence the template repeats stays one sentence within a copy;
   bare figures and dates, which every insurer prints, stay shared), tokenized again. So
   every copy's sentences are distinct from every other copy's, their words new to the index,
   while the words of the plans (健診, 受診勧奨 …) are as frequent as in the corpus, times N.
3. Copies are gathered into plans as a cycle has them: the 協会けんぽ compilation's copies into
   42 documents of 35 branch plans each (1,470 business plans, each branch's text 15 or 16
   times), every other document's into 216 documents of its own insurer (a name drawn for it),
   so about 3,000 plans and 1,550 groups for ``--by branch``. Sections keep their paths (for
   the section filter), not their text.
4. The index is built as ``planex reindex`` builds it (``search_tables.insert_sentences`` for
   every document, then ``finish_rebuild``): the build time printed, then its size (dbstat).
5. The queries of ``make bench`` (``bench/search_bench.py``: fixed ones with operators, and words
   drawn from the corpus) are run twice each, the second time timed: ``search`` (limit 20),
   ``search_by(…, "branch")`` on the first 40, and 30 filtered searches (five words under each
   of the plan filters — branch, year, insurer, plan type — and the section and kind filters).

The machine's load average is printed before and after: other work on it slows every figure.
Usage: ``python bench/scale_bench.py [--copies 650] [--queries 120] [--keep FILE]`` (about 15
minutes and 8 GB of disk at 650; ``--keep`` leaves the database there for another run with
``--reuse FILE``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import FIXED, index_size, latency, queries

from extract import store
from extract.store import reindex, search_tables
from extract.store.bigrams import CJK_CHARS, index_tokens
from extract.use.loader import load
from extract.use.search import search, search_by

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT / "corpus" / "pdfs"
BRANCH_PLANS_SLOTS = 42
"""Documents the 協会けんぽ compilation's copies are gathered into (35 branch plans each)."""
INSURER_SLOTS = 216
"""Insurers (documents of one plan) each other document's copies are gathered into."""
WORDS_PER_COPY = 8
_CJK = re.compile(f"[{CJK_CHARS}]")
_KANJI = (0x4E00, 0x9FA5)
FILTER_WORDS = ["健診", "受診勧奨", "保健指導", "重症化予防", "ジェネリック"]
FILTERS = [
    {"branch": "北海道"}, {"year": 2021}, {"insurer": "協会けんぽ"}, {"plan_type": "data_health_plan"},
    {"section": "保健事業"}, {"kind": "program,health_issue"},
]  # fmt: skip


def copy_words(k: int) -> list[str]:
    """Copy ``k``'s own words: two or three kanji each, drawn with ``k`` as the seed."""
    rng = random.Random(k)
    return ["".join(chr(rng.randint(*_KANJI)) for _ in range(rng.choice((2, 2, 3))))
            for _ in range(WORDS_PER_COPY)]  # fmt: skip


def slot(doc_plans: int, k: int) -> int:
    """The document copy ``k`` is gathered into: the compilation (many plans) into one of
    :data:`BRANCH_PLANS_SLOTS`, a document of one plan into one of :data:`INSURER_SLOTS`."""
    return k % (BRANCH_PLANS_SLOTS if doc_plans > 1 else INSURER_SLOTS)


def _tag(value: str | None, n: int) -> str | None:
    """An id of copy or slot ``n`` (slot 0 is the corpus's own document)."""
    return value if value is None or n == 0 else f"{value}~{n}"


def copy_rows(rows: list[tuple], k: int, s: int) -> list[tuple]:
    """Copy ``k`` of a document's sentence rows, in slot ``s``: its own words, its own ids."""
    if k == 0:
        return rows
    words = copy_words(k)
    out = []
    for kind, ref, section, plan, doc, page, sentence, tokens, repeats in rows:
        if _CJK.search(sentence):
            sentence = words[zlib.crc32(sentence.encode()) % WORDS_PER_COPY] + sentence
            tokens = index_tokens(sentence)
        out.append((kind, _tag(ref, k), _tag(section, k), _tag(plan, s), _tag(doc, s), page, sentence, tokens,
                    repeats))  # fmt: skip
    return out


def _copy_table(db, table: str, where: str, renamed: dict[str, str]) -> None:
    """Copy the rows of ``table`` that ``where`` selects, some columns ``renamed`` (SQL of each)."""
    cols = [c.name for c in db[table].columns]
    select = ", ".join(renamed.get(c, c) for c in cols)
    db.execute(f"insert into {table} ({', '.join(cols)}) select {select} from {table} where {where}")


def add_records(db, docs: dict[str, int], copies: int) -> None:
    """The documents, plans and sections of every copy (slots once, sections per copy)."""
    for doc, plans in docs.items():
        slots = {slot(plans, k) for k in range(1, copies)} - {0}
        for s in sorted(slots):
            insurer = f"'{copy_words(-s)[0]}' || insurer" if plans == 1 else "insurer"
            _copy_table(db, "documents", f"id = '{doc}'", {"id": f"id || '~{s}'"})
            renamed = {"id": f"id || '~{s}'", "doc_id": f"doc_id || '~{s}'", "insurer": insurer}
            _copy_table(db, "plans", f"doc_id = '{doc}'", renamed)
        for k in range(1, copies):
            s = f"|| '~{slot(plans, k)}'" if slot(plans, k) else ""
            renamed = {"id": f"id || '~{k}'", "parent_id": f"parent_id || '~{k}'", "plan_id": f"plan_id {s}",
                       "doc_id": f"doc_id {s}", "text": "''"}  # fmt: skip
            # the corpus's own sections only: a copy gathered into slot 0 keeps the document's id
            _copy_table(db, "sections", f"doc_id = '{doc}' and instr(id, '~') = 0", renamed)


def generate(path: Path, copies: int) -> dict:
    """Load the corpus into ``path`` and index it ``copies`` times, every copy distinct; the
    seconds the index took to build (sentence rows made beforehand are not counted)."""
    summary = load([PDFS], path, workers=1)
    db = store.open_db(path)
    docs = {d: n for d, n in db.execute("select doc_id, count(*) from plans group by doc_id order by doc_id")}
    rows = {doc: reindex.stored_sentence_rows(db, doc) for doc in docs}
    # transactions of a million sections and 12 M places: with SQLite's default 2 MB page cache
    # their pages are spilled to the WAL again and again (200 GB written for a 12 GB index, 15 GB
    # in 30 minutes for the sections alone); 1 GB of cache spares that
    db.execute("pragma cache_size = -1000000")
    with db.atomic():
        add_records(db, docs, copies)
    made = 0.0
    build = 0.0
    with db.atomic():
        search_tables.clear(db)
        for k in range(copies):
            for doc, plans in docs.items():
                start = time.perf_counter()
                copied = copy_rows(rows[doc], k, slot(plans, k))
                made += time.perf_counter() - start
                start = time.perf_counter()
                search_tables.insert_sentences(db, copied, index=False)
                build += time.perf_counter() - start
        start = time.perf_counter()
        search_tables.finish_rebuild(db)
        build += time.perf_counter() - start
    start = time.perf_counter()
    db.execute("vacuum")
    vacuum = time.perf_counter() - start
    db.close()
    return {"pages": summary.pages * copies, "build": build, "made": made, "vacuum": vacuum}


def filtered_items() -> list[tuple[str, dict]]:
    """Every filter with every word of :data:`FILTER_WORDS`: 30 filtered searches."""
    return [(word, f) for word in FILTER_WORDS for f in FILTERS]


def measure(path: Path, count: int) -> dict:
    db = store.open_db(path, read_only=True)
    words = queries(db, count)
    sizes = index_size(db)
    counts = {
        "texts": db.execute(f"select count(*) from {search_tables.TEXTS}").fetchone()[0],
        "places": db.execute(f"select count(*) from {search_tables.PLACES}").fetchone()[0],
        "plans": db.execute("select count(*) from plans").fetchone()[0],
        "groups": db.execute("select count(*) from (select distinct insurer, branch from plans)").fetchone()[
            0
        ],
    }
    timed = {
        "search": latency(db, words, lambda d, w: search(d, w, limit=20)),
        "by": latency(db, words[:40], lambda d, w: search_by(d, w, "branch")),
        "filtered": latency(db, filtered_items(), lambda d, q: search(d, q[0], limit=20, **q[1])),
    }
    db.close()
    return {"size": sizes, "file": path.stat().st_size, **counts, **timed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=650)
    parser.add_argument("--queries", type=int, default=120)
    parser.add_argument("--keep", type=Path, help="leave the generated database at this path")
    parser.add_argument("--reuse", type=Path, help="measure a database generated before (with --keep)")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    built: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.reuse or Path(tmp) / "scale.db"
        if not args.reuse:
            built = generate(path, args.copies)
            print(f"index built in {built['build']:.0f} s (vacuum {built['vacuum']:.0f} s)", flush=True)
        result = measure(path, max(args.queries, 100))
        if args.keep and not args.reuse:
            shutil.move(path, args.keep)
    report(args.copies, built, result)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def report(copies: int, built: dict, r: dict) -> None:
    print(f"\nsearch at {copies}x the corpus, every copy distinct ({len(FIXED)} fixed queries and words drawn"
          " from the corpus)")  # fmt: skip
    if built:
        print(f"pages (as loaded)                 {built['pages']:,}")
    print(f"plans / groups (--by branch)      {r['plans']:,} / {r['groups']:,}")
    print(f"sentences: places / distinct      {r['places']:,} / {r['texts']:,}")
    if built:
        print(f"index build                       {built['build']:.0f} s (sentence rows made beforehand in "
              f"{built['made']:.0f} s; vacuum {built['vacuum']:.0f} s)")  # fmt: skip
    size = r["size"]
    print(f"index size                        {size['total'] / 1e6:,.0f} MB (distinct sentences "
          f"{size['texts'] / 1e6:,.0f}, places {size['places'] / 1e6:,.0f}, FTS5 {size['fts'] / 1e6:,.0f}, "
          f"token counts and repeats {size['terms'] / 1e6:,.0f}); "
          f"file {r['file'] / 1e6:,.0f} MB")  # fmt: skip
    for label, key, target in (("search, limit 20", "search", 50), ("--by branch (40 queries)", "by", 100),
                               ("filtered search (30 queries)", "filtered", 50)):  # fmt: skip
        p50, p95 = r[key]
        verdict = "ok" if p95 <= target else "over"
        print(f"{label:<34}p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   (target p95 <= {target} ms: {verdict})")


if __name__ == "__main__":
    main()
