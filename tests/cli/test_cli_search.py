"""``planex search`` and ``compare`` in the terminal (``extract/cli/search.py``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from extract.cli import app

runner = CliRunner()


def test_by_branch_takes_the_limit(db_path: Path) -> None:
    args = ["search", "受診勧奨", "--by", "branch", "--db", str(db_path)]
    every = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert len(every) > 30  # without --limit, every group
    one = json.loads(runner.invoke(app, [*args, "--json", "--limit", "1"]).stdout)
    assert one == every[:1]
    table = runner.invoke(app, [*args, "--limit", "2"], env={"COLUMNS": "200"}).output
    assert f"in {len(every)} branch groups (the first 2)" in table
    rows = [line for line in table.splitlines() if line.startswith("│") and line[1:].strip()[:1] != " "]
    assert [r.split("│")[1].strip() for r in rows if r.split("│")[1].strip()] == [
        g["branch"] for g in every[:2]
    ]


def test_compare_joins_the_lines_a_pdf_wrapped(db_path: Path, tmp_path: Path) -> None:
    """宮城's text wraps 取り組むべき課⏎題 (corpus/texts): the comparison reads 取り組むべき課題, in
    the terminal and the CSV, and a list's items keep their own lines."""
    out = tmp_path / "generic.csv"
    args = ["compare", "ジェネリック医薬品の使用促進", "--db", str(db_path)]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as fh:
        miyagi = next(r for r in csv.DictReader(fh) if r["branch"] == "宮城")
    assert "取り組むべき課題(阻害要因)" in miyagi["text"]
    assert "課\n題" not in miyagi["text"]
    assert "\n<医療機関・薬局へのアプローチ>\n" in miyagi["text"]
    shown = runner.invoke(app, [*args, "--branch", "宮城"], env={"COLUMNS": "200"})
    assert "取り組むべき課題" in shown.output


def test_compare_lists_as_missing_only_documents_that_are_plans(db_path: Path) -> None:
    """The damaged test PDFs and the slide deck hold no plan: they are not 'not found in'."""
    result = runner.invoke(app, ["compare", "ジェネリック医薬品の使用促進", "--db", str(db_path)],
                           env={"COLUMNS": "400"})  # fmt: skip
    summary = " ".join(result.output.split("ジェネリック医薬品の使用促進: found in")[-1].split())
    missing = summary.split(": ", 1)[1].split(", ")
    assert "ライク健康保険組合" in missing and "福井" in missing
    assert not [m for m in missing if m.endswith("-p01")]  # a plan without insurer or branch
