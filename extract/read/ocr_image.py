"""A scanned page's image made ready for OCR: straightened, and its table rules taken out.

Three faults of real scans decide what Tesseract reads, and are fixed on the image first:

- **Specks.** Dust on the glass and toner leave dots that Tesseract reads as 、。・ or joins
  to characters (at 0.25 % of the pixels, a fifth of a page's text came out wrong).
  :func:`despeckle` whitens every bit of ink with next to no ink around it: a speck, never a
  stroke (a stroke, a decimal point, a 。 all have more ink in their neighbourhood).

- **Skew.** No sheet lies straight on the glass. Turned by half a degree, a line of text drifts
  by a line's height across an A4 page and Tesseract cuts or merges lines; a table's rules become
  staircases that no grid can be made of. :func:`skew_angle` measures the turn (the angle at
  which the rows of ink are sharpest: a projection profile), and the page is rendered again
  turned back by it.
- **Rules.** Plans are full of ruled tables. Read with their rules, every vertical rule becomes
  a ``|``, ``1`` or ``]`` glued to the cell's text (``|10%`` read ``110%``: a wrong target).
  :func:`find_rules` finds the long straight runs of ink (longer than any character), they are
  painted white before OCR, and handed to the cell stage as the rules of a drawn table would be
  (:func:`extract.read.cells.find_tables`), so a scanned table is read cell by cell like a typeset one.

numpy does the pixel work (a page is four million pixels: a tenth of a second here).
"""

from __future__ import annotations

import numpy as np
import pymupdf

from extract.read.cells import Rule

INK = 128
"""Grey level below which a pixel is ink (for the skew and the filled marks)."""
RULE_INK = 176
"""Rules are thin, and JPEG greys them: a lighter threshold finds all of them."""
MAX_SKEW = 3.0
"""Largest turn looked for, in degrees, either way (a scanner's feeder, a sheet laid by hand)."""
RULE_LENGTH = 0.4
"""A run of ink at least this many inches long is a rule: longer than the widest character of a
heading (a 24-point 一 is a third of an inch)."""


def grey_array(pix: pymupdf.Pixmap) -> np.ndarray:
    """A one-channel pixmap as a (height, width) array of grey levels (0 black, 255 white)."""
    if pix.n != 1:
        pix = pymupdf.Pixmap(pymupdf.csGRAY, pix)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]


def to_pixmap(grey: np.ndarray, dpi: int) -> pymupdf.Pixmap:
    """The array back as a grey pixmap, at ``dpi`` (Tesseract reads the resolution from it)."""
    height, width = grey.shape
    pix = pymupdf.Pixmap(pymupdf.csGRAY, width, height, np.ascontiguousarray(grey).tobytes(), False)
    pix.set_dpi(dpi, dpi)
    return pix


def skew_angle(grey: np.ndarray) -> float:
    """Degrees to turn the image by (``Matrix.prerotate``) to make its rows of ink level.

    The image is sheared by candidate angles and the one whose row histogram of ink is sharpest
    (largest sum of squares: lines of text and rules fall into few rows) wins; first in tenths of
    a degree, then in fiftieths around the best."""
    small = grey[::2, ::2] < INK
    ys, xs = np.nonzero(small)
    if len(ys) < 200:
        return 0.0
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64)

    def sharpness(angle: float) -> float:
        rows = np.round(ys + xs * np.tan(np.radians(angle))).astype(np.int64)
        counts = np.bincount(rows - rows.min()).astype(np.float64)
        return float((counts * counts).sum())

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.1), key=sharpness)
    fine = max(np.arange(coarse - 0.1, coarse + 0.1 + 1e-9, 0.02), key=sharpness)
    return round(float(fine), 2)


SPECK_WINDOW = 7
"""Side of the neighbourhood a speck is judged in, in pixels: long enough that a stroke one pixel
wide (``I``, ``1``, ``|`` in small type) has seven ink pixels in it ..."""
SPECK_INK = 6
"""... and a speck (a 2 x 2 dot, or two single ones near each other) at most this many."""


def _box_sums(mask: np.ndarray, side: int) -> np.ndarray:
    """For every pixel, how many pixels of ``mask`` lie in the ``side`` x ``side`` box around it."""
    pad = side // 2
    padded = np.pad(mask, pad).astype(np.int32)
    sums = np.zeros((padded.shape[0] + 1, padded.shape[1] + 1), dtype=np.int32)
    sums[1:, 1:] = padded.cumsum(axis=0).cumsum(axis=1)
    return sums[side:, side:] - sums[:-side, side:] - sums[side:, :-side] + sums[:-side, :-side]


