"""OCR of scanned pages with Tesseract: a page image becomes lines with positions, like a text layer.

Why the Tesseract program and not PyMuPDF's OCR: PyMuPDF hands the image to Tesseract and keeps
only the text layer of the PDF it writes, without the words' confidences, and the page's
confidence is evidence a user needs (which pages to check first). Tesseract's TSV output gives
every word with its box and its confidence; run with one thread (``OMP_THREAD_LIMIT=1``) it reads
an A4 page in about a second, four times faster than with OpenMP's default of a thread per core
fighting over the cores the loader's workers already use.

What Tesseract's Japanese output is like, and what is done about it here:

- **Fragments.** A Japanese line comes as many "words" of one to three characters, and a line is
  sometimes cut in two at a gap (Tesseract's line 1 and 2 on one baseline). The words of all lines
  that share a baseline are joined in reading order (left to right); a gap as wide as a space
  becomes a space, and a gap as wide as a table's column gap separates two lines, as the text
  layer's reader separates table cells (``extract.read.layout``).
- **Filled marks.** ■ and ● open KPI lines and measures, and Tesseract reads them as some dense
  kanji (還, 画, 国). A "character" whose box is square and almost all ink is a filled mark: the
  page image decides, not the letter Tesseract guessed.
- **Orientation.** The page is rendered as it is shown (its ``/Rotate`` applied). A page read with
  a low confidence is asked again: Tesseract's orientation detection (a sheet scanned sideways is
  turned upright, and its lines are given in the upright frame), then the vertical-writing model
  ``jpn_vert`` (縦書き); the reading with the best confidence is kept.

The text repairs that need no image (letters read for digits, a period read for a thousands
comma) are in :mod:`extract.read.ocr_text`; every OCR'd line then goes through the same normalization
as any text (:func:`extract.read.normalize.normalize_text`, in the reader).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass, field

import numpy as np
import pymupdf

from extract.read.cells import Rule, arrange, find_tables
from extract.read.layout import RawLine
from extract.read.ocr_image import (
    INK,
    despeckle,
    erase_rules,
    find_rules,
    grey_array,
    rules_in_points,
    skew_angle,
    to_pixmap,
)
from extract.read.ocr_text import repair_line

OCR_PACKAGES = ("tesseract-ocr", "tesseract-ocr-jpn", "tesseract-ocr-jpn-vert")
"""The Debian packages of Tesseract and its Japanese models (horizontal and vertical writing)."""
LANGUAGE = "jpn"
VERTICAL = "jpn_vert"
PAGE_SEGMENTATION = 3
"""Tesseract's ``--psm``: 3 finds the page's blocks and columns itself (what a plan's mixture of
paragraphs, tables and side-by-side cells needs)."""
DPI_RANGE = (150, 300)
"""A page is rendered at its scan's own resolution (no blur from resampling), within this range:
below 150 dpi body text is too small for Tesseract, above 300 only slower."""
DEFAULT_DPI = 200
LOW_CONFIDENCE = 60.0
"""A page read with a lower mean word confidence is asked again (turned, or as vertical writing)."""
BLANK_INK = 0.0005
"""Share of ink pixels (after despeckling) under which a page is blank and not given to Tesseract."""
PAGE_TIMEOUT = 300.0
"""Seconds one Tesseract run may take on one page before the page is given up (as no text)."""
SECONDS_PER_PAGE = 20.0
"""What the loader adds to a file's timeout for each page it has to OCR: about ten times what a
page takes on a busy core, so that only a stuck run is given up."""
_SPACE_GAP = 0.3
"""A gap next to a Latin letter or a digit wider than this share of the line's character height is
a space (``KPI：``, ``を 2,400``: proportional type, where a space is a quarter of an em)..."""
_WIDE_SPACE_GAP = 0.9
"""... and between two Japanese characters only a gap of about a full-width space is one: kana and
kanji are set solid, and Tesseract's boxes of one word's characters leave gaps of their own."""
_NARROW = re.compile(r"[\x21-\x7e]")
_FULL_WIDTH = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")  # one em wide
_FULL_HEIGHT = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")
_CELL_GAP = 1.6
"""A gap wider than this many character heights separates two lines on one baseline (table cells)."""
_FILLED = 0.82
"""Share of dark pixels from which a square "character" is a filled mark (■ ≈ 1, ● ≈ 0.79, kanji < 0.5)."""


class OcrUnavailable(Exception):
    """Tesseract or its Japanese model is missing; the message says which package to install."""


@dataclass(frozen=True)
class Tesseract:
    """The Tesseract program found on this machine and the models it can use."""

    program: str
    languages: frozenset[str]

    @property
    def vertical(self) -> bool:
        """Whether the vertical-writing model is there (pages of 縦書き are then read with it)."""
        return VERTICAL in self.languages


def _install_hint() -> str:
    return f"install Tesseract and its Japanese models: sudo apt-get install {' '.join(OCR_PACKAGES)}"


def find_tesseract() -> Tesseract:
    """Tesseract with its Japanese model, or :class:`OcrUnavailable` saying what to install.

    Tesseract finds its models in ``TESSDATA_PREFIX`` if that is set, else where it was installed;
    ``tesseract --list-langs`` answers for both (as PyMuPDF's ``get_tessdata`` asks it too)."""
    program = shutil.which("tesseract")
    if program is None:
        raise OcrUnavailable(f"--ocr needs Tesseract, which is not installed: {_install_hint()}")
    try:
        listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        message = f"--ocr needs Tesseract, which does not run ({exc}): {_install_hint()}"
        raise OcrUnavailable(message) from None
    languages = frozenset(line.strip() for line in listed.stdout.splitlines()[1:] if line.strip())
    if LANGUAGE not in languages:
        where = os.environ.get("TESSDATA_PREFIX")
        place = f" in TESSDATA_PREFIX={where}" if where else ""
        raise OcrUnavailable(
            f"--ocr needs Tesseract's Japanese model ({LANGUAGE}.traineddata), not found{place}: "
            f"{_install_hint()}"
        )
    return Tesseract(program, languages)


@dataclass
class Word:
    """One word of Tesseract's TSV: its text, box in pixels, confidence (0–100) and line key."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    line: tuple[int, int, int]

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class OcrPage:
    """What OCR read on one page: lines in the page's points, and how sure Tesseract was."""

    lines: list[RawLine]
    confidence: float | None
    """Mean word confidence, 0–100 (``None``: no word read)."""
    words: int
    width: float
    height: float
    """The frame of the lines: the page as shown, or turned upright if it was scanned sideways."""
    language: str = LANGUAGE
    turned: int = 0
    """Degrees the image was turned (clockwise) to read it upright."""
    tries: list[str] = field(default_factory=list)
    """The readings tried, in order (``jpn``, ``jpn+90`` turned, ``jpn_vert``); none on a blank page."""


def run_tesseract(engine: Tesseract, image: bytes, dpi: int, language: str, psm: int) -> list[Word]:
    """Words Tesseract reads in a PNG image (an empty list if it fails on it).

    Tesseract runs in the caller's process group: the loader gives each worker one of its own and
    kills the group with a worker past its timeout, so no Tesseract is left running."""
    command = [engine.program, "stdin", "stdout", "-l", language, "--psm", str(psm), "--dpi", str(dpi), "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(command, input=image, capture_output=True, timeout=PAGE_TIMEOUT, env=env)
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[Word]:
    """The words (TSV level 5 with text) of Tesseract's TSV output."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            block, par, line = int(cells[2]), int(cells[3]), int(cells[4])
            left, top, width, height = (float(c) for c in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        box = (left, top, left + width, top + height)
        words.append(Word(cells[11].strip(), *box, confidence, (block, par, line)))
    return words


def orientation(engine: Tesseract, image: bytes, dpi: int) -> int:
    """Degrees to turn the image clockwise to read it upright, by Tesseract's ``--psm 0`` (0 if unsure)."""
    command = [engine.program, "stdin", "stdout", "--psm", "0", "--dpi", str(dpi)]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(command, input=image, capture_output=True, timeout=PAGE_TIMEOUT, env=env)
    except (OSError, subprocess.SubprocessError):
        return 0
    text = done.stdout.decode("utf-8", "replace")
    rotate = re.search(r"Rotate:\s*(\d+)", text)
    sure = re.search(r"Orientation confidence:\s*([\d.]+)", text)
    if rotate is None or sure is None or float(sure.group(1)) < 2.0:
        return 0
    return int(rotate.group(1)) % 360


def scan_dpi(page: pymupdf.Page) -> int:
    """The resolution of the page's largest image (its scan), within :data:`DPI_RANGE`."""
    best, area = DEFAULT_DPI, 0.0
    with contextlib.suppress(Exception):  # a broken image list: the default resolution
        for info in page.get_image_info():
            box = pymupdf.Rect(info["bbox"])
            if box.is_empty or box.width * box.height <= area:
                continue
            area = box.width * box.height
            long_side = max(info.get("width", 0), info.get("height", 0))
            best = round(long_side / (max(box.width, box.height) / 72)) if long_side else DEFAULT_DPI
    return max(DPI_RANGE[0], min(DPI_RANGE[1], best))


def _mean(words: list[Word]) -> float | None:
    scores = [w.confidence for w in words if w.confidence >= 0]
    return round(statistics.fmean(scores), 2) if scores else None


@dataclass
class _Image:
    """A page image ready for Tesseract: straightened, rules erased, and the rules it had."""

    grey: np.ndarray
    png: bytes
    dpi: int
    rules: list[Rule]
    skew: float


def page_image(page: pymupdf.Page, dpi: int, turn: int = 0) -> _Image:
    """The page rendered in grey at ``dpi`` (turned by ``turn`` degrees to stand upright), made
    straight, specks and table rules found and erased."""
    zoom = dpi / 72
    matrix = pymupdf.Matrix(zoom, zoom).prerotate(turn)
    grey = grey_array(page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False))
    skew = skew_angle(grey)
    if abs(skew) >= 0.05:
        matrix = pymupdf.Matrix(zoom, zoom).prerotate(turn + skew)
        grey = grey_array(page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False))
    return _prepared(grey, dpi, skew)


