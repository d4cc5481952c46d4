# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
DEV_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run test api-contract install syspkgs-run syspkgs-test syspkgs-bench syscheck lint check docs clean \
	backup restore bench bench-national

# The dependencies are installed by uv, from PyPI as pip would (same versions resolved, checked
# with `uv pip freeze`): ≈ 4 s instead of pip's ≈ 30 s on a fresh clone, counted in `make test`.
$(PY):
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || bash scripts/system_packages.sh venv
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv

$(STAMP): pyproject.toml | $(PY)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages (WeasyPrint's libraries and fonts; Chromium and poppler-utils for the tests),
# installed when missing: see scripts/system_packages.sh.
syspkgs-run:
	@bash scripts/system_packages.sh run

syspkgs-test:
	@bash scripts/system_packages.sh test

syspkgs-bench:
	@bash scripts/system_packages.sh bench

syscheck: install syspkgs-run
	@$(PY) scripts/check_system.py

run: install syscheck
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo "Portail : http://127.0.0.1:$(PORT)/  (Ctrl-C arrête le serveur, le worker et beat ; chacun est relancé s'il meurt)"
	$(DEV_ENV) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f Procfile.dev start -p $(PORT)

# The suite in parallel (pytest-xdist): one process per CPU by default, each with its own test
# database, cache and Celery queues; idle processes take pending tests from busy ones
# (one process more than CPUs was measured slower: 408 s against 377 s on 2 cores).
PYTEST_WORKERS ?= logical
test: install syspkgs-test syscheck
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The API against its schema: schemathesis, every check, 50 examples per operation, with a relay
# staff token and a company owner token, on the demo database of DATABASE_URL (scripts/api_contract.py).
api-contract: install
	$(DEV_ENV) $(PY) scripts/api_contract.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check: install
	SECRET_KEY_OPTIONAL=1 $(PY) manage.py check
	SECRET_KEY_OPTIONAL=1 $(PY) manage.py makemigrations --check --dry-run

# The documentation site (docs/, mkdocs.yml): --strict turns a broken link or a page left out
# of the navigation into an error. Open var/site/index.html, or `.venv/bin/mkdocs serve`.
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir var/site

# National-scale benchmark (docs/performance.md): its own PostgreSQL database (created and
# migrated by the generator), wrk installed like the other Debian packages. The data set is
# generated once and reused while BENCH_COMPANIES is unchanged; BENCH_RESET=1 regenerates it.
#   make bench                                     100 000 companies (≈ 6 min), then the load test
#   make bench BENCH_COMPANIES=2000 BENCH_MEASURE_ARGS="--duration 3 --output var/bench.md"
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/pme_national
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/7
BENCH_COMPANIES ?= 100000
BENCH_MEASURE_ARGS ?=
BENCH_ENV := DEBUG=1 DATABASE_URL="$(BENCH_DATABASE_URL)" REDIS_URL="$(BENCH_REDIS_URL)"

bench: bench-national

bench-national: install syspkgs-bench syscheck
	$(BENCH_ENV) $(PY) bench/national.py generate --companies $(BENCH_COMPANIES) \
		$(if $(filter 1,$(BENCH_RESET)),--reset,--reuse)
	$(BENCH_ENV) $(PY) bench/national.py serve-and-measure $(BENCH_MEASURE_ARGS)

# Backups of the PostgreSQL database (docs/exploitation.md, « Sauvegardes »): custom format, restorable anywhere.
backup:
	@test -n "$$DATABASE_URL" || { echo "make backup : DATABASE_URL (PostgreSQL) est nécessaire" >&2; exit 2; }
	@mkdir -p var/backups
	pg_dump --format=custom --no-owner --dbname="$$DATABASE_URL" --file="$(or $(FILE),var/backups/pme-$(shell date +%Y%m%d-%H%M%S).dump)"

restore:
	@test -n "$(FILE)" || { echo "Usage : make restore FILE=var/backups/pme-AAAAMMJJ-HHMMSS.dump" >&2; exit 2; }
	@test -n "$$DATABASE_URL" || { echo "make restore : DATABASE_URL (PostgreSQL) est nécessaire" >&2; exit 2; }
	pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction --dbname="$$DATABASE_URL" "$(FILE)"

clean:
	rm -rf var/ $(VENV)
