# Two commands on a fresh machine: `make run` and `make test`. Every install step lives here (CI has nothing else).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# make serve: gunicorn worker processes (each one a Python process; 2-4 per core is gunicorn's advice).
WORKERS ?= 4
# The job runner's worker threads (flask run-jobs).
JOB_WORKERS ?= 2
export FLASK_APP := app

.PHONY: run jobs test test-fast bench lighthouse install install-test translations messages chromium postgres redis db demo \
	serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

# The Welsh catalogue, compiled for Flask-Babel (the .mo files are built, not committed); --statistics prints how
# much of it is translated (tests/i18n/test_catalogue.py fails below 100 %).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations --statistics

# After adding or changing a message: extract every string and add the new ones to the Welsh catalogue (untranslated
# until a Welsh entry is written: README, "Welsh").
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k plural_forms:1,2 --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium' (Debian) and retry."; \
		exit 1; \
	fi

# The PostgreSQL tests start a throwaway server from Debian's binaries (tests/support/postgres.py).
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's postgresql for the PostgreSQL tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "The PostgreSQL tests need Debian's postgresql: run 'sudo apt-get install postgresql' and retry."; \
		exit 1; \
	fi

# The job runner's tests on Redis (JOBS_URL=redis://..., several hosts) start a throwaway redis-server from Debian's
# package (tests/support/redis.py).
redis:
	@if command -v redis-server >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's redis-server for the job runner's Redis tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	else \
		echo "The Redis tests need Debian's redis-server: run 'sudo apt-get install redis-server' and retry."; \
		exit 1; \
	fi

db: install
	$(BIN)/flask init-db

demo: db
	$(BIN)/flask seed-demo --refresh

run: demo
	@echo ""
	@echo "Fieldwork is starting on http://$(HOST):$(PORT)/"
	@echo "Demo logins (password: $${DEMO_PASSWORD:-fieldwork-demo}):"
	@echo "  lead@demo.test  reviewer@demo.test  reviewer2@demo.test  lay@demo.test  link@demo.test  coordinator@demo.test"
	@echo "  admin@demo.test (site administrator: reviews, accounts, teams at /admin)"
	@echo "Demo accounts sign in with the password alone; a real deployment asks leads, link officers,"
	@echo "coordinators and administrators for a second factor (README: Accounts and sign-in)."
	@echo "The job runner (alerts: the lone-worker ladder, red concerns, programme changes) runs beside it."
	@echo ""
	@# Two processes, one Ctrl-C: the runner in the background, the web server in the foreground; when the web
	@# server ends (Ctrl-C, or it fails) the trap stops the runner and waits for it to finish its task in hand.
	@trap 'kill -INT $$jobs 2>/dev/null; wait $$jobs 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run-jobs --workers $(JOB_WORKERS) & jobs=$$!; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The job runner alone, in the foreground (production: one per host, or several on one Redis queue; README).
jobs: db
	$(BIN)/flask run-jobs --workers $(JOB_WORKERS)

test: install-test chromium postgres redis
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile

# Everything but the browser: a quick loop while editing.
test-fast: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not browser"

# Production serving: several gunicorn workers on the configured database (DATABASE_URL, else the SQLite file in
# instance/), the schema migrated first. tests/support/gunicorn.py runs this same command line; keep them alike.
serve: install
	$(BIN)/flask init-db
	$(BIN)/gunicorn --no-control-socket -w $(WORKERS) -b $(HOST):$(PORT) 'app:create_app()'

# Figures side by side in one run, written to BENCHMARKS.md (a few minutes; PostgreSQL parts when it is installed).
bench: install-test
	$(BIN)/python bench/run.py

# Lighthouse (npm, pinned in package.json) with Debian's Chromium, mobile, signed in on a demo database served by
# gunicorn; adds its scores to BENCHMARKS.md.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

lighthouse: install-test chromium node_modules/.installed
	$(BIN)/python bench/lighthouse.py

clean:
	rm -rf $(VENV) instance .pytest_cache
