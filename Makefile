# planex — make demo | make test | make bench | make bench-scale | make corpus
# Everything installs itself: a virtual environment in .venv and, where missing, the Japanese
# TrueType fonts the corpus is typeset with (Debian packages fonts-ipaexfont-gothic for the plain
# layout; fonts-ipaexfont-mincho and fonts-migmix, a bold weight, for the published layout), and
# Tesseract with its Japanese models for `planex load --ocr` and its tests (tesseract-ocr,
# tesseract-ocr-jpn, tesseract-ocr-jpn-vert), and LibreOffice for the corpus's Word and Excel
# producers (libreoffice-writer-nogui, libreoffice-calc-nogui), and Chromium with its driver for the
# browser test of planex serve (chromium, chromium-driver).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PLANEX := $(VENV)/bin/planex
FONT := /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf
FONTS_PUBLISHED := /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf /usr/share/fonts/truetype/migmix/migmix-2p-bold.ttf
FONT_PACKAGES := fonts-ipaexfont-gothic fonts-ipaexfont-mincho fonts-migmix
OCR_PACKAGES := tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert
OFFICE_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui
BROWSER_PACKAGES := chromium chromium-driver
DEMO_DB ?= demo.db
DEMO_PUBLISHED_DB ?= demo-published.db

.PHONY: demo test bench bench-scale corpus venv font ocr office browser lint clean schemas notebooks

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# The corpus fonts as files (PLANEX_FONT, when set, stands for IPAexGothic), so that the corpus
# is rebuilt when a font changes (a package upgrade) and never because of a check. A missing one
# is installed (as root, on Debian) or named with the command that installs it.
CORPUS_FONT := $(or $(PLANEX_FONT),$(FONT))
CORPUS_FONTS := $(CORPUS_FONT) $(FONTS_PUBLISHED)

$(CORPUS_FONTS):
	@[ -f $@ ] && exit 0; \
	if [ -n "$(PLANEX_FONT)" ] && [ "$@" = "$(PLANEX_FONT)" ]; then \
	  echo "PLANEX_FONT=$@ is not a file: point it at ipaexg.ttf, or unset it"; exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing $(FONT_PACKAGES) (Debian) for the corpus builder"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGES) >/dev/null; \
	fi; \
	[ -f $@ ] || { echo "need the corpus fonts: sudo apt-get install $(FONT_PACKAGES) (or set PLANEX_FONT=/path/to/ipaexg.ttf for the plain layout)"; exit 1; }

font: $(CORPUS_FONTS)

# Tesseract and the Japanese models (horizontal and vertical writing): `planex load --ocr`
ocr:
	@langs="$$(tesseract --list-langs 2>/dev/null)"; \
	if ! echo "$$langs" | grep -qx jpn || ! echo "$$langs" | grep -qx jpn_vert; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(OCR_PACKAGES) (Debian) for planex load --ocr"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null; \
	  else \
	    echo "planex load --ocr and its tests need Tesseract: sudo apt-get install $(OCR_PACKAGES)"; exit 1; \
	  fi; \
	fi

# Headless Chromium and its driver, from Debian (a browser download at install time is not possible
# on a closed network): tests/use/test_browser.py drives planex serve with them through Selenium.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(BROWSER_PACKAGES) (Debian) for the browser test of planex serve"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else \
	    echo "the browser test of planex serve needs Chromium: sudo apt-get install $(BROWSER_PACKAGES)"; exit 1; \
	  fi; \
	fi

# LibreOffice exports the corpus's Word and Excel documents to PDF (corpus/builder/office.py). Its
# program is a file the corpus depends on, like the fonts: installed where missing (as root, on
# Debian) or named with the command that installs it, and never a reason to build again.
SOFFICE := $(or $(shell command -v soffice 2>/dev/null),/usr/bin/soffice)

