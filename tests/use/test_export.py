"""Exports: the KPI CSV an analyst pivots, its wide form, JSON lines, and unmapped spellings."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract import store
from extract.cli import app
from extract.use import export
from extract.use.export import KPI_EXPORT_COLUMNS
from tests.search_corpus import CORPUS_COUNTS

runner = CliRunner()


@pytest.fixture()
def corpus_db(db_path: Path) -> Path:
    return db_path  # the session's corpus database (tests/conftest.py)


def test_long_csv_columns_and_round_trip(corpus_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kpis.csv"
    assert runner.invoke(app, ["export", "kpis", "--db", str(corpus_db), "--out", str(out)]).exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ())[: len(KPI_EXPORT_COLUMNS)] == KPI_EXPORT_COLUMNS
        rows = list(reader)
    db = store.open_db(corpus_db)
    stored = list(db.query("select value, raw_text, indicator, target_year from kpis"))
    assert len(rows) == len(stored) == CORPUS_COUNTS["kpis"]
    # every value survives the trip: same multiset of (value, raw text)
    as_csv = sorted((r["value"], r["raw_text"]) for r in rows)
    as_db = sorted(("" if s["value"] is None else repr(float(s["value"])).removesuffix(".0")
                    if float(s["value"]).is_integer() else repr(float(s["value"])), s["raw_text"])
                   for s in stored)  # fmt: skip
    assert [float(v) if v else None for v, _ in as_csv] == [float(v) if v else None for v, _ in as_db]
    assert [t for _, t in as_csv] == [t for _, t in as_db]


def test_excel_csv_has_a_byte_order_mark(corpus_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kpis.csv"
    runner.invoke(app, ["export", "kpis", "--db", str(corpus_db), "--out", str(out), "--excel"])
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_excel_csv_defuses_text_that_reads_as_a_formula(corpus_db: Path, tmp_path: Path) -> None:
    """Text from a PDF is data: in a CSV for Excel a cell starting with = + - @ gets a leading
    apostrophe (a comparator ``=`` too); numbers, negative ones included, stay numbers."""
    hostile = {"raw_text": '=HYPERLINK("http://x","健診")', "indicator": "@SUM(1)", "value": -3.5,
               "unit": "+5", "section": "-前年度比"}  # fmt: skip
    columns = tuple(hostile)
    out = tmp_path / "hostile.csv"
    export.write_csv([hostile], out, columns, excel=True)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row == {"raw_text": "'" + hostile["raw_text"], "indicator": "'@SUM(1)", "value": "-3.5",
                   "unit": "'+5", "section": "'-前年度比"}  # fmt: skip
    export.write_csv([hostile], out, columns)  # without --excel the text is as read
    with out.open(encoding="utf-8", newline="") as fh:
        assert next(csv.DictReader(fh))["raw_text"] == hostile["raw_text"]
    kpis = tmp_path / "kpis.csv"
    runner.invoke(app, ["export", "kpis", "--db", str(corpus_db), "--out", str(kpis), "--excel"])
    with kpis.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    comparators = {r["comparator"] for r in rows}
    assert "'=" in comparators and "=" not in comparators and ">=" in comparators
    assert not [v for r in rows for v in r.values() if v.startswith(("=", "+", "@"))]


def test_wide_lines_up_the_branches(corpus_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "wide.csv"
    runner.invoke(app, ["export", "kpis", "--db", str(corpus_db), "--out", str(out), "--wide"])
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    branches = [r for r in rows if r["insurer_type"] == "協会けんぽ"]
    assert len(branches) == 40  # the compilation's 35 branch plans and the branch-styles variant's 5
    column = "サービススタンダード達成状況 [FY2021]"
    # every one of the 40 branch plans sets its サービススタンダード at 100％ (corpus/texts)
    assert [r["branch"] for r in branches if r[column] != "100%"] == []


def test_jsonl_and_filters(corpus_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "k.jsonl"
    args = ["export", "kpis", "--db", str(corpus_db), "--out", str(out)]
    result = runner.invoke(app, [*args, "--format", "jsonl", "--branch", "北海道支部"])
    assert result.exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and {r["branch"] for r in records} == {"北海道"}
    assert runner.invoke(app, [*args, "--format", "xml"]).exit_code == 2


def test_kpis_command_and_unmapped(corpus_db: Path) -> None:
    """planex kpis lists one indicator's records; planex kpis unmapped lists what no rule names,
    with counts and the program and section a rule of a user's catalogue would name."""
    shown = runner.invoke(app, ["kpis", "--db", str(corpus_db), "--indicator", "generic_share"])
    assert shown.exit_code == 0
    count = int(re.search(r"(\d+) KPI / target records", shown.output).group(1))
    # the ジェネリック KPI of the 35 branches and of the branch-styles variant's 5, ライク's two targets
    # (each stated in STEP3 and STEP4: once), the みどり variant's 数量ベース使用割合 of 2024-2029 and the
    # さくら variant's 後発医薬品の使用割合 (corpus/texts)
    assert count == 49
    unmapped = json.loads(runner.invoke(app, ["kpis", "unmapped", "--db", str(corpus_db), "--json"]).stdout)
    counts = [row["records"] for row in unmapped]
    assert counts == sorted(counts, reverse=True)  # most frequent first
    db = store.open_db(corpus_db)
    sql = "select count(*) from kpis where indicator = ? and indicator_id = ''"
    assert all(db.execute(sql, [row["indicator"]]).fetchone()[0] == row["records"] for row in unmapped)
    by_text = {row["indicator"]: row for row in unmapped}
    # 大分's 受診勧奨 program: its 保健指導実施率 is no 特定保健指導実施率 (corpus/texts)
    assert by_text["保健指導実施率"]["program"] in ("医療機関受診勧奨", "受診勧奨")
    assert "特定保健指導実施率" not in by_text


