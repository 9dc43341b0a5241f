# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run   - install into .venv, migrate, load demo data the first time, start web + worker + beat
#   make test  - install into .venv and run the whole test suite (PostgreSQL/Redis when
#                DATABASE_URL / REDIS_URL are set, SQLite and the embedded broker otherwise), the
#                browser tests included (Debian's chromium and fonts-noto-cjk, installed as root)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install check-python clean translations fonts browser-packages

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s); set PYTHON=python3.11" % sys.version.split()[0])'

$(STAMP): requirements.txt | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $(STAMP)

install: $(STAMP) fonts

# PORT, LOG_LEVEL and the other settings come from the environment (or `make run PORT=9000`), read by config.py.
run: install
	APP_ENV=$${APP_ENV:-demo} $(PY) -m app.devserver

test: install browser-packages
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache

# Messages: extract every text a user sees, merge into zh and en, compile (the .mo files are committed).
translations: install
	$(VENV)/bin/pybabel extract -F translations/babel.cfg -k _l -k lazy_gettext -k _ -k N_ --no-location --omit-header --sort-output -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(PY) translations/fill_english.py
	$(VENV)/bin/pybabel compile -d translations --statistics

# Debian's chromium and fonts-noto-cjk for tests/browser/ when missing (apt-get, as root). Without them:
# with CI=true a failure, otherwise the browser tests skip and say why.
browser-packages:
	@sh tests/browser/system_packages.sh

# The Chinese font of the printed notices (Noto Serif SC, OFL): the pinned npm tarball, checked
# against its SHA-256, reduced to two TTFs in app/documents/fonts/ (git-ignored). A no-op when they
# are there; without network, the notices fall back to Debian's fonts-wqy-microhei if installed.
fonts: | check-python
	@$(PYTHON) app/documents/fetch_fonts.py
