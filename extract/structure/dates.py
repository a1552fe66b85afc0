"""Japanese era years (和暦) and fiscal years (年度) → Western years.

Japanese plans write time as era years: ``令和3年度``, ``平成30年度～令和2年度``, ``R3年度``,
``令和三年度``, ``令和元年度``, with full-width or kanji digits and stray spaces. A fiscal year
runs April–March and is named after the year it starts in, so ``令和3年度`` is FY2021 (April 2021 to
March 2022): the era year converted as it stands is the fiscal year, no month arithmetic needed.

Being wrong here is worse than finding nothing, so matching is conservative: a bare number before
``年`` (``3年間``) is a duration, not a year; a romanized era (``R2``) needs ``年`` or a date after it
and must not sit inside a word (``PR2``); a 4-digit 19xx/20xx needs ``年``/``年度`` (or ``FY``). The
text is folded (full-width digits, letters and spaces, kanji radicals) inside this module so it
works on raw as well as normalized text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "ERA_START",
    "era_to_year",
    "find_years",
    "fiscal_year_label",
    "fold",
    "kanji_to_int",
    "parse_year",
    "parse_year_range",
    "year_spans",
]

# First Western year of each era: its 元年 (year 1).
ERA_START: dict[str, int] = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}
_ROMAN_ERA: dict[str, str] = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

_KANJI_DIGIT: dict[str, int] = {ch: i for i, ch in enumerate("〇一二三四五六七八九")}
_D = "[一二三四五六七八九]"  # a kanji digit 1–9
_KANJI_MULTIPLE = re.compile(rf"(?:({_D})?百)?(?:({_D})?十)?({_D})?")


def _build_fold_table() -> dict[int, str]:
    """Full-width ASCII, odd spaces and kanji radicals (PDFs made from Word) fold to plain characters."""
    table: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table.update({ord(ch): " " for ch in "\u3000\u00a0\u2002\u2003\u2009\u202f"})
    for cp in range(0x2F00, 0x2FD6):  # Kangxi radicals: ⼀ ⼆ ⼗ look like 一 二 十 but are not
        table[cp] = unicodedata.normalize("NFKC", chr(cp))
    return table


_FOLD = _build_fold_table()

# --- Pieces of the patterns -------------------------------------------------------------------------
_KANJI_1_99 = rf"(?:[二三四五六七八九]?十{_D}?|{_D})(?![〇一二三四五六七八九十百])"
_ERA_NUM = rf"(?:元|0?[1-9][0-9]?(?![0-9])|{_KANJI_1_99})"  # 1–99; zero-padded R03 is common
_ROMAN_NUM = r"(?:元|0?[1-9][0-9]?(?![0-9]))"
_WESTERN = (
    r"(?:(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])"
    r"|(?<![〇一二三四五六七八九十])(?:一九|二〇)[〇一二三四五六七八九]{2}(?![〇一二三四五六七八九十]))"
)
_SUFFIX = r"\s*年(?:度)?(?!間)"
_NOT_IN_WORD = r"(?<![A-Za-z0-9])"
_DATE_AFTER = r"[./][0-9]{1,2}[./][0-9]{1,2}(?![0-9])"  # H30.4.1, R3/4/1


def _side(p: str, *, carry: bool = False) -> str:
    """One end of a year (range): groups named with prefix ``p``; ``carry`` allows ``…～11年度``."""
    bare = rf"|(?<![0-9])(?P<{p}bare>0?[1-9][0-9]?(?![0-9])|{_KANJI_1_99})(?={_SUFFIX})" if carry else ""
    return (
        rf"(?:(?P<{p}era>明治|大正|昭和|平成|令和)\s*(?P<{p}en>{_ERA_NUM})"
        rf"|{_NOT_IN_WORD}(?P<{p}rom>[MTSHR])(?P<{p}rn>{_ROMAN_NUM})"
        rf"|(?:(?<![A-Za-z])(?P<{p}fy>FY)\s?)?(?P<{p}w>{_WESTERN})"
        rf"{bare})"
        rf"(?P<{p}suf>{_SUFFIX})?"
    )


_SEPARATOR = r"\s*(?:[-‐‑‒–—―−~～〜ー]|から)\s*"
_RANGE = re.compile(_side("s") + _SEPARATOR + _side("e", carry=True) + r"(?:\s*まで)?", re.IGNORECASE)
# A single year needs 年/年度, a kanji era or FY; a romanized era without 年 needs a date after it.
_YEAR = re.compile(
    _side("y") + rf"(?(ysuf)|(?(yera)|(?(yfy)|(?(yrom)(?={_DATE_AFTER})|(?!)))))", re.IGNORECASE
)
# Where a year may begin: cheap pre-filter so the two patterns above are tried at few positions.
_CANDIDATE = re.compile(
    rf"明治|大正|昭和|平成|令和|{_NOT_IN_WORD}[MTSHR]|(?<![A-Za-z])FY|(?<![0-9])(?:19|20)[0-9]{{2}}|一九|二〇",
    re.IGNORECASE,
)


def kanji_to_int(text: str) -> int:
    """Kanji numeral → int: ``元`` = 1, ``二十九`` = 29, ``百二`` = 102, positional ``二〇二三`` = 2023."""
    text = text.strip()
    if text == "元":
        return 1
    if text and all(ch in _KANJI_DIGIT for ch in text):
        return int("".join(str(_KANJI_DIGIT[ch]) for ch in text))
    m = _KANJI_MULTIPLE.fullmatch(text)
    if not text or m is None or not ("十" in text or "百" in text):
        raise ValueError(f"not a kanji numeral: {text!r}")
    hundreds, tens, ones = (_KANJI_DIGIT[g] if g else None for g in m.groups())
    value = (hundreds or 1) * 100 if "百" in text else 0
    value += (tens or 1) * 10 if "十" in text else 0
    return value + (ones or 0)


def era_to_year(era: str, year: int) -> int:
    """Era name (``令和``) or its romanized letter (``R``, any case) and era year → Western year."""
    name = era.strip()
    name = _ROMAN_ERA.get(name.upper(), name)
    if name not in ERA_START:
        raise ValueError(f"unknown era: {era!r}")
    if year < 1:
        raise ValueError(f"era years start at 1 (元年), got {year}")
    return ERA_START[name] + year - 1


def fiscal_year_label(year: int) -> str:
    """The label used in outputs: 2021 → ``FY2021`` (fiscal years start in April of that year)."""
    return f"FY{year}"


def _number(text: str) -> int:
    """ASCII digits or a kanji numeral (incl. 元)."""
    return int(text) if text.isascii() else kanji_to_int(text)


def _value(m: re.Match[str], p: str) -> int | None:
    """The Western year of side ``p`` of a match, or None for a bare number (era still unknown)."""
    if m.group(f"{p}era"):
        return era_to_year(m.group(f"{p}era"), _number(m.group(f"{p}en")))
    if m.group(f"{p}rom"):
        return era_to_year(m.group(f"{p}rom"), _number(m.group(f"{p}rn")))
    if m.group(f"{p}w"):
        return _number(m.group(f"{p}w"))
    return None


def _era_start(m: re.Match[str], p: str) -> int | None:
    """The Western year of 元年 of side ``p``'s era, so a bare ``11年度`` can inherit it."""
    era = m.group(f"{p}era") or m.group(f"{p}rom")
    return era_to_year(era, 1) if era else None


