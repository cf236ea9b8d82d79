# Diaodu — two commands for a fresh machine: `make run` and `make test`.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
VENDOR  := diaodu/web/static/vendor
HOST    ?= 127.0.0.1
PORT    ?= 8000

# Benchmarks (bench/README.md): figures and ratios against their floors, never timed tests.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/diaodu_bench
BENCH_PROJECTS ?= 100000

.PHONY: run test lint lock bench install assets messages migrate demo serve worker scheduler clean-vendor

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PY)）"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Every Python package comes from requirements.lock, pinned with hashes; the project itself is
# installed on top without resolving anything. `make lock` rewrites the lock after a pin changes.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --no-header -o requirements.lock

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(VENDOR)/.copied: node_modules/.package-lock.json Makefile
	mkdir -p $(VENDOR)/tabler $(VENDOR)/leaflet/images
	cp node_modules/@tabler/core/dist/css/tabler.min.css $(VENDOR)/tabler/
	cp node_modules/@tabler/core/dist/js/tabler.min.js $(VENDOR)/tabler/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/@alpinejs/csp/dist/cdn.min.js $(VENDOR)/alpine-csp.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/
	cp node_modules/leaflet/dist/images/* $(VENDOR)/leaflet/images/
	@touch $@

install: $(VENV)/.installed $(VENDOR)/.copied messages

# The English catalogue: compiled from diaodu/locale/en/LC_MESSAGES/django.po (GNU msgfmt). The
# compiled django.mo is also committed, so a machine without gettext still serves English; a
# test proves the committed one is the compilation of the .po.
messages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null 2>&1; then \
	  cd diaodu && ../$(BIN)/diaodu compilemessages -l en -v 0; \
	else echo "msgfmt 不可用（apt-get install gettext）：使用仓库中已编译的 django.mo"; fi

assets: $(VENDOR)/.copied

migrate: install
	$(BIN)/diaodu migrate --noinput

demo: migrate
	$(BIN)/diaodu demo

# `diaodu serve` runs gunicorn, the task worker and the scheduler, and restarts the worker or the
# scheduler when one exits (diaodu/ops/supervise.py); Ctrl-C stops all three.
# migrate, demo and collectstatic run inside the serving process (`--prepare`): one start-up
# instead of four, so a restart on an existing database answers within seconds.
run: install
	$(BIN)/diaodu serve --prepare --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/diaodu worker

scheduler: install
	$(BIN)/diaodu scheduler

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# The guards CI runs besides the tests: lint and format, layer contracts, no missing migration.
lint: install
	$(BIN)/ruff check diaodu bench
	$(BIN)/ruff format --check diaodu bench
	$(BIN)/lint-imports
	$(BIN)/diaodu makemigrations --check --dry-run

clean-vendor:
	rm -rf $(VENDOR)

bench: install
	createdb -h 127.0.0.1 -U postgres diaodu_bench 2>/dev/null || true
	DATABASE_URL=$(BENCH_DB) $(BIN)/diaodu migrate --noinput --verbosity 0
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/ledger.py --projects $(BENCH_PROJECTS)
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/documents.py
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/imports.py --rows 10000
	$(BIN)/python bench/schedule_engine.py
	$(BIN)/python bench/tasks.py
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/schedule.py $(BENCH_PROJECTS)
	$(BIN)/python bench/restart.py --runs 2
