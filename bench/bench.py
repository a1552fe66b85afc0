"""make bench: loader throughput and memory against bare PyMuPDF on the bundled corpus, and how
well planex reads it: every field of every gold set (tests/expected, tests/gold).

The loader is measured end to end (``planex load`` in a fresh process on a fresh database), on
COPIES distinct copies of corpus/pdfs (each copy re-saved with another title, so its content
hash differs) to amortize process start-up. Peak RSS is that of the largest process (the
parent or one worker), from getrusage. The reference is PyMuPDF's bare ``page.get_text()`` on
the same files in one process: the ratio loader / bare is the figure to watch.

Robustness (``--robustness`` alone, or after the rest): the damaged download folder of
tests/test_robustness.py loaded by ``planex load --json`` — files, loaded, failed by kind,
readable files lost (must be 0), the slowest file's wall time — and a 500-page plan whose
fonts lost their Unicode maps (every page garbled), which must load in seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT / "corpus" / "pdfs"
LAYOUTS = {"plain": PDFS, "published": ROOT / "corpus" / "published"}
"""The corpus in two layouts: typeset as one plain column, and as published (corpus/published.py)."""
TOTALS: dict[tuple[str, str], list[int]] = {}
"""(measure, layout) -> [expected, predicted, matched], summed over the documents scored."""
sys.path.insert(0, str(ROOT))  # tests.mutations: the damaged files of the robustness test
CPU_RATIO = 10.0
CPU_FLOOR = 3.0
"""The robustness figure to watch: no damaged copy should cost more than CPU_RATIO times the CPU
time of its original, plus CPU_FLOOR seconds (a garbled copy of a 4-page original that takes
0.02 s asks pdfplumber about three pages before giving up on it, and on a damaged embedded font
pdfminer spends ~0.3 s a page loading it: 0.7 s for the worst copy). Reported, never asserted:
CPU time depends on the machine."""


def _tally(measure: str, layout: str, score) -> None:
    total = TOTALS.setdefault((measure, layout), [0, 0, 0])
    total[0] += score.expected
    total[1] += score.predicted
    total[2] += score.matched


def make_copies(folder: Path, copies: int) -> list[Path]:
    files = []
    for src in sorted(PDFS.glob("*.pdf")):
        for i in range(copies):
            doc = pymupdf.open(src)
            doc.set_metadata({**(doc.metadata or {}), "subject": f"bench copy {i}"})
            target = folder / f"{src.stem}-{i}.pdf"
            doc.save(target, garbage=0)
            files.append(target)
    return files


def start_up_seconds(folder: Path) -> float:
    """Wall time of loading one small file: the fixed cost every run pays once."""
    small = min(folder.glob("*.pdf"), key=lambda p: p.stat().st_size)
    with tempfile.TemporaryDirectory() as tmp:
        single = Path(tmp) / "one"
        single.mkdir()
        (single / small.name).write_bytes(small.read_bytes())
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "extract.cli", "load", str(single), "--db",
                        str(Path(tmp) / "one.db"), "-q", "--workers", "1"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        return time.perf_counter() - started


def bare_pymupdf(files: list[Path]) -> tuple[int, int, float]:
    pages = chars = 0
    start = time.perf_counter()
    for path in files:
        with pymupdf.open(path) as doc:
            for page in doc:
                chars += len(page.get_text())
                pages += 1
    return pages, chars, time.perf_counter() - start


def run_load(folder: Path, workers: int) -> dict:
    """``planex load`` in a fresh process; peak RSS sampled for every process of the tree."""
    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "extract.cli", "load", str(folder), "--db", str(db), "-q",
             "--workers", str(workers)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        peaks: dict[int, int] = {}
        parent = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                for p in [parent, *parent.children(recursive=True)]:
                    peaks[p.pid] = max(peaks.get(p.pid, 0), p.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        if proc.returncode:
            raise SystemExit(f"planex load failed ({proc.returncode})")
        peak_kb = max(peaks.values(), default=0) // 1024
        import sqlite3

        conn = sqlite3.connect(db)
        pages, chars = conn.execute("select count(*), sum(length(text)) from pages").fetchone()
        conn.close()
    return {"workers": workers, "pages": pages, "chars": chars, "seconds": seconds,
            "peak_rss_mb": peak_kb / 1024}  # fmt: skip


def corpus_build_seconds() -> float:
    """Wall time of typesetting the whole corpus (corpus/build.py: both layouts and the variants)
    into a scratch folder."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "corpus" / "build.py"), "--out", tmp,
                        "--published", f"{tmp}/published", "--variants", f"{tmp}/variants"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        return time.perf_counter() - started


