#!/usr/bin/env bash
# The `leadrail` CLI end to end on 1,000,000 leads (issue 12): decisions per second and peak
# resident memory of `leadrail route`, from reading the CSV files to the last decision written.
#
#   benches/cli_1m.sh [LEADS] [RUNS]        (defaults: 1000000 leads, 3 runs per format)
#
# Data: the bundled example's rules (examples/industrial/rules.rail, five route rules with
# territories, certifications, distance, workload, weighted round robin and the parent
# hand-off) with its 53 partners and LEADS leads from the seeded generator (gen_industrial
# --leads LEADS, the same files every time). Each run is `nice -n 10 leadrail route ... --now
# 2026-11-24T09:00:00Z --format F -o FILE` under /usr/bin/time, for F = csv and jsonl; the
# output's line count is checked. Printed per run: wall seconds, CPU seconds (user + system),
# decisions per second of wall time and per CPU second, peak RSS; then the best run of each
# format against the targets (>= 1,000,000 decisions/s, <= 200 MB). The machine's load is
# printed too: on a shared machine the wall-clock rate follows it, the CPU figures do not.
set -euo pipefail
cd "$(dirname "$0")/.."
leads=${1:-1000000}
runs=${2:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --quiet --release -p leadrail-cli -p leadrail-benches --bin leadrail --bin gen_industrial
bin="$CARGO_TARGET_DIR/release"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin/gen_industrial" --leads "$leads" --out "$dir" > /dev/null 2>&1
echo "leads: $leads ($(du -h "$dir/leads.csv" | cut -f1) of CSV), partners: $(($(wc -l < "$dir/partners.csv") - 1))"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %4s %8s %8s %14s %14s %9s\n' format run wall_s cpu_s decisions/s per_cpu_s rss_MB
for format in csv jsonl; do
    best=""
    for run in $(seq "$runs"); do
        out="$dir/out.$format"
        /usr/bin/time -f '%e %U %S %M' -o "$dir/time" nice -n 10 "$bin/leadrail" route \
            --rules examples/industrial/rules.rail --partners "$dir/partners.csv" \
            --leads "$dir/leads.csv" --now 2026-11-24T09:00:00Z --format "$format" \
            -o "$out" 2> "$dir/stderr"
        lines=$(wc -l < "$out")
        [ "$format" = csv ] && want=$((leads + 1)) || want=$leads
        if [ "$lines" -ne "$want" ]; then
            echo "error: $format run $run wrote $lines lines, expected $want" >&2
            cat "$dir/stderr" >&2
            exit 1
        fi
        read -r wall user sys rss < "$dir/time"
        line=$(awk -v n="$leads" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
            'BEGIN { c = u + s; printf "%8.2f %8.2f %14.0f %14.0f %9.1f", w, c, n / w, n / c, r / 1024 }')
        printf '%-6s %4s %s\n' "$format" "$run" "$line"
        rate=$(awk -v n="$leads" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')
        if [ -z "$best" ] || [ "$rate" -gt "${best%% *}" ]; then
            best="$rate $(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')"
        fi
    done
    read -r rate mb <<< "$best"
    verdict=$(awk -v r="$rate" -v m="$mb" 'BEGIN {
        printf "%s decisions/s (target >= 1,000,000: %s), %s MB (target <= 200: %s)",
            r, (r >= 1000000 ? "met" : "not met"), m, (m <= 200 ? "met" : "not met") }')
    echo "best $format: $verdict"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
