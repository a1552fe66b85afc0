"""KPI and target extraction: sentences, KPI blocks, tables, the STEP template, against tests/gold."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from extract.evaluate import score_kpis
from extract.read.normalize import normalize_text
from extract.records.targets import read_sentence, squash_numbers, step_records
from tests.conftest import ROOT, parsed
from tests.conftest import readings as plan_readings

GOLD = ROOT / "tests" / "gold"
GOLD_DOCS = sorted(p.stem for p in GOLD.glob("*.json"))  # every KPI gold set, the variants included


def readings(doc_id: str, layout: str = "plain"):
    """(parsed document, plan readings) of a corpus document in a layout, read once a session."""
    return parsed(doc_id, layout), plan_readings(doc_id, layout)


def found_by_plan(doc_id: str, layout: str = "plain") -> dict[str, list]:
    _, plans = readings(doc_id, layout)
    return {(r.plan.branch if len(plans) > 1 else "main"): r.kpis for r in plans}


@pytest.mark.parametrize(
    ("sentence", "indicator", "comparator", "value", "unit"),
    [
        ("サービススタンダードの達成状況を 100%とする", "サービススタンダードの達成状況", "=", 100.0, "%"),
        ("郵送化率を 9 5.0%以上とする", "郵送化率", ">=", 95.0, "%"),
        ("健康宣言事業所数を 2,400事業所以上とする", "健康宣言事業所数", ">=", 2400.0, "事業所"),
        ("被保険者の喫煙率を 38.28%以下とする", "被保険者の喫煙率", "<=", 38.28, "%"),
        ("査定率(※)を前年度以上とする", "査定率", "yoy>=", None, ""),
        ("申請の割合について対前年度以下とする", "申請の割合", "yoy<=", None, ""),
        ("医療費を5%減少させる", "医療費", "reduce_by", 5.0, "%"),
        ("確認書の提出率を92.7%以上とす", "確認書の提出率", ">=", 92.7, "%"),
        ("対象者の減少率を 18.2%から 20.0%にする。", "対象者の減少率", "=", 20.0, "%"),
    ],
)
def test_one_target_sentences(sentence: str, indicator: str, comparator: str, value, unit: str) -> None:
    [reading] = read_sentence(normalize_text(sentence), 2021, single=True)
    assert (reading.indicator, reading.comparator, reading.value, reading.unit) == (
        indicator, comparator, value, unit
    )  # fmt: skip
    assert reading.target_year == 2021


def test_two_targets_in_one_sentence_with_a_deadline() -> None:
    text = "本計画により、特定健康診査受診率を70%、特定保健指導実施率30%を2023年度までに達成する。"
    found = [(r.indicator, r.value, r.target_year) for r in read_sentence(text, None)]
    assert found == [("特定健康診査受診率", 70.0, 2023), ("特定保健指導実施率", 30.0, 2023)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # …割減少: tenths of the whole, 2割5分 = 25%, as a reduction by a share
        ("人工透析の新規導入患者数を令和11年度までに2割減少させる。",
         ("人工透析の新規導入患者数", "reduce_by", 20.0, "%", 2029)),
        ("特定保健指導の対象者数を2029年度までに2割5分減少させる。",
         ("特定保健指導の対象者数", "reduce_by", 25.0, "%", 2029)),
        ("入院医療費を三割以上削減する", ("入院医療費", "reduce_by", 30.0, "%", 2021)),
        # a share in a name is no target (自己負担3割), the change after it is
        ("自己負担3割の患者の医療費を5%削減する", ("自己負担3割の患者の医療費", "reduce_by", 5.0, "%", 2021)),
        # 上位目標 in prose: a level with its value in a bracket
        ("上位目標：メタボリックシンドロームの該当者及び予備群の割合（27.3％：平成 28 年度国への報告）"
         "を減少させ、全国平均以下（参考 27.0％：平成 28年度国への報告）にする。",
         ("メタボリックシンドロームの該当者及び予備群の割合", "<=", 27.0, "%", 2021)),
        ("②1人当たり医療費の伸び率を全国平均以下（参考 2.1％：令和4年度）に抑える。",
         ("1人当たり医療費の伸び率", "<=", 2.1, "%", 2021)),
        # …を…％以下とする inside a longer sentence
        ("当組合は、健康経営に取り組む事業主と連携して受動喫煙のない職場づくりを進めるとともに、被保険者の喫煙率を"
         "令和11年度までに15.0％以下とすることを目指し、禁煙支援を強化する。",
         ("被保険者の喫煙率", "<=", 15.0, "%", 2029)),
        # the goal a sentence quotes
        ("・ 上位目標を「循環器系疾患の 1 人当たり医療費を令和 4 年度時点で 26,222 円以下とする」"
         "としたデータヘルス計画を着実に推進する。",
         ("循環器系疾患の 1 人当たり医療費", "<=", 26222.0, "円", 2022)),
        ("上位目標を「糖尿病性腎症による新規透析導入患者数を令和11年度までに年間3人以下とする」と定め、",
         ("糖尿病性腎症による新規透析導入患者数", "<=", 3.0, "人", 2029)),
        # the value before its measure: N％の実施率を達成
        ("令和 5 年度の計画終了時に 65％の実施率を達成できるよう、課題の洗い出しを行う。",
         ("実施率", "=", 65.0, "%", 2023)),
        # the year of a bracket restating the goal after it
        ("上位目標（10年以上経過後に達する目標）：人工腎臓（人工透析）新規患者数を年間30人未満とする。"
         "[2027年度（令和9年度）：30人未満（目標）]",
         ("人工腎臓(人工透析)新規患者数", "<", 30.0, "人", 2027)),
        # a breakdown's values stay out of the sentence: they are its parts (extract.records.breakdowns)
        ("特定保健指導実施率を令和11年度に60％以上とする（内訳：保健師実施分 35％、外部委託分 25％）。",
         ("特定保健指導実施率", ">=", 60.0, "%", 2029)),
    ],
)  # fmt: skip
def test_goals_in_prose_and_reductions_by_tenths(sentence: str, expected: tuple) -> None:
    readings = read_sentence(normalize_text(sentence), 2021)
    assert [(r.indicator, r.comparator, r.value, r.unit, r.target_year) for r in readings] == [expected]


@pytest.mark.parametrize(
    ("text", "population"),
    [
        ("被保険者及び被扶養者を合わせた特定健康診査の実施率", "被保険者・被扶養者"),
        ("組合員及び家族の特定健康診査受診率", "組合員・家族"),
        ("特定健診実施率（被保険者＋被扶養者）", "被保険者・被扶養者"),
        ("受診者数（家族 計）", "家族"),
        ("被扶養者の特定健診実施率", "被扶養者"),
        ("全被保険者数に占める健康保険委員が委嘱されている事業所の被保険者数の割合", None),
    ],
)
def test_several_populations_counted_together_are_all_named(text: str, population: str | None) -> None:
    from extract.records.targets import population_of

    assert population_of(normalize_text(text)) == population


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # an arrow naming each value's year: the start is the baseline, the end the target of its year
        ("■ 特定健康診査受診率（全体）：令和4年度 84.9％ → 令和11年度 90.0％",
         [("特定健康診査受診率(全体)", ">=", 90.0, 2029, 84.9, 2022)]),
        ("HbA1c8.0％以上の者の割合 令和4年度 1.6％ → 令和11年度 1.2％",
         [("HbA1c8.0%以上の者の割合", "<=", 1.2, 2029, 1.6, 2022)]),
        ("・後発医薬品の使用割合（数量ベース）：令和5年度 81.3％ → 令和11年度 85％以上",
         [("後発医薬品の使用割合(数量ベース)", ">=", 85.0, 2029, 81.3, 2023)]),
        ("特定保健指導実施率を令和4年度の34.8％から令和11年度に60％へ引き上げる",
         [("特定保健指導実施率", ">=", 60.0, 2029, 34.8, 2022)]),
        # an arrow without years: no baseline (協会けんぽ)
        ("人工透析を受ける人を減らす。人口 1万対 10.4→9.0人", [("人口1万対", "<=", 9.0, None, None, None)]),
        # each value takes the deadline before it; the second measures what the first does
        ("■ 40歳代の組合員の喫煙率：R8年度までに25%以下、R11年度までに20%以下",
         [("40歳代の組合員の喫煙率", "<=", 25.0, 2026, None, None),
          ("40歳代の組合員の喫煙率", "<=", 20.0, 2029, None, None)]),
        # a label before a time and a year-on-year goal: the label is the measure
        ("■ 加入者1人当たり医療費の伸び率：毎年度、前年度比以下に抑える",
         [("加入者1人当たり医療費の伸び率", "yoy<=", None, None, None, None)]),
        ("・アウトカム：新規人工透析導入者数 前年度比減少",
         [("新規人工透析導入者数", "yoy<=", None, None, None, None)]),
        ("・アウトプット：受診勧奨通知の送付率 100％（毎年度）",
         [("受診勧奨通知の送付率", "=", 100.0, None, None, None)]),
        # the baseline and the target each labelled (現状値 / 目標値), each year in a bracket after it
        ("・後発医薬品の使用割合（数量ベース）　現状値 81.3％（令和5年度）　目標値 85％以上（令和11年度）",
         [("後発医薬品の使用割合(数量ベース)", ">=", 85.0, 2029, 81.3, 2023)]),
    ],
)  # fmt: skip
def test_arrows_with_years_deadlines_per_value_and_labelled_lines(sentence: str, expected: list) -> None:
    readings = read_sentence(normalize_text(sentence), None)
    found = [("".join(r.indicator.split()), r.comparator, r.value, r.target_year, r.baseline_value,
              r.baseline_year) for r in readings]  # fmt: skip
    assert found == expected


def test_spaces_and_full_width_digits_inside_numbers() -> None:
    assert squash_numbers(normalize_text("９ ５．０ ％")) == "95.0%"
    assert squash_numbers("2, 400事業所") == "2,400事業所"


def test_step_template_forms() -> None:
    [plan_only] = step_records(normalize_text("実施率(【実績値】-　【目標値】令和2年度：10％)設立"))
    assert (plan_only.indicator, plan_only.value, plan_only.year, plan_only.actual) == (
        "実施率", 10.0, 2020, None
    )  # fmt: skip
    reported = "実施率（【平成29年度末の実績値】-【計画値/実績値】令和2年度：10％/9.2％"
    [both] = step_records(normalize_text(reported))
    assert (both.value, both.year, both.actual) == (10.0, 2020, 9.2)


def test_a_commitment_without_a_number_reads_its_object_with_ginza() -> None:
    from extract.records.targets import read_commitment

    reading = read_commitment(
        "効率的・効果的な医療提供体制の構築に向けて、地域医療構想調整会議や健康保険組合連合会等において、"
        "医療データ等を活用した効果的な意見発信を実施する",
        2021,
    )
    assert reading is not None
    assert reading.comparator == "do"
    assert reading.indicator.endswith("医療データ等を活用した効果的な意見発信")


# records the gold has for these branches (tests/gold/README.md), every one found and right in every field
EXACT_BRANCHES = {"北海道": 22, "岩手": 20, "山形": 20, "群馬": 19, "福井": 19, "岐阜": 21, "兵庫": 19}


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
@pytest.mark.parametrize("branch", EXACT_BRANCHES)
def test_every_kpi_of_these_branches_is_found_exactly(layout: str, branch: str) -> None:
    gold = json.loads((GOLD / "kyoukai-kenpo-r3-branch-plans.json").read_text(encoding="utf-8"))
    found = found_by_plan("kyoukai-kenpo-r3-branch-plans", layout)
    score = score_kpis(found, {**gold, "plans_annotated": [branch]})
    assert score.matched == score.expected == score.predicted == EXACT_BRANCHES[branch], score
    assert score.mismatches == [], [str(m) for m in score.mismatches]


@pytest.mark.reads("chikyosai-oita-datahealth-plan-3rd")
def test_target_table_rows_with_baseline_and_program(layout: str) -> None:
    records = found_by_plan("chikyosai-oita-datahealth-plan-3rd", layout)["main"]
    members = [k for k in records if k.indicator == "組合員受診率" and k.program == "特定健康診査"]
    assert [(k.target_year, k.value) for k in members] == [(y, 99.3) for y in range(2024, 2030)]
    assert {(k.baseline_value, k.baseline_year, k.kind, k.population, k.unit) for k in members} == {
        (99.3, 2022, "outcome", "組合員", "%")
    }
    assert members[0].program == "特定健康診査"  # the program's name, without its 重点★ mark
    merged = [k for k in records if k.indicator.startswith("人工透析患者数")]
    assert [(k.comparator, k.target_year) for k in merged] == [("yoy<=", y) for y in range(2024, 2030)]
    # the merged 前年度比 cell leaves the row its baseline (14 人, the (2022年度) column)
    assert {(k.baseline_value, k.baseline_year) for k in merged} == {(14.0, 2022)}
    # a row group's header names the population (がん検診受診率 (組合員、…)); 本人 in a 共済組合 is 組合員
    cancer = [k for k in records if k.indicator.startswith("がん検診受診率")]
    assert len(cancer) == 30 and {k.population for k in cancer} == {"組合員"}
    smoking = [k for k in records if k.indicator.replace(" ", "").startswith("喫煙率(本人)")]
    assert len(smoking) == 6 and {k.population for k in smoking} == {"組合員"}


@pytest.mark.reads("tokyo-ishikokuho-tokutei-kenshin-plan-3rd")
def test_table_rows_name_their_measure_and_breakdown(layout: str) -> None:
    """東京's 内訳 tables: measure（breakdown）, the caption's measure for rows of breakdowns only,
    the legend's words for the table's codes (A=動機づけ支援者), and the program the caption names."""
    records = found_by_plan("tokyo-ishikokuho-tokutei-kenshin-plan-3rd", layout)["main"]
    by_indicator = {k.indicator: k for k in records if k.target_year == 2018}
    assert by_indicator["受診者数(組合員男性)"].population == "組合員"
    guided = by_indicator["特定保健指導実施者数(男性 40歳~64歳動機づけ支援者)"]
    assert (guided.value, guided.program) == (11.0, "特定保健指導")
    assert by_indicator["特定保健指導実施者数"].population == "全体"  # the total after the breakdown
    assert not [k for k in records if "目標" in k.indicator or "予定" in k.indicator]


@pytest.mark.reads("like-kenpo-datahealth-plan-step-format")
def test_step_targets_take_their_columns_kind(layout: str) -> None:
    """ライク: アウトプット指標 / アウトカム指標 columns of the STEP3 table and the STEP4 reports."""
    records = found_by_plan("like-kenpo-datahealth-plan-step-format", layout)["main"]
    kinds = {(k.indicator, k.kind) for k in records if k.kind != "target"}
    assert {kind for _, kind in kinds} == {"output", "outcome"}
    assert {name for name, kind in kinds if kind == "outcome"} == {"ジェネリック薬使用率"}
    # whom a rate counts: its program's bracket (特定健康診査（被扶養者）), or its denominator
    # (受診者数÷期初の被保険者数); both, counted together, where it names two (被保険者数・被扶養者数)
    assert {k.population for k in records if k.program == "特定健康診査(被扶養者)"} == {"被扶養者"}
    assert {k.population for k in records if k.program == "胃がん検診"} == {"被保険者"}
    assert {(k.population, k.population_norm) for k in records if k.program == "婦人科がん検診"} == {
        ("被保険者・被扶養者", "all")
    }


@pytest.mark.reads(*GOLD_DOCS)
def test_every_record_keeps_its_evidence_on_its_page(layout: str, doc_id: str) -> None:
    doc, plans = readings(doc_id, layout)
    pages = {p.page_no: p.raw_text for p in doc.pages}
    records = [k for r in plans for k in r.kpis]
    assert records
    for k in records:
        for line in k.raw_text.splitlines():
            assert line in pages[k.page], (k.id, line)
        assert k.section


@pytest.mark.reads(*GOLD_DOCS)
def test_kpi_precision_recall_and_every_field_against_the_gold(layout: str, doc_id: str) -> None:
    """Each figure at least its floor: within a point of what the extractor scores (make bench),
    so that a regression of any field fails. The record counts are the gold's."""
    gold = json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))
    score = score_kpis(found_by_plan(doc_id, layout), gold)
    assert score.expected == GOLD_RECORDS[doc_id]
    floors = FLOORS.get(doc_id, {})
    for name, figure in {"precision": score.precision, "recall": score.recall, **score.agreements()}.items():
        wrong = [str(m) for m in score.wrong(name)][:10]
        assert figure >= floors.get(name, 1.0), (name, round(figure, 4), wrong, score.missed, score.extra)


