"""The planex command line: exit codes, summaries and JSON output."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract import store
from extract.cli import app
from schemas.records import LoadError
from tests.conftest import ROOT, read_whole

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
    assert len(branch_plans) == 40  # the compilation's 35 and the branch-styles variant's 5 (corpus/texts)
    assert {p["fiscal_year"] for p in branch_plans} == {2021}
    tokyo = [p for p in plans if p["insurer"] == "東京都医師国民健康保険組合"]
    assert [(p["plan_type"], p["period_start"], p["period_end"]) for p in tokyo] == [
        ("tokutei_kenshin_plan", 2018, 2023)
    ]
    assert len(plans) == 47  # the nine corpus documents: 40 branch plans, 7 others


def test_show_prints_the_tree_and_one_section(tmp_path: Path, corpus_pdfs: Path) -> None:
    db = _corpus_db(tmp_path, corpus_pdfs)
    tree = runner.invoke(app, ["show", "北海道支部", "--db", str(db)])
    assert tree.exit_code == 0, tree.output
    assert "戦略的保険者機能関係" in tree.output and "ジェネリック医薬品の使用促進" in tree.output
    one = runner.invoke(app, ["show", "北海道", "--db", str(db), "--section", "ジェネリック医薬品の使用促進"])
    assert one.exit_code == 0
    assert "KPI" in one.output and "薬剤師会" in one.output
    assert runner.invoke(app, ["show", "北海道", "--db", str(db), "--section", "存在しない節"]).exit_code == 2
    missing = runner.invoke(app, ["show", "どこにもない", "--db", str(db)])
    assert missing.exit_code == 2 and "no plan 'どこにもない'" in missing.output
    ambiguous = runner.invoke(app, ["show", "全国健康保険協会", "--db", str(db)])  # 40 branch plans: which?
    assert ambiguous.exit_code == 2 and "matches 40 plans" in ambiguous.output


def test_show_gives_a_plan_held_by_two_documents_once(tmp_path: Path, corpus_pdfs: Path) -> None:
    """The same plan in two layouts: each different outline once, with the documents holding it."""
    import pymupdf

    db = tmp_path / "two.db"
    names = ["chikyosai-oita-datahealth-plan-3rd.pdf", "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf"]
    layouts = (corpus_pdfs, corpus_pdfs.parent / "published")
    files = [str(folder / name) for name in names for folder in layouts]
    cut = pymupdf.open(corpus_pdfs / names[1])  # the 特定健診 plan again, its first 6 pages only
    cut.select(range(6))
    cut.save(tmp_path / "tokyo-first-pages.pdf")
    files.append(str(tmp_path / "tokyo-first-pages.pdf"))
    loaded = runner.invoke(app, ["load", *files, "--db", str(db), "-q"])
    assert loaded.exit_code == 0, loaded.output

    shown = runner.invoke(app, ["show", "地方職員共済組合", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    note = " ".join(shown.stderr.split())
    assert "one plan in 2 documents, with the same outline (shown once)" in note
    ids = re.findall(r"[0-9a-f]{16}-p01", note)
    assert len(set(ids)) == 2
    out = re.sub(r"[│├└─\s]", "", shown.stdout)
    assert out.count("第1章背景及び趣旨") == 1 and all(i in out for i in ids)
    assert "corpus/published/chikyosai" in out and "corpus/pdfs/chikyosai" in out

    # the 特定健診 plan in both layouts and cut short: one outline for both layouts, one for the cut
    shown = runner.invoke(app, ["show", "東京都医師国民健康保険組合", "--db", str(db)])
    assert "one plan in 3 documents, with 2 different outlines" in " ".join(shown.stderr.split())
    out = re.sub(r"[│├└─\s]", "", shown.stdout)  # the tree's lines, and a long path wrapped
    assert out.count("序章") == 2 and out.count("第2章") == 1 and "tokyo-first-pages.pdf" in out

    one = runner.invoke(app, ["show", ids[0], "--db", str(db), "--section", "第1章 背景及び趣旨"])
    assert one.exit_code == 0 and "also in" not in one.stdout  # a plan id picks one document


# -- a bad --db or --out: one line that says what to do, exit status 2 (usage) or 1 ---------------

READ_COMMANDS = [
    ["info"], ["info", "--json"], ["documents"], ["documents", "--json"], ["plans"], ["show", "北海道"],
    ["kpis"], ["kpis", "unmapped"], ["programs"], ["programs", "--issues"], ["search", "健診"],
    ["compare", "ジェネリック医薬品の使用促進"], ["reindex"], ["serve", "--port", "1"],
]  # fmt: skip
WRITE_COMMANDS = [
    ["export", "kpis"], ["export", "kpis", "--wide"], ["export", "kpis", "--format", "jsonl"],
    ["export", "kpis", "--format", "xlsx"], ["export", "programs"], ["export", "health-issues"],
    ["export", "workbook"], ["compare", "ジェネリック医薬品の使用促進"],
]  # fmt: skip


def _suffix(command: list[str]) -> str:
    """The --out extension a writing command takes (the workbook wants .xlsx, --format jsonl
    .jsonl, compare .csv)."""
    if "xlsx" in command or "workbook" in command:
        return ".xlsx"
    return ".jsonl" if "jsonl" in command else ".csv"


def _one_line_error(result, code: int, *words: str) -> None:
    """Exit status ``code``, and the whole output one line: ``error: …`` naming ``words``."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture(scope="module")
