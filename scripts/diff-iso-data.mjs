#!/usr/bin/env node
// List the ISO 3166 codes gained and lost between two versions of core/src/geo/data/ (for the
// CHANGELOG when the tables are regenerated with scripts/gen-iso-data.mjs), as Markdown.
//
// Usage: node scripts/diff-iso-data.mjs OLD_REV [NEW_REV]
//   OLD_REV, NEW_REV: git revisions; NEW_REV defaults to the files in the work tree.
// Reads the code, parent and name columns of either table layout: the former one
// (`code type parent name`, before CLDR) and the current one (`code parent name`).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const [oldRev, newRev] = process.argv.slice(2);
if (!oldRev) {
  console.error("usage: node scripts/diff-iso-data.mjs OLD_REV [NEW_REV]");
  process.exit(2);
}
const read = (rev, file) => {
  const path = `core/src/geo/data/${file}`;
  return rev
    ? execFileSync("git", ["show", `${rev}:${path}`], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 })
    : readFileSync(join(ROOT, path), "utf8");
};
const rows = (text) => {
  const lines = text.split("\n").filter((l) => l && !l.startsWith("#"));
  return lines.map((l) => l.split("\t"));
};
function table(rev) {
  const countries = new Map(rows(read(rev, "countries.tsv")).map((c) => [c[0], c[2]]));
  const subs = rows(read(rev, "subdivisions.tsv"));
  // Former layout: 4 columns, parent third; current layout: 3 columns, parent second.
  const parentCol = subs.some((c) => c.length >= 4) ? 2 : 1;
  const subdivisions = new Map(subs.map((c) => [c[0], { parent: c[parentCol] || "", name: c[c.length - 1] }]));
  return { countries, subdivisions };
}
const before = table(oldRev);
const after = table(newRev);

const minus = (a, b) => [...a.keys()].filter((k) => !b.has(k)).sort();
const byCountry = (codes) => {
  const groups = new Map();
  for (const c of codes) {
    const k = c.slice(0, 2);
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return [...groups].map(([k, v]) => `- ${k} (${v.length}): ${v.map((c) => `\`${c}\``).join(", ")}`);
};
const named = (m, codes) => codes.map((c) => `\`${c}\` (${m.get(c)?.name ?? m.get(c)})`).join(", ");

const cGained = minus(after.countries, before.countries);
const cLost = minus(before.countries, after.countries);
const sGained = minus(after.subdivisions, before.subdivisions);
const sLost = minus(before.subdivisions, after.subdivisions);
const moved = [...after.subdivisions]
  .filter(([c, v]) => before.subdivisions.has(c) && before.subdivisions.get(c).parent !== v.parent)
  .map(([c, v]) => `\`${c}\`: ${before.subdivisions.get(c).parent || "(country)"} -> ${v.parent || "(country)"}`)
  .sort();
const renamed = (b, a, name) => [...a.keys()].filter((k) => b.has(k) && name(b.get(k)) !== name(a.get(k))).length;
const out = [
  `Countries: ${before.countries.size} -> ${after.countries.size}; subdivisions: ${before.subdivisions.size} -> ${after.subdivisions.size}.`,
  `Names changed: ${renamed(before.countries, after.countries, (n) => n)} countries, ${renamed(before.subdivisions, after.subdivisions, (v) => v.name)} subdivisions.`,
  "",
  `### Countries gained (${cGained.length})`,
  cGained.length ? named(after.countries, cGained) : "none",
  "",
  `### Countries lost (${cLost.length})`,
  cLost.length ? named(before.countries, cLost) : "none",
  "",
  `### Subdivisions gained (${sGained.length})`,
  ...byCountry(sGained),
  "",
  `### Subdivisions lost (${sLost.length})`,
  ...byCountry(sLost),
  "",
  `### Subdivisions with another parent (${moved.length})`,
  ...moved.map((m) => `- ${m}`),
];
console.log(out.join("\n"));
