"""make bench: the search index — build time, size, query latency — on the corpus and at 50×.

1. The corpus PDFs are loaded by the real loader (one worker) into a fresh database; the share
   of the loader's work that goes into sentence rows and tokens is timed in-process.
2. ``rebuild_index`` on that database gives the index build time and, from SQLite's dbstat,
   its size (sentence table with its tokens, doc-id index, FTS5 index).
3. A database 50 times larger is made by copying every document's pages, lines, plans and
   sections 49 times under new ids, and indexed the same way.
4. At least 100 different queries (fixed ones with operators and filters, plus words drawn at
   random from the indexed sentences) are run on both; median and 95th percentile latency.

Usage: python bench/search_bench.py [--copies 50] [--queries 120]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from extract import store
from extract.pipeline import read_parsed
from extract.read.pdf import read_pdf
from extract.store import search_index
from extract.store.bigrams import CJK_CHARS, index_tokens
from extract.use.loader import load
from extract.use.search import search, search_by

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT / "corpus" / "pdfs"
FIXED = [
    "健診", "禁煙", "喫煙", "受診勧奨", "ナッジ", "KPI", "ＫＰＩ", "KPI*", "健", "データヘルス計画",
    "ジェネリック医薬品の使用促進", "被扶養者 特定健診", "健診 OR 検診", "健診 -歯科", "(禁煙 OR 喫煙) 支援",
    '"北海道 薬剤師会"', "重症化予防", "インセンティブ", "保健指導 NOT 特定", "医療費適正化",
]  # fmt: skip
FILTERED = [
    ("健診", {"branch": "北海道"}), ("受診勧奨", {"year": 2021}), ("健診", {"insurer": "協会けんぽ"}),
    ("薬剤師会", {"section": "ジェネリック"}), ("健診", {"plan_type": "data_health_plan"}),
]  # fmt: skip
TABLES = ("documents", "pages", "lines", "plans", "sections", "kpis", "programs", "health_issues")


def index_size(db) -> dict[str, int]:
    """Bytes of the search tables, from dbstat: sentences (with tokens), doc-id index, FTS5."""
    rows = dict(db.execute("select name, sum(pgsize) from dbstat group by name").fetchall())
    sentences = rows.get(search_index.SENTENCES, 0)
    doc_index = rows.get(f"idx_{search_index.SENTENCES}_doc_id", 0)
    fts = sum(v for k, v in rows.items() if k.startswith(search_index.INDEX + "_"))
    return {"sentences": sentences, "doc_index": doc_index, "fts": fts, "total": sentences + doc_index + fts}


def loader_share(folder: Path) -> dict[str, float]:
    """Seconds over the corpus: the worker's work after reading the PDF (the structure and record
    stages, ``read_parsed``, then the store's ``document_rows``) and, within it, the sentence rows
    and tokens; the parent's ``write_document`` with and without the sentences."""
    out = {"pages": 0, "rows": 0.0, "sentences": 0.0, "write": 0.0, "write_without": 0.0}
    built = []
    for path in sorted(PDFS.glob("*.pdf")):
        parsed = read_pdf(path.read_bytes())
        start = time.perf_counter()
        rows = store.document_rows(read_parsed(parsed))
        out["rows"] += time.perf_counter() - start
        start = time.perf_counter()
        lines = search_index.parsed_page_lines(parsed.pages)
        search_index.section_sentence_rows(parsed.id, lines, rows.tables[store.SECTIONS][1])
        out["sentences"] += time.perf_counter() - start
        out["pages"] += len(parsed.pages)
        built.append((rows, path))
    for key in ("write", "write_without"):
        db = store.open_db(folder / f"{key}.db")
        for rows, path in built:
            if key == "write_without":
                rows.tables.pop(search_index.SENTENCES, None)
            start = time.perf_counter()
            store.write_document(db, rows, path)
            out[key] += time.perf_counter() - start
        db.close()
    return out


def multiply(db, copies: int) -> None:
    """Copy every document ``copies - 1`` more times under new ids (doc id + ``~k``)."""
    with db.atomic():
        for k in range(1, copies):
            tag = f"'~{k}'"
            for table in TABLES:
                cols = [c.name for c in db[table].columns]
                renamed = {"id": f"id || {tag}", "doc_id": f"doc_id || {tag}", "plan_id": f"plan_id || {tag}",
                           "parent_id": f"parent_id || {tag}"}  # fmt: skip
                select = ", ".join(renamed.get(c, c) for c in cols)
                base = "id" if table == "documents" else "doc_id"
                db.execute(
                    f"insert into {table} ({', '.join(cols)}) select {select} from {table} "
                    f"where {base} not like '%~%' order by rowid"
                )


def queries(db, count: int, seed: int = 7) -> list[str]:
    """The fixed queries, then random words (2 to 6 kana/kanji) from indexed sentences."""
    rng = random.Random(seed)
    sentences = [r[0] for r in db.execute(f"select sentence from {search_index.SENTENCES}").fetchall()]
    runs = re.compile(f"[{CJK_CHARS}]{{2,}}")
    out = list(dict.fromkeys(FIXED))
    while len(out) < count:
        found = runs.findall(rng.choice(sentences))
        if found:
            run = rng.choice(found)
            n = rng.randint(2, min(6, len(run)))
            i = rng.randrange(len(run) - n + 1)
            word = run[i : i + n]
            if word not in out:
                out.append(word)
    return out


