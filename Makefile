# The two commands a newcomer needs: `make run` and `make test`. Both install what they need
# first (scripts/bootstrap.sh, where every tool version is pinned) and skip what is present.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
PROFILE    := $(if $(RELEASE),release,debug)
# scripts/build.sh copies the built server here (by rename, so a serving `make run` is not
# disturbed); `make run` and the browser tests start this one.
BIN        := $(TARGET_DIR)/site-bin/$(PROFILE)/hub
SITE_ROOT  := $(CURDIR)/target/$(if $(RELEASE),site-release,site)
# Test tools from PyPI (scripts/bootstrap.sh installs them here).
export PYTOOLS := $(TARGET_DIR)/pytools
export TEST_PYTHON := $(PYTOOLS)/bin/python

.PHONY: help tools test-tools build watch run seed test fmt fmt-check lint unit it it-sqlite it-postgres browser bench bench-webhooks bench-transfer bench-quotes clean-data

help:
	@echo "make run    build, migrate, seed the demo hub on first start, serve on http://localhost:3000"
	@echo "make test   formatting, clippy (server + wasm), unit, SQLite + PostgreSQL integration, browser tests"
	@echo "make build  the Leptos build only (RELEASE=1 for an optimised build)"

tools:
	@scripts/bootstrap.sh build

test-tools:
	@scripts/bootstrap.sh test

build: tools
	scripts/build.sh $(PROFILE)

# Rebuild and reload on every change (needs cargo-leptos, compiled once on first use).
watch:
	@scripts/bootstrap.sh watch
	cargo leptos watch

# The demo lets webhooks reach the reference partner on this machine over plain http
# (`outbound.allow_*`, refused in production).
run: build
	@mkdir -p data
	$(BIN) seed
	HUB_SITE_ROOT=$(SITE_ROOT) HUB_OUTBOUND_ALLOW_HTTP=true HUB_OUTBOUND_ALLOW_LOOPBACK=true $(BIN) serve

seed:
	$(BIN) seed

fmt:
	cargo fmt --all

fmt-check:
	cargo fmt --all -- --check

lint: tools
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown --features hydrate -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown --features hydrate,shop -- -D warnings

unit:
	cargo test --workspace --exclude frontend --exclude hub-tests

it-sqlite: test-tools
	TEST_DB=sqlite cargo test -p hub-tests --test it

it-postgres: test-tools
	TEST_DB=postgres cargo test -p hub-tests --test it

it: it-sqlite it-postgres

browser: test-tools build
	cargo build -p reference-partner
	TEST_HUB_BIN=$(BIN) TEST_SITE_ROOT=$(SITE_ROOT) TEST_REFERENCE_PARTNER_BIN=$(TARGET_DIR)/debug/reference-partner \
	  cargo test -p hub-tests --test browser --test browser_accounts --test browser_store --test browser_partners --test browser_orders --test browser_quotes --test crash -- --test-threads=2

test: test-tools fmt-check lint build unit it browser
	@echo "make test: all green"

# The storefront benchmark: release build, generated datasets under target/bench/, wrk runs;
# writes the figures into docs/PERFORMANCE.md. BENCH_QUICK=1 for a short trial run.
# Then webhook delivery (scripts/bench-webhooks.sh, its own section of the same document).
bench:
	scripts/bench.sh
	scripts/bench-webhooks.sh
	scripts/bench-transfer.sh
	scripts/bench-quotes.sh

bench-webhooks:
	scripts/bench-webhooks.sh

# Cart transfer: the live price list, confirms/s against bare inserts, and the SIGKILL run.
bench-transfer:
	scripts/bench-transfer.sh

# Quote requests: send → every automatic answer stored, 20 lines to 5 distributors of 100,000 SKUs.
bench-quotes:
	scripts/bench-quotes.sh

clean-data:
	rm -rf data
