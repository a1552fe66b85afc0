"""Plans: splitting documents into plans and reading their metadata, against tests/expected,
in both layouts of the corpus."""

from __future__ import annotations

import json

import pytest

from extract.structure.plans import insurer_of, insurer_type_of, plan_type_of, years_of
from tests.conftest import LAYOUTS, ROOT, manifest, parsed, readings

EXPECTED = ROOT / "tests" / "expected"
FIELDS = ("insurer", "insurer_type", "branch", "plan_type", "fiscal_year", "period_start", "period_end")


def plans_of(doc_id: str, layout: str = "plain"):
    """(plan, sections) of a corpus document in a layout (read once per session)."""
    return [(r.plan, r.sections) for r in readings(doc_id, layout)]


def expected(doc_id: str) -> dict:
    return json.loads((EXPECTED / f"{doc_id}.json").read_text(encoding="utf-8"))


@pytest.mark.reads(*(e["id"] for e in manifest()))
def test_plan_metadata_is_exactly_as_expected(layout: str, entry: dict) -> None:
    found = [plan for plan, _ in plans_of(entry["id"], layout)]
    gold = expected(entry["id"])["plans"]
    assert len(found) == len(gold)
    for plan, want in zip(found, gold, strict=True):
        assert {f: getattr(plan, f) for f in FIELDS} == {f: want[f] for f in FIELDS}, want["key"]


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
def test_compilation_has_35_branch_plans_in_order(layout: str) -> None:
    found = [plan for plan, _ in plans_of("kyoukai-kenpo-r3-branch-plans", layout)]
    gold = expected("kyoukai-kenpo-r3-branch-plans")["plans"]
    assert [p.branch for p in found] == [g["key"] for g in gold]
    assert len(found) == 35


@pytest.mark.reads(*(e["id"] for e in manifest()))
def test_every_page_belongs_to_exactly_one_plan(layout: str, entry: dict) -> None:
    doc = parsed(entry["id"], layout)
    plans = [plan for plan, _ in plans_of(entry["id"], layout)]
    covered = [n for plan in plans for n in range(plan.page_start, plan.page_end + 1)]
    assert covered == list(range(1, len(doc.pages) + 1))


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
def test_each_branch_plan_starts_on_its_title_page(layout: str) -> None:
    side = LAYOUTS[layout] / "kyoukai-kenpo-r3-branch-plans.json"
    sidecar = json.loads(side.read_text(encoding="utf-8"))
    starts = [plan.page_start for plan, _ in plans_of("kyoukai-kenpo-r3-branch-plans", layout)]
    assert starts == sidecar["branch_starts"]


@pytest.mark.reads("mhlw-datahealth-consortium-call-slides")
def test_slide_deck_is_one_other_plan_with_its_garbled_pages_flagged(layout: str) -> None:
    [(plan, sections)] = plans_of("mhlw-datahealth-consortium-call-slides", layout)
    assert plan.plan_type == "other"
    assert plan.garbled_pages  # flagged ...
    headings_on_garbled = [s for s in sections if s.level > 0 and s.page_start in plan.garbled_pages]
    assert headings_on_garbled == []  # ... and not parsed into sections


@pytest.mark.parametrize(
    ("text", "insurer", "kind"),
    [
        ("第3期データヘルス計画\n地方職員共済組合 大分県支部", "地方職員共済組合", "共済組合"),
        ("東京都医師国民健康保険組合", "東京都医師国民健康保険組合", "国保組合"),
        ("組合名称 ライク健康保険組合", "ライク健康保険組合", "健保組合"),
        ("協会けんぽ 北海道支部", "全国健康保険協会", "協会けんぽ"),
        ("加入者1万人以上健康保険組合の割合", None, "other"),
    ],
)
def test_insurer_names(text: str, insurer: str | None, kind: str) -> None:
    assert insurer_of(text) == insurer
    assert insurer_type_of(insurer) == kind


def test_plan_type_from_title_first() -> None:
    assert plan_type_of("第3期データヘルス計画", "1.2 特定健康診査等実施計画") == "data_health_plan"
    assert plan_type_of("第3期 特定健康診査等実施計画", "") == "tokutei_kenshin_plan"
    assert plan_type_of("令和3年度 事業計画(北海道支部)", "") == "business_plan"
    assert plan_type_of("データヘルスの推進事業 公募について", "") == "other"


def test_years_single_range_and_template_columns() -> None:
    assert years_of("令和 3年度 事業計画(北海道支部)", "") == (2021, 2021, 2021)
    assert years_of("第3期データヘルス計画(令和6年度 - 令和11年度)", "") == (None, 2024, 2029)
    assert years_of("STEP1-1 基本情報", "被保険者数\n平成30年度 令和元年度 令和2年度\n") == (None, 2018, 2020)


@pytest.mark.reads("variant-aoba-kokuho-datahealth-plan-3rd")
def test_a_file_name_for_a_title_changes_no_metadata(corpus_pdfs) -> None:
    """青葉市's plan whose PDF title is a file name: issuer and period still come from the plan."""
    import pymupdf

    from extract.read.pdf import read_pdf
    from extract.structure.plans import read_structure

    with pymupdf.open(corpus_pdfs / "variant-aoba-kokuho-datahealth-plan-3rd.pdf") as doc:
        doc.set_metadata({**(doc.metadata or {}), "title": "chirashi_0601.indd"})
        data = doc.tobytes()
    [found] = [s.plan for s in read_structure(read_pdf(data))]
    assert "chirashi" not in found.title
    assert (found.insurer, found.insurer_type) == ("青葉市", "市町村国保")
    assert (found.fiscal_year, found.period_start, found.period_end) == (None, 2024, 2029)


def test_the_period_a_plan_states_wins_over_its_other_years() -> None:
    head = "令和6年3月\n第2期データヘルス計画(平成30年度～令和5年度)を策定し"
    body = head + "\n4 計画期間\n本計画の計画期間は、令和6年度から令和11年度までの6年間とします。"
    assert years_of("第3期データヘルス計画", head) == (None, 2018, 2023)  # no statement: the first range
    assert years_of("第3期データヘルス計画", head, body) == (None, 2024, 2029)
    one_year = "対象期間は令和5年4月1日から令和6年3月31日までとする。"
    assert years_of("事業年報", "", one_year) == (2023, 2023, 2023)
