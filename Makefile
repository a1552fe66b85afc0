# planex — make demo | make test | make bench | make corpus
# Everything installs itself: a virtual environment in .venv and, where missing, the Japanese
# TrueType font the corpus is typeset with (Debian package fonts-ipaexfont-gothic).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PLANEX := $(VENV)/bin/planex
FONT := /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf
DEMO_DB ?= demo.db

.PHONY: demo test bench corpus venv font lint clean schemas notebooks

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

font:
	@if [ -z "$$PLANEX_FONT" ] && [ ! -f $(FONT) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing fonts-ipaexfont-gothic (Debian) for the corpus builder"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-ipaexfont-gothic >/dev/null; \
	  else \
	    echo "need the IPAexGothic font: sudo apt-get install fonts-ipaexfont-gothic (or set PLANEX_FONT=/path/to/ipaexg.ttf)"; exit 1; \
	  fi; \
	fi

corpus/pdfs/.built: venv font corpus/build.py corpus/manifest.toml $(wildcard corpus/texts/*.txt)
	$(PY) corpus/build.py
	touch $@

corpus: corpus/pdfs/.built

demo: corpus
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(PLANEX) load corpus/pdfs corpus/real --db $(DEMO_DB)
	$(PLANEX) documents --db $(DEMO_DB)
	$(PLANEX) plans --db $(DEMO_DB)
	$(PLANEX) show 北海道 --db $(DEMO_DB)
	$(PLANEX) show 北海道 --db $(DEMO_DB) --section ジェネリック医薬品の使用促進
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

lint: venv
	$(VENV)/bin/ruff check .

test: corpus lint
	$(PY) -m pytest

bench: corpus
	$(PY) bench/bench.py
	$(PY) bench/search_bench.py
	$(PY) bench/workbook_bench.py

clean:
	rm -rf corpus/pdfs $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm demo-kpis.csv demo-kpis-wide.csv \
	  demo-programs.csv demo-plans.xlsx .pytest_cache

schemas: venv
	$(PY) -m schemas.jsonschema

# Run the notebooks on $(DEMO_DB) (built by their first cell if missing) and write them, charts
# included, as HTML into notebooks/out/ — no Jupyter front end needed.
notebooks: corpus
	PLANEX_DB=$(abspath $(DEMO_DB)) $(VENV)/bin/jupyter nbconvert --to html --execute \
	  --output-dir notebooks/out notebooks/*.ipynb
	@echo "open notebooks/out/kpi_targets_by_branch.html"
