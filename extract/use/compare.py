"""Line up one measure across plans: the section with a given heading, in every plan.

Branches number and decorate the same measure differently — ``３．ジェネリック医薬品の使用促進``,
``③ ジェネリック医薬品の使用促進〈Ⅱ、Ⅲ〉``, ``(7)ジェネリック医薬品の更なる使用促進`` — so headings
are compared as keys: normalized, numbering mark and trailing ``〈Ⅱ、Ⅲ〉`` field tags removed,
punctuation and spaces dropped; then scored with difflib's ratio (no fuzzy-matching dependency
at run time). A plan whose outline keeps the measure as a marked line inside a section's text
(``(1)ジェネリック…`` under ``ⅲ 医療費等の適正化``, ``〈ジェネリック…〉``) is matched on that line,
and the block runs to the next line with the same mark.
"""

from __future__ import annotations

import csv
import difflib
import re
from pathlib import Path

import sqlite_utils

from extract.read.normalize import normalize_text
from extract.store.reindex import stored_lines
from extract.store.search_index import unwrapped
from extract.structure.headings import match_style
from extract.use.export import output_file
from extract.use.search import Filters, SearchError, filter_sql
from schemas.search import Comparison

MIN_SCORE = 0.8
_TAGS = re.compile(r"[〈<＜《(（][ⅠⅡⅢⅣⅤ、・,，\s]+[〉>＞》)）]")
_MARK = re.compile(
    r"^\s*(第\s*\d+\s*[章節]?|\(?\s*\d{1,2}\s*[).．]?|[①-⑳○〇●◎■□◆◇・]|[ⅰ-ⅻⅠ-Ⅻ][).]?|[アイウエオカキクケコ][.、)\s])\s*"
)
_BRACKETED = re.compile(r"^[〈<＜《【]\s*(.+?)\s*[〉>＞》】]$")
MAX_HEADING_LINE = 50


def heading_key(text: str) -> str:
    """What is compared of a heading: its words, without numbering, field tags or punctuation."""
    text = _TAGS.sub("", normalize_text(text)).strip()
    bracketed = _BRACKETED.match(text)
    if bracketed:
        text = bracketed.group(1)
    text = _MARK.sub("", text, count=1)
    return re.sub(r"[\W_]+", "", text).lower()


def similarity(a: str, b: str) -> float:
    """0..1: difflib's ratio of two heading keys (1.0 when equal)."""
    if not a or not b:
        return 0.0
    return 1.0 if a == b else difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _line_mark(line: str) -> str | None:
    """The kind of mark a line opens with: a numbering style, or an opening bracket."""
    styled = match_style(line)
    if styled:
        return styled[0]
    return line[0] if line[:1] in "〈<＜《【" else None


def _block_in_text(text: str, key: str, min_score: float) -> tuple[float, str, str] | None:
    """(score, heading line, block) of the best marked line of ``text`` matching ``key``."""
    lines = text.split("\n")
    best: tuple[float, int] | None = None
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line or len(line) > MAX_HEADING_LINE or line.endswith("。") or _line_mark(line) is None:
            continue
        score = similarity(key, heading_key(line))
        if score >= min_score and (best is None or score > best[0]):
            best = (score, i)
    if best is None:
        return None
    score, start = best
    mark = _line_mark(lines[start].strip())
    end = next((k for k in range(start + 1, len(lines)) if _line_mark(lines[k].strip()) == mark), len(lines))
    return score, lines[start].strip(), "\n".join(lines[start + 1 : end]).strip()


def compare(
    db: sqlite_utils.Database,
    heading: str,
    *,
    insurer: str | None = None,
    branch: str | None = None,
    plan_type: str | None = None,
    year: int | None = None,
    min_score: float = MIN_SCORE,
) -> tuple[list[Comparison], list[dict]]:
    """The best-matching section of every plan, and the plans (rows) without one.

    Documents that hold no plan (a slide deck, a damaged file: plan type ``other`` and no
    insurer) are not listed as missing. The text of a match has its wrapped lines joined.

    A section's block is its own text followed by its subsections (heading and text), so a
    measure split into 目的 / 実施内容 / 評価指標 comes whole.
    """
    key = heading_key(heading)
    if not key:
        raise SearchError("the heading has no words to compare")
    where, args = filter_sql(db, Filters(insurer, branch, plan_type, year))
    plans = [dict(r) for r in db.query(f"select p.* from plans p where 1 = 1 {where} order by p.id", args)]
    found, missing = [], []
    for plan in plans:
        match = _best_in_plan(db, plan, key, min_score)
        if match is not None:
            found.append(match.model_copy(update={"text": _unwrapped(db, plan["doc_id"], match)}))
        elif plan["plan_type"] != "other" or plan["insurer"]:  # a document that is a plan
            missing.append(plan)
    return found, missing


