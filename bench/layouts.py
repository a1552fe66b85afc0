"""The corpus folders each producer writes, and the real PDFs beside the checkout: shared by the
benches that read the corpus as every producer writes it (producers_bench.py, targets_bench.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
PRODUCERS = {"plain": CORPUS / "pdfs", "published": CORPUS / "published", "word": CORPUS / "word",
             "calc": CORPUS / "calc", "overprint": CORPUS / "overprint"}  # fmt: skip


def beside_checkout(name: str) -> Path:
    """``../shared/{name}`` beside the checkout; in a git worktree, beside its main checkout when
    not beside the worktree (a worktree's ``.git`` file names the main checkout's ``.git``)."""
    near = ROOT.parent / "shared" / name
    marker = ROOT / ".git"
    if near.exists() or not marker.is_file():
        return near
    gitdir = Path(marker.read_text(encoding="utf-8").partition("gitdir:")[2].strip())
    main = next((p.parent for p in gitdir.parents if p.name == ".git"), None)
    return main.parent / "shared" / name if main else near


REAL = beside_checkout("realpdfs-dev")


def built_producers(wanted: list[str] | None = None) -> dict[str, Path]:
    """The folders of the producers asked for (all by default) that ``make corpus`` has built; the
    others are named on the terminal, so that a short table is never taken for the whole."""
    wanted = wanted or list(PRODUCERS)
    producers = {name: PRODUCERS[name] for name in wanted
                 if PRODUCERS[name].is_dir() and any(PRODUCERS[name].glob("*.pdf"))}  # fmt: skip
    missing = sorted(set(wanted) - set(producers))
    if missing:
        print(f"not built (make corpus): {', '.join(missing)}")
    return producers
