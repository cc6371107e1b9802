#!/usr/bin/env bash
# Builds and runs the cargo-fuzz targets of fuzz/ (nightly toolchain; cargo-fuzz is installed
# from crates.io if missing).
#
#   scripts/fuzz.sh smoke [SECONDS] [TARGET...]   short run, default 20 s per target
#   scripts/fuzz.sh long  [SECONDS] [TARGET...]   the long run, default 600 s per target
#   scripts/fuzz.sh seed                          (re)fill fuzz/corpus/ from the repository
#   scripts/fuzz.sh list                          the targets
#
# Targets run one after another, one process each. Corpora grow under fuzz/corpus/TARGET/ (not
# committed; seeded from fuzz/seeds/, the examples, goldens and conformance vectors); a crash is
# saved under fuzz/artifacts/TARGET/ and reproduced with
#   cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...   (from the repository root)
# and minimised with `cargo +nightly fuzz tmin TARGET ARTIFACT`. Exits 1 if any target crashed
# (after running the others), with a summary line per target (executions, corpus size).
# NICE=10 (the default) runs the fuzzers under `nice -n 10`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# the fuzz crate has its own workspace and its own build directory: nightly builds with
# sanitizer flags cannot share the stable cache of the root workspace
export CARGO_TARGET_DIR="$ROOT/fuzz/target"
TARGETS=(check fmt_roundtrip record_json record_csv timeline engine_vs_reference)
NICE=${NICE:-10}

mode=${1:-smoke}
shift || true
case "$mode" in
  smoke) seconds=20 ;;
  long) seconds=600 ;;
  seed | list) seconds=0 ;;
  *) echo "usage: scripts/fuzz.sh smoke|long [SECONDS] [TARGET...] | seed | list" >&2; exit 2 ;;
esac
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
if (($# > 0)); then TARGETS=("$@"); fi

if [[ $mode == list ]]; then
  printf '%s\n' "${TARGETS[@]}"
  exit 0
fi

# Seeds: copies of repository files (small ones), named by content so re-seeding adds nothing new.
seed_file() { # TARGET FILE
  local dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  [[ -s $2 ]] || return 0
  local name
  name=$(sha1sum "$2" | cut -c1-16)
  head -c 65536 "$2" > "$dir/seed-$name"
}

seed() {
  local f t
  for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    if [[ -d fuzz/seeds/$t ]]; then
      for f in fuzz/seeds/"$t"/*; do seed_file "$t" "$f"; done
    fi
  done
  while IFS= read -r f; do
    seed_file check "$f"
    seed_file fmt_roundtrip "$f"
  done < <(git ls-files '*.rail')
  while IFS= read -r f; do
    seed_file record_csv "$f"
  done < <(git ls-files '*.csv')
  while IFS= read -r f; do
    seed_file timeline "$f"
  done < <(git ls-files '*timelines*.json' '*.jsonl')
  # conformance vectors: rule texts, records and SLA calls, split out (python3, when present)
  if command -v python3 > /dev/null; then
    python3 - "$ROOT" << 'EOF'
import hashlib, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
def put(target, text):
    d = root / "fuzz" / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)
for path in sorted((root / "conformance").glob("*/*.json")):
    v = json.loads(path.read_text())
    if isinstance(v.get("rules"), str):
        put("check", v["rules"])
        put("fmt_roundtrip", v["rules"])
    if isinstance(v.get("partners"), list):
        put("record_json", json.dumps(v["partners"]))
    for call in v.get("calls", []):
        if "leads" in call:
            put("record_json", json.dumps(call["leads"]))
        if "lead" in call:
            put("record_json", json.dumps(call["lead"]))
        if "timelines" in call:
            put("timeline", json.dumps({k: x for k, x in call.items() if k != "expect"}))
            for t in call["timelines"]:
                put("timeline", json.dumps(t))
EOF
  fi
}

if [[ $mode == seed ]]; then
  seed
  exit 0
fi

if ! rustup toolchain list | grep -q nightly; then
  echo "scripts/fuzz.sh: no nightly toolchain (rustup toolchain install nightly)" >&2
  exit 2
fi
if ! cargo +nightly fuzz --version > /dev/null 2>&1; then
  echo "scripts/fuzz.sh: installing cargo-fuzz"
  cargo install cargo-fuzz --version '^0.13' --locked
fi

seed
# one build of every target (debug assertions on, so integer overflow panics too)
FUZZ_FLAGS=(--debug-assertions)
start=$(date +%s)
mkdir -p fuzz/target
if ! nice -n "$NICE" cargo +nightly fuzz build "${FUZZ_FLAGS[@]}" > fuzz/target/fuzz-build.log 2>&1; then
  tail -40 fuzz/target/fuzz-build.log >&2
  echo "scripts/fuzz.sh: the fuzz build failed (fuzz/target/fuzz-build.log)" >&2
  exit 1
fi
echo "scripts/fuzz.sh: built in $(($(date +%s) - start)) s"

# the smoke run (in `make test`, so in CI) uses a fixed seed: the same inputs every run, so
# it checks regressions against the corpus rather than exploring anew; the long run explores
fixed_seed=()
[[ $mode == smoke ]] && fixed_seed=(-seed=1)
failed=()
summary=()
for t in "${TARGETS[@]}"; do
  log="fuzz/target/fuzz-$t.log"
  mkdir -p "fuzz/artifacts/$t"
  echo "scripts/fuzz.sh: $t for ${seconds} s"
  case $t in
    check | fmt_roundtrip) dict=(-dict=fuzz/dict/rail.dict) ;;
    record_json | timeline) dict=(-dict=fuzz/dict/json.dict) ;;
    *) dict=() ;;
  esac
  set +e
  nice -n "$NICE" cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
    "${dict[@]}" "${fixed_seed[@]}" -print_final_stats=1 > "$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  if ((rc != 0)); then
    failed+=("$t")
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written to' "$log" | head -8 >&2 || true
    summary+=("$t: CRASHED (exit $rc) after ${runs:-?} executions; corpus $corpus files; log $log")
  else
    summary+=("$t: ${runs:-?} executions in ${seconds} s, corpus $corpus files")
  fi
done
printf 'scripts/fuzz.sh: %s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "scripts/fuzz.sh: crashed: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
  exit 1
fi
