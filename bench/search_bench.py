"""make bench: the search index — build time, size, query latency — on the corpus and many times it.

1. The corpus PDFs are loaded by the real loader (one worker) into a fresh database; the share
   of the loader's work that goes into sentence rows and tokens is timed in-process.
2. ``rebuild_index`` on that database gives the index build time and, from SQLite's dbstat,
   its size (distinct sentences with their tokens, their places, the plan keys, the indexes,
   FTS5) and the size per sentence (per place a sentence stands).
3. Databases 50 times larger (``--copies``) are made by copying every document's pages, lines,
   plans, sections and records 49 times under new ids, and indexed twice:
   **exact** copies — every sentence then stands 50 times, and de-duplication flatters the index —
   and **distinct** copies, each copy's sentences made its own (a copy-specific word added to each
   sentence with a kana or kanji; bare figures and dates, which every insurer prints, stay
   shared), so that as in real data a template repeats within one insurer's plans and little
   across insurers. The share of places whose sentence stands elsewhere too is printed for each.
4. At least 100 different queries (fixed ones with operators, plus words drawn at random from the
   indexed sentences) are run on each, with ``search`` (limit 20), ``--by branch`` (40 of them),
   five filtered searches, the same five as one plain query (every match ranked, then filtered,
   as the reference of the tests: what the query path buys), and the served search (the canned
   query's SQL through ``planex_search``, limit 200, beside ``search`` with limit 200).

Usage: python bench/search_bench.py [--copies 50 [200 …]] [--queries 120]; ``--copies 200``
(not in ``make bench``: about 15 minutes and 8 GB of disk) prints 200× beside 50×.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from extract import store
from extract.pipeline import read_parsed
from extract.read.pdf import read_pdf
from extract.store import reindex, search_index, search_tables, search_terms
from extract.store.bigrams import CJK_CHARS, index_tokens
from extract.use.candidates import squash
from extract.use.loader import load
from extract.use.search import parse_query, search, search_by, to_match
from extract.use.serve_functions import register_functions
from extract.use.serve_queries import canned_queries

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
PLAIN_FILTERS = {  # the same filters in plain SQL, on plans p and sections sec
    "branch": "p.branch = '北海道'",
    "year": "(p.fiscal_year = 2021 or (p.period_start <= 2021 and p.period_end >= 2021))",
    "insurer": "(instr(p.insurer, '協会けんぽ') > 0 or p.insurer_type = '協会けんぽ')",
    "section": "instr(bench_squash(sec.path), 'ジェネリック') > 0",
    "plan_type": "p.plan_type = 'data_health_plan'",
}
TABLES = ("documents", "pages", "lines", "plans", "sections", "kpis", "programs", "health_issues")
_CJK = re.compile(f"[{CJK_CHARS}]")


def index_size(db) -> dict[str, int]:
    """Bytes of the search tables, from dbstat: distinct sentences with their tokens (and key
    index), places (and their two indexes), plan keys, FTS5, and the token counts and repeats
    that rank the shortest matches first."""
    rows = dict(db.execute("select name, sum(pgsize) from dbstat group by name").fetchall())

    def of(*prefixes: str) -> int:
        return sum(v for k, v in rows.items() if k.startswith(prefixes))

    texts, places, plans = search_tables.TEXTS, search_tables.PLACES, search_tables.PLAN_KEYS
    out = {
        "texts": of(texts, f"idx_{texts}"),
        "places": of(places, f"idx_{places}", plans, f"idx_{plans}"),
        "fts": of(search_tables.INDEX + "_"),
        "terms": of(search_terms.TERMS, search_terms.REPEATS, search_terms.STATE,
                    f"sqlite_autoindex_{search_terms.STATE}"),
    }
    return {**out, "total": sum(out.values())}


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


def distinct_copy(rows: list[tuple], doc_id: str) -> list[tuple]:
    """Copy k's sentence rows made its own: a word of its own (``c<k>``) added to every sentence
    with a kana or kanji; the original (no ``~``) and bare figures are left as they are."""
    copy = doc_id.partition("~")[2]
    if not copy:
        return rows
    out = []
    for kind, ref, section, plan, doc, page, sentence, tokens, repeats in rows:
        if _CJK.search(sentence):
            sentence, tokens = f"{sentence} c{copy}", f"{tokens} c{copy}"
        out.append((kind, ref, section, plan, doc, page, sentence, tokens, repeats))
    return out


def build(db, distinct: bool) -> int:
    """``rebuild_index``, or (``distinct``) the same steps with each copy's sentences made its own."""
    if not distinct:
        return store.rebuild_index(db)
    total = 0
    with db.atomic():
        search_tables.clear(db)
        for (doc_id,) in db.execute("select id from documents order by id").fetchall():
            rows = distinct_copy(reindex.stored_sentence_rows(db, doc_id), doc_id)
            search_tables.insert_sentences(db, rows, index=False)
            total += len(rows)
        search_tables.finish_rebuild(db)
    return total


def repeated_share(db) -> float:
    """The share of places whose sentence stands in another place too."""
    places = search_tables.PLACES
    sql = f"select sum(n) from (select count(*) as n from {places} group by text_id having n > 1)"
    repeated = db.execute(sql).fetchone()[0] or 0
    return repeated / db.execute(f"select count(*) from {search_tables.PLACES}").fetchone()[0]


def queries(db, count: int, seed: int = 7) -> list[str]:
    """The fixed queries, then random words (2 to 6 kana/kanji) from indexed sentences."""
    rng = random.Random(seed)
    sentences = [r[0] for r in db.execute(f"select sentence from {search_index.SENTENCES} order by id")]
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