def test_programs_csv_for_excel_round_trips(corpus_db: Path, tmp_path: Path) -> None:
    from extract.use.export import PROGRAM_EXPORT_COLUMNS

    out = tmp_path / "programs.csv"
    result = runner.invoke(app, ["export", "programs", "--db", str(corpus_db), "--out", str(out), "--excel"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == PROGRAM_EXPORT_COLUMNS
        rows = list(reader)
    db = store.open_db(corpus_db)
    stored = {r["id"]: r for r in db.query("select * from programs")}
    assert len(rows) == len(stored) == CORPUS_COUNTS["programs"]
    by_name = {(r["plan_id"], r["name"]): r for r in rows}
    for program in stored.values():
        row = by_name[(program["plan_id"], program["name"])]
        budget = program["budget_thousand_yen"]
        assert (float(row["budget_thousand_yen"]) if row["budget_thousand_yen"] else None) == budget
        assert row["actions"].splitlines() == json.loads(program["actions"])
        assert len(row["kpis"].splitlines()) == len(json.loads(program["kpi_ids"]))
    fujin = next(r for r in rows if r["name"] == "婦人科がん検診")
    shown = (fujin["age_from"], fujin["age_to"], fujin["sex"], fujin["budget_thousand_yen"])
    assert shown == ("18", "74", "女性", "11214.0")
    assert "受診率" in fujin["kpis"]


def test_programs_jsonl_filters_and_health_issues(corpus_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "programs.jsonl"
    args = ["export", "programs", "--db", str(corpus_db), "--out", str(out), "--format", "jsonl"]
    assert runner.invoke(app, [*args, "--branch", "北海道支部"]).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # the 22 measures of 北海道's plan, in the compilation and in the branch-styles variant (corpus/texts)
    assert len(records) == 44 and {r["branch"] for r in records} == {"北海道"}
    assert records[0]["name"] == "健全な財政運営" and records[0]["category"] == "基盤的保険者機能関係"
    issues = tmp_path / "issues.csv"
    result = runner.invoke(app, ["export", "health-issues", "--db", str(corpus_db), "--out", str(issues)])
    assert result.exit_code == 0
    with issues.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12  # ライク 2, 大分 6, さくら 4
    oita = [r for r in rows if r["issue"] == "健診・保健指導"]
    assert oita and oita[0]["programs"].splitlines() == ["特定健康診査", "特定保健指導", "人間ドック"]
    assert runner.invoke(app, [*args, "--format", "xls"]).exit_code == 2  # xlsx is a format, xls not


def test_programs_command(corpus_db: Path) -> None:
    shown = runner.invoke(app, ["programs", "--db", str(corpus_db), "--insurer", "ライク"])
    assert shown.exit_code == 0
    assert "9 programs" in shown.output and "婦人科" in shown.output and "11,214" in shown.output
    issues = runner.invoke(app, ["programs", "--db", str(corpus_db), "--issues"])
    assert issues.exit_code == 0 and "12 health issues" in issues.output


def test_wide_has_a_column_per_indicator_population_and_year(corpus_db: Path, tmp_path: Path) -> None:
    """A 共済組合's 組合員 and a 健保組合's 被保険者 share a column; 被保険者 and 被扶養者 of one indicator
    do not."""
    out = tmp_path / "wide.csv"
    runner.invoke(app, ["export", "kpis", "--db", str(corpus_db), "--out", str(out), "--wide"])
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    insured, dependents = "特定健診実施率（被保険者） [FY2024]", "特定健診実施率（被扶養者） [FY2024]"
    by_insurer = {r["insurer"]: r for r in rows}
    # 大分's 組合員受診率 99.3 and みどり健保's 被保険者 実施率 92.0 (corpus/texts), both insured
    assert by_insurer["地方職員共済組合"][insured] == "99.3%"
    assert by_insurer["みどり健康保険組合"][insured] == "92%"
    assert by_insurer["地方職員共済組合"][dependents] == "65.9%"  # 被扶養者等受診率
    branches = [r for r in rows if r["insurer_type"] == "協会けんぽ"]
    # every branch sets its 被扶養者の特定健診実施率 for FY2021, in one column (corpus/texts)
    assert all(r["特定健診実施率（被扶養者） [FY2021]"] for r in branches)


def test_long_export_names_the_label_rule_population_and_every_source(corpus_db: Path, tmp_path: Path):
    out = tmp_path / "like.csv"
    args = ["export", "kpis", "--db", str(corpus_db), "--out", str(out), "--indicator", "generic_share"]
    assert runner.invoke(app, [*args, "--population", "all"]).exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        assert list(csv.DictReader(fh)) == []  # a share of prescriptions counts no population
    assert runner.invoke(app, args).exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["insurer"] == "ライク健康保険組合"]
    assert len(rows) == 2  # ジェネリック薬使用率 of two programs, each stated in STEP3 and STEP4
    for row in rows:
        assert row["indicator_label"] == "後発医薬品 (ジェネリック医薬品) 使用割合"
        assert row["indicator_rule"].startswith("text: ")
        pages = row["pages"].split("; ")
        assert len(pages) == 2 and len(row["sources"].splitlines()) == 2
        lines = row["sources"].splitlines()
        assert all(line.startswith(f"p.{p} ") for line, p in zip(lines, pages, strict=True))
    result = runner.invoke(app, [*args, "--population", "members"])
    assert result.exit_code == 2 and "--population" in result.output


def _manifest_periods() -> dict[str, tuple[int, int]]:
    """Each corpus document's insurer and period as the manifest states them (FY2024-FY2029)."""
    from tests.conftest import manifest

    periods = {}
    for doc in manifest():
        years = [int(y) for y in re.findall(r"FY(\d{4})", doc["period"])]
        periods[doc["insurer"].split()[0]] = (years[0], years[-1])
    return periods


@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl", ".xlsx"])
def test_every_record_carries_its_plans_period(corpus_db: Path, tmp_path: Path, suffix: str) -> None:
    """A KPI of a 2024-2029 plan says so in every format: the period is exported beside the fiscal
    year, which only a one-year plan has."""
    out = tmp_path / f"kpis{suffix}"
    assert runner.invoke(app, ["export", "kpis", "--db", str(corpus_db), "--out", str(out)]).exit_code == 0
    if suffix == ".csv":
        with out.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    elif suffix == ".json":
        rows = json.loads(out.read_text(encoding="utf-8"))
    elif suffix == ".jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(out, read_only=True)["KPIs"]
        header, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
        rows = [dict(zip(header, v, strict=True)) for v in values]
    stored = store.open_db(corpus_db, read_only=True).execute("select count(*) from kpis").fetchone()[0]
    assert len(rows) == stored
    periods = _manifest_periods()
    checked = 0
    for row in rows:
        insurer = str(row["insurer"] or "")
        if insurer in periods and periods[insurer][0] != periods[insurer][1]:  # a plan of several years
            assert (int(row["period_start"]), int(row["period_end"])) == periods[insurer], row
            assert row["plan_fiscal_year"] in (None, ""), row
            checked += 1
    assert checked > 300  # the data-health and 特定健診 plans' records


def test_an_out_file_is_written_in_the_format_its_name_says(corpus_db: Path, tmp_path: Path) -> None:
    """.json holds one JSON array, .jsonl a record per line; a name that says no format, or
    another one than --format, is refused before anything is written."""
    args = ["export", "kpis", "--db", str(corpus_db), "--branch", "北海道"]
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "k.json")]).exit_code == 0
    records = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    assert isinstance(records, list) and records and {r["branch"] for r in records} == {"北海道"}
    unknown = runner.invoke(app, [*args, "--out", str(tmp_path / "k.txt")])
    assert unknown.exit_code == 2 and "--format" in unknown.output and not (tmp_path / "k.txt").exists()
    told = runner.invoke(app, [*args, "--out", str(tmp_path / "k.txt"), "--format", "jsonl"])
    assert told.exit_code == 0
    assert json.loads((tmp_path / "k.txt").read_text().splitlines()[0])["branch"] == "北海道"
    clash = runner.invoke(app, [*args, "--out", str(tmp_path / "c.json"), "--format", "csv"])
    assert clash.exit_code == 2 and "make them agree" in clash.output and not (tmp_path / "c.json").exists()