def quality_scores(layout: str = "plain") -> None:
    """Every gold set against what planex reads, field by field (``extract/evaluate/``): plan
    metadata and section headings vs tests/expected, KPI records vs tests/gold, programs and
    health issues vs tests/gold/programs, on the corpus in ``layout``. Each document is read
    once; the time GiNZA and the program stage take is reported beside."""
    import json

    from extract import pipeline
    from extract.evaluate import agreement_table, score_kpis, score_plans, score_programs
    from extract.records import ginza

    ginza.nlp()  # loaded once, as in a worker; not counted below
    spent = 0.0
    original = pipeline.plan_programs

    def timed(*args, **kwargs):
        nonlocal spent
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent += time.perf_counter() - started

    tables: dict[str, list] = {"sections": [], "kpis": [], "programs": [], "health issues": []}
    metadata = []
    fields = ("insurer", "branch", "plan_type", "fiscal_year", "period_start", "period_end")
    pipeline.plan_programs = timed
    started = time.perf_counter()
    try:
        for path in sorted((ROOT / "tests" / "expected").glob("*.json")):
            doc_id = path.stem
            plans = pipeline.read_document((LAYOUTS[layout] / f"{doc_id}.pdf").read_bytes()).plans
            expected = json.loads(path.read_text(encoding="utf-8"))
            found = [(r.plan, r.sections) for r in plans]
            ok = sum(all(getattr(p, f) == w[f] for f in fields)
                     for (p, _), w in zip(found, expected["plans"], strict=False))  # fmt: skip
            metadata.append(f"{doc_id}: {ok}/{len(expected['plans'])} plans with the expected metadata")
            if any("sections" in p for p in expected["plans"]):
                tables["sections"].append((doc_id, score_plans(found, expected)))
            key = (lambda r: "main") if len(plans) == 1 else (lambda r: r.plan.branch)
            gold_kpis = ROOT / "tests" / "gold" / f"{doc_id}.json"
            if gold_kpis.exists():
                gold = json.loads(gold_kpis.read_text(encoding="utf-8"))
                tables["kpis"].append((doc_id, score_kpis({key(r): r.kpis for r in plans}, gold)))
            gold_programs = ROOT / "tests" / "gold" / "programs" / f"{doc_id}.json"
            if gold_programs.exists():
                gold = json.loads(gold_programs.read_text(encoding="utf-8"))
                score = score_programs({key(r): r.programs for r in plans}, gold,
                                       {key(r): r.health_issues for r in plans})  # fmt: skip
                tables["programs"].append((doc_id, score.programs))
                if score.issues.expected:
                    tables["health issues"].append((doc_id, score.issues))
    finally:
        pipeline.plan_programs = original
    total = time.perf_counter() - started
    print(f"\n=== the {layout} layout (corpus/{LAYOUTS[layout].name}) ===")
    print("\n".join(metadata))
    lowest = []
    for what, rows in tables.items():
        for _, evaluation in rows:
            _tally(what, layout, evaluation)
        print(f"\n{what} vs the hand-written gold ({layout}): P, R, each field agreeing over matched pairs")
        print(agreement_table(rows))
        for doc_id, evaluation in rows:
            figures = {"P": evaluation.precision, "R": evaluation.recall}
            figures.update({f: a for f, a in evaluation.agreements().items() if evaluation.compared.get(f)})
            lowest += [(figure, f"{what} {doc_id} {name}") for name, figure in figures.items()]
    print(f"\nKPI records and their canonical indicators ({layout}): P and R over all targets (KPI lines, "
          "goal sentences, tables, STEP cells); the gold records with an expected id found carrying exactly "
          "it; records carrying another id than the gold's (wrong ids, must be 0)")
    print(kpi_id_table(tables["kpis"]))
    worst = sorted(lowest)[:3]
    print("\nlowest figures: " + "; ".join(f"{label} {figure:.3f}" for figure, label in worst))
    stats = ginza.STATS
    print(
        f"GiNZA: {stats['sentences']} sentences, {stats['characters']} characters, "
        f"{stats['seconds']:.2f} s of {total:.2f} s reading these documents; {stats['cache_hits']} cache hits"
    )
    print(f"program stage: {spent:.2f} s of {total:.2f} s reading these documents")


