# The front door. A fresh machine needs two commands: `make run` (demo site) and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run install install-dev system system-test migrate demo serve test lint check messages translations worker beat clean

run: install system messages migrate demo serve

$(VENV)/.runtime: requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime

install-dev: $(VENV)/.dev

# Fonts and libraries the PDF stack needs (Chinese font, fast font subsetting, pdftotext, msgfmt).
system:
	@bash bin/system-packages fonts-noto-cjk libharfbuzz-subset0 poppler-utils gettext

# ... plus the browser for the end-to-end tests.
system-test:
	@bash bin/system-packages fonts-noto-cjk libharfbuzz-subset0 poppler-utils gettext chromium

messages: install
	$(PY) manage.py compilemessages -v0 --ignore=.venv

# Refresh locale/zh_Hans/LC_MESSAGES/django.po from the code; then translate the new entries.
translations: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location -i .venv -i static -i tests -i bench

migrate: install
	$(PY) manage.py migrate --noinput -v0

demo: install
	$(PY) manage.py seed_demo

serve:
	@echo "Portal: http://$(HOST)/  (stop with Ctrl-C)"
	$(PY) manage.py runserver $(HOST)

lint: install-dev
	$(VENV)/bin/ruff check .

check: install-dev
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) manage.py check

test: install-dev system-test messages lint check
	$(PY) bin/run-tests

worker: install
	$(VENV)/bin/celery -A portal worker --pool=prefork --concurrency=2 --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A portal beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
