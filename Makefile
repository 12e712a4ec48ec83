# The two commands of the README:
#   make serve   set up everything, build the book, serve book + live modules
#   make test    set up everything (incl. Debian chromium and bubblewrap), run the whole test suite
# and for authors: make test-fast (unit tests: no browser, no book build, under a minute).
# Python packages are installed at the versions of requirements/constraints.txt (`make lock` refreshes it).
PY     ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
JOBS   ?= 2
LOCK   := requirements/constraints.txt
# pytest-randomly shuffles the order of the tests; its seed is printed at the top (replay: PYTEST_SEED=N make test)
SEED   := $(if $(PYTEST_SEED),--randomly-seed=$(PYTEST_SEED),)

.PHONY: setup serve build test test-fast test-py test-js test-modules check lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(LOCK) -e ".[test]"
	touch $@

# Refresh the lock after changing the dependencies in pyproject.toml (needs the package registry).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.10 --no-header \
	    --custom-compile-command "make lock" -o $(LOCK)

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
	bash scripts/ensure-system-packages.sh
	$(MAKE) test-js
	$(MAKE) test-py
	$(MAKE) test-modules

test-fast: setup
	$(BIN)/pytest -n $(JOBS) --dist loadfile -m "not browser and not slow" $(SEED) tests

test-js: node_modules/.installed
	node --test tests/js/

test-py: setup
	$(BIN)/pytest -n $(JOBS) --dist loadfile $(SEED) tests

# a notebook's cells run in order on one kernel: no shuffling here
test-modules: setup
	$(BIN)/pytest --nbval-lax -p no:randomly -n $(JOBS) --dist loadscope modules

clean:
	rm -rf _build .pytest_cache
