#!/usr/bin/env python3
"""Lines of code of the bindings' Rust source (issue 11's budget: at most 3,500 together) and
any source file over 800 lines of code in core, rules-dsl or the bindings.

    python3 scripts/binding-loc.py [-v]

Blank lines and comment lines (`//`, `///`, `//!`, `/* ... */`) are not counted; tests,
benches and build output are left out.
"""
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SKIP = {"target", "node_modules", "tests", "__test__", ".venv", "benches"}


def loc(path):
    n, in_block = 0, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if in_block:
                in_block = "*/" not in s
                continue
            if not s or s.startswith("//"):
                continue
            if s.startswith("/*"):
                in_block = "*/" not in s
                continue
            n += 1
    return n


def main():
    verbose = "-v" in sys.argv
    totals, big = {}, []
    for top in ["core", "rules-dsl", "bindings-python", "bindings-node"]:
        for d, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = sorted(x for x in dirs if x not in SKIP)
            for name in sorted(files):
                if not name.endswith(".rs"):
                    continue
                path = os.path.join(d, name)
                n = loc(path)
                rel = os.path.relpath(path, ROOT)
                if n > 800:
                    big.append((n, rel))
                if top.startswith("bindings"):
                    totals[top] = totals.get(top, 0) + n
                    if verbose:
                        print(f"{n:6} {rel}")
    for top, n in totals.items():
        print(f"{top}: {n}")
    print(f"bindings together: {sum(totals.values())} (budget 3,500)")
    print("files over 800 lines of code:", ", ".join(f"{p} ({n})" for n, p in big) or "none")
    return 1 if sum(totals.values()) > 3500 or big else 0


if __name__ == "__main__":
    sys.exit(main())
