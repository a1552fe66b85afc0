"""The indicator catalogue (schemas/indicators.toml, extract/records/indicators.py): its entries, how a
record gets its canonical id (its words, its program, its section), the normalized population,
a user's catalogue, and the ids of the corpus's records against the gold (both layouts)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from extract.evaluate import kpi_pairs, score_kpis
from extract.records.indicators import (
    CatalogueError,
    builtin_catalogue,
    catalogue_from,
    load_catalogue,
    normalized_population,
)
from tests.conftest import ROOT, readings

GOLD = ROOT / "tests" / "gold"
GOLD_DOCS = sorted(p.stem for p in GOLD.glob("*.json"))

# The national common indicators of data-health plans and 特定健康診査等実施計画, and 協会けんぽ's KPIs
# (令和3年度 支部事業計画): the catalogue must name each.
REQUIRED = {
    "tokutei_kenshin_rate", "tokutei_hoken_shido_rate", "tokutei_hoken_shido_target_reduction",
    "tokutei_hoken_shido_effect_rate", "metabolic_syndrome_share", "generic_share", "referral_visit_rate",
    "severe_prevention_guidance_rate", "hba1c_8_share", "smoking_rate", "ningen_dock_rate",
    "dental_checkup_rate", "cancer_screening_rate_stomach", "cancer_screening_rate_colorectal",
    "cancer_screening_rate_lung", "cancer_screening_rate_breast", "cancer_screening_rate_cervical",
    "service_standard", "mail_application_rate", "receipt_assessment_rate",
    "reexamination_assessment_per_receipt", "judo_multi_site_frequent_share", "insurance_card_return_rate",
    "refund_claim_collection_rate", "dependent_eligibility_check_rate", "lifestyle_checkup_rate",
    "employer_checkup_data_rate", "referral_visit_within_3_months", "health_declaration_offices",
    "health_commissioner_share", "policy_opinion", "single_bid_share", "single_bid_count",
}  # fmt: skip


def test_catalogue_names_every_required_indicator_with_label_unit_and_what_it_counts() -> None:
    catalogue = builtin_catalogue()
    ids = [ind.id for ind in catalogue.indicators]
    assert len(ids) == len(set(ids))
    assert set(ids) >= REQUIRED
    labels = [ind.label for ind in catalogue.indicators]
    assert len(labels) == len(set(labels))
    for ind in catalogue.indicators:
        assert ind.label and ind.counts, ind.id
        assert ind.unit or ind.id == "policy_opinion", ind.id  # a commitment has no unit
        assert ind.population in (None, "insured", "dependents", "all"), ind.id
        # the population is its own column: no id names one
        assert not re.search(r"_(insured|dependents|members|all)$", ind.id), ind.id
        assert ind.names or ind.generic, ind.id  # every entry can be recognized


def test_each_label_maps_back_to_its_own_id_and_no_other() -> None:
    """Different indicators never share an id: an indicator's own label, read as a record's
    indicator in its unit, is that indicator (where its rules read labels at all)."""
    catalogue = builtin_catalogue()
    for ind in catalogue.indicators:
        if not ind.names:
            continue  # a generic word only (重症化予防の保健指導実施率 needs its program)
        match = catalogue.map(ind.label, unit=ind.unit)
        assert match.indicator_id in (ind.id, None), (ind.id, match)
        assert catalogue.id_of_text(ind.label) == ind.id
        assert catalogue.id_of_text(ind.id) == ind.id


@pytest.mark.parametrize(
    ("indicator", "program", "context", "unit", "expected", "rule"),
    [
        # a generic word takes its meaning from the program it stands in
        ("実施率", "特定健康診査（被扶養者）", None, "%", "tokutei_kenshin_rate", "program"),
        ("組合員実施率", "特定保健指導", None, "%", "tokutei_hoken_shido_rate", "program"),
        ("被扶養者実施率", "特定保健指導", None, "%", "tokutei_hoken_shido_rate", "program"),
        ("受診率", "胃がん検診", None, "%", "cancer_screening_rate_stomach", "program"),
        ("受診率", "婦人科がん検診", None, "%", "cancer_screening_rate_gynecologic", "program"),
        ("実施率(受診率)", "特定健康診査（被保険者）", None, "%", "tokutei_kenshin_rate", "program"),
        # the same words under another program are another indicator, or none
        ("組合員受診率", "人間ドック", None, "%", "ningen_dock_rate", "program"),
        ("保健指導実施率", "医療機関受診勧奨（重点★）", None, "%", None, None),
        ("保健指導実施率", "特定保健指導", None, "%", "tokutei_hoken_shido_rate", "program"),
        ("保健指導プログラム実施率", "糖尿病性腎症重症化予防", None, "%",
         "severe_prevention_guidance_rate", "program"),
        # a sub-item heading above it in its section (a 協会けんぽ measure keeps them as text)
        ("健診実施率", "データヘルス計画の着実な実施", "④ 特定健診実施率・事業者健診データ取得率等の向上",
         "%", "tokutei_kenshin_rate", "section"),
        # a heading naming two programs decides nothing
        ("実施率", None, "ⅰ)生活習慣病予防健診・被扶養者の特定健康診査受診率の向上", "%", None, None),
        # the indicator's own words
        ("被扶養者の特定健診実施率", None, None, "%", "tokutei_kenshin_rate", "text"),
        ("特定保健指導対象者の減少率", None, None, "%", "tokutei_hoken_shido_target_reduction", "text"),
        # the unit tells a count from a share
        ("一者応札件数", None, None, "件", "single_bid_count", "text"),
        ("一般競争入札に占める一者応札案件の割合", None, None, "%", "single_bid_share", "text"),
        # a part is not the whole: by sex, age band, support level, who delivers it
        ("受診者数（組合員 男性）", "特定健康診査", None, "人", None, None),
        ("特定保健指導実施者数（合計 40歳～64歳 動機づけ支援者）", "特定保健指導", None, "人", None, None),
        ("特定保健指導実施率（協会保健師実施分）", None, None, "%", None, None),
        # the program's name alone with a rate
        ("特定保健指導", None, None, "%", "tokutei_hoken_shido_rate", "program name"),
        # a subset of offices, the prefecture's count
        ("コラボヘルスエントリー事業所の健診受診率", None, None, "%", None, None),
        ("愛媛県新規透析導入患者数", None, None, "人", None, None),
    ],
)  # fmt: skip
def test_mapping_reads_the_words_the_program_and_the_section(
    indicator: str, program: str | None, context: str | None, unit: str, expected: str | None,
    rule: str | None,
) -> None:  # fmt: skip
    match = builtin_catalogue().map(indicator, program=program, context=context, unit=unit)
    assert match.indicator_id == expected
    assert (match.rule or "").split(":")[0] == (rule or "")
    if expected:  # the rule names the pattern or the context it read, so a user can audit it
        assert match.rule and len(match.rule) > len(rule or "") + 2


@pytest.mark.parametrize(
    ("population", "norm"),
    [("被保険者", "insured"), ("組合員", "insured"), ("本人", "insured"), ("被扶養者", "dependents"),
     ("被扶養者等", "dependents"), ("家族", "dependents"), ("全体", "all"), ("合計", "all"),
     ("被保険者・被扶養者", "all"), ("組合員・家族", "all"), (None, None), ("事業所", None)],
)  # fmt: skip
def test_populations_are_named_the_same_way_for_every_insurer(population: str | None, norm: str | None):
    assert normalized_population(population) == norm


def test_an_unstated_population_is_whom_the_indicator_counts() -> None:
    catalogue = builtin_catalogue()
    assert catalogue.map("特定健康診査受診率", unit="%").population_norm == "all"
    assert catalogue.map("生活習慣病予防健診実施率", unit="%").population_norm == "insured"
    assert catalogue.map("査定率", unit="%").population_norm is None  # counts no people
    assert catalogue.map("特定健康診査受診率", population="組合員", unit="%").population_norm == "insured"


USER = """
[[indicator]]
id = "stress_check_rate"
label = "ストレスチェック受検率"
unit = "%"
counts = "ストレスチェックを受けた者の割合"
population = "insured"
names = ["ストレスチェック受検率"]

