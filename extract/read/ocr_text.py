"""Repairs of OCR'd text that need no image: what Tesseract misreads in the marks and numbers of
Japanese plans.

A KPI is only as good as its number, and OCR is wrong in a few typical ways that the text itself
gives away. Each repair here is one of those ways, written for the general case (a shape of text,
never a word of the corpus), and applied only to lines read by OCR:

- **Letters for digits** inside a number: ``l0%`` → ``10%``, ``O.5`` → ``0.5``, ``2O21年`` →
  ``2021年`` (``l I | ! `` for 1, ``O o`` for 0, next to digits or before a unit).
- **A period for a thousands comma**: ``2.400事業所`` → ``2,400事業所``, ``791.721`` → ``791,721``:
  a number with groups of exactly three digits after its periods, before a unit of counting (人, 件,
  円, 事業所 …) or standing alone with two groups or more. A rate (``38.28%``) is left alone.
- **The percent sign read as digits**: its circles make ``%`` a ``9%`` or a ``96``: ``1009%`` →
  ``100%``, ``38.2896以下`` → ``38.28%以下``, ``5596以上`` → ``55%以上`` -- only where the digits
  would make a share over 100 or a rate with four decimals, which no plan writes; and the sign
  read twice, its lower circle a 6 (``100%%6``, ``95.09%6``), is one sign. ``55.09%`` stays: a
  rate with two decimals is written too, and the record keeps what the page says.
- **The digit 1 or the bar for I** in a word of capitals: ``KP|`` → ``KPI``, ``PDCA`` untouched.
- **Bullets**: a line opened by ``〇``, ``O`` or ``o`` and a space is the bullet ○.
- **Rule remnants**: what is left of a table's rule after it was erased from the image is read
  as ``|``, ``_``, ``~`` or an empty bracket ``(・)``; plans never write those, so they go.

What the text cannot decide (a percentage over 100, a year outside the plan's period) is checked on
the records, where the plan's period is known (:mod:`extract.records.ocr_checks`).
"""

from __future__ import annotations

import re

_CAPITALS = re.compile(r"(?<![A-Za-z0-9])[A-Z|!l]{2,6}(?![A-Za-z0-9])")
_CONFUSED_I = str.maketrans({"|": "I", "!": "I", "l": "I"})
_LETTER_DIGITS = str.maketrans({"l": "1", "I": "1", "|": "1", "!": "1", "O": "0", "o": "0"})
_NUMBER_LIKE = re.compile(
    r"(?<![A-Za-z])[0-9lIO|o][0-9lIO|o.,]*(?:(?=\s?[%‰])|(?<=[0-9lIO|o])(?![A-Za-z]))"
)
_UNITS = (
    "人|名|件|円|千円|万円|百万円|億円|事業所|社|回|通|箇所|か所|ヵ所|ヶ所|枚|部|世帯|施設|機関|団体|"
    "店舗|校|台|本|冊|日|時間|床|床数|人日"
)
_GROUPED = re.compile(r"(?<![\d.,])([1-9]\d{0,2})((?:\.\d{3})+)(?![\d.])(?=\s?(" + _UNITS + r")|\s*$|\s)")
_PERCENT_6 = re.compile(r"(?<=\d)9?%+6(?!\d)")
_NINE_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{1,2})?)9%")
_DECIMAL_96 = re.compile(r"(?<![\d.,])(\d{1,3}\.\d{1,2})96(?![\d%])")
_WHOLE_96 = re.compile(
    r"(?<![\d.,])(\d{1,2}|100)96(?=\s*(?:以上|以下|未満|を超|超|程度|まで|へ|に|と|、|。|$))"
)
_BULLET = re.compile(r"^\s*[〇Oo](?=\s+[^\sA-Za-z0-9])")
_REMNANT = re.compile(r"[|¦]|^[_~`'‘’]+\s*|[(（]\s*[・.,、。'`]?\s*[)）]")


def _capitals(match: re.Match[str]) -> str:
    word = match.group()
    letters = sum(ch.isupper() for ch in word)
    if letters < 2 or (word.isupper() and word.isalpha()):
        return word
    return word.translate(_CONFUSED_I)


def _digits(match: re.Match[str]) -> str:
    token = match.group()
    has_digit = any(ch.isdigit() for ch in token)
    before_unit = match.string[match.end() : match.end() + 2].lstrip()[:1] in ("%", "‰")
    if not has_digit and not before_unit:
        return token  # a word of letters (a name, a Roman numeral) is not a number
    if not any(ch.isdigit() for ch in token.translate(_LETTER_DIGITS)):
        return token
    return token.translate(_LETTER_DIGITS)


def _grouped(match: re.Match[str]) -> str:
    head, groups, unit = match.group(1), match.group(2), match.group(3)
    if unit is None and groups.count(".") < 2 and not _alone(match):
        return match.group()  # one group, no unit: 1.234 may be a ratio
    return head + groups.replace(".", ",")


def _alone(match: re.Match[str]) -> bool:
    """Whether the number is all there is on its line (a table cell), so no decimal of a rate."""
    rest = (match.string[: match.start()] + match.string[match.end() :]).strip()
    return not rest


def _nine_percent(match: re.Match[str]) -> str:
    head = match.group(1)
    return f"{head}%" if float(head) <= 100 < float(head + "9") else match.group()


def repair_number_text(text: str) -> str:
    """Letters read for digits, the percent sign read as digits, and periods read for thousands
    commas, in numbers."""
    text = _NUMBER_LIKE.sub(_digits, text)
    text = _PERCENT_6.sub("%", text)
    text = _NINE_PERCENT.sub(_nine_percent, text)
    text = _DECIMAL_96.sub(lambda m: f"{m.group(1)}%", text)
    text = _WHOLE_96.sub(lambda m: f"{m.group(1)}%", text)
    return _GROUPED.sub(_grouped, text)


def repair_line(text: str) -> str:
    """Every repair of this module, on one OCR'd line."""
    text = _BULLET.sub("○", text)
    text = _CAPITALS.sub(_capitals, text)
    text = _REMNANT.sub("", text).strip()
    text = _BULLET.sub("○", text)
    return repair_number_text(text)
