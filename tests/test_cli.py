"""The planex command line: exit codes, summaries and JSON output."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from extract.cli import app

runner = CliRunner()


def test_load_reports_and_exits_by_outcome(tmp_path: Path, real_dir: Path) -> None:
    db = tmp_path / "p.db"
    result = runner.invoke(app, ["load", str(real_dir), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    assert "encrypted" in result.output and "password required" in result.output
    assert "empty" in result.output
    strict = runner.invoke(app, ["load", str(real_dir), "--db", str(db), "-q", "--strict"])
    assert strict.exit_code == 1
    assert "unchanged" in strict.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["load", str(tmp_path / "nowhere"), "--db", str(tmp_path / "p.db")])
    assert missing.exit_code == 2
    assert "no such file or folder" in missing.output
    assert runner.invoke(app, ["load", "--workers", "0", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["info", "--db", str(tmp_path / "none.db")]).exit_code == 2


def test_info_json_counts_tables_and_qualities(tmp_path: Path, real_dir: Path) -> None:
    db = tmp_path / "p.db"
    runner.invoke(app, ["load", str(real_dir), "--db", str(db), "-q"])
    result = runner.invoke(app, ["info", "--db", str(db), "--json"])
    assert result.exit_code == 0
    facts = json.loads(result.stdout)
    assert facts["tables"]["documents"] == 5
    assert facts["tables"]["load_errors"] == 2
    assert facts["errors_by_kind"] == {"empty": 1, "encrypted": 1}
    assert facts["pages_by_quality"] == {"ok": 6, "no_text": 2}
    assert sum(facts["documents_by_quality"].values()) == 5


def test_documents_json_lists_documents_and_errors(tmp_path: Path, real_dir: Path) -> None:
    db = tmp_path / "p.db"
    runner.invoke(app, ["load", str(real_dir), "--db", str(db), "-q"])
    result = runner.invoke(app, ["documents", "--db", str(db), "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    docs = {r["file_name"]: r for r in rows if r["type"] == "document"}
    errors = {r["file_name"]: r["kind"] for r in rows if r["type"] == "load_error"}
    assert docs["vertical.pdf"]["pages"] == 3
    assert errors == {"password-example.pdf": "encrypted", "empty.pdf": "empty"}


def test_help_teaches() -> None:
    result = runner.invoke(app, ["load", "--help"])
    assert result.exit_code == 0
    assert "--workers" in result.output and "--timeout" in result.output and "Example" in result.output


def _corpus_db(tmp_path: Path, corpus_pdfs: Path) -> Path:
    db = tmp_path / "corpus.db"
    result = runner.invoke(app, ["load", str(corpus_pdfs), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    return db


def test_plans_json_lists_every_plan_with_metadata(tmp_path: Path, corpus_pdfs: Path) -> None:
    db = _corpus_db(tmp_path, corpus_pdfs)
    plans = json.loads(runner.invoke(app, ["plans", "--db", str(db), "--json"]).stdout)
    branch_plans = [p for p in plans if p["insurer_type"] == "協会けんぽ"]
    assert len(branch_plans) == 35
    assert {p["fiscal_year"] for p in branch_plans} == {2021}
    tokyo = [p for p in plans if p["insurer"] == "東京都医師国民健康保険組合"]
    assert [(p["plan_type"], p["period_start"], p["period_end"]) for p in tokyo] == [
        ("tokutei_kenshin_plan", 2018, 2023)
    ]
    assert len(plans) == 39


def test_show_prints_the_tree_and_one_section(tmp_path: Path, corpus_pdfs: Path) -> None:
    db = _corpus_db(tmp_path, corpus_pdfs)
    tree = runner.invoke(app, ["show", "北海道支部", "--db", str(db)])
    assert tree.exit_code == 0, tree.output
    assert "戦略的保険者機能関係" in tree.output and "ジェネリック医薬品の使用促進" in tree.output
    one = runner.invoke(app, ["show", "北海道", "--db", str(db), "--section", "ジェネリック医薬品の使用促進"])
    assert one.exit_code == 0
    assert "KPI" in one.output and "薬剤師会" in one.output
    assert runner.invoke(app, ["show", "北海道", "--db", str(db), "--section", "存在しない節"]).exit_code == 2
    assert runner.invoke(app, ["show", "どこにもない", "--db", str(db)]).exit_code == 2


def test_show_gives_a_plan_held_by_two_documents_once(tmp_path: Path, corpus_pdfs: Path) -> None:
    """The same plan in two layouts: each different outline once, with the documents holding it."""
    db = tmp_path / "two.db"
    names = ["chikyosai-oita-datahealth-plan-3rd.pdf", "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf"]
    layouts = (corpus_pdfs, corpus_pdfs.parent / "published")
    files = [str(folder / name) for name in names for folder in layouts]
    loaded = runner.invoke(app, ["load", *files, "--db", str(db), "-q"])
    assert loaded.exit_code == 0, loaded.output

    shown = runner.invoke(app, ["show", "地方職員共済組合", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    note = " ".join(shown.stderr.split())
    assert "one plan in 2 documents, with the same outline (shown once)" in note
    ids = re.findall(r"[0-9a-f]{16}-p01", note)
    assert len(set(ids)) == 2
    out = "".join(shown.stdout.split())
    assert out.count("第1章背景及び趣旨") == 1 and all(i in out for i in ids)
    assert "corpus/published/chikyosai" in out and "corpus/pdfs/chikyosai" in out

    # the plain layout reads two list items of the 特定健診 plan as headings: two outlines
    shown = runner.invoke(app, ["show", "東京都医師国民健康保険組合", "--db", str(db)])
    assert "with 2 different outlines" in " ".join(shown.stderr.split())
    assert "".join(shown.stdout.split()).count("第2章") >= 2

    one = runner.invoke(app, ["show", ids[0], "--db", str(db), "--section", "第1章 背景及び趣旨"])
    assert one.exit_code == 0 and "also in" not in one.stdout  # a plan id picks one document
