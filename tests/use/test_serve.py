"""``planex serve``: Datasette on the corpus database, a real server on a free port, queried over
HTTP through its JSON API; and the pieces it is made of (metadata, SQL functions)."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from typer.testing import CliRunner

from extract.cli import app
from extract.read.normalize import normalize_text
from extract.records.indicators import labels
from extract.use import serve, serve_functions, serve_metadata, serve_queries
from extract.use.search import mark_pair, parse_query, search, to_match
from schemas.kpis import Kpi
from schemas.plans import Plan
from schemas.programs import Program
from tests.conftest import ROOT
from tests.search_corpus import branches_with

KYOUKAI = "全国健康保険協会"
STARTUP_SECONDS = 60


def squash(text: str) -> str:
    return "".join(normalize_text(text).split())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    name: str
    log: Path

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", params=params, timeout=30)

    def rows(self, path: str, **params: str) -> list[dict]:
        response = self.get(path, _shape="array", **params)
        assert response.status_code == 200, response.text
        return response.json()

    def stop(self) -> int:
        """Ctrl-C, as a user stops it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def start(db_path: Path, log: Path, port: int | None = None) -> Server:
    """``python -m extract.cli serve`` (the CLI, blocking), once it answers HTTP."""
    port = port or free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "extract.cli", "serve", "--db", str(db_path), "--port", str(port)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(process, f"http://127.0.0.1:{port}", db_path.stem, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"planex serve exited with {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(f"{server.url}/-/versions.json", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.stop()
    raise AssertionError(f"planex serve did not answer in {STARTUP_SECONDS} s: {log.read_text()}")


@pytest.fixture(scope="module")
def server(db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start(db_path, tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    assert running.stop() == 0, running.log.read_text()


# -- over HTTP -----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["健診", "受診勧奨"])
def test_japanese_search_finds_sentences_with_the_word(server: Server, word: str) -> None:
    rows = server.rows(f"/{server.name}/search.json", q=word)
    assert rows
    for row in rows:
        assert word in squash(row["sentence"])
        left, right = mark_pair(row["sentence"])  # 《》 where the plan itself writes 【】
        assert f"{left}{word}{right}" in row["snippet"]
        assert {"plan", "branch", "section", "page", "sentence", "score"} <= set(row)
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_search_covers_every_branch_whose_text_has_the_word(server: Server) -> None:
    # Expectation from the source texts (corpus/texts), not from the code under test.
    rows = server.rows(f"/{server.name}/search.json", q="禁煙")
    found = {r["branch"] for r in rows if r["insurer"] == KYOUKAI}
    assert branches_with("禁煙") <= found <= branches_with("禁煙", across_lines=True)


@pytest.mark.parametrize("query", ["ぬぬぬぬぬ", "zzqxv", "---", "", "-禁煙", '"'])
def test_nonsense_or_empty_queries_return_no_rows(server: Server, query: str) -> None:
    assert server.rows(f"/{server.name}/search.json", q=query) == []


def test_search_filters_by_kind_and_branch(server: Server) -> None:
    headings = server.rows(f"/{server.name}/search.json", q="健診", kind="heading")
    assert headings and all(r["kind"] == "heading" for r in headings)
    hokkaido = server.rows(f"/{server.name}/search.json", q="健診", branch="北海道支部")
    assert hokkaido and {r["branch"] for r in hokkaido} == {"北海道"}


def test_search_shows_a_sentence_once_per_plan(server: Server) -> None:
    rows = server.rows(f"/{server.name}/search.json", q="受診勧奨")
    keys = [(r["plan_id"], squash(r["sentence"]).lstrip("・○●◎")) for r in rows]
    assert len(keys) == len(set(keys))


SERVED_CASES = [
    ("健診", {}), ("禁煙", {}), ("健診 禁煙", {}), ("(健診 OR 検診) -歯科", {}),
    ('"ジェネリック 医薬品"', {}),
    ("受診勧奨", {"kind": "program,kpi"}), ("健診", {"branch": "北海道支部"}), ("通知率", {"kind": "kpi"}),
]  # fmt: skip


@pytest.mark.parametrize(("query", "params"), SERVED_CASES)
def test_served_search_gives_the_hits_of_planex_search_in_their_order(
    server: Server, db: sqlite_utils.Database, query: str, params: dict[str, str]
) -> None:
    """The canned query takes the query path of ``planex search`` (whose hits the plain reference
    query of tests/use/test_candidates.py checks): the same hits, in the same order."""
    rows = server.rows(f"/{server.name}/search.json", q=query, **params)
    served = [(r["plan_id"], r["sentence"], r["page"], r["kind"], r["section"], r["score"]) for r in rows]
    hits = search(db, query, limit=serve_queries.SEARCH_LIMIT, **params)
    assert served == [(h.plan_id, h.sentence, h.page, h.kind, h.section, h.score) for h in hits]
    assert served, query


def test_table_search_box_takes_japanese(server: Server) -> None:
    """Datasette's own ?_search= on search_sentences (fts_table), through planex_match."""
    rows = server.rows(f"/{server.name}/search_sentences.json", _search="受診勧奨", _size="100")
    assert rows and all("受診勧奨" in squash(r["sentence"]) for r in rows)
    assert server.rows(f"/{server.name}/search_sentences.json", _search="ぬぬぬぬぬ") == []


def test_kpi_targets_by_indicator_one_row_per_plan_and_year(server: Server) -> None:
    rows = server.rows(f"/{server.name}/kpi_by_indicator.json", indicator="generic_share", population="")
    assert len({r["plan_id"] for r in rows}) >= 36  # 36 plans set a generic-drug target today
    keys = [(r["plan_id"], r["target_year"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["target"] and r["raw_text"] for r in rows)
    with_value = [r for r in rows if r["value"] is not None]
    assert with_value and all(r["unit"] == "%" for r in with_value)
    by_label = server.rows(f"/{server.name}/kpi_by_indicator.json", indicator=labels()["generic_share"],
                           population="")  # fmt: skip
    assert by_label == rows
    assert server.rows(f"/{server.name}/kpi_by_indicator.json", indicator="", population="") == []
    missing = server.rows(f"/{server.name}/kpi_by_indicator.json", indicator="no_such", population="")
    assert missing == []


def test_indicators_list_their_plans(server: Server) -> None:
    rows = server.rows(f"/{server.name}/indicators.json")
    generic = next(r for r in rows if r["indicator_id"] == "generic_share")
    assert generic["label"] == labels()["generic_share"] and generic["plans"] >= 36


def test_measure_compared_across_plans(server: Server) -> None:
    rows = server.rows(f"/{server.name}/compare_measure.json", heading="ジェネリック医薬品の使用促進")
    # 34 branches have the measure's heading (tests/use/test_compare.py); the canned query reads section
    # headings only, not the marked lines some branches keep inside a section: 31 today
    assert len(rows) >= 31
    assert len({r["plan_id"] for r in rows}) == len(rows)
    assert all(r["score"] >= 0.8 and "ジェネリック" in r["heading"] for r in rows)
    assert server.rows(f"/{server.name}/compare_measure.json", heading="") == []


def test_metadata_titles_and_column_descriptions_are_served(server: Server) -> None:
    metadata = server.get("/-/metadata.json").json()
    tables = metadata["databases"][server.name]["tables"]
    assert tables["plans"]["title"] == "Plans"
    assert tables["kpis"]["title"] == "KPIs and targets"
    assert tables["programs"]["title"].startswith("Programs")
    page = server.get(f"/{server.name}/plans").text
    assert "Plans" in page and Plan.model_fields["branch"].description.split(" (")[0] in page
    plugins = server.get("/-/plugins.json").json()
    assert any(p["name"] == "planex" and "prepare_connection" in p["hooks"] for p in plugins)


def test_html_pages_render(server: Server) -> None:
    for path in ("/", f"/{server.name}", f"/{server.name}/search?q=受診勧奨", f"/{server.name}/search",
                 f"/{server.name}/search_sentences?_search=健診", f"/{server.name}/kpis"):  # fmt: skip
        assert server.get(path).status_code == 200, path


def test_ctrl_c_stops_the_server_and_a_busy_port_is_reported(db_path: Path, tmp_path: Path) -> None:
    first = start(db_path, tmp_path / "first.log")
    port = first.url.rsplit(":", 1)[1]
    second = subprocess.run(
        [sys.executable, "-m", "extract.cli", "serve", "--db", str(db_path), "--port", port],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode == 2 and "in use" in second.stderr
    assert first.stop() == 0, first.log.read_text()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{first.url}/-/versions.json", timeout=2)


def test_cli_help_and_missing_database(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "Datasette" in result.output and "--port" in result.output
    missing = runner.invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no database" in missing.output


# -- the pieces ----------------------------------------------------------------------------------


def test_metadata_describes_tables_and_columns_from_the_models(db: sqlite_utils.Database) -> None:
    metadata = serve_metadata.datasette_metadata(db, "corpus")
    database = metadata["databases"]["corpus"]
    tables = database["tables"]
    expected = {"documents", "pages", "plans", "sections", "kpis", "load_errors", "search_sentences"}
    assert expected <= set(tables)
    for name, table in tables.items():
        assert table["title"] and table["description"], name
    assert tables["plans"]["columns"]["branch"] == Plan.model_fields["branch"].description
    assert tables["kpis"]["columns"]["raw_text"] == Kpi.model_fields["raw_text"].description
    assert tables["kpis"]["columns"]["doc_id"] == serve_metadata.COMMON_COLUMNS["doc_id"]
    assert "padding" in tables["search_sentences"]["columns"]  # a generated column
    assert tables["search_sentences"]["fts_table"] == "search_index"
    assert tables["search_sentences"]["fts_pk"] == "text_id"  # the view's column holding FTS5's rowid
    assert set(database["queries"]) == {"search", "kpi_by_indicator", "indicators", "compare_measure"}


def test_metadata_skips_absent_tables_and_columns(tmp_path: Path) -> None:
    small = sqlite_utils.Database(tmp_path / "small.db")
    small["plans"].insert({"id": "x-p01", "title": "t"}, pk="id")
    small["programs"].insert({"id": "g1", "name": "禁煙支援", "not_in_the_model": 1}, pk="id")
    small.close()
    metadata = serve_metadata.datasette_metadata(tmp_path / "small.db")
    database = metadata["databases"]["small"]
    assert set(database["tables"]) == {"plans", "programs"}
    columns = database["tables"]["programs"]["columns"]
    assert columns == {"name": Program.model_fields["name"].description}  # id: nobody describes it
    assert database["queries"] == {}  # no sentences, KPIs or sections to query


def test_planex_match_builds_the_bigram_expression() -> None:
    for query in ["受診勧奨", "健診 禁煙", "(健診 OR 検診) -歯科", '"ジェネリック 医薬品"', "KPI*"]:
        assert serve_functions.planex_match(query) == to_match(parse_query(query))
    assert serve_functions.planex_match("受診勧奨") == '"受診 診勧 勧奨"'
    for nothing in ["", "   ", "---", "、。", "-歯科", "NOT 歯科", None, "x" * 5000]:
        assert serve_functions.planex_match(nothing) == serve_functions.NO_MATCH


def test_planex_match_in_sql_finds_what_search_finds(db_path: Path) -> None:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    serve_functions.register_functions(conn)
    try:
        count = "select count(*) from search_index where search_index match planex_match(?)"
        found = conn.execute(count, ["受診勧奨"]).fetchone()[0]
        assert found > 0
        database = sqlite_utils.Database(conn)
        assert len({h.plan_id for h in search(database, "受診勧奨", limit=100_000)}) > 1
        assert conn.execute(count, ["ぬぬぬぬぬ"]).fetchone()[0] == 0
        assert conn.execute(count, [""]).fetchone()[0] == 0
    finally:
        conn.close()


def test_indicator_ids_target_cells_and_heading_scores() -> None:
    assert serve_functions.planex_indicator_id("generic_share") == "generic_share"
    assert serve_functions.planex_indicator_id(labels()["generic_share"]) == "generic_share"
    assert serve_functions.planex_indicator_id("") is None
    assert serve_functions.planex_indicator_id("天気") is None
    assert serve_functions.planex_target(">=", 80.0, "%") == "80%以上"
    assert serve_functions.planex_target("do", None, "") == "実施"
    wanted = "ジェネリック医薬品の使用促進"
    assert serve_functions.planex_heading_score("③ ジェネリック医薬品の使用促進〈Ⅱ、Ⅲ〉", wanted) == 1.0
    assert serve_functions.planex_heading_score("健診の実施", wanted) < 0.8


def test_check_database_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(serve.ServeError, match="no database"):
        serve.check_database(tmp_path / "none.db")
    (tmp_path / "text.db").write_text("not a database " * 100)
    with pytest.raises(serve.ServeError, match="not an SQLite database"):
        serve.check_database(tmp_path / "text.db")
    sqlite_utils.Database(tmp_path / "other.db")["t"].insert({"a": 1})
    with pytest.raises(serve.ServeError, match="not a planex database"):
        serve.check_database(tmp_path / "other.db")


def test_kpi_targets_by_indicator_and_normalized_population(server: Server) -> None:
    """One row per plan, normalized population and year: a 共済組合's 組合員, a 健保組合's and a 国保組合's
    insured line up under insured, whatever the plan calls them."""
    url = f"/{server.name}/kpi_by_indicator.json"
    insured = server.rows(url, indicator="tokutei_kenshin_rate", population="insured")
    assert {r["population_norm"] for r in insured} == {"insured"}
    assert {"地方職員共済組合", "ライク健康保険組合", "みどり健康保険組合", "ひかり建設国民健康保険組合"} <= {
        r["insurer"] for r in insured
    }
    assert {r["population"] for r in insured} >= {"組合員", "被保険者"}  # the plans' own words, kept
    assert server.rows(url, indicator="tokutei_kenshin_rate", population="被保険者") == insured
    every = server.rows(url, indicator="tokutei_kenshin_rate", population="")
    keys = [(r["plan_id"], r["population_norm"], r["target_year"]) for r in every]
    assert len(keys) == len(set(keys)) and len(every) > len(insured)
    assert {r["population_norm"] for r in every} == {"insured", "dependents", "all"}
