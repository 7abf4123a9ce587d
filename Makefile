# Commands on a fresh clone (Python 3.11+ and make):
#   make run    set up, load the demo and serve on http://127.0.0.1:$(PORT)
#   make test   lint, migration check, the whole suite on SQLite and on PostgreSQL
#   make smoke  the reliability smoke: 60 s of load over TLS with a database restart
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-k login -x"
PYTEST_ARGS ?=
# PostgreSQL for the second run of the suite; found at 127.0.0.1:5432 when unset.
TEST_DATABASE_URL ?=
# Tests always run production-like (DEBUG off), whatever .env says.
TEST_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=not-secret-only-for-the-test-suite DJANGO_ALLOWED_HOSTS=localhost

LOCK := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test smoke install lock messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (PYTHON=$(PYTHON))."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the lock file changes.
$(VENV)/.installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

install: $(VENV)/.installed

# A local .env with DEBUG on and a fresh secret key; never committed.
.env:
	@printf 'DJANGO_DEBUG=true\nDJANGO_SECRET_KEY=%s\n' \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (DEBUG on, new secret key)."

run: install .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The apps bandit scans (security.md row 22); [tool.bandit] in pyproject.toml leaves tests out.
BANDIT_TARGETS := accounts network members consultations referrals privacy reports lifesupport

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r $(BANDIT_TARGETS) -ll -q
	env $(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	@echo "== Test suite on SQLite"
	env $(TEST_ENV) DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest $(PYTEST_ARGS)
	@url="$(TEST_DATABASE_URL)"; \
	if [ -z "$$url" ] && $(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null; then \
		url="postgres://postgres@127.0.0.1:5432/lifesupport"; \
	fi; \
	if [ -z "$$url" ]; then \
		if [ -n "$$CI" ]; then echo "PostgreSQL is required in CI and was not reachable."; exit 1; fi; \
		echo "== PostgreSQL not reachable at 127.0.0.1:5432 and TEST_DATABASE_URL unset: skipped the PostgreSQL run."; \
	else \
		echo "== Test suite on PostgreSQL"; \
		env $(TEST_ENV) DATABASE_URL="$$url" $(BIN)/pytest $(PYTEST_ARGS); \
	fi

# The reliability smoke (bench/reliability.py --smoke, 3 to 5 minutes): PostgreSQL in a
# cluster of its own on port 55432 (Debian's pg_createcluster; run as root), gunicorn over
# TLS, 60 s of load with one database restart; fails when a save is lost or a request fails
# outside the restart. bench/README.md, "Reliability run", has the full run.
smoke: install
	$(BIN)/python bench/reliability.py --smoke

# Regenerate both lock files from pyproject.toml (after changing a dependency).
lock: install
	$(LOCK) -o requirements.lock pyproject.toml
	$(LOCK) --extra dev -o requirements-dev.lock pyproject.toml

# Refresh the catalogue after changing user-facing strings, then translate the new entries.
messages: install
	env $(TEST_ENV) $(BIN)/python manage.py makemessages --locale ja --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*'
	env $(TEST_ENV) $(BIN)/python manage.py compilemessages --locale ja --ignore '.venv/*'

clean:
	rm -rf $(VENV) var staticfiles