$(SOFFICE):
	@[ -x $@ ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing $(OFFICE_PACKAGES) (Debian) for the corpus's Word and Excel producers"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(OFFICE_PACKAGES) >/dev/null; \
	fi; \
	[ -x $@ ] || { echo "the corpus's Word and Excel producers need LibreOffice: sudo apt-get install $(OFFICE_PACKAGES)"; exit 1; }

office: $(SOFFICE)

# Every prerequisite of the corpus is a file, so `make test`, `make bench` and `make notebooks`
# typeset it again only when the venv, a font, LibreOffice, the builder (any Python file below
# corpus/, which holds no generated .py), the manifest or a text changed: `make -q corpus` is
# true after a build.
CORPUS_BUILDER := $(sort $(shell find corpus -name '*.py' -not -path '*/__pycache__/*'))

corpus/pdfs/.built: $(VENV)/.installed $(CORPUS_FONTS) | $(SOFFICE)
corpus/pdfs/.built: $(CORPUS_BUILDER) corpus/manifest.toml $(wildcard corpus/texts/*.txt corpus/texts/revisions/*.txt)
	$(PY) corpus/build.py
	touch $@

corpus: corpus/pdfs/.built

# The corpus in both layouts, one database each (each branch counted once in the tables and
# charts); `planex show` gives 北海道 the same outline from either. Loaded into one database, the
# two layouts would hold every plan twice: `show` then prints the outline once with both files.
demo: corpus
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_PUBLISHED_DB) $(DEMO_PUBLISHED_DB)-wal $(DEMO_PUBLISHED_DB)-shm
	$(PLANEX) load corpus/pdfs corpus/revisions corpus/real --db $(DEMO_DB)
	$(PLANEX) load corpus/published --db $(DEMO_PUBLISHED_DB)
	$(PLANEX) documents --db $(DEMO_DB)
	$(PLANEX) plans --db $(DEMO_DB)
	$(PLANEX) show 北海道 --year 2021 --db $(DEMO_DB)
	$(PLANEX) show 北海道 --year 2021 --db $(DEMO_PUBLISHED_DB)
	@COLUMNS=250 $(PLANEX) show 北海道 --year 2021 --db $(DEMO_DB) 2>/dev/null | sed -n -e 's/ *p\.[0-9]*$$//' -e '/^├── in /d' -e '/^[├└│ ]/p' > .demo-outline-plain.txt
	@COLUMNS=250 $(PLANEX) show 北海道 --year 2021 --db $(DEMO_PUBLISHED_DB) 2>/dev/null | sed -n -e 's/ *p\.[0-9]*$$//' -e '/^├── in /d' -e '/^[├└│ ]/p' > .demo-outline-published.txt
	@diff .demo-outline-plain.txt .demo-outline-published.txt >/dev/null \
	  && echo "北海道: the same outline from the plain and the published layout (page numbers aside)" \
	  || { echo "北海道: the outlines of the two layouts differ:"; diff .demo-outline-plain.txt .demo-outline-published.txt; }
	@rm -f .demo-outline-plain.txt .demo-outline-published.txt
	$(PLANEX) show 北海道 --year 2021 --db $(DEMO_DB) --section ジェネリック医薬品の使用促進
	$(PLANEX) diff --db $(DEMO_DB)
	$(PLANEX) diff 岐阜 --db $(DEMO_DB)
	$(PLANEX) search 受診勧奨 --by branch --db $(DEMO_DB) --limit 10
	$(PLANEX) kpis --db $(DEMO_DB) --indicator generic_share --limit 12
	$(PLANEX) export kpis --db $(DEMO_DB) --out demo-kpis.csv --excel
	$(PLANEX) export kpis --db $(DEMO_DB) --out demo-kpis-wide.csv --wide --excel
	$(PLANEX) programs --db $(DEMO_DB) --insurer ライク
	$(PLANEX) programs --db $(DEMO_DB) --issues
	$(PLANEX) export programs --db $(DEMO_DB) --out demo-programs.csv --excel
	$(PLANEX) export workbook --db $(DEMO_DB) --out demo-plans.xlsx
	@echo "For Excel: demo-plans.xlsx (a sheet per table: KPIs, KPIs by plan, programs, health issues, plans,"
	@echo "sources), demo-kpis.csv (one row per KPI record), demo-kpis-wide.csv (one row per plan),"
	@echo "demo-programs.csv (one row per program). Browse it all: $(PLANEX) serve --db $(DEMO_DB)"
	@echo "The published layout of the same plans: $(DEMO_PUBLISHED_DB) (planex show 北海道 --year 2021 --db $(DEMO_PUBLISHED_DB))"

lint: venv
	$(VENV)/bin/ruff check .

# Tesseract and Chromium are checked, not prerequisites of the corpus: the checks never make it stale.
test: corpus lint ocr browser
	$(PY) -m pytest

bench: corpus ocr
	$(PY) bench/bench.py
	$(PY) bench/ocr_bench.py
	$(PY) bench/search_bench.py
	$(PY) bench/workbook_bench.py
	$(PY) bench/producers_bench.py
	$(PY) bench/targets_bench.py
	$(PY) bench/startup_bench.py
	$(PY) bench/evidence_bench.py

# Search at the scale of a plan cycle (bench/scale_bench.py): the corpus 650 times, every copy's
# sentences distinct; search, --by branch and filtered search p95, the index build time and size.
# On demand, not part of make bench or CI: about 30 minutes and 8 GB of disk in a temporary folder.
bench-scale: corpus
	$(PY) bench/scale_bench.py

clean:
	rm -rf corpus/pdfs corpus/published corpus/variants corpus/scanned corpus/word corpus/calc corpus/overprint \
	  corpus/revisions $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm \
	  $(DEMO_PUBLISHED_DB) $(DEMO_PUBLISHED_DB)-wal $(DEMO_PUBLISHED_DB)-shm demo-kpis.csv demo-kpis-wide.csv \
	  demo-programs.csv demo-plans.xlsx .pytest_cache

schemas: venv
	$(PY) -m schemas.jsonschema

# Run the notebooks on $(DEMO_DB) (built by their first cell if missing) and write them, charts
# included, as HTML into notebooks/out/ — no Jupyter front end needed.
notebooks: corpus
	PLANEX_DB=$(abspath $(DEMO_DB)) $(VENV)/bin/jupyter nbconvert --to html --execute \
	  --output-dir notebooks/out notebooks/*.ipynb
	@echo "open notebooks/out/kpi_targets_by_branch.html"

# The command reference, docs/commands.md, written from the planex command line itself
# (tests/test_docs.py fails when it is out of date). A target of its own: docs/ is a folder.
.PHONY: docs
docs: venv
	$(PY) docs/commands.py
