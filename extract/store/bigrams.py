"""Tokens for Japanese full-text search: overlapping character bigrams, without a dictionary.

Japanese has no spaces and its words are short: 健診, 禁煙, 喫煙 are two characters. SQLite's
trigram tokenizer cannot match fewer than three characters, and ``unicode61`` turns a whole
kanji run (ジェネリック医薬品の使用促進) into one token. So the text is tokenized here, in
Python, and the tokens are stored space-separated in an FTS5 ``unicode61`` column:

- a run of kana/kanji ``c1 c2 … cn`` becomes its bigrams ``c1c2 c2c3 … c(n-1)cn`` followed by
  the last character ``cn`` alone. Every character then starts exactly one token (a bigram, or
  the single character at the end of the run), so a one-character query ``健`` is the prefix
  query ``健*``, and any substring of two or more characters is a phrase of consecutive bigrams;
- any other run of letters or digits (KPI, 2021, 15) is one word, as unicode61 would see it.

Text and queries go through :func:`extract.read.normalize.normalize_text` first, so ＫＰＩ and KPI,
１５ and 15, ｶﾞ and ガ are the same tokens. A space between two kana/kanji is dropped (it is
layout). No morphological analysis: SudachiPy is three times slower (1.2 M against 3.9 M
characters/s, ``make bench``), loads a dictionary in every worker, and its words are not
substrings — see docs/internals.md, "The search index".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from extract.read.normalize import normalize_text

# Kana and kanji (with 々〆ヶ and the prolonged sound mark ー); not the middle dot ・ (U+30FB),
# which separates words as 、 does.
CJK_CHARS = (
    "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3005-\u3007\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
)
# Spaces between two kana/kanji are layout (justification, a joined line), not word breaks.
_RUNS = re.compile(
    rf"(?P<cjk>[{CJK_CHARS}](?:[{CJK_CHARS}]| +(?=[{CJK_CHARS}]))*)|(?P<word>[^\W_{CJK_CHARS}]+)"
)


@dataclass(frozen=True)
class Run:
    """A run of the text: kana/kanji (``cjk``) or a word of other letters and digits."""

    text: str
    cjk: bool


def runs(text: str) -> list[Run]:
    """The runs of already normalized ``text``, punctuation and spaces dropped."""
    return [Run(m.group().replace(" ", ""), m.lastgroup == "cjk") for m in _RUNS.finditer(text)]


def run_tokens(run: Run) -> list[str]:
    """Bigrams and the final character of a kana/kanji run; a word as itself."""
    s = run.text
    if not run.cjk:
        return [s.lower()]
    return [a + b for a, b in itertools.pairwise(s)] + [s[-1]]


def index_tokens(text: str) -> str:
    """The FTS5 column value for ``text``: its tokens, space-separated (normalizes first)."""
    out: list[str] = []
    for m in _RUNS.finditer(normalize_text(text)):
        s = m.group()
        if m.lastgroup == "cjk":
            s = s.replace(" ", "")
            out.extend(map(str.__add__, s, s[1:]))
            out.append(s[-1])
        else:
            out.append(s.lower())
    return " ".join(out)


def phrase_tokens(text: str) -> tuple[list[str], bool]:
    """Tokens a query word must match consecutively, and whether the last one is a prefix.

    The text may continue after the query's last kana/kanji run (健診 inside 健診率), so that
    run's final single character is dropped — or, for a one-character run, becomes a prefix
    (``健*`` matches the bigram 健診 as well as a run ending in 健). A run earlier in the query is
    bounded in the query and must be bounded the same way in the text: its tokens stay exact.
    """
    parts = runs(normalize_text(text))
    tokens: list[str] = []
    for run in parts:
        tokens.extend(run_tokens(run))
    if not parts or not parts[-1].cjk:
        return tokens, False
    if len(parts[-1].text) >= 2:
        return tokens[:-1], False
    return tokens, True


_LEADING_MARKS = re.compile(r"^[\s○◯〇●◎・◆◇■□☆★\-]+")


def sentence_key(sentence: str, normalized: bool = False) -> str:
    """A sentence compared without spaces and its leading bullet: a program's action (・… stored
    without its mark) is the same sentence as the section's line it was read from, and a heading
    (indexed as printed) the same as its normalized line. ``normalized``: the caller knows the
    sentence is normalized text already (section sentences are), which saves the work."""
    text = _LEADING_MARKS.sub("", sentence)
    return "".join((text if normalized else normalize_text(text)).split())