def _unwrapped(db: sqlite_utils.Database, doc_id: str, match: Comparison) -> str:
    """The block's text with the lines the PDF wrapped mid-word joined again (``課⏎題``), as the
    search index reads them (the stored lines tell a line that ran to the margin)."""
    return unwrapped(match.text, stored_lines(db, doc_id, (match.page_start, match.page_end)))


def _best_in_plan(db: sqlite_utils.Database, plan: dict, key: str, min_score: float) -> Comparison | None:
    sections = list(db.query("select * from sections where plan_id = ? order by rowid", [plan["id"]]))
    scored = [(similarity(key, heading_key(s["heading"])), -s["level"], -i) for i, s in enumerate(sections)]
    best = max(scored, default=None)
    if best is not None and best[0] >= min_score:
        i = -best[2]
        head = sections[i]
        parts = [head["text"]]
        for s in sections[i + 1 :]:
            if s["level"] <= head["level"]:
                break
            parts.append(f"{s['label']} {s['heading']}".strip() + "\n" + (s["text"] or ""))
        return _comparison(plan, head["path"], f"{head['label']} {head['heading']}".strip(), best[0],
                           head["page_start"], max(s["page_end"] for s in sections[i:i + len(parts)]),
                           "\n".join(p.strip() for p in parts if p and p.strip()))  # fmt: skip
    in_text = [(_block_in_text(s["text"] or "", key, min_score), s) for s in sections]
    hits = [(m, s) for m, s in in_text if m is not None]
    if not hits:
        return None
    (score, line, block), s = max(hits, key=lambda h: h[0][0])
    return _comparison(plan, f"{s['path']} > {line}", line, score, s["page_start"], s["page_end"], block)


def _comparison(
    plan: dict, path: str, heading: str, score: float, first: int, last: int, text: str
) -> Comparison:
    return Comparison(
        insurer=plan["insurer"], branch=plan["branch"], plan_type=plan["plan_type"],
        fiscal_year=plan["fiscal_year"], period_start=plan["period_start"], period_end=plan["period_end"],
        plan_id=plan["id"], section=path, heading=heading, score=round(score, 3), page_start=first,
        page_end=last, text=text,
    )  # fmt: skip


def plan_name(c: Comparison | dict) -> str:
    """How a plan is called in a comparison: its branch, else its insurer, else its id."""
    get = c.get if isinstance(c, dict) else lambda k: getattr(c, k)
    return get("branch") or get("insurer") or get("plan_id") or get("id") or "?"


def years(c: Comparison) -> str:
    if c.fiscal_year:
        return str(c.fiscal_year)
    return f"{c.period_start}-{c.period_end}" if c.period_start else ""


def write_markdown(path: Path, heading: str, found: list[Comparison], missing: list[dict]) -> None:
    out = [f"# {heading}", "", f"{len(found)} plans have this section."]
    if missing:
        out.append(f"Not found in {len(missing)}: {', '.join(plan_name(m) for m in missing)}.")
    for c in found:
        out += ["", f"## {plan_name(c)} — {c.insurer or ''} {c.plan_type} {years(c)}".rstrip(), "",
                f"*{c.section}* (p. {c.page_start}–{c.page_end}, similarity {c.score:.2f})", "",
                "```text", c.text, "```"]  # fmt: skip
    with output_file(path) as fh:
        fh.write("\n".join(out) + "\n")


CSV_COLUMNS = ("insurer", "branch", "plan_type", "fiscal_year", "period_start", "period_end", "plan_id",
               "section", "heading", "score", "page_start", "page_end", "text")  # fmt: skip


def write_csv(path: Path, found: list[Comparison]) -> None:
    """UTF-8 with a byte-order mark: Excel opens it as UTF-8 (without, it guesses Shift-JIS)."""
    with output_file(path, encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for c in found:
            writer.writerow([getattr(c, col) for col in CSV_COLUMNS])
