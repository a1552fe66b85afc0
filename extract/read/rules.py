"""Rules: a page's drawings as the horizontal and vertical lines of its tables, and the tables they make.

A table is drawn in many ways, and the reader must take them all as borders:

- **strokes** (a line, the edges of a stroked rectangle): Excel and LibreOffice Calc;
- **thin filled rectangles**: Word draws every border as a bar a fraction of a point thick;
- **shaded cells** (a filled rectangle, grey or coloured): Word and Calc shade header cells, and a
  table whose only line is a rule under its header (``borders none``) has no other edges. The
  edges of shaded cells side by side in a row are the borders of those cells (a shaded box
  standing alone, a coloured band behind a heading, a text's shaded lines, is no table).

Rules that touch make a table (two horizontal and two vertical at least). The grid's boundaries
(``xs``, ``ys``) are the distinct positions of its rules: a merged cell is bounded by the nearest
rules around it, however many boundaries it spans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pymupdf

from extract.read.layout import turner

TOL = 1.0  # rules this close are one rule
MIN_RULE = 3.0  # shorter strokes are no rules (underlines of a character, ticks)
THIN = 2.5  # a filled rectangle this thin is a rule
WHITE = 0.98  # a fill this light on every channel is no shading


@dataclass(slots=True)
class Rule:
    """A horizontal (``y0 == y1``) or vertical (``x0 == x1``) rule."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return self.y0 == self.y1


@dataclass
class Table:
    """Rules that touch, and the grid they make."""

    number: int
    hs: list[Rule]
    vs: list[Rule]
    x0: float
    y0: float
    x1: float
    y1: float
    xs: list[float]  # distinct column boundaries, left to right
    ys: list[float]  # distinct row boundaries, top to bottom

    def contains(self, x: float, y: float) -> bool:
        return self.x0 - TOL <= x <= self.x1 + TOL and self.y0 - TOL <= y <= self.y1 + TOL


def page_rules(page: pymupdf.Page) -> tuple[list[Rule], list[pymupdf.Rect]]:
    """The page's rules and its shaded (filled, not thin) rectangles, as the page is shown.

    The edges of a shaded rectangle are among the rules when the rectangle is part of a grid
    (:func:`fill_edges`)."""
    turn = turner(page)
    rules: list[Rule] = []
    fills: list[pymupdf.Rect] = []

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        if abs(y1 - y0) <= TOL and abs(x1 - x0) >= MIN_RULE:
            y = round((y0 + y1) / 2, 1)
            rules.append(Rule(min(x0, x1), y, max(x0, x1), y))
        elif abs(x1 - x0) <= TOL and abs(y1 - y0) >= MIN_RULE:
            x = round((x0 + x1) / 2, 1)
            rules.append(Rule(x, min(y0, y1), x, max(y0, y1)))

    for path in page.get_cdrawings():  # plain tuples: cheaper than get_drawings()' Rect objects
        kind = path.get("type") or ""
        stroked = "s" in kind
        fill = path.get("fill")
        for item in path["items"]:
            op = item[0]
            if op == "l":
                (px, py), (qx, qy) = turn(*item[1]), turn(*item[2])
                add(px, py, qx, qy)
                continue
            if op == "re":
                x0, y0, x1, y1 = item[1]
            elif op == "qu":
                xs, ys = [q[0] for q in item[1]], [q[1] for q in item[1]]
                x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
            else:
                continue
            (ax, ay), (bx, by) = turn(x0, y0), turn(x1, y1)
            x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
            if x1 - x0 <= THIN or y1 - y0 <= THIN:
                if x1 - x0 <= THIN:
                    add((x0 + x1) / 2, y0, (x0 + x1) / 2, y1)
                else:
                    add(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2)
                continue
            if stroked:
                add(x0, y0, x1, y0)
                add(x0, y1, x1, y1)
                add(x0, y0, x0, y1)
                add(x1, y0, x1, y1)
            if fill is not None and min(fill) < WHITE:
                fills.append(pymupdf.Rect(x0, y0, x1, y1))
    if fills:
        fills = _distinct(fills)
        rules.extend(fill_edges(fills))
    return rules, fills


def _distinct(fills: list[pymupdf.Rect]) -> list[pymupdf.Rect]:
    """Each shaded rectangle once (Word paints a shaded cell twice)."""
    seen: dict[tuple[int, int, int, int], pymupdf.Rect] = {}
    for f in fills:
        seen.setdefault((round(f.x0), round(f.y0), round(f.x1), round(f.y1)), f)
    return list(seen.values())


