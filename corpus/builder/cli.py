"""The builder's command line (``python corpus/build.py``): which layouts and producers to
build, into which folders, and a line per document built."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

from .calc import build_calc
from .common import (
    DEFAULT_CALC,
    DEFAULT_OUT,
    DEFAULT_OVERPRINT,
    DEFAULT_PUBLISHED,
    DEFAULT_REVISIONS,
    DEFAULT_SCANNED,
    DEFAULT_VARIANTS,
    DEFAULT_WORD,
    MANIFEST,
    Metrics,
    find_font,
    load_manifest,
    load_revisions,
    load_scans,
    load_variants,
)
from .overprint import build_overprint
from .plain import build_plain
from .published import build_published
from .scanned import build_scan
from .word import build_word

LAYOUTS = ("plain", "published", "scanned", "overprint", "word", "calc")
"""Each layout or producer, in the order ``all`` builds them (scans are made of plain pages)."""
BATCHES = ("word", "calc")
"""Producers that write every document first and then export them all in one LibreOffice run."""
FOLDERS = {
    "plain": ("--out", DEFAULT_OUT),
    "published": ("--published", DEFAULT_PUBLISHED),
    "variant": ("--variants", DEFAULT_VARIANTS),
    "revision": ("--revisions", DEFAULT_REVISIONS),
    "scanned": ("--scanned", DEFAULT_SCANNED),
    "overprint": ("--overprint", DEFAULT_OVERPRINT),
    "word": ("--word", DEFAULT_WORD),
    "calc": ("--calc", DEFAULT_CALC),
}
HELP = {"plain": "the plain layout", "published": "the published layout", "variant": "the variants",
        "revision": "the revised plans (plain layout)",
        "scanned": "the scans", "overprint": "the overprinting printer", "word": "Word (LibreOffice Writer)",
        "calc": "Excel (LibreOffice Calc)"}  # fmt: skip


def build_scan_one(entry: dict, plain: Path, out: Path, fontfile: str, metrics: Metrics) -> dict:
    """A scan of plain-layout pages; the plain PDF is typeset first if it is not there yet."""
    source = plain / f"{entry['of']}.pdf"
    if not source.exists():
        plain.mkdir(parents=True, exist_ok=True)
        build_plain(next(e for e in load_manifest() if e["id"] == entry["of"]), plain, fontfile, metrics)
    sidecar = build_scan(entry, source, out)
    return {**sidecar, "pages": len(sidecar["pages"])}


def report(entry_id: str, layout: str, folder: Path, pages: int, seconds: float | None) -> None:
    size = (folder / f"{entry_id}.pdf").stat().st_size
    spent = f"{seconds:6.2f} s" if seconds is not None else "(batch)"
    print(f"{entry_id:<40} {layout:<9} {pages:>4} pages {size:>9} bytes {spent}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Typeset the plan texts of corpus/manifest.toml into PDFs.")
    ap.add_argument("--only", metavar="ID", help="build only the document (or variant, or scan) with this id")
    for key, (flag, default) in FOLDERS.items():
        ap.add_argument(flag, type=Path, default=default, metavar="DIR",
                        help=f"output folder of {HELP[key]} (default: corpus/{default.name})")  # fmt: skip
    ap.add_argument("--layout", choices=(*LAYOUTS, "all"), default="all",
                    help="one layout or producer (published includes the variants, plain the revisions), "
                    "or all")  # fmt: skip
    args = ap.parse_args(argv)

    entries, variants, scans = load_manifest(), load_variants(), load_scans()
    revisions = load_revisions()
    if args.only:
        entries = [e for e in entries if e["id"] == args.only]
        variants = [v for v in variants if v["id"] == args.only]
        scans = [s for s in scans if s["id"] == args.only]
        revisions = [r for r in revisions if r["id"] == args.only]
        if not entries and not variants and not scans and not revisions:
            sys.exit(f"build.py: no document with id {args.only!r} in {MANIFEST}")
    fontfile = find_font()
    metrics = Metrics(pymupdf.Font(fontfile=fontfile))
    out = args.out.resolve()
    wanted = set(LAYOUTS) if args.layout == "all" else {args.layout}
    t_all = time.perf_counter()
    jobs: list[tuple[str, dict, Path, Callable[[], dict]]] = []

    def job(layout: str, entry: dict, folder: Path, run: Callable[[], dict]) -> None:
        jobs.append((layout, entry, folder.resolve(), run))

    for e in entries if "plain" in wanted else []:
        job("plain", e, out, lambda e=e: build_plain(e, out, fontfile, metrics))
    revised = args.revisions.resolve()
    for r in revisions if "plain" in wanted else []:
        job("revision", r, revised, lambda r=r: build_plain(r, revised, fontfile, metrics))
    if "published" in wanted:
        published, variant_dir = args.published.resolve(), args.variants.resolve()
        for e in entries:
            if "published" in e:
                job("published", e, published, lambda e=e: build_published(e, published, fontfile))
        for v in variants:
            job("variant", v, variant_dir, lambda v=v: build_published(v, variant_dir, fontfile))
    for s in scans if "scanned" in wanted else []:
        job("scanned", s, args.scanned,
            lambda s=s: build_scan_one(s, out, args.scanned.resolve(), fontfile, metrics))  # fmt: skip
    for e in entries if "overprint" in wanted else []:
        if "overprint" in e:
            folder = args.overprint.resolve()
            job("overprint", e, folder, lambda e=e, folder=folder: build_overprint(e, folder, fontfile))
    for layout, entry, folder, run in jobs:
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        info = run()
        report(entry["id"], layout, folder, info["pages"], time.perf_counter() - t0)
    built = [(layout, folder) for layout, _, folder, _ in jobs]
    for layout in BATCHES:
        chosen = [e for e in entries if layout in e] if layout in wanted else []
        if not chosen:
            continue
        folder = getattr(args, layout).resolve()
        t0 = time.perf_counter()
        build = build_word if layout == "word" else build_calc
        for sidecar in build(chosen, folder, metrics):
            report(sidecar["id"], layout, folder, sidecar["pages"], None)
        print(f"{layout}: {len(chosen)} document(s) written and exported by LibreOffice in "
              f"{time.perf_counter() - t0:.2f} s")  # fmt: skip
        built += [(layout, folder)] * len(chosen)
    folders = sorted({str(folder) for _, folder in built})
    print(f"{len(built)} PDF(s) in {time.perf_counter() - t_all:.2f} s -> {', '.join(folders)}")
    return 0
