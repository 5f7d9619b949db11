# One entry point for contract and Rust developers. `make test` is what CI runs (.ci/run).
# Every tool is called by its native binary: the npm shims in node_modules/.bin exit 0 even
# when the tool fails, which would turn a failing suite into a green build.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(CURDIR)
PLATFORM := $(shell uname -s | tr '[:upper:]' '[:lower:]')-$(shell uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')
FORGE := $(ROOT)/node_modules/@foundry-rs/forge-$(PLATFORM)/bin/forge
ANVIL := $(ROOT)/node_modules/@foundry-rs/anvil-$(PLATFORM)/bin/anvil
CAST := $(ROOT)/node_modules/@foundry-rs/cast-$(PLATFORM)/bin/cast
# foundry.toml's relative `solc` would resolve against the caller's directory; pin it here.
export FOUNDRY_SOLC := $(ROOT)/tools/solc/solc
export FOUNDRY_OFFLINE := true
CARGO ?= cargo

.PHONY: help bootstrap build test demo lint fmt snapshot layouts clean test-solc-wrapper test-forge test-cargo

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

bootstrap: ## Install the pinned npm toolchain (only when package-lock.json changed) and link lib/
	@tools/bootstrap.sh

build: bootstrap ## Compile the contracts (forge build); cargo reads the artifacts in out/
	python3 tools/broken_variants.py
	$(FORGE) build

test: build lint test-solc-wrapper test-forge test-cargo ## Everything CI checks: lint, solc wrapper, forge and cargo tests
	@echo "make test: all checks passed"

demo: build ## Start a local anvil, deploy everything with mocks and narrate a full lifecycle (anvil stops on exit)
	$(CARGO) run -q --locked -p pools-cli -- demo

test-solc-wrapper: bootstrap
	node --test tools/solc/

# The gas benchmarks rewrite snapshots/ on every run; the committed figures must match what they
# measure now (forge's own snapshot check does not fail the run, so compare the files).
test-forge: build
	@before=$$(mktemp -d) && cp -r snapshots/. "$$before"/ && \
	$(FORGE) test && \
	if ! diff -r "$$before" snapshots; then \
		echo "gas snapshots changed (diff above): run 'make snapshot' and commit snapshots/" >&2; exit 1; fi

test-cargo: build
	$(CARGO) test --workspace --locked

lint: build ## forge fmt --check, cargo fmt --check, cargo clippy -D warnings
	$(FORGE) fmt --check
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt: bootstrap ## Format Solidity and Rust sources in place
	$(FORGE) fmt
	$(CARGO) fmt --all

layouts: build ## Re-record storage-layouts/ after an intended, compatible storage change (commit the result)
	$(CARGO) run -q -p storage-layout -- --write

snapshot: build ## Re-record the gas snapshots in snapshots/ (commit the result)
	$(FORGE) test --match-path 'test/gas/*'

clean: ## Remove build output (keeps node_modules)
	rm -rf out cache target