def _prepared(grey: np.ndarray, dpi: int, skew: float) -> _Image:
    grey = despeckle(grey)
    horizontal, vertical = find_rules(grey, dpi)
    clean = erase_rules(grey, horizontal, vertical) if horizontal or vertical else grey
    rules = rules_in_points(horizontal, vertical, dpi / 72)
    return _Image(clean, to_pixmap(clean, dpi).tobytes("png"), dpi, rules, skew)


def _reading(image: _Image, words: list[Word], language: str, turned: int) -> OcrPage:
    zoom = image.dpi / 72
    if language == VERTICAL:
        lines = words_to_columns(words, zoom)
        height, width = image.grey.shape
        return OcrPage(lines, _mean(words), len(words), width / zoom, height / zoom, language, turned)
    lines = words_to_lines(words, image.grey, zoom)
    if image.rules and any(not r.horizontal for r in image.rules):
        tables = find_tables(image.rules)
        if tables:
            lines = arrange(lines, tables, [])
            for line in lines:  # a line cut at a rule is rebuilt from its words: repair it again
                line.text = repair_line(line.text)
    height, width = image.grey.shape
    return OcrPage(lines, _mean(words), len(words), width / zoom, height / zoom, language, turned)


def ocr_page(page: pymupdf.Page, engine: Tesseract) -> OcrPage:
    """Read a page without a text layer by OCR: lines in points of the page as shown, straightened.

    Read once with the Japanese model; a reading with a low confidence is tried again turned
    upright (if Tesseract finds the page sideways) and as vertical writing, and the surest kept.
    """
    image = page_image(page, scan_dpi(page))
    if float((image.grey < INK).mean()) < BLANK_INK:  # the blank back of a sheet: nothing to read
        height, width = image.grey.shape
        return OcrPage([], None, 0, width * 72 / image.dpi, height * 72 / image.dpi)
    words = run_tesseract(engine, image.png, image.dpi, LANGUAGE, PAGE_SEGMENTATION)
    best = _reading(image, words, LANGUAGE, 0)
    best.tries = [LANGUAGE]
    if best.confidence is not None and best.confidence >= LOW_CONFIDENCE:
        return best
    candidates = [best]
    turn = orientation(engine, image.png, image.dpi)
    if turn:
        upright = page_image(page, image.dpi, turn)  # straightened again: a skew is measured upright
        words = run_tesseract(engine, upright.png, upright.dpi, LANGUAGE, PAGE_SEGMENTATION)
        candidates.append(_reading(upright, words, LANGUAGE, turn))
        if candidates[-1].confidence is not None and candidates[-1].confidence >= LOW_CONFIDENCE:
            candidates[-1].tries = [LANGUAGE, f"{LANGUAGE}+{turn}"]
            return candidates[-1]
    if engine.vertical:
        words = run_tesseract(engine, image.png, image.dpi, VERTICAL, 5)  # psm 5: a block of vertical lines
        candidates.append(_reading(image, words, VERTICAL, 0))
    chosen = max(candidates, key=lambda r: (r.confidence or 0.0) * min(1.0, r.words / max(1, best.words)))
    chosen.tries = [f"{c.language}{f'+{c.turned}' if c.turned else ''}" for c in candidates]
    return chosen