def planex_db(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    """A planex database holding one plan (so that every export has rows to write)."""
    path = tmp_path_factory.mktemp("db") / "plans.db"
    database = store.open_db(path)
    plan = corpus_pdfs / "chikyosai-oita-datahealth-plan-3rd.pdf"
    store.write_document(database, read_whole(plan.read_bytes()), plan)
    database.close()
    return path


@pytest.fixture(scope="module")
def bad_dbs(tmp_path_factory: pytest.TempPathFactory, planex_db: Path, corpus_pdfs: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad-dbs")
    (folder / "notes.txt").write_text("meeting notes, not a database\n" * 20)
    shutil.copy(corpus_pdfs / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf", folder / "plan.pdf")
    other = sqlite3.connect(folder / "other.db")
    other.execute("create table contacts (name text)")
    other.commit()
    other.close()
    shutil.copy(planex_db, folder / "newer.db")
    newer = sqlite3.connect(folder / "newer.db")
    newer.execute(f"pragma user_version = {store.SCHEMA_VERSION + 1}")
    newer.close()
    (folder / "a-folder.db").mkdir()
    shutil.copy(planex_db, folder / "damaged.db")  # a copy whose pages after the first were overwritten
    with (folder / "damaged.db").open("r+b") as fh:
        fh.seek(4096)
        fh.write(b"\xff" * ((folder / "damaged.db").stat().st_size - 4096))
    return {
        "missing": folder / "missing.db", "notes": folder / "notes.txt", "pdf": folder / "plan.pdf",
        "other": folder / "other.db", "newer": folder / "newer.db", "folder": folder / "a-folder.db",
        "damaged": folder / "damaged.db",
    }  # fmt: skip


BAD_DB_EXPECTED = {
    "missing": (2, "no database at", "planex load"),
    "notes": (2, "not an SQLite database"),
    "pdf": (2, "is a PDF", "planex load"),
    "other": (2, "not a planex database"),
    "newer": (1, "newer planex", "upgrade planex"),
    "folder": (2, "is a folder"),
    "damaged": (1, "malformed", "load the PDFs again"),
}


@pytest.mark.parametrize("command", READ_COMMANDS + WRITE_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("bad", sorted(BAD_DB_EXPECTED))
def test_every_command_answers_a_bad_db(command: list[str], bad: str, bad_dbs: dict[str, Path],
                                        tmp_path: Path) -> None:  # fmt: skip
    code, *words = BAD_DB_EXPECTED[bad]
    target = tmp_path / f"x{_suffix(command)}"
    out = ["--out", str(target)] if command in WRITE_COMMANDS else []
    before = bad_dbs[bad].read_bytes() if bad_dbs[bad].is_file() else None
    result = runner.invoke(app, [*command, *out, "--db", str(bad_dbs[bad])])
    _one_line_error(result, code, str(bad_dbs[bad]), *words)
    if before is not None:  # a file that is not ours is left as it was
        assert bad_dbs[bad].read_bytes() == before
    assert not target.exists()


@pytest.mark.parametrize("bad", ["notes", "pdf", "other", "newer", "folder", "damaged"])
def test_load_answers_a_bad_db(bad: str, bad_dbs: dict[str, Path], real_dir: Path) -> None:
    code, *words = BAD_DB_EXPECTED[bad]
    result = runner.invoke(app, ["load", str(real_dir / "vertical.pdf"), "--db", str(bad_dbs[bad]), "-q"])
    _one_line_error(result, code, *words)


def test_load_answers_a_db_in_a_missing_folder(tmp_path: Path, real_dir: Path) -> None:
    target = tmp_path / "no" / "such" / "plans.db"
    result = runner.invoke(app, ["load", str(real_dir / "vertical.pdf"), "--db", str(target), "-q"])
    _one_line_error(result, 2, "no folder", "create it first")
    assert not target.parent.exists()


def test_load_refuses_to_overwrite_a_newer_planex_readings(tmp_path: Path, real_dir: Path) -> None:
    db = tmp_path / "shared.db"
    assert runner.invoke(app, ["load", str(real_dir / "vertical.pdf"), "--db", str(db), "-q"]).exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("update documents set planex_version = '9.1.0'")
    conn.commit()
    conn.close()
    result = runner.invoke(app, ["load", str(real_dir / "vertical.pdf"), "--db", str(db), "-q", "--force"])
    _one_line_error(result, 1, "planex 9.1.0", "upgrade planex")
    assert runner.invoke(app, ["documents", "--db", str(db)]).exit_code == 0  # reading it is fine


def _not_writable(tmp_path: Path, suffix: str) -> Path:
    """A file path that cannot be written. A read-only folder stops anyone but root; as root (CI
    containers), /sys refuses new files. Probed, so the test cannot pass by accident."""
    candidates = []
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        candidates.append(locked / f"out{suffix}")
    candidates.append(Path(f"/sys/planex-out{suffix}"))
    for path in candidates:
        try:
            with path.open("w") as fh:
                fh.write("x")
        except OSError:
            return path
        path.unlink()
    pytest.fail("found no path that cannot be written")


def _out_cases(tmp_path: Path, suffix: str) -> dict[str, tuple[Path, int, tuple[str, ...]]]:
    (tmp_path / "a-file").write_text("x")
    full = tmp_path / f"full{suffix}"  # a name with the right extension, for the disk that is always full
    full.symlink_to("/dev/full")
    return {
        "missing folder": (tmp_path / "no" / f"x{suffix}", 2, ("there is no folder", "create it first")),
        "under a file": (tmp_path / "a-file" / f"x{suffix}", 2, ("there is no folder", "a-file is a file")),
        "a folder": (tmp_path, 2, ("is a folder",)),
        "not writable": (_not_writable(tmp_path, suffix), 1, ("cannot write",)),
        "disk full": (full, 1, ("No space left on device", "free some space")),
    }


@pytest.mark.parametrize("command", WRITE_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("case", ["missing folder", "under a file", "a folder", "not writable", "disk full"])
def test_every_writing_command_answers_a_bad_out(command: list[str], case: str, planex_db: Path,
                                                  tmp_path: Path) -> None:  # fmt: skip
    out, code, words = _out_cases(tmp_path, _suffix(command))[case]
    if case == "disk full" and _suffix(command) == ".xlsx":
        words = ("No space left on device",)
    if case == "a folder" and command[0] == "compare":
        words = ("must end in .md or .csv",)  # compare looks at the name first
    result = runner.invoke(app, [*command, "--db", str(planex_db), "--out", str(out)])
    _one_line_error(result, code, *words)


def test_a_failed_export_leaves_the_earlier_file_whole(tmp_path: Path, planex_db: Path) -> None:
    """Written beside the target and renamed when complete: a full disk cannot leave half a file."""
    out = tmp_path / "kpis.csv"
    out.write_text("the export of last week\n")
    from extract.use import export

    def rows():
        yield {"doc_id": "a"}
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        export.write_csv(rows(), out, export.KPI_EXPORT_COLUMNS)
    assert out.read_text() == "the export of last week\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kpis.csv"]  # no temporary file left behind
    result = runner.invoke(app, ["export", "kpis", "--db", str(planex_db), "--out", str(out)])
    assert result.exit_code == 0 and out.read_text().startswith("doc_id,source_file")
    new = tmp_path / "new.csv"
    assert runner.invoke(app, ["export", "kpis", "--db", str(planex_db), "--out", str(new)]).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not a private temporary


# -- text from a PDF, a file name or a library is data, not markup ---------------------------------

MARKUP_TITLE = "[/'PDF', /'Text'] [bold]計画[/bold] :warning: <b>x</b>"


def _planex(*args: str) -> subprocess.CompletedProcess:
    """The real command in a wide terminal (so that table cells are not wrapped)."""
    return subprocess.run([sys.executable, "-m", "extract.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "COLUMNS": "250"})  # fmt: skip


def _resources_without_their_key(data: bytes) -> bytes:
    """The first ``<</ProcSet[...]>>`` resources dictionary of a PDF with its key blanked out (a
    run of bytes overwritten): pdfminer then raises on the page, quoting the array."""
    at = data.index(b"<</ProcSet")
    return data[:at] + b"<<        " + data[at + len(b"<</ProcSet") :]


def test_text_from_pdfs_and_libraries_prints_as_written(
    tmp_path: Path, corpus_pdfs: Path, real_dir: Path
) -> None:
    """planex load printed the batch and then crashed on pdfminer's text of a broken dictionary
    (rich read it as markup); planex documents too. Titles come from the PDF: data as well."""
    import pdfplumber
    from rich.errors import MarkupError
    from rich.text import Text

    from tests.mutations import with_title

    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "titled.pdf").write_bytes(with_title((real_dir / "vertical.pdf").read_bytes(), MARKUP_TITLE))
    data = (corpus_pdfs / "like-kenpo-datahealth-plan-step-format.pdf").read_bytes()
    (folder / "cut [red]short.pdf").write_bytes(data[: len(data) // 3])
    broken = _resources_without_their_key((real_dir / "vertical.pdf").read_bytes())
    with pytest.raises(Exception) as pdfminer_error:  # the real library's message
        for page in pdfplumber.open(io.BytesIO(broken)).pages:
            page.extract_text_lines()
    message = f"unreadable PDF ({type(pdfminer_error.value).__name__}: {pdfminer_error.value})"
    assert "[[/'PDF', /'Text'" in message
    with pytest.raises(MarkupError):  # what printing it as markup did
        Text.from_markup(message)
    db = tmp_path / "plans.db"
    database = store.open_db(db)  # as a database loaded by an earlier planex holds it
    store.record_error(database, LoadError(file_name="old.pdf", path=str(tmp_path / "old.pdf"), sha256=None,
                                           kind="malformed", message=message, at=store.now()))  # fmt: skip
    database.close()
    loaded = _planex("load", str(folder), "--db", str(db), "-q")
    assert loaded.returncode == 0, loaded.stderr
    assert message[:100] in loaded.stdout and "cut [red]short.pdf" in loaded.stdout
    listed = _planex("documents", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    assert MARKUP_TITLE[:30] in listed.stdout and message[:100] in listed.stdout
    for run in (loaded, listed):
        assert "Traceback" not in run.stdout + run.stderr


def test_kpis_remap_and_indicators_with_a_users_catalogue(tmp_path: Path, db_path: Path) -> None:
    """kpis remap maps a database's records again (no PDF read); kpis indicators lists the
    catalogue with the user's entries; a bad catalogue is one line with exit status 2."""
    db = tmp_path / "copy.db"
    shutil.copy(db_path, db)
    mine = tmp_path / "mine.toml"
    mine.write_text('[[indicator]]\nid = "stress_check_rate"\nlabel = "ストレスチェック受検率"\nunit = "%"\n'
                    'names = ["ストレスチェック受検率"]\n', encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["kpis", "remap", "--db", str(db), "--indicators", str(mine), "--json"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout)
    assert line["changed"] == 6 and line["catalogue"] == "mine.toml"  # 大分's 2024-2029 cells
    listed = json.loads(runner.invoke(app, ["kpis", "indicators", "--db", str(db), "--json"]).stdout)
    assert listed[0] == {"id": "stress_check_rate", "label": "ストレスチェック受検率", "unit": "%",
                         "population": None, "counts": "", "origin": "mine.toml"}  # fmt: skip
    assert {"tokutei_kenshin_rate", "generic_share"} <= {row["id"] for row in listed}
    shown = runner.invoke(app, ["kpis", "--db", str(db), "--indicator", "ストレスチェック受検率"])
    assert "6 KPI / target records" in shown.output
    back = json.loads(runner.invoke(app, ["kpis", "remap", "--db", str(db), "--builtin", "--json"]).stdout)
    assert back["changed"] == 6 and back["catalogue"] == "planex"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[indicator]]\nid = "x"\nnames = ["("]\n', encoding="utf-8")
    for args in (["kpis", "remap", "--db", str(db)], ["load", str(tmp_path), "--db", str(tmp_path / "n.db")]):
        failed = runner.invoke(app, [*args, "--indicators", str(bad)])
        assert failed.exit_code == 2
        assert "bad.toml" in failed.output and "bad regular expression" in failed.output
        assert "Traceback" not in failed.output