def despeckle(grey: np.ndarray) -> np.ndarray:
    """A copy of the image with specks (isolated dots of a pixel or two) made white.

    A stroke one pixel wide loses the three pixels at each of its ends (they have little ink
    around them too); growing them back along the stroke was measured to keep too many specks
    that touch characters, and cost more of the fixture's KPIs than it saved."""
    ink = grey < RULE_INK
    clean = grey.copy()
    clean[ink & (_box_sums(ink, SPECK_WINDOW) <= SPECK_INK)] = 255
    return clean


def _runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Pixels of ``mask`` (2-D, runs along axis 1) lying in a run of at least ``length``."""
    height, width = mask.shape
    if width < length:
        return np.zeros_like(mask)
    sums = np.zeros((height, width + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, out=sums[:, 1:])
    full = (sums[:, length:] - sums[:, :-length]) == length  # the window [s, s + length) is all ink
    starts = np.zeros((height, full.shape[1] + 1), dtype=np.int32)
    np.cumsum(full, axis=1, out=starts[:, 1:])
    j = np.arange(width)
    last = np.minimum(j + 1, full.shape[1])  # a pixel j lies in the windows starting in [j - length + 1, j]
    first = np.minimum(np.maximum(0, j - length + 1), full.shape[1])
    return (starts[:, last] - starts[:, first]) > 0


def _close_gaps(mask: np.ndarray) -> np.ndarray:
    """Single light pixels inside a run (JPEG, a worn rule) do not break it."""
    closed = mask.copy()
    closed[:, 1:-1] |= mask[:, :-2] & mask[:, 2:]
    return closed


def _segments(covered: np.ndarray, min_length: int) -> list[tuple[float, int, int]]:
    """Rules in a mask of rule pixels along axis 1: (position across, start, end) in pixels.

    Adjacent rows of one rule (a rule two or three pixels thick) are one segment."""
    found: list[list[float]] = []  # [sum of rows, rows, start, end, last row]
    for row in np.nonzero(covered.any(axis=1))[0]:
        line = covered[row]
        edges = np.diff(np.concatenate([[0], line.astype(np.int8), [0]]))
        for start, end in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0], strict=True):
            if end - start < min_length:
                continue
            for seg in found:
                if row - seg[4] <= 1 and start < seg[3] and end > seg[2]:
                    seg[0] += row
                    seg[1] += 1
                    seg[2], seg[3], seg[4] = min(seg[2], start), max(seg[3], end), row
                    break
            else:
                found.append([float(row), 1, int(start), int(end), int(row)])
    return [(seg[0] / seg[1], int(seg[2]), int(seg[3])) for seg in found]


Segments = list[tuple[float, int, int]]
"""Rules in pixels: (position across, start, end)."""


def find_rules(grey: np.ndarray, dpi: int) -> tuple[Segments, Segments]:
    """Horizontal rules (y, x0, x1) and vertical rules (x, y0, y1) of a straightened image, in pixels."""
    length = max(8, int(RULE_LENGTH * dpi))
    ink = grey < RULE_INK
    horizontal = _runs(_close_gaps(ink), length)
    vertical = _runs(_close_gaps(ink.T.copy()), length)
    return _segments(horizontal, length), _segments(vertical, length)


def erase_rules(grey: np.ndarray, horizontal: list[tuple[float, int, int]],
                vertical: list[tuple[float, int, int]]) -> np.ndarray:  # fmt: skip
    """A copy of the image with the rules (and a pixel or two around them: their grey edge) white."""
    clean = grey.copy()
    height, width = clean.shape
    for y, x0, x1 in horizontal:
        top, bottom = max(0, int(y) - 2), min(height, int(y) + 3)
        band = clean[top:bottom, x0:x1]
        band[band < RULE_INK + 40] = 255
    for x, y0, y1 in vertical:
        left, right = max(0, int(x) - 2), min(width, int(x) + 3)
        band = clean[y0:y1, left:right]
        band[band < RULE_INK + 40] = 255
    return clean


def rules_in_points(horizontal: list[tuple[float, int, int]], vertical: list[tuple[float, int, int]],
                    zoom: float) -> list[Rule]:  # fmt: skip
    """The rules as :class:`extract.read.cells.Rule`, in the page's points (``zoom`` pixels a point)."""
    rules = [Rule(x0 / zoom, round(y / zoom, 1), x1 / zoom, round(y / zoom, 1)) for y, x0, x1 in horizontal]
    rules += [Rule(round(x / zoom, 1), y0 / zoom, round(x / zoom, 1), y1 / zoom) for x, y0, y1 in vertical]
    return rules