def latency(db, items: list, fn) -> tuple[float, float]:
    """Median and 95th percentile of ``fn(db, item)`` in milliseconds (after a warm-up pass)."""
    for item in items:
        fn(db, item)
    times = []
    for item in items:
        start = time.perf_counter()
        fn(db, item)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def tokenizer_rates(db) -> tuple[float, float | None]:
    """Characters per second: the bigram tokenizer, and SudachiPy (mode C) if installed."""
    text = [r[0] for r in db.execute(f"select sentence from {search_index.SENTENCES} limit 5000").fetchall()]
    chars = sum(map(len, text))
    start = time.perf_counter()
    for t in text:
        index_tokens(t)
    bigram = chars / (time.perf_counter() - start)
    try:
        from sudachipy import dictionary, tokenizer
    except ImportError:
        return bigram, None
    sudachi = dictionary.Dictionary().create()
    mode = tokenizer.Tokenizer.SplitMode.C
    start = time.perf_counter()
    for t in text:
        sudachi.tokenize(t, mode)
    return bigram, chars / (time.perf_counter() - start)


def measure(db, words: list[str] | None, count: int) -> dict:
    """Index build time and size, and query latency, on one database (``words``: the queries)."""
    start = time.perf_counter()
    sentences = store.rebuild_index(db)
    build = time.perf_counter() - start
    db.execute("vacuum")
    words = words or queries(db, count)
    return {"sentences": sentences, "build": build, "size": index_size(db), "words": words,
            **_latencies(db, words)}  # fmt: skip


def run(copies: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, big_path = Path(tmp) / "corpus.db", Path(tmp) / "big.db"
        start = time.perf_counter()
        summary = load([PDFS], path, workers=1)
        load_rate = summary.pages / (time.perf_counter() - start)
        db = store.open_db(path)
        small = measure(db, None, count)
        rates = tokenizer_rates(db)
        db.close()
        shutil.copy(path, big_path)
        big = store.open_db(big_path)
        multiply(big, copies)
        large = measure(big, small["words"], count)
        big.close()
        share = loader_share(Path(tmp))
    report(copies, small, large)
    n = share["pages"]
    sentences_share = share["sentences"] / share["rows"]
    extra = (share["write"] - share["write_without"]) * 1000 / n
    print(f"\nloader, 1 worker: {summary.pages} pages, {load_rate:.0f} pages/s (start-up included)")
    own = n / share["sentences"]
    print(f"worker: sentence rows and tokens {share['sentences']:.2f} s of {share['rows']:.2f} s in"
          f" document_rows ({sentences_share:.0%}; {own:.0f} pages/s on their own)")  # fmt: skip
    print(f"parent: write_document {share['write']:.2f} s, {share['write_without']:.2f} s without the"
          f" sentences (+{extra:.2f} ms/page)")  # fmt: skip
    sudachi = f"{rates[1] / 1e6:.2f} M chars/s" if rates[1] else "not installed"
    print(f"tokenizer: bigrams {rates[0] / 1e6:.2f} M chars/s; SudachiPy mode C {sudachi}")


def report(copies: int, small: dict, large: dict) -> None:
    words = len(small["words"])
    print(f"\nsearch index ({words} queries; {copies}x = the corpus documents copied {copies} times)")
    print(f"{'':<38}{'corpus':>14}{f'{copies}x':>14}")
    print(f"{'sentences indexed':<38}{small['sentences']:>14,}{large['sentences']:>14,}")
    print(f"{'index build, rebuild_index (s)':<38}{small['build']:>14.2f}{large['build']:>14.2f}")
    for label, key in (("index size, total (MB)", "total"), ("  sentence table with tokens", "sentences"),
                       ("  doc_id index", "doc_index"), ("  FTS5 index", "fts")):  # fmt: skip
        print(f"{label:<38}{small['size'][key] / 1e6:>14.2f}{large['size'][key] / 1e6:>14.2f}")
    timed = (("search, limit 20: p50 / p95 (ms)", "search"), ("--by branch (40 q): p50 / p95", "by"),
             ("with a filter (5 q): p50 / p95", "filtered"))  # fmt: skip
    for label, key in timed:
        a, b = small[key], large[key]
        print(f"{label:<38}{f'{a[0]:.1f} / {a[1]:.1f}':>14}{f'{b[0]:.1f} / {b[1]:.1f}':>14}")


def _latencies(db, words: list[str]) -> dict[str, tuple[float, float]]:
    return {
        "search": latency(db, words, lambda d, w: search(d, w, limit=20)),
        "by": latency(db, words[:40], lambda d, w: search_by(d, w, "branch")),
        "filtered": latency(db, FILTERED, lambda d, q: search(d, q[0], limit=20, **q[1])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--queries", type=int, default=120)
    args = parser.parse_args()
    run(args.copies, max(args.queries, 100))


if __name__ == "__main__":
    main()
