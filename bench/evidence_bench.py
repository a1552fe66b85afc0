"""make bench: how long one record's evidence takes to show, and what finding it costs the load.

1. make demo's corpus (``corpus/pdfs`` and ``corpus/revisions``) is loaded by the real loader
   into a temporary database.
2. For RECORDS records drawn at random (a fixed seed) among its KPIs, programs and health issues,
   one evidence page is rendered as ``planex serve`` and ``planex show --evidence --png`` do
   (``extract.use.evidence.evidence_png``: the record's lines looked up, the original PDF opened,
   the page drawn with the boxes, the PNG encoded), each timed alone; the median, p95 and maximum
   are printed, and the same for the lookup alone (``find_evidence``).
3. The evidence rows the load stored, and the time finding them took: ``evidence_rows`` run again
   in-process on each document's reading, beside the reading itself.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from extract import store
from extract.pipeline import read_document
from extract.store.evidence_lines import evidence_rows
from extract.use.evidence import evidence_png, find_evidence
from extract.use.loader import load

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT / "corpus" / "pdfs", ROOT / "corpus" / "revisions")


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def line(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"{name:44} {statistics.median(ms):9.1f} {p95(ms):8.1f} {max(ms):8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        load([f for f in FOLDERS if f.exists()], path, workers=1)
        db = store.open_db(path, read_only=True)
        try:
            ids = [r[0] for r in db.execute(
                "select id from kpis union all select id from programs union all select id from health_issues"
            )]  # fmt: skip
            chosen = random.Random(26).sample(ids, min(args.records, len(ids)))
            lookup, render, pixels = [], [], 0
            for ref_id in chosen:
                start = time.perf_counter()
                find_evidence(db, ref_id)
                lookup.append(time.perf_counter() - start)
                start = time.perf_counter()
                _, png = evidence_png(db, ref_id)
                render.append(time.perf_counter() - start)
                pixels += len(png)
            rows = db.execute("select count(*) from evidence").fetchone()[0]
            records = db.execute(
                "select (select count(*) from kpis) + (select count(*) from programs) "
                "+ (select count(*) from health_issues) + (select count(*) from sections)"
            ).fetchone()[0]
        finally:
            db.close()
    print(f"\nevidence of one record ({len(chosen)} KPIs, programs and health issues of make demo's corpus)")
    print(f"{'':44} {'median ms':>9} {'p95 ms':>8} {'max ms':>8}")
    print(line("lookup (find_evidence)", lookup))
    print(line("evidence page rendered (PNG, PDF page)", render))
    print(f"PNG size: {pixels / len(chosen) / 1024:.0f} KiB on average")
    reading, finding = 0.0, 0.0
    for folder in FOLDERS:
        for pdf in sorted(folder.glob("*.pdf")):
            start = time.perf_counter()
            doc = read_document(pdf.read_bytes())
            reading += time.perf_counter() - start
            start = time.perf_counter()
            evidence_rows(doc.document.id, doc.document.pages, doc.plans)
            finding += time.perf_counter() - start
    print(f"evidence rows stored: {rows} for {records} records; finding them took {finding:.2f} s of "
          f"{reading:.1f} s reading the PDFs ({100 * finding / reading:.1f} %)")  # fmt: skip


if __name__ == "__main__":
    main()
