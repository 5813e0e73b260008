# 妇联工作台 — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test bench lint messages manual clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The demo runs with DEBUG on (Django serves the static files); production leaves it off.
run: export DEBUG = 1
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py prepare_pdf_font --verbosity 0
	@echo ""
	@echo "妇联工作台: http://$(HOST)/admin/"
	@echo "演示账号 (仅供演示): admin / town / taiba / chair / county，密码均为 zhanerxiang-demo"
	@echo ""
	@# Background work (large roster imports) runs in a worker beside the web server; the
	@# trap stops it when runserver stops (Ctrl-C included). Without --no-reload its reloader
	@# would leave a child running after the kill.
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

# The browser tests (tests/e2e) drive Debian's chromium with a CJK font. As root (CI, the
# development machines) the target installs them when missing; otherwise it says what to
# install, and the browser tests fail with the same message.
BROWSER_PACKAGES := chromium fonts-noto-cjk
# The suite runs on every core (pytest-xdist; each worker has its own test database);
# PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n auto

test: install
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "== installing $(BROWSER_PACKAGES) for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium and a CJK font: sudo apt-get install $(BROWSER_PACKAGES)" >&2; \
	  fi; \
	fi
	@# The PDFs' font is converted once (~25 s), not by each test worker printing a binder.
	$(PY) manage.py prepare_pdf_font --verbosity 0
	$(PY) -m pytest $(PYTEST_ARGS)

# The manual's pictures (帮助: federation/static/federation/manual/*.png) are the browser tests'
# screenshots, taken at the steps the manual explains (tests/e2e/journey.py manual_shot) when
# MANUAL_SHOTS is set; then the manual is checked to show each of them (tests/core/test_help.py).
# Commit the pictures that changed. MANUAL_ARGS="-n 2" takes them on two cores.
MANUAL_ARGS ?=
manual: install
	$(PY) manage.py prepare_pdf_font --verbosity 0
	MANUAL_SHOTS=1 $(PY) -m pytest tests/e2e -q -p no:cacheprovider $(MANUAL_ARGS)
	$(PY) -m pytest tests/core/test_help.py -q -p no:cacheprovider

bench: install
	$(PY) bench/run.py

# ruff; the layout's contracts (layers, the core's public modules, no import cycle:
# pyproject.toml [tool.importlinter]); no model change without its migration.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