[[indicator]]
id = "generic_share"
names = ["GE使用率"]
"""


def test_a_users_catalogue_adds_indicators_and_spellings_without_code() -> None:
    catalogue = catalogue_from(USER, "mine.toml")
    stress = catalogue.map("ストレスチェック受検率", unit="%")
    assert (stress.indicator_id, stress.population_norm) == ("stress_check_rate", "insured")
    assert catalogue.get("stress_check_rate").origin == "mine.toml"
    assert catalogue.map("GE使用率", unit="%").indicator_id == "generic_share"  # an extended entry
    assert catalogue.get("generic_share").label == builtin_catalogue().get("generic_share").label
    assert builtin_catalogue().map("GE使用率", unit="%").indicator_id is None  # planex's own is unchanged
    assert catalogue.user_text == USER


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[indicator]]\nid = 'x'\nnames = ['(']\n", "bad regular expression"),
        ("[[indicator]]\nid = 'x'\nlabel = 'X'\nnamez = ['a']\n", "unknown key 'namez'"),
        ("[[indicator]]\nid = 'x'\nlabel = 'X'\npopulation = 'members'\n", "'population' must be one of"),
        ("[[indicator]]\nid = 'Bad Id'\n", "'id' must be"),
        ("[[indicator]]\nid = 'brand_new'\nnames = ['a']\n", "needs a 'label'"),
        ("[[indicator\n", "not valid TOML"),
        ("[kpi]\nid = 'x'\n", "unknown table 'kpi'"),
    ],
)
def test_a_bad_catalogue_is_one_clear_message_naming_file_and_entry(text: str, message: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        catalogue_from(text, "mine.toml")
    assert message in str(caught.value)
    assert "mine.toml" in str(caught.value)


def test_a_missing_catalogue_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no indicator catalogue at"):
        load_catalogue(tmp_path / "none.toml")


# --- the corpus: ids against the gold --------------------------------------------------------


def _found(doc_id: str, layout: str) -> dict[str, list]:
    plans = readings(doc_id, layout)
    return {(r.plan.branch if len(plans) > 1 else "main"): r.kpis for r in plans}


@pytest.mark.reads(*GOLD_DOCS)
def test_records_carry_their_expected_id_and_none_a_wrong_one(layout: str, doc_id: str) -> None:
    """At least 98 % of the gold records with an expected id (written by reading the plans) are
    found with exactly it, and no record carries an id the gold does not give it."""
    gold = json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))
    score = score_kpis(_found(doc_id, layout), gold)
    assert score.tally("ids_required") == sum(1 for r in gold["records"] if r.get("indicator_id"))
    assert score.id_share >= 0.98, [str(m) for m in score.wrong("indicator_id")]
    assert score.wrong_ids == 0, [str(m) for m in score.wrong("indicator_id") if m.found]


def _keys_by_insurer(layout: str) -> dict[tuple[str, str | None], set[str]]:
    keys: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for doc_id in GOLD_DOCS:
        for reading in readings(doc_id, layout):
            for k in reading.kpis:
                if k.indicator_id:
                    keys[(k.indicator_id, k.population_norm)].add(reading.plan.insurer or "")
    return keys


@pytest.mark.parametrize(
    ("key", "insurers"),
    [
        # 被扶養者の特定健診実施率, 被扶養者等受診率, 実施率 of 特定健康診査（被扶養者）, a 国保組合's 家族
        (("tokutei_kenshin_rate", "dependents"),
         {"全国健康保険協会", "地方職員共済組合", "ライク健康保険組合", "みどり健康保険組合",
          "ひかり建設国民健康保険組合"}),
        # 組合員受診率 (共済組合, 国保組合), 実施率（受診率） of 特定健康診査（被保険者）
        (("tokutei_kenshin_rate", "insured"),
         {"地方職員共済組合", "ライク健康保険組合", "みどり健康保険組合", "ひかり建設国民健康保険組合"}),
        # 健診実施率 (協会けんぽ), 合計受診率, 特定健康診査受診率 (国保組合), 組合員及び家族
        (("tokutei_kenshin_rate", "all"),
         {"全国健康保険協会", "地方職員共済組合", "東京都医師国民健康保険組合",
          "ひかり建設国民健康保険組合"}),
        (("tokutei_hoken_shido_rate", "insured"),  # 被保険者の特定保健指導の実施率, 組合員実施率
         {"全国健康保険協会", "地方職員共済組合", "みどり健康保険組合"}),
        (("generic_share", None), {"全国健康保険協会", "ライク健康保険組合", "みどり健康保険組合"}),
        (("ningen_dock_rate", "insured"), {"地方職員共済組合", "みどり健康保険組合"}),
    ],
)  # fmt: skip
def test_one_indicator_and_population_share_their_key_across_insurers(
    layout: str, key: tuple[str, str | None], insurers: set[str]
) -> None:
    assert insurers <= _keys_by_insurer(layout)[key]


def test_different_indicators_never_share_a_key(layout: str) -> None:
    """Each key (canonical id, normalized population) a reader gives stands for one indicator of
    one population: the gold records behind the found records of a key all expect that key."""
    behind: dict[tuple[str, str | None], set[tuple[str | None, str | None]]] = defaultdict(set)
    for doc_id in GOLD_DOCS:
        gold = json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))
        for want, record in kpi_pairs(_found(doc_id, layout), gold):
            if record.indicator_id:
                behind[(record.indicator_id, record.population_norm)].add(
                    (want["indicator_id"], want["population_norm"])
                )
    assert len(behind) >= 40  # the corpus's mapped records stand under many keys
    for key, expected in behind.items():
        assert expected == {key}, (key, expected)
