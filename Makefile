# Huhang: `make run` starts the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
export FLASK_APP := wsgi.py
HTMX := app/static/vendor/htmx.min.js
FONTS := app/static/fonts/huhang-sans-sc-regular.otf app/static/fonts/huhang-sans-sc-bold.otf
CATALOGS := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))
DEBIAN_PACKAGES := chromium fonts-noto-cjk fonts-wqy-zenhei poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: run test setup system assets translations extract-messages db bench clean lock

run: setup db
	$(FLASK) seed-demo --if-empty
	@echo "Huhang is starting on http://127.0.0.1:5000  (Ctrl-C stops it)"
	HUHANG_BIND=127.0.0.1:5000 WEB_CONCURRENCY=2 HUHANG_ACCESS_LOG=- $(VENV)/bin/gunicorn -c gunicorn.conf.py

test: setup $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system $(VENV)/.runtime assets translations

# System packages: Chinese fonts, Chromium (browser tests), poppler (PDF checks), Pango (WeasyPrint).
system:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "Missing Debian packages. Run:  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

# pip and setuptools of the venv are upgraded first; requirements*.txt carry every dependency with
# its hashes, so pip installs exactly what was tested (hash-checking mode) or refuses.
PIP_VERSION := 26.3
SETUPTOOLS_VERSION := 84.2.1

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check --upgrade pip==$(PIP_VERSION) setuptools==$(SETUPTOOLS_VERSION)
	$(PIP) install -q --disable-pip-version-check --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PIP) install -q --disable-pip-version-check --require-hashes -r requirements-dev.txt
	touch $@

# For developers: after editing requirements.in / requirements-dev.in, pin every dependency with hashes.
lock:
	test -x .lockenv/bin/pip-compile || ($(PYTHON) -m venv .lockenv && .lockenv/bin/pip install -q pip-tools==7.6.2)
	.lockenv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	.lockenv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

# Static files, then a .gz beside each (WhiteNoise sends them to browsers that accept gzip).
assets: $(HTMX) $(FONTS)
	$(PY) -m whitenoise.compress --quiet --no-brotli app/static

# node_modules: htmx (copied into static below) and, for the tests only, axe-core (a devDependency,
# never copied into static, never served). npm ci installs both whenever package*.json change.
NODE_MODULES := node_modules/.package-lock.json

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(HTMX): $(NODE_MODULES)
	mkdir -p $(dir $@)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(FONTS) &: tools/make_font_subset.py $(VENV)/.runtime
	$(PY) tools/make_font_subset.py

translations: $(CATALOGS)

%.mo: %.po
	$(VENV)/bin/pybabel compile -f -d app/translations -i $< -o $@ >/dev/null

# For developers: collect new strings into the catalogs (then translate them in the .po files).
extract-messages: $(VENV)/.runtime
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output --no-wrap .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete --no-wrap

db: $(VENV)/.runtime
	$(FLASK) db upgrade heads

bench: setup $(VENV)/.dev
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules $(HTMX) app/static/fonts app/translations/*/LC_MESSAGES/*.mo
	find app/static -name '*.gz' -delete