def kpi_id_table(rows: list) -> str:
    """Per gold set: KPI precision and recall, the share of records with their expected id, the
    wrong ids; a total row."""
    from extract.evaluate import KPI_FIELDS, Evaluation

    head = f"{'':<48}{'gold':>6}{'found':>7}{'P':>7}{'R':>7}{'with id':>9}{'expected id':>13}"
    head += f"{'wrong ids':>11}"
    lines = [head]
    total = Evaluation(KPI_FIELDS)
    for label, evaluation in [*rows, ("all gold sets", None)]:
        if evaluation is None:
            evaluation = total
        else:
            total = total + evaluation
        carried, required = evaluation.tally("ids_carried"), evaluation.tally("ids_required")
        lines.append(
            f"{label:<48}{evaluation.expected:>6}{evaluation.predicted:>7}{evaluation.precision:>7.3f}"
            f"{evaluation.recall:>7.3f}{required:>9}{f'{carried} {evaluation.id_share:.3f}':>13}"
            f"{evaluation.wrong_ids:>11}"
        )
    return "\n".join(lines)


def _load_json(folder: Path, db: Path) -> list[dict]:
    """``planex load --json`` (two workers) in a fresh process: one dict per file, then the summary."""
    command = [sys.executable, "-m", "extract.cli", "load", str(folder), "--db", str(db), "--json",
               "--workers", "2", "--timeout", "60"]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in run.stdout.splitlines()]


