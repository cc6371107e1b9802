"""W1 (BENCH.md) from Python: 1,000 partners x 100,000 leads, batch routing with state.

Reports decisions/s with leads as a list of dicts (`Network.route_batch`: typed results, kept in
core's compact form and read lazily, and with `as_columns=True` as columns, a dict of lists) and
as columns (`Network.route_columns`, typed results too), median of `--runs` runs, each on a fresh
network,
with the 1-minute load average before and after (batches this big are routed in chunks on two
threads, so a busy machine slows them more than a serial loop).
The data comes from a port of benches/src/w1.rs (splitmix64, same seed, same draws).

    .venv/bin/python benches/python_w1.py [--partners 1000] [--leads 100000] [--runs 5] [--seed 1]
                                          [--native] [--floor]

The ratios to the native figures (criterion's `w1_batch` medians, same workload) are printed when
criterion has measured them: `--native` runs that bench first, in the same sitting (about a
minute), else the stored medians are used and their age is shown. A hand-written Python loop
over the same data (a static (region, product line) index, the W1 rule, the state updated in
order) is timed too, as the yardstick a Python host would otherwise write. `--floor` also times what
CPython alone needs to build the same result dicts (one per lead, and the three inside it), the
least any binding returning them can take.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import leadrail

M64 = (1 << 64) - 1
# The clock of the hand-written loop (python_ab.py --cpu sets time.process_time).
CLOCK = time.perf_counter
START = 1_767_603_600_000  # 2026-01-05T09:00:00Z
STEP = 1_000
LINES = 20
REGIONS = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS "
    "BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE "
    "EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM "
    "HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC "
    "LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA "
    "NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI"
).split()
assert len(REGIONS) == 200

RULES = """ruleset "w1" version 1

schema lead { region: region, product_line: text, deal_size: decimal }
schema partner {
  territories: set<region>,
  certifications: set<text>,
  tier: enum(gold, silver, bronze),
  capacity: int,
  active_leads: int,
  acceptance_rate: ratio,
  conversion_rate: ratio,
  last_assigned_at: datetime,
}

route "w1" {
  require partner.territories covers lead.region
  require lead.product_line in partner.certifications
  require partner.active_leads < partner.capacity
  require lead.deal_size < 100_000 or partner.tier == gold
  rank    0.5 * partner.acceptance_rate + 0.3 * partner.conversion_rate
        + 0.2 * (1 - partner.active_leads / partner.capacity)
  tie     round_robin
}

