# reportgen — `make report` builds output/ from input/, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: help report test lint typecheck check bench templates fixtures clean

help: ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

report: $(INSTALLED) ## set up .venv, then build output/ (PDF and DOCX) from input/
	$(BIN)/reportgen build input -o output

test: $(INSTALLED) ## run the whole test suite: the tests that stand alone over two cores, then the browser and load tests by themselves
	$(BIN)/python -m pytest -n 2 -m "not browser and not load"
	$(BIN)/python -m pytest -p no:xdist -m "browser or load"

lint: $(INSTALLED) ## ruff over the package, the tests and the scripts
	$(BIN)/ruff check reportgen tests bench tools

typecheck: $(INSTALLED) ## mypy over the package, as [tool.mypy] in pyproject.toml says
	$(BIN)/mypy

check: $(INSTALLED) ## check the workbooks in input/ without writing the report
	$(BIN)/reportgen check input

bench: $(INSTALLED) ## time every step at 20, 200 and 2,000 goals (and LibreOffice, if installed)
	$(BIN)/python bench/run.py

templates: $(INSTALLED) ## remake the core fonts, templates/report.docx and the default input from their scripts
	$(BIN)/python tools/make_core_fonts.py templates/fonts
	$(BIN)/python tools/make_docx_template.py templates/report.docx
	$(BIN)/python tools/make_default_input.py input/tema-1-vision-og-bosaetning.xlsx

fixtures: $(INSTALLED) ## remake the .ods and .xls test fixtures from their script (needs LibreOffice)
	$(BIN)/python tools/make_format_fixtures.py tests/fixtures

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,web]"
	touch $@

clean: ## remove .venv and output/
	rm -rf $(VENV) output