def latency(db, items: list, fn: Callable) -> tuple[float, float]:
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


def plain_filtered(db, item: tuple[str, dict]) -> list:
    """A filtered search as one plain query: every match ranked and joined, then filtered."""
    query, filters = item
    condition = " and ".join(PLAIN_FILTERS[name] for name in filters)
    return db.execute(
        f"""select pl.id, t.sentence, i.rank from {search_tables.INDEX} i
        join {search_tables.TEXTS} t on t.id = i.rowid join {search_tables.PLACES} pl on pl.text_id = t.id
        join {search_tables.PLAN_KEYS} k on k.key = pl.plan_key join plans p on p.id = k.plan_id
        left join sections sec on sec.id = pl.section_id
        where {search_tables.INDEX} match ? and {condition} order by i.rank, t.id, pl.id limit 40""",
        [to_match(parse_query(query))],
    ).fetchall()


def served(path: Path) -> tuple[sqlite3.Connection, str]:
    """A read-only connection with the SQL functions ``planex serve`` adds, and its canned search."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    register_functions(conn)
    return conn, canned_queries(sqlite_utils.Database(conn))["search"]["sql"]


def served_args(query: str) -> dict[str, str]:
    return {"q": query, "kind": "", "branch": ""}


def measure(db, path: Path, words: list[str] | None, count: int, distinct: bool = False) -> dict:
    """Index build time and size, and query latency, on one database (``words``: the queries)."""
    start = time.perf_counter()
    sentences = build(db, distinct)
    seconds = time.perf_counter() - start
    db.execute("vacuum")
    words = words or queries(db, count)
    db.conn.create_function("bench_squash", 1, squash, deterministic=True)
    conn, sql = served(path)
    timed = {
        "search": latency(db, words, lambda d, w: search(d, w, limit=20)),
        "by": latency(db, words[:40], lambda d, w: search_by(d, w, "branch")),
        "filtered": latency(db, FILTERED, lambda d, q: search(d, q[0], limit=20, **q[1])),
        "plain": latency(db, FILTERED, plain_filtered),
        "search200": latency(db, words, lambda d, w: search(d, w, limit=200)),
        "served": latency(conn, words, lambda c, w: json.dumps(c.execute(sql, served_args(w)).fetchall())),
    }
    conn.close()
    return {"sentences": sentences, "build": seconds, "size": index_size(db), "words": words,
            "texts": db[search_tables.TEXTS].count, "repeated": repeated_share(db), **timed}  # fmt: skip


def run(copies: list[int], count: int) -> None:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.db"
        start = time.perf_counter()
        summary = load([PDFS], path, workers=1)
        load_rate = summary.pages / (time.perf_counter() - start)
        db = store.open_db(path)
        results["corpus"] = small = measure(db, path, None, count)
        rates = tokenizer_rates(db)
        db.close()
        for n in copies:
            for distinct in (False, True):
                big_path = Path(tmp) / f"big{n}.db"
                shutil.copy(path, big_path)
                big = store.open_db(big_path)
                multiply(big, n)
                results[f"{n}x {'distinct' if distinct else 'exact'}"] = measure(
                    big, big_path, small["words"], count, distinct
                )
                big.close()
                big_path.unlink()
        share = loader_share(Path(tmp))
    report(results)
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


def report(results: dict[str, dict]) -> None:
    words = len(results["corpus"]["words"])
    names = list(results)
    width = max(14, *(len(n) + 2 for n in names))
    print(f"\nsearch index ({words} queries; Nx exact = the corpus documents copied N times, every sentence"
          " repeated N times; Nx distinct = each copy's sentences made its own)")  # fmt: skip

    def line(label: str, cell: Callable[[dict], str]) -> None:
        print(f"{label:<42}" + "".join(f"{cell(results[n]):>{width}}" for n in names))

    line("", lambda r: next(n for n in names if results[n] is r))
    line("sentences indexed (places)", lambda r: f"{r['sentences']:,}")
    line("distinct sentences", lambda r: f"{r['texts']:,}")
    line("places whose sentence stands elsewhere", lambda r: f"{r['repeated']:.0%}")
    line("index build, rebuild_index (s)", lambda r: f"{r['build']:.2f}")
    sizes = (("index size, total (MB)", "total"), ("  distinct sentences with tokens", "texts"),
             ("  places, plan keys, their indexes", "places"), ("  FTS5 index", "fts"),
             ("  token counts and repeats", "terms"))  # fmt: skip
    for label, key in sizes:
        line(label, lambda r, key=key: f"{r['size'][key] / 1e6:.2f}")
    line("index bytes per sentence (place)", lambda r: f"{r['size']['total'] / r['sentences']:.0f}")
    timed = (("search, limit 20: p50 / p95 (ms)", "search"), ("--by branch (40 q): p50 / p95", "by"),
             ("with a filter (5 q): p50 / p95", "filtered"),
             ("  the same, one plain query: p50 / p95", "plain"),
             ("search, limit 200: p50 / p95", "search200"),
             ("served search (canned query, 200): p50/p95", "served"))  # fmt: skip
    for label, key in timed:
        line(label, lambda r, key=key: f"{r[key][0]:.1f} / {r[key][1]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[50])
    parser.add_argument("--queries", type=int, default=120)
    args = parser.parse_args()
    copies = sorted(set(args.copies) | ({50} if max(args.copies) > 50 else set()))
    run(copies, max(args.queries, 100))


if __name__ == "__main__":
    main()