# --- words to lines ---------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _rows(words: list[Word]) -> list[list[Word]]:
    """Words grouped by baseline: Tesseract's lines, joined where they share one."""
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    lines = []
    for members in by_line.values():
        # medians: a word's box sometimes reaches into the line above (Tesseract's glitch)
        lines.append((_median([w.y0 for w in members]), _median([w.y1 for w in members]), members))
    lines.sort(key=lambda item: (item[0] + item[1]) / 2)
    rows: list[tuple[float, float, list[Word]]] = []
    for top, bottom, members in lines:
        if rows:
            row_top, row_bottom, row_words = rows[-1]
            overlap = min(bottom, row_bottom) - max(top, row_top)
            if overlap >= 0.5 * min(bottom - top, row_bottom - row_top):
                rows[-1] = (min(top, row_top), max(bottom, row_bottom), row_words + members)
                continue
        rows.append((top, bottom, members))
    return [sorted(members, key=lambda w: w.x0) for _, _, members in rows]


def _filled(grey: np.ndarray, word: Word) -> bool:
    """Whether a one-character word's box is a square almost all ink: a filled mark (■ ●)."""
    width, height = word.x1 - word.x0, word.height
    if len(word.text) != 1 or width < 6 or height < 6 or not 0.75 <= width / height <= 1.33:
        return False
    box = grey[int(word.y0) + 1 : int(word.y1) - 1, int(word.x0) + 1 : int(word.x1) - 1]
    return box.size > 0 and float((box < INK).mean()) >= _FILLED


