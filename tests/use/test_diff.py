"""A plan against its previous version (extract/use/diff.py, planex diff): on make demo's
database, the corpus's revised plans give exactly the differences written by hand before planex
diff existed (tests/gold/revisions), and nothing is found between plans that are not versions of
one another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract import store
from extract.cli import app
from extract.read.normalize import normalize_text
from extract.use.diff import change_records, diff_plans, linked_diffs, plan_links, revised
from tests.conftest import ROOT
from tests.demo_db import demo_db, revisions

GOLD = ROOT / "tests" / "gold" / "revisions"


def squash(text: str | None) -> str:
    return "".join(normalize_text(text or "").split())


def gold(revision_id: str) -> dict:
    return json.loads((GOLD / f"{revision_id}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    return demo_db(tmp_path_factory, corpus_pdfs)


@pytest.fixture()
def db(demo: Path):
    database = store.open_db(demo, read_only=True)
    yield database
    database.close()


def test_every_revision_has_its_gold() -> None:
    assert sorted(p.stem for p in GOLD.glob("*.json")) == sorted(r["id"] for r in revisions())
    for entry in revisions():
        assert gold(entry["id"])["revises"] == entry["revises"]


def test_the_revised_plans_are_linked_to_their_previous_versions(db) -> None:
    links = {(link.new.insurer, link.new.branch): link for link in plan_links(db)}
    expected = {(p["insurer"], p["branch"]): p for r in revisions() for p in gold(r["id"])["plans"]}
    assert set(links) == set(expected)
    for key, plan in expected.items():
        link = links[key]
        assert (link.old.fiscal_year or link.old.period_start) == plan["old_year"]
        assert (link.new.fiscal_year or link.new.period_start) == plan["new_year"]
        assert link.relation == ("revision" if plan["old_year"] == plan["new_year"] else "next_year")
    sakura = links[("さくら県市町村職員共済組合", None)]
    assert sakura.new.revised == "2025-03" and sakura.old.revised is None


def _section_key(change: dict) -> tuple[str, str]:
    return change["change"], squash(change["path"])


def _kpi_matches(found, wanted: dict) -> bool:
    if found.change != wanted["change"] or squash(found.section) != squash(wanted["section"]):
        return False
    if wanted["indicator_id"]:
        if (found.indicator_id, found.population_norm) != (wanted["indicator_id"], wanted["population_norm"]):
            return False
    elif squash(wanted["indicator"]) not in squash(found.indicator):
        return False
    if "target_year" in wanted and found.target_year != wanted["target_year"]:
        return False
    fields = {f.field: [f.old, f.new] for f in found.fields}
    return fields == wanted.get("fields", {})


@pytest.mark.parametrize("revision", [r["id"] for r in revisions()])
def test_planex_diff_gives_exactly_the_expected_differences(db, revision: str) -> None:
    links = {(link.new.insurer, link.new.branch): link for link in plan_links(db)}
    for plan in gold(revision)["plans"]:
        link = links[(plan["insurer"], plan["branch"])]
        diff = diff_plans(db, link.old, link.new)
        found_sections = sorted(_section_key(c.model_dump()) for c in diff.sections)
        assert found_sections == sorted(_section_key(c) for c in plan["sections"]), plan["branch"]
        unmatched = list(diff.kpis)
        missing = []
        for wanted in plan["kpis"]:
            match = next((k for k in unmatched if _kpi_matches(k, wanted)), None)
            if match is None:
                missing.append(wanted)
            else:
                unmatched.remove(match)
        assert missing == [] and unmatched == [], (plan["branch"], missing, unmatched)


def test_a_plan_against_itself_has_no_differences(db) -> None:
    plan = db.execute("select id from plans where branch = '北海道' and fiscal_year = 2021").fetchone()[0]
    same = diff_plans(db, plan, plan)
    assert same.sections == [] and same.kpis == []


def test_moving_with_the_plan_year_is_no_change_but_a_new_year_in_a_period_is(db) -> None:
    links = {(link.new.insurer, link.new.branch): link for link in plan_links(db)}
    link = links[("全国健康保険協会", "北海道")]
    hokkaido = diff_plans(db, link.old, link.new)
    # every KPI's target year moved from 2021 to 2022 with the plan: none is listed for it
    assert not [k for k in hokkaido.kpis if any(f.field == "target_year" for f in k.fields)]
    link = links[("さくら県市町村職員共済組合", None)]
    sakura = diff_plans(db, link.old, link.new)
    assert [k.indicator_id for k in sakura.kpis if any(f.field == "target_year" for f in k.fields)] == [
        "hba1c_8_share"
    ]


def test_when_a_plan_says_it_was_updated() -> None:
    assert revised("第3期データヘルス計画 令和7年3月更新") == "2025-03"
    assert revised("平成30年12月 改訂") == "2018-12"
    assert revised("令和元年6月1日改定") == "2019-06"
    assert revised("令和6年3月") is None  # a date alone is when it was made, not updated


def test_the_changes_sheet_has_a_row_per_section_change_and_kpi_field(db) -> None:
    diffs = linked_diffs(db)
    rows = change_records(diffs)
    sections = sum(len(d.sections) for d in diffs)
    kpi_rows = sum(max(1, len(k.fields)) for d in diffs for k in d.kpis)
    assert len(rows) == sections + kpi_rows
    baseline = [r for r in rows if r["field"] == "baseline"]
    assert [(r["old"], r["new"]) for r in baseline] == [("84.9 (2022)", "86.2 (2023)")]


def test_planex_diff_lists_links_and_shows_one_plan(demo: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["diff", "--db", str(demo)])
    assert listed.exit_code == 0, listed.output
    assert "3 plans with a previous version" in listed.output and "2021 → 2022" in listed.output
    one = runner.invoke(app, ["diff", "岐阜", "--db", str(demo)])
    assert one.exit_code == 0, one.output
    assert "− removed  ３．組織・運営体制関係 > ４ 支部業績評価への対応" in one.output
    assert "generic_share FY2022  target: 79.2%以上 → 80.5%以上" in one.output
    as_json = runner.invoke(app, ["diff", "さくら", "--db", str(demo), "--json"])
    data = json.loads(as_json.output)
    assert data[0]["relation"] == "revision" and len(data[0]["kpis"]) == 6
    missing = runner.invoke(app, ["diff", "沖縄", "--db", str(demo)])
    assert missing.exit_code == 2 and "no plan '沖縄'" in missing.output