def _tally(text: str) -> dict[str, int]:
    """``kpi 294, target 41`` as {``kpi``: 294, ``target``: 41}."""
    return {name: int(n) for name, n in (item.rsplit(" ", 1) for item in " ".join(text.split()).split(", "))}


def test_the_gold_readme_counts_what_the_gold_files_hold() -> None:
    """tests/gold/README.md's table, its count of records with an id and its records per branch are
    the files' (a README that says 岩手 20 while the file holds 22 misleads whoever reads the gold)."""
    readme = (GOLD / "README.md").read_text(encoding="utf-8")
    row = re.compile(r"^\| (?P<file>[\w-]+)\.json \| (?P<plans>\d+)[^|]*\| (?P<records>\d+) \| "
                     r"(?P<kinds>[^|]+) \| (?P<comparators>[^|]+) \|$", re.M)  # fmt: skip
    rows = {m["file"]: m for m in row.finditer(readme)}
    assert sorted(rows) == GOLD_DOCS
    golds = {d: json.loads((GOLD / f"{d}.json").read_text(encoding="utf-8")) for d in rows}
    for doc_id, m in rows.items():
        records = golds[doc_id]["records"]
        assert int(m["plans"]) == len(golds[doc_id]["plans_annotated"]), doc_id
        assert int(m["records"]) == len(records) == GOLD_RECORDS[doc_id], doc_id
        assert _tally(m["kinds"]) == Counter(r["kind"] for r in records), doc_id
        assert _tally(m["comparators"]) == Counter(r["comparator"] for r in records), doc_id
    ids = re.search(r"Records with an expected `indicator_id`: (.+?)\.\n", readme, re.S)
    assert ids is not None
    with_ids = [sum(bool(r["indicator_id"]) for r in golds[d]["records"]) for d in rows]  # the table's order
    assert list(_tally(ids[1]).values()) == with_ids
    branches = re.search(r"\*\*Branches \((\d+)\) and records\.\*\* (.+?)\.\n", readme, re.S)
    assert branches is not None
    kyoukai = golds["kyoukai-kenpo-r3-branch-plans"]
    assert int(branches[1]) == len(kyoukai["plans_annotated"])
    assert _tally(branches[2]) == Counter(r["plan"] for r in kyoukai["records"])