def _em(words: list[Word], text_width: float, zoom: float) -> float | None:
    """A line's font size from its width: kana and kanji are set solid, one em each (a Latin letter or
    digit half of one), so the width over the characters is the size. Tesseract's boxes are often
    taller than the ink (a box reaching into the line above); their widths hold."""
    text = "".join(w.text for w in words)
    full = len(_FULL_WIDTH.findall(text))
    if full < 3:
        return None
    return text_width / (full + 0.5 * (len(text) - full))


def _spaced(before: str, after: str, gap: float, height: float) -> bool:
    """Whether the gap between two words is a space (see :data:`_SPACE_GAP`)."""
    narrow = bool(_NARROW.match(before[-1:])) or bool(_NARROW.match(after[:1]))
    return gap > (_SPACE_GAP if narrow else _WIDE_SPACE_GAP) * height


def _square_corners(grey: np.ndarray, word: Word) -> bool:
    """■ has ink in its corners, ● does not."""
    inset = max(1, int(word.height * 0.12))
    ys = (int(word.y0) + inset, int(word.y1) - inset)
    xs = (int(word.x0) + inset, int(word.x1) - inset)
    height, width = grey.shape
    inside = [(y, x) for y in ys for x in xs if 0 <= y < height and 0 <= x < width]
    return bool(inside) and sum(int(grey[y, x]) < INK for y, x in inside) >= 3


