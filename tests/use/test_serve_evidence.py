"""``planex serve``'s own pages over HTTP (extract/use/serve_evidence.py, serve_search.py,
serve_diff.py): a real server on make demo's database; every KPI, program and search row links
to its evidence, which serves the page image and the original PDF; the search page's filters,
counts and marked words; the plan comparisons. Any text from a PDF or a query is escaped."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from extract.use.serve_search import marked
from tests.demo_db import demo_db
from tests.use.test_serve import Server, start

LINK = re.compile(r'href="(/-/planex/evidence/(kpi|program|health_issue|section)/([^"?/]+)(\?[^"]*)?)"')


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    return demo_db(tmp_path_factory, corpus_pdfs)


@pytest.fixture(scope="module")
def server(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start(demo, tmp_path_factory.mktemp("serve-evidence") / "serve.log")
    yield running
    running.stop()


def fetch(server: Server, url: str) -> httpx.Response:
    """A page by its URL as the page links it, query string and all."""
    return httpx.get(server.url + url, timeout=30)


def links(html: str) -> list[tuple[str, str, str]]:
    return [(unescape(m.group(1)), m.group(2), m.group(3)) for m in LINK.finditer(html)]


TABLES = [("kpis", "kpi"), ("programs", "program"), ("health_issues", "health_issue"),
          ("sections", "section")]  # fmt: skip


@pytest.mark.parametrize(("table", "kind"), TABLES)
def test_every_row_of_a_record_table_links_to_its_evidence(
    server: Server, demo: Path, table: str, kind: str
) -> None:
    page = server.get(f"/{server.name}/{table}", _size="100")
    assert page.status_code == 200
    with sqlite3.connect(demo) as db:
        ids = [r[0] for r in db.execute(f"select id from {table} order by id limit 100")]
    found = links(page.text)
    assert sorted(ref for _, k, ref in found if k == kind) == ids


def test_the_evidence_page_shows_the_page_its_boxes_the_fields_and_the_pdf(
    server: Server, demo: Path
) -> None:
    with sqlite3.connect(demo) as db:
        ref, page_no, raw, path = db.execute(
            "select k.id, k.page, k.raw_text, d.path from kpis k join documents d on d.id = k.doc_id "
            "where k.indicator_id = 'generic_share' order by k.id limit 1"
        ).fetchone()
        boxes = db.execute(
            "select l.x0, l.y0, l.x1, l.y1 from evidence e join lines l on l.doc_id = e.doc_id "
            "and l.page_no = e.page_no and l.line_no = e.line_no where e.kind = 'kpi' and e.ref_id = ? "
            "order by l.line_no",
            [ref],
        ).fetchall()
    page = server.get(f"/-/planex/evidence/kpi/{ref}")
    assert page.status_code == 200
    html = page.text
    assert raw.splitlines()[0].split("：")[-1][:10] in unescape(html)
    assert "generic_share" in html
    image = re.search(r'<img class="planex-page-image" src="([^"]+)"[^>]*data-boxes="([^"]+)"', html)
    assert image is not None
    assert json.loads(unescape(image.group(2))) == [list(b) for b in boxes]
    png = fetch(server, unescape(image.group(1)))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    pdf_link = re.search(r'href="(/-/planex/pdf/[0-9a-f]+)#page=(\d+)"', html)
    assert pdf_link is not None and int(pdf_link.group(2)) == page_no
    pdf = server.get(pdf_link.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == Path(path).read_bytes()


def test_unknown_records_and_documents_are_404(server: Server) -> None:
    assert server.get("/-/planex/evidence/kpi/nope").status_code == 404
    assert server.get("/-/planex/evidence/kpi/nope/page-1.png").status_code == 404
    assert server.get("/-/planex/pdf/" + "0" * 64).status_code == 404


def test_the_canned_queries_link_each_row_and_hide_their_sql(server: Server) -> None:
    rows = server.rows(f"/{server.name}/kpi_by_indicator.json", indicator="generic_share")
    assert rows and all(r["evidence"].startswith("kpi/") for r in rows)
    page = server.get(f"/{server.name}/kpi_by_indicator", indicator="generic_share")
    assert len({ref for _, kind, ref in links(page.text) if kind == "kpi"}) == len(rows)
    body = page.text.split("<body", 1)[1]
    assert "from k join plans" not in body and "_show_sql=1" in body  # the SQL on request only
    hits = server.get(f"/{server.name}/search", q="受診勧奨")
    assert len(links(hits.text)) >= 100


def facet(html: str, name: str) -> dict[str, tuple[str, int]]:
    block = re.search(rf'<ul class="planex-facet" data-facet="{name}">(.*?)</ul>', html, re.S)
    assert block is not None, name
    return {unescape(m.group(2)): (unescape(m.group(1)), int(m.group(3)))
            for m in re.finditer(r'<a href="([^"]+)">([^<]+)</a> <span class="planex-count">(\d+)</span>',
                                 block.group(1))}  # fmt: skip


def test_the_search_page_filters_counts_and_marks(server: Server) -> None:
    page = server.get("/-/planex/search", q="受診勧奨")
    html = page.text
    total = int(re.search(r"(\d+) sentences? found", html).group(1))
    assert total > 400
    branches = facet(html, "branch")
    kinds = facet(html, "kind")
    assert set(kinds) >= {"section", "kpi"} and "北海道" in branches
    for name in ("insurer", "plan_type", "year"):
        assert facet(html, name)
    assert html.count("<mark>受診勧奨</mark>") >= 50
    assert "select " not in html.lower().replace("<select", "")  # no SQL on the page
    # a facet is a link that keeps the query and sets the filter, and its count is what it keeps
    url, count = branches["北海道"]
    assert parse_qs(urlparse(url).query) == {"q": ["受診勧奨"], "branch": ["北海道"]}
    narrowed = fetch(server, url).text
    assert int(re.search(r"(\d+) sentences? found", narrowed).group(1)) == count
    wheres = re.findall(r'<div class="planex-where">([^<]*)', narrowed)
    assert wheres and all(" · 北海道 · " in unescape(w) for w in wheres)
    kpis = server.get("/-/planex/search", q="受診勧奨", kind="kpi").text
    assert set(re.findall(r'<li class="planex-hit" data-kind="([^"]+)"', kpis)) == {"kpi"}
    assert all(kind == "kpi" for _, kind, _ in links(kpis))


def test_every_hit_links_to_evidence_that_answers(server: Server) -> None:
    html = server.get("/-/planex/search", q="特定保健指導", limit="100").text
    found = links(html)
    assert len(found) == 100
    for url, _, _ in found[::9]:
        page = fetch(server, url)
        assert page.status_code == 200
        src = re.search(r'<img class="planex-page-image" src="([^"]+)"', page.text).group(1)
        assert fetch(server, unescape(src)).headers["content-type"] == "image/png"


def test_queries_and_texts_are_escaped(server: Server) -> None:
    html = server.get("/-/planex/search", q='<script>alert("x")</script> 健診').text
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert str(marked("<b>健診</b>", [(3, 5)])) == "&lt;b&gt;<mark>健診</mark>&lt;/b&gt;"


def test_the_comparisons_list_the_linked_plans_and_show_a_diff(server: Server) -> None:
    listed = server.get("/-/planex/changes")
    assert listed.status_code == 200
    urls = re.findall(r'href="(/-/planex/changes/[^"]+)"', listed.text)
    assert len(urls) == 3
    pages = [server.get(u).text for u in urls]
    gifu = next(p for p in pages if "岐阜" in p)
    removed = "<td>removed</td><td>３．組織・運営体制関係 &gt; ４ 支部業績評価への対応"
    assert f'<tr data-change="removed">{removed}' in gifu
    assert "<ins>" in gifu and "<del>" in gifu
    assert "79.2%以上" in gifu and "80.5%以上" in gifu
    assert server.get("/-/planex/changes/nope/other").status_code == 404
