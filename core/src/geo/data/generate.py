#!/usr/bin/env python3
"""Regenerate countries.tsv and subdivisions.tsv from Debian's iso-codes JSON files.

Usage: apt-get install -y iso-codes && python3 generate.py [/usr/share/iso-codes/json]
"""
import json
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/iso-codes/json"
here = os.path.dirname(os.path.abspath(__file__))


def clean(s):
    return " ".join(s.replace("\t", " ").split())


countries = json.load(open(os.path.join(src, "iso_3166-1.json"), encoding="utf-8"))["3166-1"]
with open(os.path.join(here, "countries.tsv"), "w", encoding="utf-8", newline="\n") as f:
    f.write("# alpha_2\talpha_3\tname (ISO 3166-1, from iso-codes; see NOTICE.md)\n")
    for c in sorted(countries, key=lambda c: c["alpha_2"]):
        f.write(f"{c['alpha_2']}\t{c['alpha_3']}\t{clean(c['name'])}\n")

subs = json.load(open(os.path.join(src, "iso_3166-2.json"), encoding="utf-8"))["3166-2"]
codes = {s["code"] for s in subs}
with open(os.path.join(here, "subdivisions.tsv"), "w", encoding="utf-8", newline="\n") as f:
    f.write("# code\ttype\tparent\tname (ISO 3166-2, from iso-codes; see NOTICE.md)\n")
    for s in sorted(subs, key=lambda s: s["code"]):
        parent = s.get("parent", "")
        if parent and "-" not in parent:
            parent = s["code"].split("-")[0] + "-" + parent
        assert not parent or parent in codes, s
        f.write(f"{s['code']}\t{clean(s['type'])}\t{parent}\t{clean(s['name'])}\n")
