"""Who issues a plan: an insurer, a municipality, a prefecture or a ministry, as the plan names it.

An issuer names itself in set places, and those are read first:

- **the cover**: the short lines before the body starts (before 目次, the first sentence or a long
  line), where the issuer stands on a line of its own -- ``地方職員共済組合 大分県支部``, ``青葉市``,
  ``東雲市 市民部 国民健康保険課`` (a department after the name is no part of it);
- **the colophon**: ``発行：青葉市 市民生活部 保険年金課``, ``(発行:音威子府村住民課…)``, or an issuer
  alone on one of the document's last lines (``内閣府(防災担当)・消防庁``);
- **the title** (the PDF's title or the cover's largest lines) that opens with a municipality:
  ``青葉市国民健康保険 第3期データヘルス計画``, ``若葉市健康増進計画``.

Failing those, the insurer named most often on the first page (``組合名称 ライク健康保険組合``).
A file name is never read for it, nor the PDF's author (a person, a typesetter, a PC's user).

Every 市町村国保 is a municipality's: its issuer is the municipality (``青葉市``, not ``青葉市国民健康
保険``), and the insurer type is 市町村国保 when the cover or title names the municipality's
国民健康保険 (``東雲市国民健康保険事業年報``). A municipality's plan under another law (a 健康増進計画)
is the municipality's as a local government: insurer type other. So is a ministry's or a
prefecture's document.
"""

from __future__ import annotations

import re

from schemas.plans import InsurerType

# Insurer names: a proper name before the kind of insurer. Longest kinds first.
# a name may open with a hiragana word (みどり健康保険組合, ひかり建設国民健康保険組合), never with a particle
_KANA_START = r"(?:(?![のはがをにでもへやと])[ぁ-ゖ]{2,8})?"
_INSURER = re.compile(
    r"(全国健康保険協会|協会けんぽ"
    rf"|{_KANA_START}[一-龥ァ-ヴーA-Za-z・]{{0,16}}?国民健康保険組合"
    rf"|{_KANA_START}[一-龥ァ-ヴーA-Za-z・]{{0,16}}?健康保険組合"
    rf"|{_KANA_START}[一-龥ァ-ヴーA-Za-z・]{{0,16}}?共済組合"
    r"|[一-龥]{1,6}?[市町村]国民健康保険)"
)
_NOT_A_NAME = re.compile(r"^(当|本|各|同|全|の|等|以上|未満|加入者|被用者|単一|総合|地域|職域)")
_COUNTING = re.compile(r"[0-9０-９万千百]|以上|未満|以下|人")  # 加入者1万人以上健康保険組合 is no name
_GENERIC = {"健康保険組合", "共済組合", "国民健康保険組合"}

# A municipality: a name (kanji, kana) ending in 市, 町 or 村, after its prefecture or 郡 if written.
_PLACE = r"[一-龥々ぁ-ゖァ-ヺー]"
_MUNICIPALITY = re.compile(rf"(?:{_PLACE}{{2,3}}[都道府県])?(?:[一-龥]{{1,4}}郡)?({_PLACE}{{1,7}}?[市町村])")
# What may follow a municipality's name in the same word: its people, offices, council (市民, 町役場,
# 市長, 議会) make the name shorter than the match (青葉市市民生活部 is 青葉市's).
_AFTER_MUNICIPALITY = re.compile(r"^(民|役|長|議|立|営|内|外|域)")
_GENERIC_PLACE = re.compile(
    r"^(本|当|各|同|全|他|貴|近隣|周辺|県内|管内|市内|都|区|都市|中核|政令|指定|特別|市町|町村|区市|"
    r"農|山|漁|城下|門前|宿場|港|下|この|その|わが|我が)[市町村]$|市町|町村|[のはがをにでもへやとや]"
)
_PREFECTURE = re.compile(r"(北海道|東京都|(?:大阪|京都)府|[一-龥]{2,3}県)")
_MINISTRY = re.compile(r"(内閣府|内閣官房|[一-龥]{2,6}省|[一-龥]{2,5}庁)")
_DEPARTMENT = re.compile(r"[一-龥ぁ-ゖァ-ヺー・]{1,16}(部|課|局|室|係|班|所|センター|本部|担当)")
_NATIONAL_INSURANCE = re.compile(r"国民健康保険|国保")

# Where the cover ends: a table of contents, a sentence, a long line.
_COVER_END = re.compile(r"^(目\s*次|もくじ|contents)$|。$", re.IGNORECASE)
_COVER_LINE_CHARS = 40
_COVER_LINES = 12
_COLOPHON = re.compile(r"(?:編集\s*[・･、]?\s*)?(?:発行|発行者|発行元|編集|作成|策定)\s*[:：]\s*(.+)")
_COLOPHON_LINES = 8  # where 発行：… is looked for
_SIGNATURE_LINES = 3  # where an issuer alone on its line is
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")


def insurer_of(text: str) -> str | None:
    """The insurer named most often in ``text`` (the first pages of a plan)."""
    counts: dict[str, int] = {}
    for m in _INSURER.finditer(text):
        name = m.group(1)
        if name in ("協会けんぽ", "全国健康保険協会"):
            name = "全国健康保険協会"
        elif name in _GENERIC or _NOT_A_NAME.match(name) or _COUNTING.search(name):
            continue
        counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], -text.find(k)))


def insurer_type_of(insurer: str | None) -> InsurerType:
    """The kind of insurer its name says (a municipality's: see :func:`issuer_type`)."""
    if not insurer:
        return "other"
    if insurer == "全国健康保険協会":
        return "協会けんぽ"
    if insurer.endswith("国民健康保険組合"):
        return "国保組合"
    if insurer.endswith("健康保険組合"):
        return "健保組合"
    if insurer.endswith("共済組合"):
        return "共済組合"
    if insurer.endswith("国民健康保険"):
        return "市町村国保"
    return "other"