GOLD_RECORDS = {
    "kyoukai-kenpo-r3-branch-plans": 335, "chikyosai-oita-datahealth-plan-3rd": 375,
    "tokyo-ishikokuho-tokutei-kenshin-plan-3rd": 168, "like-kenpo-datahealth-plan-step-format": 12,
    "variant-midori-kenpo-datahealth-plan-3rd": 100, "variant-hikari-kokuho-tokutei-kenshin-plan-4th": 27,
    "variant-sakura-kyosai-datahealth-plan-3rd": 38, "variant-kyoukai-kenpo-r3-branch-styles": 110,
}  # fmt: skip
FLOORS = {  # every other figure is 1.0: the extractor has every record and field of those right
    "kyoukai-kenpo-r3-branch-plans": {"precision": 0.98, "recall": 0.98, "indicator": 0.98, "program": 0.98,
                                      "target_year": 0.99, "population": 0.99, "indicator_id": 0.99,
                                      "population_norm": 0.99},
    # the same records of five of those branches: 鹿児島's three composite indicators (as there), 岩手's
    # ただし… clause read with its KPI in the plain layout, and in Word and Calc 兵庫's part ② of a bare
    # ■KPI： label after a part ① wrapped onto a second line (…対前年度以上とす / る。) read as a target
    "variant-kyoukai-kenpo-r3-branch-styles": {"indicator": 0.96, "kind": 0.99},
}  # fmt: skip