@pytest.mark.parametrize("command", [["kpis"], ["export", "kpis"], ["export", "programs"],
                                     ["export", "health-issues"], ["programs"]])  # fmt: skip
def test_records_take_the_plan_filters_search_takes(
    corpus_db: Path, tmp_path: Path, command: list[str]
) -> None:
    """--insurer, --branch, --plan-type and --year narrow the records as they narrow a search."""
    out = ["--out", str(tmp_path / "r.jsonl")] if command[0] == "export" else []
    base = [*command, "--db", str(corpus_db), *out]
    if command[0] == "export":
        def rows(*extra: str) -> list[dict]:
            result = runner.invoke(app, [*base, *extra])
            assert result.exit_code == 0, result.output
            return [json.loads(x) for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]

        everything = rows()
        for extra, keep in (
            (["--plan-type", "data_health_plan"], lambda r: r["plan_type"] == "data_health_plan"),
            (["--year", "令和3"], lambda r: r["plan_fiscal_year"] == 2021 or (
                r["period_start"] and r["period_start"] <= 2021 <= r["period_end"])),
            (["--insurer", "共済組合"], lambda r: "共済組合" in (r["insurer"] or "")),
            # a branch is a place: 大分県 is 協会けんぽ's 大分 and 地方職員共済組合's 大分県 alike
            (["--branch", "大分県"], lambda r: r["branch"] in ("大分", "大分県")),
        ):
            kept = rows(*extra)
            assert kept == [r for r in everything if keep(r)], extra
            if command[1] != "health-issues":
                assert 0 < len(kept) < len(everything), extra
    else:
        result = runner.invoke(app, [*base, "--plan-type", "tokutei_kenshin_plan", "--year", "2020"])
        assert result.exit_code == 0, result.output
    bad = runner.invoke(app, [*base, "--plan-type", "nonsense"])
    assert bad.exit_code == 2 and "unknown plan type" in bad.output
    assert runner.invoke(app, [*base, "--year", "someday"]).exit_code == 2
