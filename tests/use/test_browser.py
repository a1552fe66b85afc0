"""``planex serve`` in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) against a real server on make demo's database.

A user opens a KPI in the table, follows its evidence link, and sees the page image (loaded by the
browser, its boxes drawn where the stored line boxes are: the pixels there are the box's red, and
the PDF's own text in that region is the KPI's); then runs a search and narrows it with a facet
and a filter; and a sample of KPIs, programs and search hits open their evidence in the browser.

Chromium comes from Debian (``make test`` and ``.ci/run`` install it as root; a browser download
at install time is not possible here). Without it the test fails, naming the packages: a browser
test that cannot run is not a pass.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pymupdf
import pytest

from extract.store.evidence_lines import squash
from tests.demo_db import demo_db
from tests.use.test_serve import Server, start

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
PACKAGES = "chromium chromium-driver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000")  # fmt: skip
"""On a closed network: no updates, no sync, no QUIC; a fresh profile per run (``--user-data-dir``)."""
WAIT = 30


def _first(paths: tuple[str, ...]) -> str | None:
    return next((p for p in paths if Path(p).exists()), None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    binary, driver = _first(CHROMIUM), _first(CHROMEDRIVER) or shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.fail(f"the browser test needs Chromium and its driver: apt-get install {PACKAGES} "
                    "(make test does it as root)", pytrace=False)  # fmt: skip
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    chrome.set_page_load_timeout(WAIT)
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    return demo_db(tmp_path_factory, corpus_pdfs)


@pytest.fixture(scope="module")
def server(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start(demo, tmp_path_factory.mktemp("browser") / "serve.log")
    yield running
    running.stop()


def wait_for_images(chrome) -> list[dict]:
    """Every page image of the evidence page, once the browser has loaded them all."""
    from selenium.webdriver.support.ui import WebDriverWait

    script = """return [...document.querySelectorAll('img.planex-page-image')].map(i => ({
        complete: i.complete, width: i.naturalWidth, height: i.naturalHeight, page: i.dataset.page,
        zoom: parseFloat(i.dataset.zoom), boxes: JSON.parse(i.dataset.boxes)}))"""
    WebDriverWait(chrome, WAIT).until(lambda c: all(i["complete"] for i in c.execute_script(script)))
    return chrome.execute_script(script)


PIXEL = """const [index, x, y] = arguments;
const img = document.querySelectorAll('img.planex-page-image')[index];
const canvas = document.createElement('canvas');
canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
return Array.from(ctx.getImageData(x, y, 1, 1).data);"""


def stored_boxes(demo: Path, kind: str, ref_id: str) -> list[list[float]]:
    with sqlite3.connect(demo) as db:
        return [list(b) for b in db.execute(
            "select l.x0, l.y0, l.x1, l.y1 from evidence e join lines l on l.doc_id = e.doc_id "
            "and l.page_no = e.page_no and l.line_no = e.line_no where e.kind = ? and e.ref_id = ? "
            "order by l.page_no, l.line_no", [kind, ref_id])]  # fmt: skip


def test_a_kpi_s_evidence_in_the_browser(browser, server: Server, demo: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server.url}/{server.name}/kpis?indicator_id=generic_share&_sort=id")
    link = browser.find_elements(By.CSS_SELECTOR, "a.planex-evidence-link")[0]
    ref_id = urlparse(link.get_attribute("href")).path.rsplit("/", 1)[-1]
    link.click()
    assert urlparse(browser.current_url).path == f"/-/planex/evidence/kpi/{ref_id}"
    images = wait_for_images(browser)
    assert images and all(i["width"] > 500 and i["height"] > 500 for i in images)  # the image was served
    # the boxes the page draws are the stored line boxes of the KPI
    shown = [box for image in images for box in image["boxes"]]
    assert shown == stored_boxes(demo, "kpi", ref_id)
    # and they are drawn there: the left edge of each box is the box's red in the image
    zoom = images[0]["zoom"]
    for x0, y0, _x1, y1 in images[0]["boxes"]:
        x, y = round((x0 - 1.5) * zoom), round((y0 + y1) / 2 * zoom)
        colours = [browser.execute_script(PIXEL, 0, x + dx, y) for dx in (-1, 0, 1)]
        r, g, b, _ = max(colours, key=lambda c: c[0] - c[2])
        assert r > 150 and g < 120 and b < 120, colours
    # the boxed region of the original PDF holds the KPI's text
    with sqlite3.connect(demo) as db:
        raw, path = db.execute(
            "select k.raw_text, d.path from kpis k join documents d on d.id = k.doc_id where k.id = ?",
            [ref_id],
        ).fetchone()
    with pymupdf.open(path) as pdf:
        page = pdf[int(images[0]["page"]) - 1]
        held = "".join(squash(page.get_text("text", clip=pymupdf.Rect(x0 - 1, y0 - 1, x1 + 1, y1 + 1)))
                       for x0, y0, x1, y1 in images[0]["boxes"])  # fmt: skip
    assert squash(raw.splitlines()[0]) in held
    # the fields beside it, and the original PDF at that page
    fields = browser.find_element(By.CSS_SELECTOR, "table.planex-field-table").text
    assert "generic_share" in fields and ref_id in fields
    pdf_link = browser.find_element(By.CSS_SELECTOR, "a.planex-pdf").get_attribute("href")
    assert urlparse(pdf_link).fragment == f"page={images[0]['page']}"


def test_a_faceted_search_in_the_browser(browser, server: Server) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(f"{server.url}/-/planex/search")
    box = browser.find_element(By.CSS_SELECTOR, "input[name=q]")
    box.send_keys("受診勧奨", Keys.ENTER)  # the form submits: wait for the page of its hits
    WebDriverWait(browser, WAIT).until(
        lambda c: "q=" in c.current_url and c.find_elements(By.CSS_SELECTOR, "li.planex-hit")
    )
    hits = browser.find_elements(By.CSS_SELECTOR, "li.planex-hit")
    assert len(hits) == 50
    assert all(h.find_elements(By.TAG_NAME, "mark") for h in hits)
    # a facet narrows the hits to what it counted
    facet = browser.find_element(By.XPATH, "//ul[@data-facet='branch']//a[text()='北海道']")
    count = int(facet.find_element(By.XPATH, "following-sibling::span").text)
    facet.click()
    assert parse_qs(urlparse(browser.current_url).query)["branch"] == ["北海道"]
    summary = browser.find_element(By.CSS_SELECTOR, "p.planex-summary").text
    assert summary.startswith(f"{count} sentence")
    wheres = [w.text for w in browser.find_elements(By.CSS_SELECTOR, "li.planex-hit .planex-where")]
    assert wheres and all(" · 北海道 · " in w for w in wheres)
    # a filter chosen in the form (it submits itself), then a hit's evidence
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=kind]")).select_by_value("kpi")
    WebDriverWait(browser, WAIT).until(lambda c: "kind=kpi" in c.current_url)
    kinds = {h.get_attribute("data-kind") for h in browser.find_elements(By.CSS_SELECTOR, "li.planex-hit")}
    assert kinds == {"kpi"}
    sentence = browser.find_element(By.CSS_SELECTOR, "li.planex-hit .planex-sentence").text
    browser.find_element(By.CSS_SELECTOR, "li.planex-hit a.planex-evidence-link").click()
    images = wait_for_images(browser)
    assert images and images[0]["width"] > 500
    text = browser.find_element(By.CSS_SELECTOR, "table.planex-lines").text
    assert squash(sentence)[:8] in squash(text)


def test_a_sample_of_records_and_hits_opens_its_evidence(browser, server: Server, demo: Path) -> None:
    with sqlite3.connect(demo) as db:
        sample = [("kpi", r[0]) for r in db.execute("select id from kpis order by id")][::150]
        sample += [("program", r[0]) for r in db.execute("select id from programs order by id")][::160]
    browser.get(f"{server.url}/-/planex/search?q=特定保健指導&limit=50")
    from selenium.webdriver.common.by import By

    hits = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a.planex-evidence-link")]
    urls = [f"{server.url}/-/planex/evidence/{kind}/{ref}" for kind, ref in sample] + hits[::10]
    assert len(urls) >= 20
    for url in urls:
        browser.get(url)
        images = wait_for_images(browser)
        assert images and all(i["width"] > 0 for i in images), url
        assert any(i["boxes"] for i in images), url
        assert json.loads(json.dumps(images[0]["boxes"]))  # the boxes were given to the page
