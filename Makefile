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
# Python security tools (slither, slither-mutate), pinned in tools/security/requirements.txt.
VENV := $(ROOT)/.venv
# slither's own compile of contracts/ only (with build info), kept apart from out/ (which cargo reads).
SLITHER_DIR := $(ROOT)/.slither
# crytic-compile calls `forge` by name.
FORGE_PATH := PATH="$(dir $(FORGE)):$$PATH"

.PHONY: help bootstrap venv build test demo api-docs load-check lint slither coverage mutate mutate-recheck soak fmt snapshot layouts clean test-solc-wrapper test-forge test-cargo

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

lint: build slither ## forge fmt --check, cargo fmt --check, cargo clippy -D warnings, slither gate
	$(FORGE) fmt --check
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

venv: ## Install the pinned slither into .venv/ (only when tools/security/requirements.txt changed)
	@tools/security/venv.sh

# Only contracts/ is compiled for slither (~55 contracts, seconds), not the tests and forge-std
# that `slither . --foundry-compile-all` would analyse (160 contracts, minutes); the gate then
# fails on high/medium findings in contracts/ (mocks excluded) missing from docs/slither-triage.txt.
slither: bootstrap venv ## Static analysis with the triage gate (docs/slither-triage.txt)
	$(FORGE) build contracts --build-info --out $(SLITHER_DIR)/out --cache-path $(SLITHER_DIR)/cache
	rm -f $(SLITHER_DIR)/report.json
	$(FORGE_PATH) $(VENV)/bin/slither . --ignore-compile --foundry-out-directory $(SLITHER_DIR)/out \
		--filter-paths '(^|/)(test|script|lib|node_modules)/|contracts/mocks/' --exclude-dependencies \
		--fail-none --json $(SLITHER_DIR)/report.json > $(SLITHER_DIR)/report.txt 2>&1 \
		|| { cat $(SLITHER_DIR)/report.txt >&2; exit 1; }
	python3 tools/security/slither_gate.py $(SLITHER_DIR)/report.json docs/slither-triage.txt

# forge coverage turns the optimizer off, and the pools' published 11- and 12-value getters are too
# deep for the stack in tests without it: --ir-minimum (via-IR, minimal optimisation) compiles them.
# Gas benchmarks are left out (they assert nothing and would rewrite snapshots/).
COVERAGE_EXCLUDE := (^|/)(test|script|lib|node_modules)/|contracts/mocks/
coverage: build ## Line and branch coverage of contracts/ (mocks excluded): summary per contract, .coverage/lcov.info
	mkdir -p .coverage
	$(FORGE) coverage --ir-minimum --no-match-path 'test/gas/*' --no-match-coverage '$(COVERAGE_EXCLUDE)' --report summary \
		--report lcov --report-file .coverage/lcov.info > .coverage/forge.log 2>&1 || { cat .coverage/forge.log >&2; exit 1; }
	python3 tools/security/coverage_summary.py .coverage/lcov.info 95 | tee .coverage/summary.txt

# MUTATE_MUTATORS=all MUTATE_SAMPLE=1 (every mutator and mutant, hours), MUTATE_SIDES=collateral|counterparty,
# MUTATE_FILES="contracts/libraries/PoolMath.sol ..." narrow or widen a campaign (see the script).
mutate: build venv ## Mutation testing of the core contracts (slither-mutate), writes docs/mutation-report.md (~1 h)
	MUTATE_MUTATORS="$(MUTATE_MUTATORS)" MUTATE_SAMPLE="$(MUTATE_SAMPLE)" MUTATE_SIDES="$(MUTATE_SIDES)" MUTATE_FILES="$(MUTATE_FILES)" \
		CARGO="$(CARGO)" tools/security/mutate.sh

mutate-recheck: build venv ## Re-test the last campaign's survivors against the current tests, rewrite the report (minutes)
	tools/security/mutate_recheck.sh

# Hours, not part of `make test`: SOAK_FORGE_RUNS / SOAK_ACTIONS scale it down for a quick check.
SOAK_FORGE_RUNS ?= 10000
SOAK_ACTIONS ?= 100000000
soak: build ## Deep invariant runs: forge suites at 10,000 runs, revm harness at 10^8 actions (hours)
	@echo "soak: forge invariant suites, profile soak ($(SOAK_FORGE_RUNS) runs each)"
	FOUNDRY_PROFILE=soak FOUNDRY_INVARIANT_RUNS=$(SOAK_FORGE_RUNS) $(FORGE) test --match-path 'test/invariant/*' --show-progress -vv
	@echo "soak: revm harness, $(SOAK_ACTIONS) actions, random seed (progress every 30 s below)"
	HARNESS_ACTIONS=$(SOAK_ACTIONS) HARNESS_SEED=$${HARNESS_SEED:-random} \
		$(CARGO) test -p invariant-harness --test properties --locked -- --nocapture
	@echo "soak: 0 violations"

fmt: bootstrap ## Format Solidity and Rust sources in place
	$(FORGE) fmt
	$(CARGO) fmt --all

# Bounded: LOAD_SECONDS per route (default 5, at most 60) with LOAD_CLIENTS clients, loopback only.
LOAD_LIFECYCLES ?= 1000
LOAD_SECONDS ?= 5
LOAD_CLIENTS ?= 16
load-check: build ## Requests/s and p50/p99 latency of the API's main read routes on a database of 1,000 demo lifecycles
	$(CARGO) run -q --release --locked -p load-check -- --lifecycles $(LOAD_LIFECYCLES) --seconds $(LOAD_SECONDS) --concurrency $(LOAD_CLIENTS)

api-docs: build ## Re-generate docs/api/openapi.json and docs/api/schema.graphql from the code (commit the result)
	UPDATE_API_DOCS=1 $(CARGO) test -q -p pools-api --test contract --locked

layouts: build ## Re-record storage-layouts/ after an intended, compatible storage change (commit the result)
	$(CARGO) run -q -p storage-layout -- --write

snapshot: build ## Re-record the gas snapshots in snapshots/ (commit the result)
	$(FORGE) test --match-path 'test/gas/*'

clean: ## Remove build output (keeps node_modules)
	rm -rf out cache target $(SLITHER_DIR) .coverage .mutate
