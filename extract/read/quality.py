"""Judge whether a page's text is readable, garbled or absent.

A font without a usable Unicode map makes extractors return private-use characters, U+FFFD, C1
control codes or Latin-1 mojibake (Shift-JIS bytes read as Latin-1: ``\\x93œ\\x96{``). In a
Japanese plan those characters are rare on their own, so their share of the text is a robust
signal that does not depend on the document's wording.
"""

from __future__ import annotations

import re

from schemas.records import PageQuality

# Latin-1 and Latin Extended characters that do occur in Japanese plans.
_PLAIN_LATIN = set("°±×÷·²³µ¥§¶©®¼½¾¢£")

# (start, end) ranges of code points that a Japanese plan practically never contains on purpose.
_SUSPICIOUS_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0008),
    (0x000B, 0x000C),
    (0x000E, 0x001F),
    (0x007F, 0x009F),  # DEL and C1 controls: bytes shown as characters
    (0x0250, 0x036F),  # IPA, spacing modifiers, combining marks
    (0x0590, 0x08FF),  # Hebrew, Arabic, Syriac ...
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Ẍ, ṕ)
    (0xE000, 0xF8FF),  # private use
    (0xFB00, 0xFDFF),  # alphabetic and Arabic presentation forms
    (0xFE70, 0xFEFE),
    (0xFFF0, 0xFFFF),  # specials, U+FFFD among them
    (0xF0000, 0x10FFFF),  # supplementary private use
)


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


_LATIN = tuple((cp, cp) for cp in range(0x00A1, 0x0250) if chr(cp) not in _PLAIN_LATIN)
_SUSPICIOUS = re.compile(f"[{_class(_SUSPICIOUS_RANGES + _LATIN)}]")
_BULLET = re.compile(r"^[ \t]*[\ue000-\uf8ff]", re.M)  # a PUA character opening a line: a Wingdings bullet
_SPACE = re.compile(r"\s")


def is_suspicious(ch: str) -> bool:
    """True for a character that signals a broken font mapping rather than real text."""
    return bool(_SUSPICIOUS.match(ch))


def _counts(text: str) -> tuple[int, int]:
    """Visible characters, and suspicious ones among them (line-opening PUA bullets excused)."""
    visible = len(text) - len(_SPACE.findall(text))
    suspicious = len(_SUSPICIOUS.findall(text)) - len(_BULLET.findall(text))
    return visible, suspicious


def garble_ratio(text: str) -> float:
    """Share of non-space characters that are suspicious (0.0 for empty text)."""
    visible, suspicious = _counts(text)
    return suspicious / visible if visible else 0.0


GARBLED_RATIO = 0.02
"""A page is garbled from this share of suspicious characters on (a readable page has ~0) ..."""
GARBLED_MIN = 5
"""... and at least this many of them (one stray symbol does not make a page garbled)."""


def judge_page(text: str) -> tuple[PageQuality, float]:
    """Return the page's quality and its garble ratio."""
    visible, suspicious = _counts(text)
    if not visible:
        return "no_text", 0.0
    ratio = suspicious / visible
    garbled = ratio >= GARBLED_RATIO and suspicious >= GARBLED_MIN
    return ("garbled" if garbled else "ok"), ratio
