"""``planex compare``: one measure lined up across plans, on the real corpus.

What the branches call the generic-drug measure was established by reading
corpus/texts/kyoukai-kenpo_r3_branch-plans.txt: 34 of the 35 branches have a heading
ジェネリック医薬品の(さらなる|更なる)?使用促進(等)? — numbered ３．, ③, (3), ○, ●, 〈…〉 …; 福井
has none (its item is ジェネリック医薬品使用促進などの医療費適正化の広報, a publicity measure). The
corpus also holds five of those branch plans numbered otherwise
(corpus/texts/variant-kyoukai-kenpo_r3_branch-styles.txt), each with the measure (③, ②).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import sqlite_utils
from typer.testing import CliRunner

from extract.cli import app
from extract.use.compare import compare, heading_key, similarity
from tests.search_corpus import STYLES_TEXT, branch_texts

runner = CliRunner()
MEASURE = "ジェネリック医薬品の使用促進"
_HEADING_LINE = re.compile(
    r"^\s*(\(?\s*\d+\s*[).]?|[①-⑳○〇●])?\s*〈?ジェネリック医薬品の(さらなる|更なる)?使用促進等?\s*([〈<].*[〉>]|〉)?\s*$"
)


def branches_with_heading(source: Path | None = None) -> set[str]:
    """Branches with a line that is the measure's heading, read from the source text (the
    compilation's, or another's)."""
    texts = branch_texts(source) if source else branch_texts()
    return {b for b, text in texts.items() if any(_HEADING_LINE.match(ln) for ln in text.splitlines())}


PLANS_WITH_IT = 34 + 5  # the compilation's branches that have it, and the variant's five


def test_the_source_has_the_measure_in_34_branches() -> None:
    expected = branches_with_heading()
    assert len(expected) == 34
    assert set(branch_texts()) - expected == {"福井"}
    assert len(branches_with_heading(STYLES_TEXT)) == PLANS_WITH_IT - 34  # all five of the variant


def test_compare_finds_the_measure_in_every_branch_that_has_it(db: sqlite_utils.Database) -> None:
    found, missing = compare(db, MEASURE)
    branches = {c.branch for c in found if c.insurer == "全国健康保険協会"}
    assert branches == branches_with_heading()
    assert "福井" in {m["branch"] for m in missing}
    for c in found:
        assert c.score >= 0.8 and c.text
        assert "ジェネリック" in c.heading and "使用促進" in c.heading
        assert c.page_start <= c.page_end
    hokkaido = next(c for c in found if c.branch == "北海道")
    assert "北海道薬剤師会" in hokkaido.text and "KPI" in hokkaido.text
    assert hokkaido.section.endswith("ジェネリック医薬品の使用促進") and hokkaido.page_start == 4


def test_a_measure_kept_as_a_line_in_the_text_is_cut_at_the_next_sibling(db: sqlite_utils.Database) -> None:
    found, _ = compare(db, MEASURE, branch="群馬")
    assert [c.heading for c in found] == ["(1)ジェネリック医薬品の使用促進"]
    assert "ジェネリック医薬品軽減額通知書" in found[0].text
    assert "適正受診の啓発" not in found[0].text  # (2) is the next measure


def test_numbering_tags_and_small_differences_are_ignored() -> None:
    assert heading_key("③ ジェネリック医薬品の使用促進〈Ⅱ、Ⅲ〉") == heading_key(MEASURE)
    assert heading_key("（３）ジェネリック医薬品の使用促進") == heading_key("3.ジェネリック医薬品の使用促進")
    assert heading_key("〈ジェネリック医薬品の使用促進〉") == heading_key(MEASURE)
    assert heading_key("ＫＰＩ") == heading_key("kpi")
    assert similarity(heading_key(MEASURE), heading_key("(7)ジェネリック医薬品の更なる使用促進")) >= 0.8
    assert (
        similarity(heading_key(MEASURE), heading_key("ジェネリック医薬品使用促進などの医療費適正化の広報"))
        < 0.8
    )
    assert similarity(heading_key(MEASURE), heading_key("限度額適用認定証の利用促進")) < 0.5


def test_filters_narrow_the_plans(db: sqlite_utils.Database) -> None:
    found, missing = compare(db, MEASURE, branch="北海道支部")
    assert [c.branch for c in found] == ["北海道", "北海道"] and not missing  # two documents' 北海道
    # two plans of that type in the corpus, 東京都医師国保 and the ひかり建設国保 variant: their nearest
    # heading (1) 特定健康診査の実施方法 scores 0.96, found at 0.6 and missing at 0.99
    asked = "特定健康診査等の実施方法"
    found, missing = compare(db, asked, plan_type="tokutei_kenshin_plan", min_score=0.6)
    both = ["ひかり建設国民健康保険組合", "東京都医師国民健康保険組合"]
    assert sorted((c.insurer, c.heading) for c in found) == [(i, "(1) 特定健康診査の実施方法") for i in both]
    assert missing == []
    _, missing = compare(db, asked, plan_type="tokutei_kenshin_plan", min_score=0.99)
    assert sorted(m["insurer"] for m in missing) == both


def test_cli_writes_markdown_and_excel_csv(tmp_path: Path, db_path: Path) -> None:
    md = tmp_path / "generic.md"
    result = runner.invoke(app, ["compare", MEASURE, "--db", str(db_path), "--out", str(md)])
    assert result.exit_code == 0, result.output
    text = md.read_text(encoding="utf-8")
    assert text.count("\n## ") == PLANS_WITH_IT and "## 北海道" in text and "福井" in text
    out = tmp_path / "generic.csv"
    result = runner.invoke(app, ["compare", MEASURE, "--db", str(db_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == PLANS_WITH_IT
    assert {"insurer", "branch", "section", "page_start", "text"} <= set(rows[0])
    assert next(r for r in rows if r["branch"] == "北海道")["text"].startswith("○ 課題分析の推進")


def test_cli_shows_blocks_and_json(db_path: Path) -> None:
    shown = runner.invoke(app, ["compare", MEASURE, "--db", str(db_path), "--branch", "岩手"])
    assert shown.exit_code == 0, shown.output
    assert "岩手" in shown.output and "found in 2 plans" in shown.output  # the compilation's, the variant's
    as_json = runner.invoke(
        app, ["compare", MEASURE, "--db", str(db_path), "--json", "--insurer", "協会けんぽ"]
    )
    assert len(json.loads(as_json.stdout)) == PLANS_WITH_IT


@pytest.mark.parametrize(
    "args", [["、、"], [MEASURE, "--out", "x.txt"], [MEASURE, "--branch", "どこにもない"]]
)
def test_cli_usage_errors(db_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["compare", *args, "--db", str(db_path)])
    assert result.exit_code == 2 and "error:" in result.output