def fill_edges(fills: list[pymupdf.Rect]) -> list[Rule]:
    """The edges of the shaded rectangles that are cells of a table row, as rules.

    A shaded rectangle is a cell when another one stands beside it with the same top and bottom,
    sharing its side: Word shades a header row cell by cell and, in a ``borders none`` table,
    draws no other border but a rule under it. A shaded box alone (a band behind a heading, a
    coloured note), shapes of a drawing, and the shading of a text's lines inside a shaded box
    (stacked, or within another) stay shadings; a shaded cell of a ruled table has its rules already."""
    tol = 2 * TOL
    out: list[Rule] = []
    alone = [f for f in fills if not any(g is not f and g.contains(f) for g in fills)]  # not inside a box
    for f in alone:
        if not any(g is not f and _side_by_side(f, g, tol) for g in alone):
            continue
        top, bottom, left, right = round(f.y0, 1), round(f.y1, 1), round(f.x0, 1), round(f.x1, 1)
        out += [Rule(f.x0, top, f.x1, top), Rule(f.x0, bottom, f.x1, bottom),
                Rule(left, f.y0, left, f.y1), Rule(right, f.y0, right, f.y1)]  # fmt: skip
    return out


def _side_by_side(f: pymupdf.Rect, g: pymupdf.Rect, tol: float) -> bool:
    """Whether two rectangles are neighbouring cells of one row: the same top and bottom, and the
    side of one is the side of the other."""
    row = abs(g.y0 - f.y0) <= tol and abs(g.y1 - f.y1) <= tol
    return row and (abs(g.x0 - f.x1) <= tol or abs(g.x1 - f.x0) <= tol)


def merge_rules(rules: list[Rule], horizontal: bool) -> list[Rule]:
    """Collinear rules that touch or overlap become one (Word draws a border in pieces)."""
    pos = (lambda r: r.y0) if horizontal else (lambda r: r.x0)
    out: list[Rule] = []
    cluster: list[Rule] = []

    def flush() -> None:
        at = sum(pos(r) for r in cluster) / len(cluster)
        spans = sorted((r.x0, r.x1) if horizontal else (r.y0, r.y1) for r in cluster)
        lo, hi = spans[0]
        for a, b in [*spans[1:], (float("inf"), float("inf"))]:
            if a <= hi + TOL:
                hi = max(hi, b)
                continue
            out.append(Rule(lo, at, hi, at) if horizontal else Rule(at, lo, at, hi))
            lo, hi = a, b
        cluster.clear()

    for r in sorted(rules, key=pos):
        if cluster and pos(r) - pos(cluster[-1]) > TOL:
            flush()
        cluster.append(r)
    if cluster:
        flush()
    return out


def boundaries(values: list[float]) -> list[float]:
    """Distinct positions, left to right (or top to bottom): values this close are one."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 2 * TOL:
            out.append(v)
    return out


def find_tables(rules: list[Rule]) -> list[Table]:
    """Tables: groups of horizontal and vertical rules that touch, with two or more of each."""
    hs = merge_rules([r for r in rules if r.horizontal], True)
    vs = merge_rules([r for r in rules if not r.horizontal], False)
    if not hs or not vs:
        return []
    parent = list(range(len(hs) + len(vs)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    tol = 2 * TOL
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.x0 - tol <= v.x0 <= h.x1 + tol and v.y0 - tol <= h.y0 <= v.y1 + tol:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = defaultdict(lambda: ([], []))
    for i, h in enumerate(hs):
        groups[find(i)][0].append(h)
    for j, v in enumerate(vs):
        groups[find(len(hs) + j)][1].append(v)
    tables = [make_table(g_hs, g_vs) for g_hs, g_vs in groups.values() if len(g_hs) >= 2 and len(g_vs) >= 2]
    tables.sort(key=lambda t: (t.y0, t.x0))
    for n, t in enumerate(tables):
        t.number = n
    return tables


def make_table(hs: list[Rule], vs: list[Rule], number: int = 0) -> Table:
    """The table of these rules: its box and its grid."""
    x0 = min(r.x0 for r in hs + vs)
    x1 = max(r.x1 for r in hs + vs)
    y0 = min(r.y0 for r in hs + vs)
    y1 = max(r.y1 for r in hs + vs)
    xs, ys = boundaries([v.x0 for v in vs]), boundaries([h.y0 for h in hs])
    return Table(number, hs, vs, x0, y0, x1, y1, xs, ys)
