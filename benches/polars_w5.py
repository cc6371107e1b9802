"""BENCH.md W5 in polars: the KPIs leadrail's `kpis_and_forecast` computes on W5 (per partner
and month: assignments, acceptance, conversion with hand-down credit, response-time mean /
median / p90, time per stage, SLA attainment of three calendar-time SLAs, and the
stage-weighted forecast with its 10,000-draw range), written as a polars pipeline over the
events table, per the definitions in docs/kpi.md.

    pip install polars numpy            # measured with polars 1.44.2, numpy 2.4.6
    cargo run --release -p leadrail-benches --bin gen_w5 -- --out /tmp/w5
    python benches/polars_w5.py /tmp/w5 [--runs 5] [--check]

Prints the median wall time and process CPU time (all threads) of the computation (the CSV
load is not timed: leadrail's bench starts from timelines in memory too; compare the CPU time
with `cargo run --release -p leadrail-benches --bin w5_cpu`). `--check` compares every figure with leadrail's answers
(`kpis.json`, `forecast.json` written by gen_w5): counts and durations exactly, rates to 1e-12,
expected values to 1e-9 relative; the drawn 10% and 90% points (numpy's draws) within the
width of leadrail's 95% intervals of its own draws.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

NOW = 1_775_001_600_000  # w5::W5_NOW
H = 3_600_000
M = 10.0
DRAWS = 10_000

K = pl.col("event")
ENDS_HOLDING = ["rejected", "retracted", "lost", "delivered"]


def month(col: str) -> pl.Expr:
    return pl.from_epoch(pl.col(col), time_unit="ms").dt.strftime("%Y-%m")


def stats(df: pl.DataFrame, keys: list[str], value: str, prefix: str) -> pl.DataFrame:
    """count, sum, mean, median and p90 (position ceil(9n/10)) of `value` per group."""
    v = df.filter(pl.col(value).is_not_null()).sort(keys + [value])
    v = v.with_columns(
        pl.int_range(1, pl.len() + 1).over(keys).alias("_pos"),
        pl.len().over(keys).alias("_n"),
    )
    p90 = v.filter(pl.col("_pos") == (pl.col("_n") * 9 + 9) // 10).select(
        keys + [pl.col(value).alias(f"{prefix}_p90")]
    )
    agg = v.group_by(keys).agg(
        pl.len().alias(f"{prefix}_count"),
        pl.col(value).sum().alias(f"{prefix}_sum"),
        pl.col(value).mean().alias(f"{prefix}_mean"),
        pl.col(value).median().alias(f"{prefix}_median"),
    )
    return agg.join(p90, on=keys, how="left", nulls_equal=True)


# Leads are contiguous rows in order, so per-lead window functions are written as global
# operations with a mask at each lead's first row (several times faster than `.over("lead")`).
FIRST = (pl.col("lead") != pl.col("lead").shift(1)).fill_null(True)


def lead_shift(x: pl.Expr, n: int = 1) -> pl.Expr:
    """`x` shifted by `n` rows within each lead (null across a lead boundary)."""
    same = (pl.col("lead") == pl.col("lead").shift(n)).fill_null(False)
    return pl.when(same).then(x.shift(n))


def lead_ffill(x: pl.Expr, none: str = "") -> pl.Expr:
    """`x` forward-filled within each lead (`none` marks "no value" at a lead's start)."""
    return pl.when(FIRST).then(x.fill_null(none)).otherwise(x).forward_fill().replace(none, None)


def lead_cum_sum(x: pl.Expr) -> pl.Expr:
    """Cumulative sum of `x` within each lead."""
    cs = x.cum_sum()
    return cs - pl.when(FIRST).then(cs - x).forward_fill()


def prepare(ev: pl.DataFrame) -> pl.DataFrame:
    """Events up to `now` with the lead's state: holders, holdings, stages, closes."""
    e = ev.filter(pl.col("at") <= NOW)
    is_won = (K == "won").cast(pl.Int32)
    set_holder = (
        pl.when(K.is_in(["assigned", "reassigned", "handed_down"]))
        .then(pl.col("partner"))
        .when(K.is_in(ENDS_HOLDING))
        .then(pl.lit(""))
        .otherwise(None)
    )
    e = e.with_columns(
        won_eff=(K == "won") | ((K == "delivered") & (lead_cum_sum(is_won) - is_won == 0)),
        holder=lead_ffill(set_holder),
        cur_stage=lead_ffill(pl.when(K == "stage_changed").then(pl.col("stage"))),
    ).with_columns(
        holder_before=lead_shift(pl.col("holder")),
        prev_stage=lead_shift(pl.col("cur_stage")),
    )
    start = (K == "assigned") | (
        K.is_in(["reassigned", "handed_down"])
        & (pl.col("partner") != pl.col("holder_before")).fill_null(True)
    )
    # holding ids, unique over all leads
    e = e.with_columns(start=start).with_columns(hid=pl.col("start").cast(pl.Int32).cum_sum())
    e = e.with_columns(
        member=lead_shift(pl.when(pl.col("holder").is_not_null()).then(pl.col("hid"))),
    )
    return e


def assignments(e: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    m = e.filter(pl.col("member").is_not_null())
    ending = K.is_in(ENDS_HOLDING) | (K.is_in(["reassigned", "handed_down"]) & pl.col("start"))
    end_kind = (
        pl.when(K == "rejected").then(pl.lit("rejected"))
        .when(K == "handed_down").then(pl.lit("handed"))
        .otherwise(pl.lit("other"))
    )
    agg = m.group_by(["lead", "member"]).agg(
        resp_at=pl.col("at").filter(~K.is_in(["viewed", "retracted", "reassigned"])).min(),
        contact_at=pl.col("at").filter(K == "contacted").min(),
        acc=((K == "accepted") | pl.col("won_eff")).any(),
        won=pl.col("won_eff").any(),
        end=end_kind.filter(ending).first(),
    )
    h = (
        e.filter(pl.col("start"))
        .select("lead", "hid", "partner", "at")
        .join(agg, left_on=["lead", "hid"], right_on=["lead", "member"], how="left")
        .sort(["lead", "hid"])
        .with_columns(pl.col("acc").fill_null(False), pl.col("won").fill_null(False))
    )
    handed = pl.col("end") == "handed"
    h = h.with_columns(
        # a chain of hand-downs: a new one starts after a holding not ended by a hand-down
        chain=(FIRST | ~lead_shift(handed).fill_null(False)).cast(pl.Int32).cum_sum(),
    ).with_columns(
        converted=pl.col("won").cast(pl.Int8).cum_max(reverse=True).over("chain") == 1,
        accepted=pl.col("acc") | handed.fill_null(False),
    ).with_columns(
        rejected=~pl.col("accepted") & (pl.col("end") == "rejected").fill_null(False),
        lapsed=~pl.col("accepted") & (pl.col("end") == "other").fill_null(False),
        pending=~pl.col("accepted") & pl.col("end").is_null(),
        response=pl.col("resp_at") - pl.col("at"),
        first_contact=pl.col("contact_at") - pl.col("at"),
        period=month("at"),
    )
    keys = ["partner", "period"]
    table = h.group_by(keys).agg(
        assignments=pl.len(),
        accepted=pl.col("accepted").sum(),
        rejected=pl.col("rejected").sum(),
        lapsed=pl.col("lapsed").sum(),
        pending=pl.col("pending").sum(),
        converted=pl.col("converted").sum(),
    )
    table = table.with_columns(
        acceptance_rate=pl.when(pl.col("accepted") + pl.col("rejected") + pl.col("lapsed") > 0).then(
            pl.col("accepted") / (pl.col("accepted") + pl.col("rejected") + pl.col("lapsed"))
        ),
        conversion_rate=pl.col("converted") / pl.col("assignments"),
    )
    table = table.join(stats(h, keys, "response", "response_time"), on=keys, how="left")
    table = table.join(stats(h, keys, "first_contact", "first_contact"), on=keys, how="left")
    return table, h


def stages(e: pl.DataFrame) -> pl.DataFrame:
    opening = (K == "stage_changed") & (
        pl.col("prev_stage").is_null() | (pl.col("stage") != pl.col("prev_stage"))
    )
    closer = opening | pl.col("won_eff") | K.is_in(["lost", "delivered"])
    c = e.with_columns(opening=opening).filter(closer).with_columns(
        next_at=lead_shift(pl.col("at"), -1)
    ).filter(pl.col("opening")).with_columns(
        time=pl.col("next_at") - pl.col("at"),
        period=month("at"),
        partner=pl.col("holder"),
    )
    keys = ["partner", "period", "stage"]
    closed = stats(c, keys, "time", "time_in_stage")
    open_ = c.filter(pl.col("time").is_null()).group_by(keys).agg(
        open=pl.len(), open_mean_age=(NOW - pl.col("at")).mean()
    )
    return closed.join(open_, on=keys, how="full", coalesce=True, nulls_equal=True)


SLAS = [
    # name, start, stop, cancel (besides won / lost / delivered), goal
    ("accept", ["assigned"], ["accepted", "rejected"], ["retracted", "reassigned", "handed_down", "assigned"], 24 * H),
    ("first_contact", ["accepted"], ["contacted"], ["rejected", "retracted", "reassigned", "handed_down", "accepted"], 48 * H),
    ("stalled", ["stage_changed"], ["stage_changed"], [], 7 * 24 * H),
]


def sla(e: pl.DataFrame) -> pl.DataFrame:
    e = e.with_columns(seq=pl.int_range(0, pl.len()))
    out = []
    for name, start, stop, cancel, goal in SLAS:
        s = e.filter(K.is_in(start)).select("lead", "seq", "at", partner=pl.col("holder"))
        enders = e.filter(K.is_in(stop + cancel + ["won", "lost", "delivered"])).select(
            "lead", "seq", end_at=pl.col("at"), stopped=K.is_in(stop)
        )
        j = s.sort("seq").join_asof(
            enders.sort("seq"), on="seq", by="lead", strategy="forward", allow_exact_matches=False
        )
        due = pl.col("at") + goal
        j = j.with_columns(
            met=pl.col("end_at").is_not_null() & (pl.col("end_at") <= due) & pl.col("stopped"),
            breached=(pl.col("end_at").is_not_null() & (pl.col("end_at") > due))
            | (pl.col("end_at").is_null() & (due <= NOW)),
        ).with_columns(
            dated=pl.when(pl.col("met")).then(pl.col("end_at")).otherwise(due),
        ).filter(pl.col("met") | pl.col("breached"))
        out.append(
            j.with_columns(period=month("dated"), sla=pl.lit(name))
            .group_by(["partner", "period", "sla"])
            .agg(met=pl.col("met").sum(), breached=pl.col("breached").sum())
        )
    t = pl.concat(out)
    return t.with_columns(attainment=pl.col("met") / (pl.col("met") + pl.col("breached")))


def forecast(e: pl.DataFrame, leads: pl.DataFrame, seed: int = 0):
    close = pl.col("won_eff") | (K == "lost")
    e = e.with_columns(_closes=lead_cum_sum(close.cast(pl.Int32)))
    per_lead = e.group_by("lead").agg(
        won=pl.col("won_eff").any(),
        closed=close.any(),
        stage=pl.col("cur_stage").last(),
        holder=pl.col("holder").last(),
        start=pl.col("at").first(),
    )
    pairs = (
        e.filter((pl.col("_closes") == 0) & pl.col("cur_stage").is_not_null())
        .select("lead", stage="cur_stage", partner="holder")
        .unique()
        .join(per_lead.filter("closed").select("lead", "won"), on="lead")
    )
    st = pairs.select("lead", "stage", "won").unique().group_by("stage").agg(
        n=pl.len(), w=pl.col("won").sum()
    )
    pp = pairs.filter(pl.col("partner").is_not_null()).group_by(["stage", "partner"]).agg(
        n=pl.len(), w=pl.col("won").sum()
    )
    closed = per_lead.filter("closed")
    overall = closed["won"].sum() / closed.height
    open_ = (
        per_lead.filter(~pl.col("closed") & pl.col("stage").is_not_null())
        .join(leads, on="lead")
        .filter(pl.col("amount").is_not_null())
        .join(st.select("stage", rs=pl.col("w") / pl.col("n")), on="stage", how="left")
        .with_columns(pl.col("rs").fill_null(overall))
        .join(pp, left_on=["stage", "holder"], right_on=["stage", "partner"], how="left")
        .with_columns(
            p=pl.when(pl.col("holder").is_null())
            .then(pl.col("rs"))
            .otherwise((pl.col("w").fill_null(0) + M * pl.col("rs")) / (pl.col("n").fill_null(0) + M))
        )
        .sort("lead")
    )
    groups = open_.with_columns(period=month("start"), partner=pl.col("holder")).group_by(
        ["partner", "period"]
    ).agg(leads=pl.len(), amount=pl.col("amount").sum(), expected=(pl.col("amount") * pl.col("p")).sum())
    a = open_["amount"].to_numpy().astype(np.float64)
    p = open_["p"].to_numpy()
    rng = np.random.default_rng(seed)
    totals = []
    for _ in range(DRAWS // 100):
        u = rng.random((len(a), 100))
        totals.append(a @ (u < p[:, None]))
    t = np.sort(np.concatenate(totals))
    p10 = t[math.ceil(0.1 * len(t)) - 1]
    p90 = t[math.ceil(0.9 * len(t)) - 1]
    expected = float((a * p).sum())
    return groups, {"expected": expected, "p10": float(p10), "p90": float(p90), "leads": len(a)}


def compute(ev: pl.DataFrame, leads: pl.DataFrame):
    e = prepare(ev)
    table, _ = assignments(e)
    return table, stages(e), sla(e), forecast(e, leads)


def load(d: Path):
    ev = pl.read_csv(d / "events.csv", schema_overrides={"partner": pl.Utf8, "reason": pl.Utf8,
                                                         "stage": pl.Utf8, "status": pl.Utf8})
    # leads are contiguous and in order: polars' window functions take the sorted fast path
    ev = ev.with_columns(
        pl.col("lead").str.slice(1).cast(pl.Int32).set_sorted(),
        pl.col("event", "partner", "stage").cast(pl.Categorical),
    )
    leads = pl.read_csv(d / "leads.csv").select(
        lead=pl.col("id").str.slice(1).cast(pl.Int32), amount=pl.col("amount").cast(pl.Float64)
    )
    return ev, leads


def close(a, b, rel=0.0):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rel * max(abs(a), abs(b), 1.0)


def check(d: Path, table, stage_t, sla_t, fc) -> int:
    rust = json.loads((d / "kpis.json").read_text())
    rf = json.loads((d / "forecast.json").read_text())
    bad = 0

    def compare(what, rows, df, keys, fields):
        nonlocal bad
        got = {tuple(r[k] for k in keys): r for r in df.to_dicts()}
        if len(got) != len(rows):
            print(f"{what}: {len(rows)} rust rows, {len(got)} polars rows")
            bad += 1
        for r in rows:
            key = tuple(r.get(k) for k in keys)
            g = got.get(key)
            if g is None:
                print(f"{what} {key}: missing in polars")
                bad += 1
                continue
            for f, pf, rel in fields:
                if not close(r_get(r, f), g.get(pf), rel):
                    print(f"{what} {key} {f}: rust {r_get(r, f)!r}, polars {g.get(pf)!r}")
                    bad += 1

    def r_get(r, f):
        for part in f.split("."):
            r = r.get(part) if isinstance(r, dict) else None
        return r

    exact = 0.0
    compare("assignments", rust["assignments"], table, ["partner", "period"], [
        ("assignments", "assignments", exact), ("accepted", "accepted", exact),
        ("rejected", "rejected", exact), ("lapsed", "lapsed", exact), ("pending", "pending", exact),
        ("converted", "converted", exact), ("acceptance_rate", "acceptance_rate", 1e-12),
        ("conversion_rate", "conversion_rate", 1e-12),
        ("response_time.sum", "response_time_sum", exact),
        ("response_time.mean", "response_time_mean", 1e-12),
        ("response_time.median", "response_time_median", exact),
        ("response_time.p90", "response_time_p90", exact),
        ("first_contact.sum", "first_contact_sum", exact),
        ("first_contact.median", "first_contact_median", exact),
    ])
    stage_rows = [dict(r, **{"open": r["open"] or None}) for r in rust["stages"]]
    compare("stages", stage_rows, stage_t, ["partner", "period", "stage"], [
        ("time_in_stage.sum", "time_in_stage_sum", exact),
        ("time_in_stage.median", "time_in_stage_median", exact),
        ("time_in_stage.p90", "time_in_stage_p90", exact),
        ("open", "open", exact),
        ("open_mean_age", "open_mean_age", 1e-12),
    ])
    compare("sla", rust["sla"], sla_t, ["partner", "period", "sla"], [
        ("met", "met", exact), ("breached", "breached", exact),
        ("attainment", "attainment", 1e-12),
    ])
    groups, total = fc
    compare("forecast", rf["groups"], groups, ["partner", "period"], [
        ("leads", "leads", exact), ("amount", "amount", 1e-12), ("expected", "expected", 1e-9),
    ])
    if not close(rf["total"]["expected"], total["expected"], 1e-9):
        print(f"forecast total: rust {rf['total']['expected']}, polars {total['expected']}")
        bad += 1
    # two estimates from independent draws: each within its own error of the true point, so
    # they agree within the width of leadrail's 95% interval (about 2.8 standard errors of
    # their difference)
    for q in ("p10", "p90"):
        lo, hi = rf["range"][f"{q}_interval"]
        w = hi - lo
        if not lo - w / 2 <= total[q] <= hi + w / 2:
            print(f"forecast {q}: polars {total[q]}, rust {rf['range'][q]} (interval [{lo}, {hi}])")
            bad += 1
    print(f"check: {'ok' if bad == 0 else f'{bad} differences'} "
          f"({len(rust['assignments'])} assignment rows, {len(rust['stages'])} stage rows, "
          f"{len(rust['sla'])} sla rows, {len(rf['groups'])} forecast groups)")
    return bad


def main(argv):
    d = Path(argv[0]) if argv else Path("/tmp/w5")
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 5
    ev, leads = load(d)
    print(f"polars {pl.__version__}, {pl.thread_pool_size()} threads: {ev.height} events, {leads.height} leads")
    times, cpu = [], []
    result = None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = compute(ev, leads)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"polars W5: median {statistics.median(times):.3f} s wall over {runs} runs "
          f"(min {min(times):.3f}, max {max(times):.3f}); "
          f"median process CPU {statistics.median(cpu):.3f} s (all threads)")
    if "--check" in argv:
        return 1 if check(d, *result) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