def _range_years(m: re.Match[str]) -> tuple[int, int] | None:
    """The two years of a range match as written, or None when the match is not convincingly a range."""
    start = _value(m, "s")
    assert start is not None  # the start side has no bare alternative
    if m.group("ebare"):
        base = _era_start(m, "s")
        if base is None:  # 2018～19年度: no era to carry over
            return None
        end = base + _number(m.group("ebare")) - 1
        if end < start:  # 令和6年～3年: not a period
            return None
        return start, end
    end = _value(m, "e")
    assert end is not None
    # Some side must say "year": an era in kanji, 年/年度 or FY. R3-R5 or 2018-2023 alone may be anything.
    if not any(m.group(g) for g in ("sera", "eera", "ssuf", "esuf", "sfy", "efy")):
        return None
    return start, end


def fold(text: str) -> str:
    """``text`` with full-width ASCII, odd spaces and kanji radicals folded, character for character
    (so a position in the folded text is the same position in ``text``)."""
    return text.translate(_FOLD)


def year_spans(text: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
    """Years in order of appearance with where they are written: ``(start, end, years)``, ``years``
    a 2-tuple for a range (as written), a 1-tuple for a single year."""
    text = fold(text)
    pos = 0
    while (cand := _CANDIDATE.search(text, pos)) is not None:
        at = cand.start()
        if (rm := _RANGE.match(text, at)) is not None and (years := _range_years(rm)) is not None:
            yield rm.start(), rm.end(), years
            pos = rm.end()
        elif (ym := _YEAR.match(text, at)) is not None:
            year = _value(ym, "y")
            assert year is not None
            yield ym.start(), ym.end(), (year,)
            pos = ym.end()
        else:
            pos = at + 1


def _scan(text: str) -> Iterator[tuple[int, ...]]:
    """Years in order of appearance: a 2-tuple for a range (as written), a 1-tuple for a single year."""
    return (years for _, _, years in year_spans(text))


def find_years(text: str) -> list[int]:
    """Every year in ``text`` in order of appearance, both ends of ranges included (duplicates kept)."""
    return [year for found in _scan(text) for year in found]


def parse_year(text: str) -> int | None:
    """The first year written in ``text`` as a Western (fiscal) year, or None if there is none."""
    return next((found[0] for found in _scan(text)), None)


def parse_year_range(text: str) -> tuple[int, int] | None:
    """The first plan period (``令和6年度～令和11年度``) in ``text`` as (start, end), start <= end."""
    for found in _scan(text):
        if len(found) == 2:
            return min(found), max(found)
    return None
