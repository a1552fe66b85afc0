"""make bench: how planex reads the corpus as each producer writes it, and real office PDFs.

For every producer of the corpus -- the builder's plain and published layouts, Word and Excel
through LibreOffice (corpus/word, corpus/calc), a PDF printer's overprinted bold
(corpus/overprint) -- and every document it writes that has an expected outline or gold records
(tests/expected, tests/gold): section, KPI and program precision and recall (extract/evaluate),
beside the plain layout's figures for the same document. Then the load time of each producer's
folder against the plain PDFs of the same documents, measured in this run (``planex load
--workers 1``, alternating, the best of two rounds).

Then, when the development set of real PDFs is there (``../shared/realpdfs-dev`` beside the
checkout, or ``--realpdfs DIR``; skipped with a note when absent): for each of its PDFs, its
pages, whether the reading has doubled text (a run of three or more characters written twice in
a row, as overprinted bold leaves it), how many KPI targets were found (none of them sets one),
and the headings found.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from layouts import REAL, built_producers  # noqa: E402

from bench import run_load, start_up_seconds  # noqa: E402  (bench/bench.py: planex load in a fresh process)

MEASURES = ("sections", "kpis", "programs")
WORD = r"[\u3040-\u30ff\u3400-\u9fff\u2f00-\u2fdfA-Za-z0-9０-９]"
DOUBLED = re.compile(rf"({WORD}{{4,}}?)\1|^({WORD}{{2,}})\2$")
"""Overprinted text read as two copies: four or more characters written twice in a row, or a
line that is one text twice (``目標値目標値``). Natural text repeats three characters now and
then (``その事業の事業高``), which is not counted."""


def scores(pdf: Path, doc_id: str) -> dict[str, tuple[int, int, int]]:
    """(expected, found, matched) of each measure for one document, against its gold."""
    from extract import pipeline
    from extract.evaluate import score_kpis, score_plans, score_programs

    plans = pipeline.read_document(pdf.read_bytes()).plans
    out = {}
    expected = json.loads((ROOT / "tests" / "expected" / f"{doc_id}.json").read_text(encoding="utf-8"))
    if any("sections" in p for p in expected["plans"]):
        e = score_plans([(r.plan, r.sections) for r in plans], expected)
        out["sections"] = (e.expected, e.predicted, e.matched)
    key = (lambda r: "main") if len(plans) == 1 else (lambda r: r.plan.branch)
    gold_kpis = ROOT / "tests" / "gold" / f"{doc_id}.json"
    if gold_kpis.exists():
        e = score_kpis({key(r): r.kpis for r in plans}, json.loads(gold_kpis.read_text(encoding="utf-8")))
        out["kpis"] = (e.expected, e.predicted, e.matched)
    gold_programs = ROOT / "tests" / "gold" / "programs" / f"{doc_id}.json"
    if gold_programs.exists():
        gold = json.loads(gold_programs.read_text(encoding="utf-8"))
        issues = {key(r): r.health_issues for r in plans}
        e = score_programs({key(r): r.programs for r in plans}, gold, issues)
        out["programs"] = (e.programs.expected, e.programs.predicted, e.programs.matched)
    out["plans"] = (len(expected["plans"]), len(plans), 0)
    return out


def pr(figures: tuple[int, int, int]) -> tuple[float, float]:
    expected, predicted, matched = figures
    return (matched / predicted if predicted else 1.0, matched / expected if expected else 1.0)


def quality(producers: dict[str, Path]) -> None:
    """P and R of each measure, per producer and document, beside the plain layout's."""
    documents = sorted(p.stem for p in (ROOT / "tests" / "expected").glob("*.json"))
    plain: dict[str, dict] = {}
    totals: dict[tuple[str, str], list[int]] = {}
    print(f"{'producer':<10}{'document':<48}{'plans':>8}" + "".join(f"{m + ' P/R':>17}" for m in MEASURES))
    for name, folder in producers.items():
        for doc_id in documents:
            pdf = folder / f"{doc_id}.pdf"
            if not pdf.exists():
                continue
            got = scores(pdf, doc_id)
            if name == "plain":
                plain[doc_id] = got
            cells = []
            for measure in MEASURES:
                if measure not in got:
                    cells.append(f"{'-':>17}")
                    continue
                p, r = pr(got[measure])
                base = plain.get(doc_id, {}).get(measure)
                mark = ""
                if base and name != "plain":
                    p0, r0 = pr(base)
                    mark = "*" if min(p, r) < 0.98 or abs(p - p0) > 0.01 or abs(r - r0) > 0.01 else ""
                cells.append(f"{f'{p:.3f}/{r:.3f}{mark}':>17}")
                total = totals.setdefault((name, measure), [0, 0, 0])
                for k in range(3):
                    total[k] += got[measure][k]
            expected, found, _ = got["plans"]
            print(f"{name:<10}{doc_id:<48}{f'{found}/{expected}':>8}" + "".join(cells), flush=True)
    print("(* : below 0.98, or more than 0.01 from the plain layout's figure for the same document)")
    print(f"\n{'all documents':<18}" + "".join(f"{m + ' P/R':>17}" for m in MEASURES))
    for name in producers:
        row = []
        for m in MEASURES:
            p, r = pr(tuple(totals[(name, m)])) if (name, m) in totals else (None, None)
            row.append(f"{f'{p:.3f}/{r:.3f}' if p is not None else '-':>17}")
        print(f"{name:<18}" + "".join(row))


