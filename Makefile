# 동네 Dongne — `make run` starts the platform with the Chuncheon demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Where the PostgreSQL pass runs (make test-postgres); the CI uses the machine's server.
PG_URL ?= postgres://postgres@127.0.0.1:5432/dongne

.PHONY: run install install-app test test-postgres lint messages check-messages browser-deps java-deps bench clean

# The platform alone (make run) …
$(BIN)/.installed-app: pyproject.toml
	@if ! $(PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-dev build-essential >/dev/null; fi
	@# WeasyPrint (PDF) needs pango and a Korean font from Debian
	@if { ! fc-list :lang=ko 2>/dev/null | grep -q . || ! ldconfig -p 2>/dev/null | grep -q libpangoft2; } \
	    && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-nanum >/dev/null; fi
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

# … and with the test tools and Spark (make test).
$(BIN)/.installed: $(BIN)/.installed-app
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	@touch $@

install-app: $(BIN)/.installed-app
install: $(BIN)/.installed

run: install-app
	@$(BIN)/dongne demo
	@echo ""
	@echo "  동네 Dongne → http://$(HOST):$(PORT)/   (다른 포트: PORT=8080 make run)"
	@echo "  사무국 로그인 / secretariat login: samuguk@demo.dongne.kr / dongne-demo-2018"
	@echo ""
	@HOST=$(HOST) PORT=$(PORT) $(BIN)/dongne serve

# The whole suite: lint, migrations in sync, translations compiled, tests (real browser included).
test: install browser-deps java-deps lint check-messages
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Extract messages into the .po files (needs gettext); then check-messages fails on any untranslated one.
messages: install-app
	cd src/dongne && DONGNE_DATA_DIR=../../var ../../$(BIN)/django-admin makemessages -l ko -l en --no-obsolete --settings=dongne.config.settings
	$(MAKE) check-messages

check-messages: install-app
	@if command -v msgfmt >/dev/null; then cd src/dongne && DONGNE_DATA_DIR=../../var ../../$(BIN)/django-admin compilemessages --settings=dongne.config.settings >/dev/null; \
	else echo "msgfmt (gettext) not found: using the committed .mo files"; fi
	$(BIN)/python -m dongne.core.i18ncheck

# Debian's chromium for the real-browser tests (Playwright cannot download a browser offline).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium is not installed: browser tests will be skipped (apt-get install chromium fonts-noto-cjk)"; fi; \
	fi

# Java for the Spark engine (the Spark equivalence test); Debian's headless JRE.
java-deps:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "java is not installed: Spark tests will be skipped (apt-get install default-jre-headless)"; fi; \
	fi

# Benchmarks print ratios against a baseline measured in the same run (BENCH_ROWS=2000000 for a quick run).
BENCH_ROWS ?= 10000000
bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/bench_ingest.py --rows $(BENCH_ROWS)
	$(BIN)/python bench/bench_query.py --rows $(BENCH_ROWS)
	$(BIN)/python bench/bench_programs.py
	$(BIN)/python bench/bench_opportunities.py
	$(BIN)/python -m bench.load.run --organisations 2000 --rows 200000 --duration 20 --requests 3000

clean:
	rm -rf $(VENV) var build *.egg-info
