# leadrail task file. `make help` lists the targets.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(CURDIR)/target
CARGO ?= cargo
NOW ?= 2026-11-24T09:00:00Z

.PHONY: help example test test-rust test-bindings test-install test-fuzz fuzz lint fmt bench gen-example

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

example: ## route the bundled example leads with the example rules and print the decisions
	$(CARGO) run --quiet --release -p leadrail-cli --bin leadrail -- route \
	  --rules examples/industrial/rules.rail \
	  --partners examples/industrial/partners.csv \
	  --leads examples/industrial/leads.csv --now $(NOW)

test: test-rust test-bindings test-install test-fuzz ## run every test: Rust, Python and Node, the installs (and a fuzz smoke run)
	@echo "all test suites passed"

test-rust: ## Rust tests of the default members: core, DSL, CLI, testkit, benches (unit, integration, proptest, doc)
	$(CARGO) test --release

test-bindings: ## build the Python and Node bindings from source and run pytest and node:test
	@if [ -x scripts/test-bindings.sh ]; then scripts/test-bindings.sh; else echo "no bindings yet"; fi

# After test-bindings (it reuses that build): the README's pip and npm installs in new
# projects, the packed npm tarball without a Rust toolchain, a manylinux wheel (auditwheel
# show), the LICENSE in every package, the Rust example against the CLI.
test-install: ## the newcomer installs from the README, the packages' contents and metadata
	scripts/test-install.sh

# A short run of every fuzz target (scripts/fuzz.sh smoke), only where a nightly toolchain is
# installed: the fuzz crate builds on nightly only, in its own fuzz/target. From a fresh clone
# on this 2-core machine the nightly build took 101-194 s and the whole step 171 s
# (`/usr/bin/time make test-fuzz`).
FUZZ_SECONDS ?= 10
test-fuzz: ## fuzz smoke run, FUZZ_SECONDS per target (skipped without a nightly toolchain)
	@if command -v rustup > /dev/null && rustup toolchain list | grep -q nightly; then \
	  scripts/fuzz.sh smoke $(FUZZ_SECONDS); \
	else \
	  echo "test-fuzz: skipped (no nightly toolchain: rustup toolchain install nightly)"; \
	fi

FUZZ_LONG_SECONDS ?= 600
fuzz: ## the long fuzz run, FUZZ_LONG_SECONDS (600) per target, one after another
	scripts/fuzz.sh long $(FUZZ_LONG_SECONDS)

lint: ## cargo fmt --check, clippy and rustdoc with warnings denied, the bindings' size budget
	$(CARGO) fmt --all -- --check
	python3 scripts/binding-loc.py
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps

fmt: ## format the Rust code
	$(CARGO) fmt --all

bench: ## criterion benches (BENCH.md workloads)
	$(CARGO) bench -p leadrail-benches

gen-example: ## regenerate examples/industrial/*.csv from the seeded generator
	$(CARGO) run --quiet -p leadrail-benches --bin gen_industrial -- --out examples/industrial
