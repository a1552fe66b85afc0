"""Text normalization at the boundary: one function, applied once, raw text kept beside it.

Why not plain NFKC: it turns ① into 1 and ㈱ into (株), destroying the numbering marks that
label sections and KPI parts, and it leaves most of the CJK Radicals Supplement (U+2E80–2EFF)
untouched. So we fold only what is safe, character by character, through one translation table:

- Kangxi radicals (U+2F00–2FD5, common in PDFs made from Word) and the CJK Radicals Supplement
  → the ordinary kanji (``⼀`` → ``一``, ``⻑`` → ``長``);
- full-width ASCII (``ＫＰＩ１５％``) → half-width (``KPI15%``); ideographic and no-break spaces → space;
- hyphen look-alikes (U+2010–2012, U+2212, full-width minus) → ``-``;
- CJK compatibility ideographs with a canonical twin → that twin;
- zero-width characters are dropped; control codes (a broken font mapping) become U+FFFD.

Half-width katakana (``ｶﾞ``) is composed to full-width (``ガ``) with NFKC on those runs only.
Numbering marks (①, ⅰ, Ⅱ, ㈱, ㊤, ⑴) are kept exactly as written.
"""

from __future__ import annotations

import re
import unicodedata

# CJK Radicals Supplement → equivalent unified ideograph (after Unicode's
# EquivalentUnifiedIdeograph.txt; component-only radicals without a standalone kanji are omitted).
_RADICALS_SUPPLEMENT: dict[int, str] = {
    0x2E81: "厂", 0x2E82: "乛", 0x2E83: "乚", 0x2E84: "乙", 0x2E85: "亻", 0x2E86: "冂",
    0x2E89: "刂", 0x2E8A: "卜", 0x2E8B: "㔾", 0x2E8C: "小", 0x2E8D: "小", 0x2E8E: "兀",
    0x2E8F: "尣", 0x2E90: "尢", 0x2E92: "巳", 0x2E93: "幺", 0x2E94: "彑", 0x2E95: "彐",
    0x2E96: "忄", 0x2E97: "心", 0x2E98: "扌", 0x2E99: "攵", 0x2E9B: "旡", 0x2E9C: "日",
    0x2E9D: "月", 0x2E9E: "歺", 0x2E9F: "母", 0x2EA0: "民", 0x2EA1: "氵", 0x2EA2: "氺",
    0x2EA3: "灬", 0x2EA4: "爫", 0x2EA5: "爫", 0x2EA6: "丬", 0x2EA7: "牛", 0x2EA8: "犭",
    0x2EA9: "王", 0x2EAB: "目", 0x2EAC: "示", 0x2EAD: "礻", 0x2EAF: "糹", 0x2EB0: "纟",
    0x2EB1: "罓", 0x2EB2: "罒", 0x2EB3: "㓁", 0x2EB6: "羊", 0x2EB7: "羊", 0x2EB9: "耂",
    0x2EBA: "肀", 0x2EBB: "聿", 0x2EBC: "肉", 0x2EBD: "臼", 0x2EBE: "艹", 0x2EBF: "艹",
    0x2EC0: "艹", 0x2EC1: "虎", 0x2EC2: "衤", 0x2EC3: "覀", 0x2EC4: "西", 0x2EC5: "见",
    0x2EC6: "角", 0x2EC7: "角", 0x2EC8: "讠", 0x2EC9: "贝", 0x2ECA: "足", 0x2ECB: "车",
    0x2ECC: "辶", 0x2ECD: "辶", 0x2ECE: "辶", 0x2ECF: "邑", 0x2ED0: "钅", 0x2ED1: "長",
    0x2ED2: "镸", 0x2ED3: "长", 0x2ED4: "门", 0x2ED5: "阜", 0x2ED6: "阝", 0x2ED7: "雨",
    0x2ED8: "青", 0x2ED9: "韦", 0x2EDA: "页", 0x2EDB: "风", 0x2EDC: "飞", 0x2EDD: "食",
    0x2EDF: "飠", 0x2EE0: "饣", 0x2EE2: "马", 0x2EE3: "骨", 0x2EE4: "鬼", 0x2EE5: "鱼",
    0x2EE6: "鸟", 0x2EE7: "卤", 0x2EE8: "麦", 0x2EE9: "黄", 0x2EEA: "黾", 0x2EEB: "斉",
    0x2EEC: "齐", 0x2EED: "歯", 0x2EEE: "齿", 0x2EEF: "竜", 0x2EF0: "龙", 0x2EF1: "龜",
    0x2EF2: "亀", 0x2EF3: "龟",
}  # fmt: skip

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u202f"
_HYPHENS = "\u2010\u2011\u2012\u2212\uff0d"


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in range(0x2F00, 0x2FD6):  # Kangxi radicals: NFKC maps every one of them to a kanji
        table[cp] = unicodedata.normalize("NFKC", chr(cp))
    table.update(_RADICALS_SUPPLEMENT)
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[cp] = chr(cp - 0xFEE0)
    for cp in range(0xF900, 0xFB00):  # CJK compatibility ideographs with a canonical twin
        folded = unicodedata.normalize("NFC", chr(cp))
        if folded != chr(cp):
            table[cp] = folded
    for ch in _SPACES:
        table[ord(ch)] = " "
    for ch in _HYPHENS:
        table[ord(ch)] = "-"
    for ch in _ZERO_WIDTH:
        table[ord(ch)] = None
    table[0xFFE5] = "¥"  # full-width yen
    for cp in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]:
        table[cp] = "\ufffd"  # control codes are a broken font mapping, never text: mark them
    return table


TRANSLATION: dict[int, str | None] = _build_table()
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")


def normalize_text(text: str) -> str:
    """Return ``text`` folded for matching and search; numbering marks are left untouched.

    >>> normalize_text("ＫＰＩ：①受診率を７０％以上とする")
    'KPI:①受診率を70%以上とする'
    """
    folded = text.translate(TRANSLATION)
    if _HALFWIDTH_KANA.search(folded):
        folded = _HALFWIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), folded)
    return folded


RADICALS: dict[int, str | None] = {
    cp: folded for cp, folded in TRANSLATION.items() if 0x2E80 <= cp <= 0x2FDF or 0xF900 <= cp <= 0xFAFF
}
"""The part of :data:`TRANSLATION` that maps radicals and compatibility ideographs to kanji."""


def fold_radicals(text: str) -> str:
    """``text`` as written, but with Kangxi radicals, CJK radicals and compatibility ideographs as
    the kanji they stand for (``申請の⽅法`` → ``申請の方法``).

    A PDF made through a printer driver (PScript5 and Distiller) often maps a font's ordinary
    kanji to the Kangxi radical of the same shape: the page shows 方, the text layer says ⽅.
    That is no trait of the document but of the font's map, so even the raw text, kept beside the
    normalized one as the PDF wrote it (full-width digits and all), is read with the kanji."""
    return text.translate(RADICALS)