def words_to_lines(words: list[Word], grey: np.ndarray | None, zoom: float) -> list[RawLine]:
    """Join the words of each baseline, left to right, into lines; split at a table's column gap.

    Boxes go from the image's pixels to the page's points (``zoom`` pixels a point); the font size
    of a line is its median character height (a CJK character's ink is about 0.9 of its size)."""
    lines: list[RawLine] = []
    for row in _rows(words):
        # a line's character height from its kana and kanji (a 、 or ー is flat, Latin letters small)
        typical = _median([w.height for w in row])
        full = [w.height for w in row if _FULL_HEIGHT.search(w.text) and w.height <= 2 * typical]
        height = _median(full or [w.height for w in row]) or 1.0
        current: list[Word] = []
        for word in row:
            if current and word.x0 - current[-1].x1 > _CELL_GAP * height:
                lines.append(_line(current, height, grey, zoom))
                current = []
            current.append(word)
        if current:
            lines.append(_line(current, height, grey, zoom))
    return [line for line in lines if line.text]


def words_to_columns(words: list[Word], zoom: float) -> list[RawLine]:
    """Vertical writing (縦書き): the words of each column, top to bottom, columns right to left.

    The page is looked at turned by a quarter, so that its columns are rows, and read as
    :func:`words_to_lines` reads rows; the lines keep the page's own coordinates."""
    turned = [Word(w.text, w.y0, -w.x1, w.y1, -w.x0, w.confidence, w.line) for w in words]
    columns: list[RawLine] = []
    for column in _rows(turned):
        width = _median([w.height for w in column]) or 1.0
        current: list[Word] = []
        for word in [*column, None]:
            if current and (word is None or word.x0 - current[-1].x1 > _CELL_GAP * width):
                text = repair_line("".join(w.text for w in current))
                x0, x1 = -max(w.y1 for w in current) / zoom, -min(w.y0 for w in current) / zoom
                y0, y1 = min(w.x0 for w in current) / zoom, max(w.x1 for w in current) / zoom
                columns.append(RawLine(text, x0, y0, x1, y1, round(width / zoom / 0.9, 2), False, True))
                current = []
            if word is not None:
                current.append(word)
    return [column for column in columns if column.text]


def _line(words: list[Word], height: float, grey: np.ndarray | None, zoom: float) -> RawLine:
    parts = []
    for i, word in enumerate(words):
        text = word.text
        if i == 0 and grey is not None and _filled(grey, word):
            text = "■" if _square_corners(grey, word) else "●"
        if i and _spaced(words[i - 1].text, text, word.x0 - words[i - 1].x1, height):
            parts.append(" ")
        parts.append(text)
    x0, y0 = min(w.x0 for w in words) / zoom, min(w.y0 for w in words) / zoom
    x1, y1 = max(w.x1 for w in words) / zoom, max(w.y1 for w in words) / zoom
    size = round(_em(words, text_width=x1 - x0, zoom=zoom) or height / zoom / 0.9, 2)
    line = RawLine(repair_line("".join(parts)), x0, y0, x1, y1, size, False)
    line.spans = [(w.text, w.x0 / zoom, w.y1 / zoom, size) for w in words]
    return line