def robustness(seed: int = 13, count: int = 120) -> None:
    """Figures of the damaged download folder (tests/test_robustness.py) and the garbled giant."""
    from tests.mutations import build_batch, repeated_pages, sources, text_readable, without_unicode_maps

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "downloads"
        batch = build_batch(folder, sources(PDFS, ROOT / "corpus" / "real"), count, seed)
        lines = _load_json(folder, Path(tmp) / "damaged.db")
        files = {line["path"]: line for line in lines if line["type"] == "file"}
        summary = lines[-1]
        original = {name: files[str(path)]["cpu_seconds"] for name, path in batch.originals.items()}
        pairs = [(m, files[str(m.path)]) for m in batch.mutants]
        failures = [m for m, f in pairs if f["outcome"] != "loaded"]
        lost = [m.path.name for m in failures if text_readable(m.path.read_bytes())]
        beyond = max(f["cpu_seconds"] - CPU_RATIO * original[m.source] for m, f in pairs)
        slowest = max((f for _, f in pairs), key=lambda f: f["seconds"])
        failed = ", ".join(f"{kind} {n}" for kind, n in sorted(summary["failed"].items()))
        print(f"\nrobustness: {count} damaged copies (seed {seed}) of {len(batch.originals)} sources")
        print(f"  files {summary['files']}, loaded {summary['loaded']} ({summary['truncated']} cut short, "
              f"pages recovered), failed: {failed}")
        print(f"  readable files lost: {len(lost)} {lost or ''}")
        print(f"  slowest file: {slowest['seconds']:.2f} s wall, {slowest['cpu_seconds']:.2f} s CPU "
              f"({Path(slowest['path']).name})")
        print(f"  most CPU beyond {CPU_RATIO:g}x its original's: {beyond:+.2f} s "
              f"(should stay under +{CPU_FLOOR:g} s)")
        print(f"  whole batch: {summary['seconds']:.1f} s with two workers (start-up included)")
        giant = Path(tmp) / "giant" / "garbled-500-pages.pdf"
        giant.parent.mkdir()
        tokyo = (PDFS / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf").read_bytes()
        giant.write_bytes(repeated_pages(without_unicode_maps(tokyo), 500))
        one = _load_json(giant.parent, Path(tmp) / "giant.db")[0]
        print(f"  500-page plan, every page garbled: {one['outcome']} in {one['seconds']:.1f} s "
              f"({one['cpu_seconds']:.1f} s CPU; pdfplumber asked about {one['second_opinions']} pages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8, help="distinct copies of the corpus to load")
    parser.add_argument("--robustness", action="store_true", help="only the robustness figures")
    args = parser.parse_args()
    if args.robustness:
        robustness()
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_copies(folder, args.copies)
        pages, chars, seconds = bare_pymupdf(files)
        bare_rate = pages / seconds
        print(f"corpus: {len(files)} files ({args.copies} copies of corpus/pdfs), {pages} pages")
        print(f"{'reader':<28}{'pages/s':>10}{'chars/s':>12}{'peak RSS MB':>13}{'vs bare':>9}")
        print("(peak RSS: the largest single process — parent, fork server or worker)")
        print(f"{'bare PyMuPDF get_text()':<28}{bare_rate:>10.0f}{chars / seconds:>12.0f}{'':>13}{'1.00':>9}")
        startup = start_up_seconds(folder)
        one = one_steady = None
        for workers in (1, 2):
            r = run_load(folder, workers)
            rate = r["pages"] / r["seconds"]
            steady = r["pages"] / max(r["seconds"] - startup, 1e-6)
            one, one_steady = one or rate, one_steady or steady
            label = f"planex load --workers {workers}"
            print(f"{label:<28}{rate:>10.0f}{r['chars'] / r['seconds']:>12.0f}{r['peak_rss_mb']:>13.0f}"
                  f"{rate / bare_rate:>9.2f}   (after start-up: {steady:.0f} pages/s)")  # fmt: skip
        print(f"start-up (fork server loading GiNZA, once per run): {startup:.1f} s")
        print(
            f"speed-up with 2 workers: {rate / one:.2f}x end to end, "
            f"{steady / one_steady:.2f}x after start-up  (goals: >= 1.8x; loader >= 0.10 of bare)"
        )
    print(f"corpus build (corpus/build.py, both layouts and the variants): {corpus_build_seconds():.1f} s")
    for layout in LAYOUTS:
        quality_scores(layout)
    layout_summary()
    layout_load_times()
    robustness()


def layout_summary() -> None:
    """Sections, KPIs and programs: precision and recall of each layout over all scored documents."""
    head = "both layouts, all scored documents"
    print(f"\n{head:<28}{'layout':>10}{'expected':>9}{'found':>7}{'P':>7}{'R':>7}")
    ok = True
    for measure in ("sections", "kpis", "programs"):
        scores = {}
        for layout in LAYOUTS:
            expected, predicted, matched = TOTALS[(measure, layout)]
            p, r = matched / predicted if predicted else 1.0, matched / expected if expected else 1.0
            scores[layout] = (p, r)
            print(f"{measure:<28}{layout:>10}{expected:>9}{predicted:>7}{p:>7.3f}{r:>7.3f}")
        (p0, r0), (p1, r1) = scores.values()
        ok = ok and min(p0, r0, p1, r1) >= 0.95 and abs(p0 - p1) <= 0.02 and abs(r0 - r1) <= 0.02
    print(f"goal: each >= 0.95 and the layouts within 0.02 of each other: {'met' if ok else 'NOT met'}")


def layout_load_times(rounds: int = 2) -> None:
    """``planex load --workers 1`` of each layout's folder into a fresh database, side by side
    (alternating, the best of ``rounds``): the published layout's cost over the plain one."""
    startup = start_up_seconds(PDFS)
    best: dict[str, dict] = {}
    for _ in range(rounds):
        for layout, folder in LAYOUTS.items():
            r = run_load(folder, 1)
            if layout not in best or r["seconds"] < best[layout]["seconds"]:
                best[layout] = r
    print(f"\n{'loading each layout (--workers 1)':<36}{'pages':>7}{'seconds':>9}{'after start-up':>16}")
    for layout, r in best.items():
        print(f"{layout:<36}{r['pages']:>7}{r['seconds']:>9.2f}{r['seconds'] - startup:>16.2f}")
    plain, published = best["plain"]["seconds"], best["published"]["seconds"]
    steady = (published - startup) / (plain - startup)
    print(f"load time published / plain: {published / plain:.2f} end to end, "
          f"{steady:.2f} after the {startup:.1f} s start-up (goal: <= 1.5)")  # fmt: skip


if __name__ == "__main__":
    main()
