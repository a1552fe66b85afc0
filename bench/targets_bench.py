"""make bench: targets and plan metadata (issue 25) on every gold set and producer, and real PDFs.

For every producer of the corpus that is built -- the builder's plain and published layouts, Word
and Excel through LibreOffice (corpus/word, corpus/calc), a PDF printer's overprinted bold
(corpus/overprint) -- and every document it writes that has a gold set (tests/gold: KPI targets;
tests/expected: plans):

- **targets**: precision and recall of the target records against tests/gold
  (``extract.evaluate.score_kpis``: a found record pairs with a gold record of its plan whose
  indicator reads alike); goal >= 0.98 each;
- **false targets per 10 pages** on a document whose gold states no target (every record found
  there is false); goal <= 0.5;
- **period and issuer** of every plan against tests/expected: the period is right when fiscal year,
  first and last year all are, the issuer when the insurer and its type both are; goal: every plan.

Then, when the development set of real PDFs is there (``../shared/realpdfs-dev`` beside the
checkout, or ``--realpdfs DIR``; skipped with a note when absent; read in place, never copied):
none of them states a target, so every target found is false (per 10 pages); and each plan's
title, issuer and period as found, for a reader to judge.

The figures are printed, never asserted: ``make bench`` measures, the tests assert.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from layouts import PRODUCERS, REAL, built_producers  # noqa: E402

GOLD = ROOT / "tests" / "gold"
EXPECTED = ROOT / "tests" / "expected"
GOAL_PR = 0.98
GOAL_FALSE_PER_10 = 0.5
PERIOD = ("fiscal_year", "period_start", "period_end")
ISSUER = ("insurer", "insurer_type")


@dataclass
class Tally:
    """What one producer's documents add up to."""

    expected: int = 0
    found: int = 0
    matched: int = 0
    false_targets: int = 0
    no_target_pages: int = 0
    plans: int = 0
    period_right: int = 0
    issuer_right: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("expected", "found", "matched", "false_targets", "no_target_pages", "plans",
                     "period_right", "issuer_right"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wrong.extend(other.wrong)


def per_10_pages(count: int, pages: int) -> float:
    return 10 * count / pages if pages else 0.0


def period_label(start: int | None, end: int | None) -> str:
    if start is None:
        return "none"
    return f"FY{start}" if end in (None, start) else f"FY{start}-FY{end}"


def precision_recall(expected: int, found: int, matched: int) -> tuple[float, float]:
    return (matched / found if found else 1.0, matched / expected if expected else 1.0)


def plan_keys(plans: list) -> list[str]:
    """The key each found plan has in the gold sets: ``main`` alone, else its branch."""
    return ["main"] * len(plans) if len(plans) == 1 else [r.plan.branch or "" for r in plans]


def _as_found(plan: object, names: tuple[str, ...]) -> str:
    return " ".join(f"{getattr(plan, n)}" for n in names)


def metadata_tally(producer: str, doc_id: str, plans: list, expected: dict) -> Tally:
    """Period and issuer of each plan against tests/expected (plans paired in order)."""
    tally = Tally()
    gold = expected["plans"]
    tally.plans = len(gold)
    if len(plans) != len(gold):
        tally.wrong.append(f"{producer} {doc_id}: {len(plans)} plans found, {len(gold)} expected")
    for reading, want in zip(plans, gold, strict=False):
        plan = reading.plan
        period_ok = all(getattr(plan, f) == want[f] for f in PERIOD)
        issuer_ok = all(getattr(plan, f) == want[f] for f in ISSUER)
        tally.period_right += period_ok
        tally.issuer_right += issuer_ok
        if not period_ok:
            tally.wrong.append(f"{producer} {doc_id} {want['key']}: period {_as_found(plan, PERIOD)}, "
                               f"expected {' '.join(str(want[f]) for f in PERIOD)}")  # fmt: skip
        if not issuer_ok:
            tally.wrong.append(f"{producer} {doc_id} {want['key']}: issuer {_as_found(plan, ISSUER)}, "
                               f"expected {' '.join(str(want[f]) for f in ISSUER)}")  # fmt: skip
    return tally


def target_tally(plans: list, pages: int, gold: dict) -> Tally:
    """Target precision and recall against a KPI gold; on a gold of no record, the false ones."""
    from extract.evaluate import score_kpis

    found = {}
    for key, reading in zip(plan_keys(plans), plans, strict=True):
        found.setdefault(key, []).extend(reading.kpis)
    score = score_kpis(found, gold)
    tally = Tally(score.expected, score.predicted, score.matched)
    if not gold["records"]:
        tally.false_targets = score.predicted
        tally.no_target_pages = pages
    return tally


def documents() -> list[str]:
    """Every document with a gold set: KPI gold (tests/gold) or expected plans (tests/expected)."""
    return sorted({p.stem for p in GOLD.glob("*.json")} | {p.stem for p in EXPECTED.glob("*.json")})


def corpus(producers: dict[str, Path]) -> None:
    from extract import pipeline

    print(f"{'producer':<10}{'document':<48}{'pages':>6}{'targets P/R':>14}{'exp/found/ok':>14}"
          f"{'false/10p':>10}{'period':>8}{'issuer':>8}{'s':>6}")  # fmt: skip
    totals: dict[str, Tally] = {}
    for name, folder in producers.items():
        total = totals.setdefault(name, Tally())
        for doc_id in documents():
            pdf = folder / f"{doc_id}.pdf"
            if not pdf.exists():
                continue
            started = time.perf_counter()
            reading = pipeline.read_document(pdf.read_bytes())
            seconds = time.perf_counter() - started
            pages = len(reading.document.pages)
            row = Tally()
            gold_file, expected_file = GOLD / f"{doc_id}.json", EXPECTED / f"{doc_id}.json"
            cells = [f"{'-':>14}", f"{'-':>14}", f"{'-':>10}"]
            if gold_file.exists():
                gold = json.loads(gold_file.read_text(encoding="utf-8"))
                row.add(target_tally(reading.plans, pages, gold))
                p, r = precision_recall(row.expected, row.found, row.matched)
                mark = "*" if min(p, r) < GOAL_PR else ""
                cells[0] = f"{f'{p:.3f}/{r:.3f}{mark}':>14}"
                cells[1] = f"{f'{row.expected}/{row.found}/{row.matched}':>14}"
                if not gold["records"]:
                    rate = per_10_pages(row.false_targets, pages)
                    cells[2] = f"{f'{rate:.2f}' + ('*' if rate > GOAL_FALSE_PER_10 else ''):>10}"
            meta = ["-", "-"]
            if expected_file.exists():
                expected = json.loads(expected_file.read_text(encoding="utf-8"))
                m = metadata_tally(name, doc_id, reading.plans, expected)
                row.add(m)
                meta = [f"{right}/{m.plans}" + ("*" if right < m.plans else "")
                        for right in (m.period_right, m.issuer_right)]  # fmt: skip
            total.add(row)
            print(f"{name:<10}{doc_id:<48}{pages:>6}{''.join(cells)}{meta[0]:>8}{meta[1]:>8}{seconds:>6.1f}",
                  flush=True)  # fmt: skip
    print(f"(* : short of the goal -- targets P and R >= {GOAL_PR}, false targets <= {GOAL_FALSE_PER_10} "
          "per 10 pages on a document that states none, every plan's period and issuer right)")  # fmt: skip
    print(f"\n{'all documents':<16}{'targets P/R':>14}{'exp/found/ok':>16}{'false/10p':>10}"
          f"{'period':>9}{'issuer':>9}")  # fmt: skip
    for name, t in totals.items():
        p, r = precision_recall(t.expected, t.found, t.matched)
        rate = f"{per_10_pages(t.false_targets, t.no_target_pages):.2f}" if t.no_target_pages else "-"
        print(f"{name:<16}{f'{p:.3f}/{r:.3f}':>14}{f'{t.expected}/{t.found}/{t.matched}':>16}{rate:>10}"
              f"{f'{t.period_right}/{t.plans}':>9}{f'{t.issuer_right}/{t.plans}':>9}")  # fmt: skip
    wrong = [line for t in totals.values() for line in t.wrong]
    if wrong:
        print(f"\nplans with a wrong period or issuer ({len(wrong)}):")
        for line in wrong:
            print(f"  {line}")


def real_pdfs(folder: Path) -> None:
    """Every real PDF: targets found (all false: none states one) and each plan's metadata."""
    from extract import pipeline
    from extract.read.pdf import PdfReadError

    print(f"\nreal PDFs ({folder.name}): none states a target, so every target found is false; "
          "each plan's title, issuer and period as found")  # fmt: skip
    print(f"{'file':<36}{'pages':>6}{'targets':>9}{'false/10p':>10}  title | issuer (type) | period")
    pages_total = targets_total = 0
    for pdf in sorted(folder.glob("*.pdf")):
        try:
            reading = pipeline.read_document(pdf.read_bytes())
        except PdfReadError as exc:
            print(f"{pdf.name:<36}  not read: {exc}")
            continue
        pages = len(reading.document.pages)
        targets = sum(len(r.kpis) for r in reading.plans)
        pages_total += pages
        targets_total += targets
        for n, r in enumerate(reading.plans):
            plan = r.plan
            period = period_label(plan.period_start, plan.period_end)
            rate = per_10_pages(targets, pages)
            lead = f"{pdf.name:<36}{pages:>6}{targets:>9}{rate:>10.2f}" if n == 0 else " " * 61
            title = " ".join(plan.title.split())[:40]
            print(f"{lead}  {title} | {plan.insurer or 'none'} ({plan.insurer_type}) | {period}")
    rate = per_10_pages(targets_total, pages_total)
    print(f"{'all real PDFs':<36}{pages_total:>6}{targets_total:>9}{rate:>10.2f}"
          f"{'  (goal <= ' + str(GOAL_FALSE_PER_10) + ')'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realpdfs", type=Path, default=REAL, help="the real PDFs' folder")
    parser.add_argument("--producers", default="", help="producers, comma-separated (default: all built)")
    parser.add_argument("--real-only", action="store_true", help="only the real PDFs")
    args = parser.parse_args()
    wanted = [p for p in args.producers.split(",") if p] or list(PRODUCERS)
    unknown = sorted(set(wanted) - set(PRODUCERS))
    if unknown:
        parser.error(f"unknown producer(s): {', '.join(unknown)} (known: {', '.join(PRODUCERS)})")
    producers = built_producers(wanted)
    from extract.records import ginza

    ginza.nlp()
    if not args.real_only:
        corpus(producers)
    if args.realpdfs.is_dir():
        real_pdfs(args.realpdfs)
    else:
        print(f"\nreal PDFs: {args.realpdfs} is not there; skipped (a development set kept beside the "
              "checkout, not part of the project)")  # fmt: skip


if __name__ == "__main__":
    main()