def branch_of(insurer: str | None, text: str) -> str | None:
    """``大分県`` from ``地方職員共済組合 大分県支部`` (a branch written next to the insurer)."""
    if not insurer:
        return None
    m = re.search(re.escape(insurer) + r"\s*([一-龥]{1,4}?[都道府県]?)\s*支部", text)
    return m.group(1) if m else None


def municipality_at(text: str) -> tuple[str, int] | None:
    """The municipality ``text`` opens with and where its name ends, or None (``青葉市`` from
    ``青葉市国民健康保険`` and ``青葉市本町一丁目``, ``音威子府村`` from ``北海道中川郡音威子府村住民課``).

    The name is the shortest that ends in 市, 町 or 村 -- one more such character taken with it
    (``四日市市``, ``大町市``), unless what follows is the city's people or office (``青葉市市民部``)."""
    m = _MUNICIPALITY.match(text)
    if m is None:
        return None
    start = m.start(1)
    ends = [
        end for end in range(start + 2, min(len(text), start + 9) + 1)
        if text[end - 1] in "市町村" and re.fullmatch(rf"{_PLACE}+", text[start:end])
        and not _GENERIC_PLACE.search(text[start:end])
    ]  # fmt: skip
    for end in ends:
        if end + 1 in ends and not _AFTER_MUNICIPALITY.match(text[end + 1 :]):
            return text[start : end + 1], end + 1
        if not _AFTER_MUNICIPALITY.match(text[end:]):
            return text[start:end], end
    return None


def _issuer_at(text: str) -> tuple[str, int] | None:
    """The issuer ``text`` opens with (an insurer, a municipality, a ministry, a prefecture) and
    where its name ends."""
    text = text.strip()
    m = _INSURER.match(text)
    if m and not (m.group(1) in _GENERIC or _NOT_A_NAME.match(m.group(1)) or _COUNTING.search(m.group(1))):
        name = "全国健康保険協会" if m.group(1) == "協会けんぽ" else m.group(1)
        return name, m.end()
    for pattern in (_MINISTRY, _PREFECTURE):
        m = pattern.match(text)
        if m and not municipality_at(text):
            return m.group(1), m.end()
    return municipality_at(text)


def _issuer_line(line: str) -> str | None:
    """The issuer a line consists of: its name alone, or with a branch, departments, a bracket
    (``地方職員共済組合 大分県支部``, ``東雲市 市民部 国民健康保険課``, ``青葉市国民健康保険``)."""
    text = _BRACKETS.sub(" ", line).strip()
    found = _issuer_at(text)
    if found is None:
        return None
    name, end = found
    for piece in re.split(r"[\s・･、]+", text[end:].strip()):
        if piece and not (
            _DEPARTMENT.fullmatch(piece) or piece.endswith("支部") or _NATIONAL_INSURANCE.fullmatch(piece)
            or _issuer_at(piece)
        ):  # fmt: skip
            return None
    return name


def cover_lines(lines: list[str]) -> list[str]:
    """The first page's lines before its body: title, date, issuer (short lines, no sentence)."""
    cover = []
    for line in lines[:_COVER_LINES]:
        text = line.strip()
        if not text:
            continue
        if _COVER_END.search(text) or len(text) > _COVER_LINE_CHARS:
            break
        cover.append(text)
    return cover


def colophon_issuer(lines: list[str]) -> str | None:
    """The issuer a document's last lines name: ``発行：…`` or an issuer on a line of its own."""
    last = [line.strip() for line in lines[-_COLOPHON_LINES:] if line.strip()]
    for line in last:
        for m in _COLOPHON.finditer(_BRACKETS.sub(lambda b: " " + b.group()[1:-1] + " ", line)):
            found = _issuer_at(m.group(1))
            if found:
                return _plain_name(found[0])
    for line in reversed(last[-_SIGNATURE_LINES:]):
        name = _issuer_line(line)
        if name:
            return _plain_name(name)
    return None


def _plain_name(name: str) -> str:
    """A 市町村国保's issuer is its municipality: ``青葉市国民健康保険`` → ``青葉市``."""
    if name.endswith("国民健康保険") and not name.endswith("組合"):
        found = municipality_at(name)
        if found:
            return found[0]
    return name


def cover_issuer(cover: list[str]) -> str | None:
    """The issuer standing on a cover line of its own; the last one (the cover's foot) first."""
    for line in reversed(cover):
        name = _issuer_line(line)
        if name:
            return _plain_name(name)
    return None


def title_municipality(titles: list[str]) -> str | None:
    """The municipality a title opens with (``若葉市健康増進計画``, ``音威子府村地域防災計画``)."""
    for title in titles:
        for piece in re.split(r"[\s(（]+", title):
            found = municipality_at(piece)
            if found and len(piece) > len(found[0]):
                return found[0]
    return None


def issuer_type(issuer: str | None, named: str) -> InsurerType:
    """The issuer's insurer type; a municipality is a 市町村国保 when ``named`` (its cover and
    title) names the municipality's 国民健康保険, and otherwise a local government (other)."""
    if issuer and municipality_at(issuer) and municipality_at(issuer)[0] == issuer:  # type: ignore[index]
        flat = re.sub(r"\s+", "", named)
        return "市町村国保" if re.search(re.escape(issuer) + r"(国民健康保険|国保)", flat) else "other"
    return insurer_type_of(issuer)