fallback unrouted
"""


class Rng:
    """splitmix64, as in benches/src/w1.rs."""

    def __init__(self, seed: int) -> None:
        self.s = seed & M64

    def next_u64(self) -> int:
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return 0 if n == 0 else (self.next_u64() * n) >> 64

    def unit(self) -> float:
        return (self.next_u64() >> 11) / float(1 << 53)

    def distinct(self, k: int, n: int) -> list[int]:
        v = list(range(n))
        k = min(k, n)
        for i in range(k):
            j = i + self.below(n - i)
            v[i], v[j] = v[j], v[i]
        return sorted(v[:k])


def rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(seed: int, npartners: int, nleads: int):
    rng = Rng(seed)
    minutes = list(range(1, npartners + 1))
    for i in range(len(minutes) - 1, 0, -1):
        j = rng.below(i + 1)
        minutes[i], minutes[j] = minutes[j], minutes[i]
    partners = []
    for i in range(npartners):
        t = rng.unit()
        tier = "gold" if t < 0.1 else "silver" if t < 0.4 else "bronze"
        territories = [REGIONS[x] for x in rng.distinct(1 + rng.below(5), len(REGIONS))]
        certifications = [f"line-{x:02d}" for x in rng.distinct(rng.below(7), LINES)]
        capacity = 20 + rng.below(181)
        active = rng.below(capacity // 2)
        acceptance = rng.below(1001) / 1000.0
        conversion = rng.below(1001) / 1000.0
        partners.append({
            "id": f"P{i:04d}",
            "territories": territories,
            "certifications": certifications,
            "tier": tier,
            "capacity": capacity,
            "active_leads": active,
            "acceptance_rate": acceptance,
            "conversion_rate": conversion,
            "last_assigned_at": rfc3339(START - minutes[i] * 60_000),
        })
    lo, hi = math.log(1_000.0), math.log(500_000.0)
    leads = []
    for i in range(nleads):
        region = REGIONS[rng.below(len(REGIONS))]
        line = f"line-{rng.below(LINES):02d}"
        deal = math.floor(math.exp(lo + rng.unit() * (hi - lo)) + 0.5)
        leads.append({"id": f"L{i:06d}", "region": region, "product_line": line, "deal_size": deal})
    return partners, leads


def measure(label, engine, partners, run, n, runs):
    rates = []
    routed = None
    for _ in range(runs):
        net = engine.network(partners)
        t0 = time.perf_counter()
        out = run(net)
        dt = time.perf_counter() - t0
        rates.append(n / dt)
        routed = out
    med = statistics.median(rates)
    print(f"{label:<28} {med:>14,.0f} decisions/s (median of {runs}; min {min(rates):,.0f}, max {max(rates):,.0f})")
    return med, routed


ROOT = Path(__file__).resolve().parent.parent
NATIVE = ("engine_columns", "engine_prepared", "engine_compact")


def native_rates(run: bool) -> dict[str, tuple[float, float]]:
    """Criterion's `w1_batch` medians as decisions/s, with their age in seconds (`run`: measure
    them now)."""
    if run:
        subprocess.run(
            ["cargo", "bench", "-q", "-p", "leadrail-benches", "--bench", "route", "--",
             "--warm-up-time", "1", "--measurement-time", "3", "w1_batch"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    out = {}
    for name in NATIVE:
        d = target / "criterion" / "w1_batch" / name / "new"
        try:
            ns = json.loads((d / "estimates.json").read_text())["median"]["point_estimate"]
            n = json.loads((d / "benchmark.json").read_text())["throughput"]["Elements"]
        except (OSError, KeyError, TypeError, ValueError):
            continue
        out[name] = (n / (ns * 1e-9), time.time() - (d / "estimates.json").stat().st_mtime)
    return out


def handwritten(partners, leads, times, runs: int):
    """The Python yardstick: a straightforward hand-written loop over the same data with a static
    (region, product line) -> partners index built before timing (as the native hand-written
    loop does), routing every lead in order with the W1 rule and updating the state as the engine
    does. Returns (decisions/s median, the chosen partner id or None per lead)."""
    def ms(text: str) -> int:
        return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000)

    index: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(partners):
        for r in p["territories"]:
            for c in p["certifications"]:
                index.setdefault((r, c), []).append(i)
    ids = [p["id"] for p in partners]
    gold = [p["tier"] == "gold" for p in partners]
    capacity = [p["capacity"] for p in partners]
    acc = [p["acceptance_rate"] for p in partners]
    conv = [p["conversion_rate"] for p in partners]
    last0 = [ms(p["last_assigned_at"]) for p in partners]
    rates, chosen = [], []
    for _ in range(runs):
        active = [p["active_leads"] for p in partners]
        last = list(last0)
        seq = [0] * len(partners)
        next_seq = 0
        chosen = []
        t0 = CLOCK()
        for lead, now in zip(leads, times):
            small = lead["deal_size"] < 100_000
            best = None
            for i in index.get((lead["region"], lead["product_line"]), ()):
                a, c = active[i], capacity[i]
                if a >= c or not (small or gold[i]):
                    continue
                key = (-(0.5 * acc[i] + 0.3 * conv[i] + 0.2 * (1 - a / c)), last[i], seq[i], i)
                if best is None or key < best:
                    best = key
            if best is None:
                chosen.append(None)
                continue
            i = best[3]
            next_seq += 1
            active[i] += 1
            last[i] = now
            seq[i] = next_seq
            chosen.append(ids[i])
        rates.append(len(leads) / (CLOCK() - t0))
    return statistics.median(rates), chosen


def floor(by_dicts, runs: int) -> float:
    """Result dicts like `by_dicts` built by CPython alone (collector paused, as the binding does),
    decisions/s: the least a binding returning them can take."""
    # the values first (untimed), as tuples: only the building of the dicts is timed
    rows = []
    for r in by_dicts:
        d = r["ok"]
        s = d["state_read"] or {}
        rows.append((d["outcome"]["kind"], d["outcome"].get("id"), d["rule"], s.get("partner"),
                     s.get("version"), s.get("active_leads"), s.get("last_assigned_at")))
    # (W1 has partner and unrouted outcomes only; an unrouted decision reads no partner's state)
    assert {r[0] for r in rows} <= {"partner", "unrouted"}
    rates = []
    for _ in range(runs):
        gc.disable()
        t0 = time.perf_counter()
        out = [
            {"ok": {"outcome": {"kind": kind, "id": pid}, "rule": rule,
                    "state_read": {"partner": partner, "version": version, "active_leads": active,
                                   "last_assigned_at": last}}}
            if partner is not None else
            {"ok": {"outcome": {"kind": kind}, "rule": rule, "state_read": None}}
            for kind, pid, rule, partner, version, active, last in rows
        ]
        dt = time.perf_counter() - t0
        gc.enable()
        rates.append(len(rows) / dt)
        del out
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--partners", type=int, default=1_000)
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--native", action="store_true", help="run the native criterion bench first")
    ap.add_argument("--floor", action="store_true", help="also time CPython building the result dicts")
    a = ap.parse_args()
    native = native_rates(a.native)

    partners, leads = generate(a.seed, a.partners, a.leads)
    engine = leadrail.Engine.compile(RULES, "w1.rail")
    times = [START + i * STEP for i in range(len(leads))]
    columns = {k: [l[k] for l in leads] for k in ("id", "region", "product_line", "deal_size")}
    print(f"W1 from Python: {len(partners):,} partners x {len(leads):,} leads (seed {a.seed}); "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    typed, by_typed = measure("typed (route_batch)", engine, partners,
                              lambda net: net.route_batch(leads, times), len(leads), a.runs)
    # the same results as one dict per lead (untimed: the agreement checks below read them)
    by_dicts = by_typed.to_list()
    dicts_cols, by_dicts_cols = measure("dicts -> columns (as_columns)", engine, partners,
                                        lambda net: net.route_batch(leads, times, as_columns=True),
                                        len(leads), a.runs)
    cols, by_cols_typed = measure("columns (route_columns)", engine, partners,
                                  lambda net: net.route_columns(columns, times), len(leads), a.runs)
    by_cols = by_cols_typed.columns()
    loop, by_loop = handwritten(partners, leads, times, a.runs)
    print(f"{'hand-written Python loop':<28} {loop:>14,.0f} decisions/s (static (region, product line) "
          f"index); ratios to it: typed {typed / loop:.2f}x, dicts -> columns {dicts_cols / loop:.2f}x, "
          f"columns {cols / loop:.2f}x")
    if a.floor:
        print(f"{'CPython building the dicts':<28} {floor(by_dicts, a.runs):>14,.0f} decisions/s "
              "(the result dicts alone, no routing)")
    for name, (rate, age) in native.items():
        when = "measured just now" if a.native else f"measured {age / 60:,.0f} min ago"
        print(f"native {name:<21} {rate:>14,.0f} decisions/s ({when}); ratios: typed "
              f"{typed / rate:.2f}x, dicts -> columns {dicts_cols / rate:.2f}x, columns {cols / rate:.2f}x")

    routed = sum(1 for r in by_dicts if "ok" in r and r["ok"]["outcome"]["kind"] == "partner")
    routed_cols = sum(1 for k in by_cols["kind"] if k == "partner")
    assert routed == routed_cols, (routed, routed_cols)
    assert [r["ok"]["outcome"].get("id") for r in by_dicts] == by_cols["target"]
    assert by_dicts_cols == by_cols
    # the typed results read by attribute agree with their dicts
    assert [r.ok.outcome.id if r.ok else None for r in by_typed] == by_cols["target"]
    assert [r.ok.rule if r.ok else None for r in by_typed] == by_cols["rule"]
    assert by_loop == by_cols["target"], "the hand-written loop routes as the engine"
    print(f"routed to a partner: {routed:,} of {len(leads):,} (dicts and columns agree lead by lead); "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
