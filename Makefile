# The two commands of the README:
#   make serve   set up everything, build the book, serve book + live modules
#   make test    set up everything (incl. Debian chromium), run the whole test suite
PY     ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
JOBS   ?= 2

.PHONY: setup serve build test test-py test-js test-modules check clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

build: setup
	$(BIN)/h4s build

serve: build
	$(BIN)/h4s serve --no-build --host $(HOST) --port $(PORT)

check: setup
	$(BIN)/h4s check modules --jobs $(JOBS)

test: setup
	bash scripts/ensure-chromium.sh
	$(MAKE) test-js
	$(MAKE) test-py
	$(MAKE) test-modules

test-js: node_modules/.installed
	node --test tests/js/

test-py: setup
	$(BIN)/pytest -n $(JOBS) --dist loadfile tests

test-modules: setup
	$(BIN)/pytest --nbval-lax -n $(JOBS) --dist loadscope modules

clean:
	rm -rf _build .pytest_cache
