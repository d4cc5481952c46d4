# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
DEV_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run test install syspkgs-run syspkgs-test syscheck lint check clean backup restore

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages (WeasyPrint's libraries and fonts; Chromium and poppler-utils for the tests),
# installed when missing: see scripts/system_packages.sh.
syspkgs-run:
	@bash scripts/system_packages.sh run

syspkgs-test:
	@bash scripts/system_packages.sh test

syscheck: install syspkgs-run
	@$(PY) scripts/check_system.py

run: install syscheck
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo "Portail : http://127.0.0.1:$(PORT)/  (Ctrl-C arrête le serveur, le worker et beat ; chacun est relancé s'il meurt)"
	$(DEV_ENV) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f Procfile.dev start -p $(PORT)

test: install syspkgs-test syscheck
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	SECRET_KEY_OPTIONAL=1 $(PY) manage.py check
	SECRET_KEY_OPTIONAL=1 $(PY) manage.py makemigrations --check --dry-run

# Backups of the PostgreSQL database (README, « Sauvegardes »): custom format, restorable anywhere.
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
