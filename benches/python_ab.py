"""W1 from Python, two builds of the binding in one process: runs interleaved (A B, B A, ...),
medians and the median ratio of each pair. On a loaded machine the rate of separate processes
swings by 2x from one minute to the next; runs interleaved in one process share that swing.

    .venv/bin/python benches/python_ab.py BEFORE_DIR [--runs 15] [--leads 100000]

`BEFORE_DIR` holds a copy of another build's package, renamed `leadrail_before` (e.g.
`cp -r other-venv/lib/python3.*/site-packages/leadrail BEFORE_DIR/leadrail_before`); "after" is
the `leadrail` this interpreter imports. Paths: W1's three (`python_w1.py`), and two one-piece
ones (100 batches of 1,000 leads, 20,000 single leads). The hand-written Python loop of
`python_w1.py` runs once per round too, interleaved with the paths, and each path's "after" is
also given as a ratio to it. `--cpu` times the CPU the process spends (all its threads,
`time.process_time`) rather than the wall clock: on a machine other work keeps busy, the waits
of a batch's two threads for a CPU weigh on the wall clock and not on the work done.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before_dir")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--cpu", action="store_true", help="CPU time of the process instead of wall time")
    a = ap.parse_args()
    sys.path.insert(0, a.before_dir)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    before = importlib.import_module("leadrail_before")
    import leadrail as after
    import python_w1 as w1
    clock = w1.CLOCK = time.process_time if a.cpu else time.perf_counter

    partners, leads = w1.generate(1, 1_000, a.leads)
    times = [w1.START + i * w1.STEP for i in range(len(leads))]
    columns = {k: [x[k] for x in leads] for k in ("id", "region", "product_line", "deal_size")}
    small, small_t = leads[:1000], times[:1000]
    paths = {
        "dicts (route_batch)": (len(leads), lambda net: net.route_batch(leads, times)),
        "dicts -> columns (as_columns)": (len(leads), lambda net: net.route_batch(leads, times, as_columns=True)),
        "columns (route_columns)": (len(leads), lambda net: net.route_columns(columns, times)),
        "100 x route_batch(1,000 leads)": (100_000, lambda net: [net.route_batch(small, small_t) for _ in range(100)]),
        "20,000 x route(lead)": (20_000, lambda net: [net.route(x, w1.START) for x in leads[:20_000]]),
    }
    engines = {k: m.Engine.compile(w1.RULES, "w1.rail") for k, m in (("before", before), ("after", after))}
    rates: dict[tuple[str, str], list[float]] = {(p, k): [] for p in paths for k in engines}
    loop: list[float] = []
    for r in range(a.runs):
        for p, (n, run) in paths.items():
            for k in ("before", "after") if r % 2 == 0 else ("after", "before"):
                net = engines[k].network(partners)
                t0 = clock()
                out = run(net)
                rates[(p, k)].append(n / (clock() - t0))
                del out
                gc.collect()
        loop.append(w1.handwritten(partners, leads, times, 1)[0])
        gc.collect()
    print(f"{'decisions per CPU second' if a.cpu else 'decisions/s':<32} {'before':>12} {'after':>12} {'after/before':>13}  (medians of {a.runs} interleaved runs)"
          f"  {'after/loop':>11}")
    for p in paths:
        b, f = rates[(p, "before")], rates[(p, "after")]
        pairs = statistics.median(y / x for x, y in zip(b, f))
        by_loop = statistics.median(y / x for x, y in zip(loop, f))
        print(f"{p:<32} {statistics.median(b):>12,.0f} {statistics.median(f):>12,.0f} "
              f"{statistics.median(f) / statistics.median(b):>12.2f}x  (pairs {pairs:.2f}x)  {by_loop:>10.2f}x")
    print(f"{'hand-written Python loop':<32} {statistics.median(loop):>25,.0f}  (after/loop: the median of each "
          "round's ratio)")


if __name__ == "__main__":
    main()
