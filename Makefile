# openCSC: `make run` sets up and serves the demo borough; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ENV := DEBUG=True OPENCSC_DEMO_MODE=True SECURE_SSL_REDIRECT=False
DEMO_CHILDREN ?= 400
PYTEST_ARGS ?=

.PHONY: run test test-postgres lint assets setup migrate seed clean manage

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/.built: node_modules/.installed $(wildcard opencsc/core/assets/*.scss opencsc/*/assets/js/*.js)
	mkdir -p build/static/css build/static/js build/static/govuk
	npx --no-install sass --pkg-importer=node --no-source-map --style=compressed --quiet-deps \
		opencsc/core/assets/opencsc.scss build/static/css/opencsc.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js build/static/govuk/
	mkdir -p build/static/govuk/assets/images
	cp node_modules/govuk-frontend/dist/govuk/assets/images/govuk-crest.svg build/static/govuk/assets/images/
	cp opencsc/*/assets/js/*.js build/static/js/
	touch $@

assets: build/static/.built

setup: $(VENV)/.installed assets

migrate: setup
	$(DEMO_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEMO_ENV) $(PY) manage.py seed_demo --if-empty --children $(DEMO_CHILDREN) --seed 2026
	@# The Performance page reads stored figures (a nightly job in production): compute today's.
	$(DEMO_ENV) $(PY) manage.py compute_indicators

run: seed
	@$(DEMO_ENV) PORT=$(PORT) $(PY) manage.py demo_logins
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-postgres: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/opencsc} $(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy opencsc

# Any management command against the demo checkout, with the demo settings: make manage CMD="verify_audit"
manage: setup
	$(DEMO_ENV) $(PY) manage.py $(CMD)

clean:
	rm -rf build staticfiles