def load_times(producers: dict[str, Path], rounds: int = 2) -> None:
    """Each producer's folder against the plain PDFs of the same documents (``--workers 1``)."""
    startup = start_up_seconds(producers["plain"])
    print(f"\n{'loading (--workers 1, best of 2)':<34}{'files':>6}{'pages':>7}{'seconds':>9}"
          f"{'plain, same docs':>18}{'ratio':>7}{'after start-up':>16}")  # fmt: skip
    for name, folder in producers.items():
        if name == "plain":
            continue
        ids = sorted(p.stem for p in folder.glob("*.pdf"))
        with tempfile.TemporaryDirectory() as tmp:
            same = Path(tmp) / "plain"
            same.mkdir()
            for doc_id in ids:
                shutil.copy(producers["plain"] / f"{doc_id}.pdf", same)
            best: dict[str, dict] = {}
            for _ in range(rounds):
                for label, where in ((name, folder), ("plain", same)):
                    r = run_load(where, 1)
                    if label not in best or r["seconds"] < best[label]["seconds"]:
                        best[label] = r
        mine, base = best[name]["seconds"], best["plain"]["seconds"]
        steady = (mine - startup) / max(base - startup, 1e-6)
        print(f"{name:<34}{len(ids):>6}{best[name]['pages']:>7}{mine:>9.2f}{base:>18.2f}{mine / base:>7.2f}"
              f"{steady:>16.2f}")  # fmt: skip
    print(f"(start-up {startup:.1f} s; goal for the LibreOffice-made folders: within 1.5x of the plain "
          "layout)")


def doubled_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if DOUBLED.search(line.replace(" ", ""))]


def real_pdfs(folder: Path) -> None:
    """Each real PDF: pages, doubled text, KPI targets found, headings found."""
    from extract import pipeline

    print(f"\nreal PDFs ({folder.name}): what the README there says a correct reader does: headings from "
          "the numbering, no targets, no doubled text, no TOC entries or running headers as sections")
    for pdf in sorted(folder.glob("*.pdf")):
        started = time.perf_counter()
        reading = pipeline.read_document(pdf.read_bytes())
        seconds = time.perf_counter() - started
        pages = reading.document.pages
        doubled = [line for page in pages for line in doubled_lines(page.text)]
        sections = [s for r in reading.plans for s in r.sections]
        kpis = sum(len(r.kpis) for r in reading.plans)
        print(f"\n{pdf.name}: {len(pages)} pages, {seconds:.1f} s; doubled text: "
              f"{len(doubled)} line(s){' e.g. ' + repr(doubled[0][:60]) if doubled else ''}; "
              f"KPI targets: {kpis} (should be 0); headings: {len(sections)}")  # fmt: skip
        for s in sections[:12]:
            print(f"  {'  ' * (s.level - 1)}{s.label} {s.heading[:50]}  p.{s.page_start}")
        if len(sections) > 12:
            print(f"  ... {len(sections) - 12} more")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realpdfs", type=Path, default=REAL, help="the real PDFs' folder")
    parser.add_argument("--no-load", action="store_true", help="skip the load times")
    parser.add_argument("--real-only", action="store_true", help="only the real PDFs")
    args = parser.parse_args()
    producers = built_producers()
    from extract.records import ginza

    ginza.nlp()
    if not args.real_only:
        quality(producers)
    if not args.no_load and not args.real_only:
        load_times(producers)
    if args.realpdfs.is_dir():
        real_pdfs(args.realpdfs)
    else:
        print(f"\nreal PDFs: {args.realpdfs} is not there; skipped (it is a development set kept beside "
              "the checkout, not part of the project)")


if __name__ == "__main__":
    main()
