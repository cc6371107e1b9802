#!/usr/bin/env bash
# Build the Python and Node bindings from source and run their test suites.
#
# Needs only what a fresh machine has: cargo, python3 (with venv/pip), node and npm. Everything
# else comes from PyPI (maturin, pytest, into .venv) and npm (@napi-rs/cli, from the committed
# package-lock.json). Both extensions are release builds into the workspace target dir, so the
# core is compiled once per profile and reused by `cargo` runs that share it.
#
# Usage: scripts/test-bindings.sh [python|node]...   (default: both)
# Env:   CARGO_TARGET_DIR (default <repo>/target), PYTHON (default python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(python node)

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

test_python() {
    step "python: venv and tools"
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q \
        -r bindings-python/requirements-dev.txt

    step "python: build and install the extension (maturin, release)"
    # maturin's PEP 517 hooks call the `maturin` executable: use the venv's.
    export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
    # `napi build` always passes `--target <host>`, which puts its artifacts under
    # target/<host>/release; build the Python extension for the same explicit target so that the
    # core and the dependencies the two crates share (same features, see their Cargo.toml) are
    # compiled once.
    local host
    host="$(rustc -vV | sed -n 's/^host: //p')"
    export MATURIN_PEP517_ARGS="--target $host"
    # The PEP 517 path a user takes (`pip install ./bindings-python`), with the venv's maturin
    # instead of a second download into an isolated build env.
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q \
        --no-build-isolation --no-deps --force-reinstall ./bindings-python

    step "python: pytest"
    (cd bindings-python && "$VENV/bin/python" -m pytest -q -p no:cacheprovider)
}

test_node() {
    step "node: npm ci and the addon (napi build --release: also regenerates native.d.ts)"
    # --ignore-scripts: the package's `prepare` (prepare.js, a plain cargo build for consumers who
    # install the folder) would build the addon a second time; the napi CLI build does it here.
    (cd bindings-node && npm ci --ignore-scripts --no-audit --no-fund && npm run build)

    step "node: TypeScript for the type checks (pinned, into the target dir)"
    npm install --no-audit --no-fund --no-save --silent --prefix "$CARGO_TARGET_DIR/typecheck" typescript@5.9.3
    export LEADRAIL_TSC="$CARGO_TARGET_DIR/typecheck/node_modules/.bin/tsc"

    step "node: node --test"
    (cd bindings-node && node --test __test__/)
}

for t in "${targets[@]}"; do
    case "$t" in
        python) test_python ;;
        node) test_node ;;
        *) echo "unknown target \`$t\` (expected python or node)" >&2; exit 2 ;;
    esac
done
step "bindings: done"
