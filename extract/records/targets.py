"""Reading targets from text: one sentence, or one STEP-template cell, at a time.

A sentence's value, unit, comparator and year come from regexes (the shapes plans write: …を 95.0%以上
とする, 対前年度以上, …を5%減少させる, 18.2%から20.0%にする, 10.4→9.0人, (支部目標 70.0%)); its indicator
is the noun phrase marked by を / について before the value. Where that plain reading is ambiguous (a
commitment without a number, a phrase with commas) GiNZA's dependency parse decides
(``extract.records.ginza``). ``extract.records.kpis`` finds the sentences and assembles the records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.structure.dates import parse_year

# ---------------------------------------------------------------------------------------------
# Sentence reading

_UNITS = r"%|‰|件|人|円|千円|万円|事業所|社|回|日|か所|ヵ所|箇所|ポイント|pt|倍|歳|名"
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_VALUE = re.compile(
    rf"(?P<num>{_NUMBER})\s*(?P<unit>{_UNITS})?\s*(?P<cmp>以上|以下|未満|超|を超える|を下回る|を上回る)?"
)
# What follows a target value: a predicate, a list comma, a deadline, the end.
_AFTER_TARGET = re.compile(
    r"^\s*(とする|とし|とす$|となる|と設定|を目指|を目標|に(引き上げ|向上|増加|する|します|上げ|改善|達成)|まで|を(達成|維持|確保)|へ"
    r"|、|。|$|\(\s*(令和|平成|R\d|\d{4}|見込|実績|前年|参考|毎年度)|を\s*\d{4}\s*年度|を\s*(令和|平成)"
    r"|(を|に)?(減少|削減|低減|縮減|抑制|引き下げ|増加|向上|引き上げ|減(?!る)|増(?!え)))"
)
_REDUCE = re.compile(r"^\s*(を|に)?\s*(減少|削減|低減|縮減|抑制|引き下げ|減ら|減(?!る))")
_INCREASE = re.compile(r"^\s*(を|に)?\s*(増加|向上|引き上げ|増や)")
_YOY = re.compile(
    # …以上 / 以下; 前年度比減少 (increase / decrease written after 比)
    r"(対\s*)?前年(度)?(実績)?(比)?\s*(以上|以下|を上回る|を下回る|(?<=比)\s*(?:増加|減少)(?![率数]))"
)
_DO = re.compile(
    r"(実施|推進|開催|発信|取り組|行|継続|構築|強化|配信|作成)(す|う|し)る?。?$|を(行う|実施)。?$"
)
# 一件以下: a kanji numeral before a counter and a comparator is a number (not 一者応札, a word)
_KANJI_COUNT = re.compile(r"(?<![一-龥])([一二三四五六七八九])(?=(件|人|回|社|か所|名)(以上|以下|未満))")
# 33回以上の出張健診を実施する: a count of an action, the goal of the sentence
_COUNT_OF_ACTION = re.compile(
    rf"(?P<num>{_NUMBER})\s*(?P<unit>回|件|か所|箇所|社|事業所)\s*(?P<cmp>以上)?の(?P<what>[^、。をの]{{2,20}})を\s*(実施|開催)(する|します)"
)
_DEADLINE = re.compile(
    r"((?:令和|平成)\s*\S{1,3}?\s*年度|R\s*\d{1,2}\s*年度|\d{4}\s*年度)(末)?\s*(まで|に|時点|の)"
)
_NOTE = re.compile(r"\(※\d*\)|※\d*")
_MARKER = re.compile(
    r"^\s*(?:[①-⑳]|[ⅰ-ⅻ]\)|\([ⅰ-ⅻ]\)|[Ⅰ-Ⅻ]\.?|[アイウエオカキク][.)、]|\(\d{1,2}\)|\d{1,2}\))\s*"
)
_POPULATION = (("被扶養者", "被扶養者"), ("組合員", "組合員"), ("被保険者", "被保険者"), ("家族", "家族"),
               ("全体", "全体"), ("合計", "全体"))  # fmt: skip
_CJK_END = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff)]$")
_CJK_GAP = re.compile(r"(?<=[\u3040-\u30ff\u4e00-\u9fff])\s+(?=[\u3040-\u30ff\u4e00-\u9fff])")
_LABELLED_VALUE = re.compile(r"(目標値?|目標数値|数値目標)\s*[:]?\s*$")
_NOT_A_TARGET_AFTER = re.compile(r"^\s*(年|か月|ヶ月|カ月|月|歳以上)")  # 3年, 3か月: durations
_NOT_A_TARGET_BEFORE = re.compile(r"(第|上位|中位)$")
_CMP = {"以上": ">=", "以下": "<=", "未満": "<", "超": ">", "を超える": ">", "を上回る": ">", "を下回る": "<"}


_KPI_LABEL = re.compile(
    r"^\s*[■□◆●◇《〈<]?\s*[【\[]?\s*(?:(?:令和|平成)?\s*\d*\s*年度)?\s*(?:目標)?\s*[(（]?\s*KPI\s*[)）】\]》〉>]?"
    r"\s*(?:目標)?\s*[:]?\s*"
)
_REPORT = re.compile(r"進捗|実績|達成度|上昇|低下|推移|評価|結果")  # a change that happened, not a goal


@dataclass
class Reading:
    """One target read from a sentence."""

    indicator: str
    comparator: str
    value: float | None
    unit: str
    target_year: int | None
    baseline_value: float | None = None  # where the target starts from, when the sentence names its year
    baseline_year: int | None = None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


_SPACE = re.compile(r"\s")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)\s+(?=[\d.,])|(?<=\d[,.])\s+(?=\d)")
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d)\s+(?=%)")
_SPACE_AFTER_POINT = re.compile(r"(?<=[\d.])\s+(?=\d)")


def squash_numbers(text: str) -> str:
    """``9 5.0 %`` → ``95.0%``: extracted PDF text breaks numbers with spaces. (Asked of every
    cell and candidate: text without white space, most of it, is given back at once.)"""
    if not _SPACE.search(text):
        return text
    text = _SPACE_IN_NUMBER.sub("", text)
    text = _SPACE_BEFORE_PERCENT.sub("", text)
    return _SPACE_AFTER_POINT.sub("", text)


_TRAILING_PARTICLE = re.compile(
    r"(を(年間|毎年度?|月間)|を|は|が|(に)?ついて|に関して|年度末時点で|時点で|において|で)$"
)
_AT_TIME = re.compile(r"を\s*((令和|平成)\s*\S{1,2}\s*年|\d{4}\s*年)[^を]{0,12}(時点|分)\s*(で|まで|に)?$")


# a statement labelled with the kind of its indicator (・アウトカム：…, アウトプット指標:…)
KIND_LABEL = re.compile(r"^\s*[■□◆●○〇・※]?\s*(アウトプット|アウトカム)\s*(指標)?\s*[:]\s*")
KINDS = {"アウトプット": "output", "アウトカム": "outcome"}


def clean_indicator(text: str) -> str:
    """The measure without notes, labels, particles or the deadline."""
    text = _NOTE.sub("", text)
    text = re.sub(r"^.*(図表|表)\s*[\d\-]+\s*", "", text)  # a figure caption: 図表 6-1-3 支部目標:…
    text = re.sub(r"^[^:]{0,12}目標\s*:\s*", "", text)
    text = _MARKER.sub("", text)
    text = _KPI_LABEL.sub("", text) if "KPI" in text[:24] else text
    text = re.sub(r"^\s*[■□◆●・※]?\s*【[^】]{1,10}】\s*", "", text)  # 【中位目標】, 【被扶養者】
    text = re.sub(r"^[^:]{0,24}(KPI|目標)[^:]{0,6}:\s*", "", text)
    text = _DEADLINE.sub("", text)
    text = re.sub(r"^\s*[■□◆●○〇・※]\s*", "", text)  # the mark of a list item
    text = KIND_LABEL.sub("", text)  # アウトカム：…: the kind of the indicator, not its name
    # (目標)「健康経営優良法人…」, (中位目標)・…: the label of a goal
    text = re.sub(r"^\s*[(（]\s*(\S{0,3}目標|数値目標)\s*[)）]\s*[・:]?\s*", "", text)
    text = re.sub(r"^\s*ただし\s*[、,]?", "", text)
    text = re.sub(r"^.*(ことによって|ことにより|ことで)", "", text)  # the means, not the measure
    text = re.sub(r"^.{0,40}?(場合|とき)\s*(は|には)\s*[、,]?", "", text)  # …4件以下の場合は一者応札件数
    # 522名(平成27年): where the count starts from, not what is counted
    text = re.sub(rf"\s*{_NUMBER}\s*({_UNITS})\s*[(（][^()（）]{{0,20}}[)）]$", "", text)
    for _ in range(2):  # …の割合について、 / …の割合ついて (a slip) / …該当率を「2.9%から…
        text = text.strip(" 、,").rstrip("「")
        text = _AT_TIME.sub("", text)  # …割合を令和4年3月診療分時点で: when it is measured
        text = _TRAILING_PARTICLE.sub("", text)
    text = re.sub(r"の?(対前年(度)?比?|前年(度)?比)$", "", text.strip())
    text = re.sub(r"(を|は|が|について)$", "", text.strip())
    text = re.sub(r"(約|およそ|概ね)$", "", text.strip())
    text = _CJK_GAP.sub("", text)  # a table cell wrapped onto two lines: 教 育等 → 教育等
    return text.strip(" 、,:・")


_BY_TOPIC = re.compile(
    r"^(?P<x>[^、。]+?)(?:が|は)[、,](?:[^。]*[、,])?\s*(?P<a>[^、,。]+?)(?:について|では)は?\s*$"
)


# what a labelled line (indicator: value) puts between the label and the value: a time only
_LABEL_THEN_TIME = re.compile(
    r"(?<=[^\s:])\s*:\s*(?:(?:(?:令和|平成)\s*(?:\d{1,2}|元)|R\s*\d{1,2}|\d{4})\s*年度(?:末)?(?:までに|まで|に)?"
    r"|毎年度?|各年度|計画期間中)?\s*[、,]?\s*$"
)


_OBJECT_THEN_DEADLINE = re.compile(
    r"^(?P<obj>.*\S)を\s*[、,][^、,。]{0,20}?(?:(?:令和|平成)\s*(?:\d{1,2}|元)|R\s*\d{1,2}|\d{4})\s*年度(?:末)?"
    r"\s*(?:までに|まで|に)\s*(?:それぞれ)?\s*$"
)
# 特定健康診査受診率は、…を重点に、令和11年度までに: the topic, when no object is marked with を
_TOPIC_THEN_DEADLINE = re.compile(
    r"^(?:.*?[、,])?(?P<obj>[^、,。を]{2,30}?)は\s*[、,].*?(?:(?:令和|平成)\s*(?:\d{1,2}|元)|R\s*\d{1,2}|\d{4})"
    r"\s*年度(?:末)?\s*(?:までに|まで|に)\s*$"
)
# 受診率及び実施率を…それぞれ60%: one value for each of two measures
_EACH = re.compile(r"^(?P<a>.+?(?:率|割合|数))(?:及び|および|並びに|と|・)(?P<b>.+?(?:率|割合|数))$")


def _indicator_before(sentence: str, start: int, whole: bool = False) -> str:
    """The noun phrase that a value at ``start`` measures: back to the last を / について clause.

    ``whole``: the sentence states one target and nothing else (a KPI part), so everything
    before the particle is the measure, commas and all.
    """
    head = sentence[:start]
    head = _LABEL_THEN_TIME.sub("", head)  # 医療費の伸び率:毎年度、前年度比以下: the label is the measure
    labelled = _LABELLED_VALUE.search(head)
    if labelled:  # 特定健診実施率の向上(支部目標 70.0%): the measure is before the label
        head = re.sub(r"\([^()]*$", "", head[: labelled.start()]).rstrip("(:。 ")
        verb = re.search(r"を[^を]{1,12}(する|させる|図る|行う|目指す)$", head)
        if verb:  # …事業所数を拡大する。(令和3年度目標:100社): the object of the sentence
            head = head[: verb.start()]
        head = re.sub(r"の(向上|推進|実施|確保|強化)$", "", head)
        return clean_indicator(head)
    # …の割合を、(中間評価を行う)令和14年度までに 1.0%: the object before a deadline set off by a comma
    deadline_after = _OBJECT_THEN_DEADLINE.match(head)
    marked = re.search(r"を\s*[、,]?[^、,。]{0,20}?(年度(末)?\s*(までに|まで|に)?)?\s*(それぞれ)?\s*$", head)
    topic = None if deadline_after or marked else _TOPIC_THEN_DEADLINE.match(head)
    if topic:
        return clean_indicator(topic.group("obj"))
    if deadline_after:
        obj = deadline_after.group("obj")
        # 受診率の低い40歳代の…: a clause describing the measure, not its name
        obj = re.sub(r"^(.*[、,])?[^、,。]{1,12}?の(低い|高い|多い|少ない)(?=[^、,。]{4,}$)", "", obj)
        head = obj + "を"
    for boundary in ("について", "を"):
        cut = head.rfind(boundary)
        if (cut >= 0 and head[cut:].strip() in (boundary,)) or re.fullmatch(
            rf"{boundary}\s*((令和|平成)?\s*\S{{0,3}}年度(末)?(時点)?(で|までに|まで|に|より|から)?"
            rf"|\d{{4}}\s*年度(末)?(で|までに|まで|より|から)?)?\s*(約|およそ|年間|毎年度?|月間)?\s*",
            head[cut:],
        ):
            head = head[:cut]
            break
    # …の割合が、男性については43.4%から38.2%に: the subject, broken down by the topic
    topic = _BY_TOPIC.match(head)
    if topic:
        return clean_indicator(f"{topic.group('x')}({topic.group('a')})")
    # …事業所について、健診受診率 100%となるよう: the measure of what the topic names
    about = re.match(r"^(?P<a>[^、。]+?)について[、,]\s*(?P<b>[^、,。]+?(率|数|割合))\s*$", head)
    if about:
        return clean_indicator(f"{about.group('a')}の{about.group('b')}")
    if whole:
        return clean_indicator(head)
    if "、" in head.rstrip("、"):  # a long phrase with commas: let the parse say where it starts
        from extract.records.ginza import object_phrase

        phrase = object_phrase(sentence)
        if phrase and head.rstrip().endswith(phrase.rstrip()):
            before = head.rstrip()[: -len(phrase.rstrip())]
            word = re.search(r"[A-Za-z0-9]+$", before) if re.match(r"[A-Za-z0-9]", phrase) else None
            return clean_indicator((word.group() if word else "") + phrase)  # Step1認定事業所, not 1認定…
    # the phrase starts after the previous target or list comma (outside brackets)
    start_at = _last_top_level(head, "、。")
    phrase = head[start_at + 1 :] if start_at >= 0 and len(head) - start_at > 3 else head
    return clean_indicator(phrase)


def _last_top_level(text: str, marks: str) -> int:
    """Index of the last of ``marks`` not inside brackets, or -1."""
    depth, found = 0, -1
    for i, ch in enumerate(text):
        if ch in "(（「【":
            depth += 1
        elif ch in ")）」】":
            depth = max(0, depth - 1)
        elif ch in marks and depth == 0:
            found = i
    return found


_FISCAL_YEAR = r"(?:(?:令和|平成)\s*(?:\d{1,2}|元)|R\s*\d{1,2}|\d{4})\s*年度(?:末)?"
# 10.4→9.0人, 18.2%から20.0%にする; each value may follow the year it is of (令和4年度 84.9% → 令和11年度
# 90.0%: where it starts, the baseline, and the target) and the target its comparator (85%以上)
_ARROW = re.compile(
    rf"(?:(?P<ya>{_FISCAL_YEAR})\s*(?:[:の]\s*)?)?"
    rf"(?P<a>{_NUMBER})\s*(?P<ua>{_UNITS})?\s*(\([^()]{{0,30}}\))?\s*(→|⇒|から)\s*"
    rf"(?:(?P<yb>{_FISCAL_YEAR})\s*(?:までに|まで|に|[:])?\s*)?(?P<b>{_NUMBER})\s*"
    rf"(?P<ub>{_UNITS})?\s*(?P<cmp>以上|以下|未満)?\s*(\([^()]{{0,30}}\))?\s*"
    rf"(?P<tail>に(する|改善|減少|増加|引き上げ|引き下げ|減ら)?|へ|」|$|。|\s|、)"
)


_KANJI_DIGITS = "一二三四五六七八九"
# 2割, 三割, 1割5分 as a target: tenths of the whole, before a change or a predicate (…を2割減少させる,
# 3割以上とする); not a share in a name (自己負担3割の…), not 割合, 割引
_TENTHS = re.compile(
    r"(?<![\d.])(\d+|[一二三四五六七八九十])割(?:(\d|[一二三四五六七八九])分)?"
    r"(?=\s*(?:以上|以下|未満)?\s*(?:を|に|まで|程度)?\s*(?:減|削減|低減|縮減|増|向上|引き|抑制|改善|とする|とし|にする"
    r"|を目指|$|、|。))"
)
# the goal a sentence quotes: 上位目標を「…医療費を令和4年度時点で26,222円以下とする」とした…
_QUOTED_GOAL = re.compile(r"「([^「」]{4,}?(?:とする|にする|させる|減らす|増やす|達成する|以下|以上|未満))」")
# a level with its value in a bracket: …の割合（27.3％）を減少させ、全国平均以下（参考 27.0％：…）にする
_LEVEL_VALUE = re.compile(
    rf"(?P<cmp>以下|以上|未満)\s*\(\s*(?:参考|目標)?\s*[:]?\s*(?P<num>{_NUMBER})\s*(?P<unit>{_UNITS})[^()]*\)"
    r"\s*(?:に|と)\s*(?:する|なる|させる|抑える|改善)"
)
_LEVEL_OBJECT = re.compile(r"^(?P<what>.+?)\s*(?:\([^()]*\))?\s*を[^を、,]{1,10}[、,]")
# …の伸び率を全国平均以下（参考 2.1％）に抑える: the measure before the level
_LEVEL_SUBJECT = re.compile(r"^(?P<what>.+)を\s*(?:全国|県|国|支部)?\s*(?:平均|水準|並み)?\s*$")
# the value before the measure it is of: 令和5年度の計画終了時に65％の実施率を達成できるよう
_VALUE_OF = re.compile(
    rf"(?:(?P<year>(?:令和|平成)\s*\d{{1,2}}\s*年|\d{{4}}\s*年)度?(?:までに|に)\s*)?"
    rf"(?P<num>{_NUMBER})\s*(?P<unit>%|‰|人|世帯)\s*(?P<cmp>以上|以下)?の(?P<what>[^、。をのにはが\d]{{2,12}}?(?:率|割合)|[^、。をのにはが\d]{{0,12}}?人口)"
    r"を\s*(?:達成|目指|めざ|確保|実現|維持)"
)
_ABOUT = re.compile(r"(?<=[\d%‰人件])\s*(程度|前後)(?=\s*(と|に|を|の|以上|以下))")  # 30%程度とする: 30%
# 現状値 81.3%(令和5年度) 目標値 85%以上(令和11年度): the baseline and the target, each labelled, each
# with its year in a bracket after it or before it
_NOW_THEN = re.compile(
    rf"(?P<la>現状値?|直近値|基準値|実績値?)\s*[:]?\s*(?:(?P<ya0>{_FISCAL_YEAR})\s*[:]?\s*)?"
    rf"(?P<a>{_NUMBER})\s*(?P<ua>{_UNITS})?\s*(?:\(\s*(?P<ya>{_FISCAL_YEAR})\s*\))?\s*[、,]?\s*"
    rf"(?:→|⇒)?\s*目標値?\s*[:]?\s*(?:(?P<yb0>{_FISCAL_YEAR})\s*[:]?\s*)?"
    rf"(?P<b>{_NUMBER})\s*(?P<ub>{_UNITS})?\s*(?P<cmp>以上|以下|未満)?\s*(?:\(\s*(?P<yb>{_FISCAL_YEAR})\s*\))?"
)
_BREAKDOWN_NOTE = re.compile(r"\(\s*内訳\s*[:][^()]*\)")
# the year a bracket after the goal gives it: …30人未満とする。[2027年度（令和9年度）：30人未満（目標）]
_BRACKET_YEAR = re.compile(r"[\[［]\s*((?:令和|平成)\s*\S{1,3}?\s*年度|\d{4}\s*年度)")


def _tenths(match: re.Match[str]) -> str:
    def digit(text: str) -> int:
        return 10 if text == "十" else _KANJI_DIGITS.index(text) + 1 if text in _KANJI_DIGITS else int(text)

    return f"{digit(match.group(1)) * 10 + (digit(match.group(2)) if match.group(2) else 0)}%"


def target_year(sentence: str, default_year: int | None) -> int | None:
    """The fiscal year a sentence names for its targets: a deadline (令和5年度までに), or the year
    of a bracket restating the goal after it ([2027年度…：30人未満]); else ``default_year``."""
    deadline = _DEADLINE.search(sentence) or _BRACKET_YEAR.search(sentence)
    return parse_year(deadline.group(1)) if deadline else default_year


def read_sentence(sentence: str, default_year: int | None, single: bool = False) -> list[Reading]:
    """Every target stated in one (normalized) sentence (``single``: a KPI part, one target)."""
    sentence = squash_numbers(sentence).strip()
    sentence = _KANJI_COUNT.sub(lambda m: str("一二三四五六七八九".index(m.group(1)) + 1), sentence)
    sentence = _TENTHS.sub(_tenths, sentence)  # …を2割減少させる: 20%
    sentence = _ABOUT.sub("", sentence)  # …を30%程度とする: the value aimed at
    sentence = _BREAKDOWN_NOTE.sub("", sentence)  # （内訳：A 35％、B 25％）: the parts (records.breakdowns)
    quoted = _QUOTED_GOAL.search(sentence)
    if quoted and not re.search(r"\d", sentence[: quoted.start()] + sentence[quoted.end() :]):
        return read_sentence(quoted.group(1), target_year(sentence, default_year), single)
    reported = bool(_REPORT.search(sentence))
    level = None if reported else _LEVEL_VALUE.search(sentence)
    if level:  # the target is the level (全国平均以下), its value the bracket's
        head = sentence[: level.start()]
        obj = _LEVEL_OBJECT.match(head) or _LEVEL_SUBJECT.match(head)
        indicator = clean_indicator(obj.group("what")) if obj else _indicator_before(sentence, level.start())
        if indicator:
            return [Reading(indicator, _CMP[level.group("cmp")], _number(level.group("num")),
                            level.group("unit"), target_year(sentence, default_year))]  # fmt: skip
    value_of = None if reported else _VALUE_OF.search(sentence)
    if value_of:  # 2035年に8,000人の人口を維持する: the year of the value, else the sentence's
        year = parse_year(value_of.group("year") or "") or target_year(sentence, default_year)
        return [Reading(clean_indicator(value_of.group("what")), _CMP.get(value_of.group("cmp") or "", "="),
                        _number(value_of.group("num")), value_of.group("unit"), year)]  # fmt: skip
    action = _COUNT_OF_ACTION.search(sentence)
    if action and not _REPORT.search(sentence):
        year = target_year(sentence, default_year)
        comparator = _CMP.get(action.group("cmp") or "", "=")
        return [Reading(clean_indicator(action.group("what")), comparator, _number(action.group("num")),
                        action.group("unit"), year)]  # fmt: skip
    pair = _NOW_THEN.search(sentence)
    if pair:  # …使用割合 現状値 81.3%(令和5年度) 目標値 85%以上(令和11年度)
        indicator = _indicator_before(sentence, pair.start(), single)
        a, b = _number(pair.group("a")), _number(pair.group("b"))
        base_year = parse_year(pair.group("ya") or pair.group("ya0") or "")
        year = parse_year(pair.group("yb") or pair.group("yb0") or "") or target_year(sentence, default_year)
        comparator = _CMP.get(pair.group("cmp") or "", "=")
        if indicator:
            return [Reading(indicator, comparator, b, pair.group("ub") or pair.group("ua") or "", year, a,
                            base_year)]  # fmt: skip
    arrows = [] if _REPORT.search(sentence) else list(_ARROW.finditer(sentence))
    if arrows:  # 10.4→9.0人, 18.2%から20.0%にする: the second value is the target
        year = target_year(sentence, default_year)
        found = []
        for arrow in arrows:
            unit = arrow.group("ub") or arrow.group("ua") or ""
            a, b = _number(arrow.group("a")), _number(arrow.group("b"))
            comparator = "=" if arrow.group("tail").startswith("に") and "から" in arrow.group(0) else (
                "<=" if b < a else ">="
            )
            comparator = _CMP.get(arrow.group("cmp") or "", comparator)
            indicator = _indicator_before(sentence, arrow.start(), single and len(arrows) == 1)
            # a start value with its year is the baseline; the year of the end value the target's
            base_year = parse_year(arrow.group("ya")) if arrow.group("ya") else None
            reading = Reading(indicator, comparator, b, unit,
                              parse_year(arrow.group("yb")) if arrow.group("yb") else year,
                              a if base_year else None, base_year)  # fmt: skip
            if indicator:
                found.append(reading)
        return found
    year = target_year(sentence, default_year)
    readings: list[Reading] = []
    starts: list[int] = []
    yoy = _YOY.search(sentence)
    deadlines = list(_DEADLINE.finditer(sentence))
    for m in _VALUE.finditer(sentence):
        if any(d.start() <= m.start() < d.end() for d in deadlines):
            continue  # the year of a deadline is no target
        after = sentence[m.end() :]
        unit, cmp = m.group("unit") or "", m.group("cmp")
        if unit == "歳":
            continue  # 40歳以上: who is counted, never the target
        bare = not unit and not cmp and not after.strip().startswith("とする")
        labelled = bool(_LABELLED_VALUE.search(sentence[: m.start()]))  # (支部目標 70.0%), 目標: 300件
        if (not _AFTER_TARGET.match(after) and not labelled) or bare:
            continue
        if _NOT_A_TARGET_AFTER.match(after) or _NOT_A_TARGET_BEFORE.search(sentence[: m.start()]):
            continue
        if re.match(r"^\s*(となる|の)?\s*(場合|とき)", after):
            continue  # 入札件数が4件以下となる場合は…: a condition, not a target
        past_note = re.sub(r"^\s*\([^()]{0,30}\)\s*", "", after)  # (平成27年) after a value
        if past_note != after and re.match(r"^(を|から|→|⇒)", past_note):
            continue  # 522名(平成27年)を400名に減らす: the value before を is where it starts from
        if re.match(r"^\s*(であ|です|となって|に(なって|達して|とどま))", past_note):
            continue  # 利用率は81.5%(2023年3月診療)であり: what is, not what is aimed at
        comparator = _CMP.get(cmp or "", "=")
        if not cmp and re.match(r"^\s*(まで|に)\s*(減ら|減少|引き下げ|低減|抑制)", past_note):
            comparator = "<="
        elif not cmp and re.match(r"^\s*(まで|に)\s*(増や|拡大|増加|引き上げ|向上)", past_note):
            comparator = ">="
        elif _REDUCE.match(after) and not (cmp and re.match(r"^\s*に", after)):
            comparator = "reduce_by"  # …を5%減少させる (by); 1.0%未満に減らす is a level: its 未満
        elif _INCREASE.match(after) and cmp is None:
            comparator = "increase_by"
        # R8年度までに25%以下、R11年度までに20%以下: a value takes the deadline right before it
        own = [d for d in deadlines if d.end() <= m.start()]
        value_year = parse_year(own[-1].group(1)) if len(deadlines) > 1 and own else year
        readings.append(Reading("", comparator, _number(m.group("num")), unit, value_year))
        starts.append(m.start())
    if not readings and yoy:
        comparator = "yoy>=" if yoy.group(5).strip() in ("以上", "を上回る", "増加") else "yoy<="
        readings.append(Reading("", comparator, None, "", year))
        starts.append(yoy.start())
    if len(deadlines) > 1 and readings and readings[-1].comparator in (">=", "<="):
        # 令和8年度までに25%、令和11年度までに30%に引き上げる: the verb at the end sets every value
        for reading, start in zip(readings[:-1], starts[:-1], strict=True):
            if reading.comparator == "=" and re.match(rf"^{_NUMBER}\s*({_UNITS})?\s*[、,]", sentence[start:]):
                reading.comparator = readings[-1].comparator
    whole = single and len(readings) == 1
    previous = ""
    for reading, start in zip(readings, starts, strict=True):
        reading.indicator = _indicator_before(sentence, start, whole)
        if len(_WORDS.findall(reading.indicator)) < 2 and previous and len(deadlines) > 1:
            # …率をR8年度までに25%以下、R11年度までに20%以下: a value after only its deadline
            # measures what the value before it does
            reading.indicator = previous
        previous = reading.indicator or previous
    out = []
    for reading, start in zip(readings, starts, strict=True):
        each = _EACH.match(reading.indicator) if sentence[:start].rstrip().endswith("それぞれ") else None
        if each:  # …受診率及び…実施率を、…それぞれ60%以上とします: the value for each
            out += [Reading(clean_indicator(each.group(k)), reading.comparator, reading.value, reading.unit,
                            reading.target_year) for k in ("a", "b")]  # fmt: skip
        elif reading.indicator:
            out.append(reading)
    return out


def read_commitment(sentence: str, default_year: int | None) -> Reading | None:
    """A commitment without a number (…を実施する): the object of its verb is the indicator."""
    sentence = squash_numbers(sentence).strip().rstrip("。")
    if not _DO.search(sentence):
        return None
    from extract.records.ginza import object_phrase  # GiNZA only for what regexes cannot read

    phrase = object_phrase(sentence)
    if not phrase:
        return None
    return Reading(clean_indicator(phrase), "do", None, "", default_year)


_COUNTED = re.compile(r"(被扶養者|組合員|被保険者)数")
_NOT_WHO = re.compile(r"(?<!全)(被扶養者|組合員|被保険者)(?!資格|証)")
_WHO = r"(?:被扶養者|組合員|被保険者|家族)"
# several populations in one total: 被保険者・被扶養者, 組合員及び家族, 被保険者＋被扶養者, 被保険者と被扶養者
_AND = r"(?:[・、,+＋]|及び|および|と|並びに|ならびに)"
_TOGETHER = re.compile(rf"(?<!全){_WHO}(?:等)?(?:{_AND}{_WHO}(?:等)?)+")


def together(text: str) -> str | None:
    """Several populations counted in one total, as the plan names them, joined with ・
    (``被保険者・被扶養者``); ``None`` unless two or more are joined."""
    m = _TOGETHER.search(text)
    if not m:
        return None
    names = list(dict.fromkeys(re.findall(_WHO, m.group())))
    return "・".join(names) if len(names) > 1 else None


def population_of(text: str, insurer_type: str | None = None) -> str | None:
    """Whom a target counts, from its indicator or the label it stands under.

    A population named as a status (被扶養者資格の確認) or counted as the base of a ratio
    (全被保険者数に占める…) is not whom the target is about. Several joined (被保険者・被扶養者の
    特定健診実施率, 組合員及び家族) are counted together: both are named. 全体 / 合計 name the whole.
    本人 (the member himself, against his family) is 組合員 in a 共済組合 or 国保組合, else 被保険者.
    """
    text = squash_spaces(text)
    if not _COUNTED.search(text):
        both = together(text)
        if both:
            return both
        m = _NOT_WHO.search(text)
        if m:
            return m.group(1)
    for word, population in _POPULATION[3:]:
        if word in text.replace("合計特殊出生率", ""):  # a birth rate's name, not the whole of the members
            return population
    if "本人" in text:
        return "組合員" if insurer_type in ("共済組合", "国保組合") else "被保険者"
    return None


def squash_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text)


_WORDS = re.compile(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]")
