#!/usr/bin/env node
// Regenerate leadrail-core's ISO 3166 tables (core/src/geo/data/) from Unicode CLDR's JSON
// packages, and copy CLDR's licence next to them.
//
// Usage:
//   npm install --prefix /tmp/cldr cldr-core@48.2.0 cldr-localenames-full@48.2.0 \
//       cldr-subdivisions-full@48.2.0
//   node scripts/gen-iso-data.mjs /tmp/cldr
//   node scripts/diff-iso-data.mjs HEAD          # codes gained and lost, for the CHANGELOG
//
// The three packages must have the same version; it is written into the tables' headers and
// must match `CLDR_VERSION` in core/src/geo/iso.rs (a unit test checks it) and the NOTICE files.
//
// What is taken:
// - countries.tsv (ISO 3166-1): the two-letter territory codes that cldr-core's codeMappings
//   maps to an ISO 3166-1 numeric code, less CLDR's deprecated territory codes (territoryAlias),
//   ISO's user-assigned codes (AA, QM-QZ, XA-XZ, ZZ) and ISO's exceptionally reserved codes
//   (EU, ...). Columns: alpha-2, alpha-3 (codeMappings), English name (cldr-localenames-full
//   main/en/territories.json) and the other English names CLDR gives (`-alt-short`,
//   `-alt-variant`, ...; plus an `and` spelling of names written with `&`), `|`-separated.
// - subdivisions.tsv (ISO 3166-2): every code in cldr-core's subdivisionContainment, less the
//   codes subdivisionAlias marks `deprecated` (codes marked `overlong`, such as `usas` for
//   American Samoa, are still ISO 3166-2 codes and are kept). CLDR's `usca` is written `US-CA`.
//   Columns: code, parent subdivision (empty when the container is the country), English name
//   (cldr-subdivisions-full subdivisions/en/en.json; CLDR's disambiguating superscripts, as in
//   `Île-de-France²`, are dropped). A code without an English subdivision name takes the name
//   of the territory its `overlong` alias points to, else the FALLBACK_NAMES below.
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "core", "src", "geo", "data");
const PACKAGES = ["cldr-core", "cldr-localenames-full", "cldr-subdivisions-full"];

// ISO 3166-1 exceptionally reserved codes: not countries, even where CLDR maps them.
const EXCEPTIONALLY_RESERVED = new Set(["AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "FX", "IC", "SU", "TA", "UK", "UN"]);
const userAssigned = (c) => c === "AA" || c === "ZZ" || /^Q[M-Z]$/.test(c) || /^X[A-Z]$/.test(c);

// Subdivisions CLDR lists in subdivisionContainment without an English name. `territory:XX`
// takes territory XX's English name.
const FALLBACK_NAMES = {
  cnhk: "territory:HK",
  cnmo: "territory:MO",
  cntw: "territory:TW",
  cnnm: "Inner Mongolia", // CLDR's English name is filed under `cnmn` (alias of `cn15`)
};

function die(msg) {
  console.error(`gen-iso-data: ${msg}`);
  process.exit(1);
}

const root = process.argv[2];
if (!root) die("usage: node scripts/gen-iso-data.mjs DIR   (DIR/node_modules holds the CLDR packages)");
const pkgDir = (name) => join(root, "node_modules", name);
const json = (name, ...path) => JSON.parse(readFileSync(join(pkgDir(name), ...path), "utf8"));

const versions = PACKAGES.map((p) => json(p, "package.json").version);
if (new Set(versions).size !== 1) die(`the packages' versions differ: ${PACKAGES.map((p, i) => `${p}@${versions[i]}`).join(", ")}`);
const version = versions[0];

const codeMappings = json("cldr-core", "supplemental", "codeMappings.json").supplemental.codeMappings;
const aliases = json("cldr-core", "supplemental", "aliases.json").supplemental.metadata.alias;
const containment = json("cldr-core", "supplemental", "subdivisionContainment.json").supplemental.subdivisionContainment;
const territoryNames = json("cldr-localenames-full", "main", "en", "territories.json").main.en.localeDisplayNames.territories;
const subdivisionNames = json("cldr-subdivisions-full", "subdivisions", "en", "en.json").subdivisions.localeDisplayNames.subdivisions;

const clean = (s) => s.replace(/\s+/g, " ").trim();
const tsv = (cols) => cols.map((c) => { if (/[\t\n]/.test(c)) die(`tab or newline in ${JSON.stringify(c)}`); return c; }).join("\t");

// --- countries ---
const countries = [];
for (const [code, m] of Object.entries(codeMappings)) {
  if (!/^[A-Z]{2}$/.test(code) || !m._numeric) continue;
  if (aliases.territoryAlias[code] || userAssigned(code) || EXCEPTIONALLY_RESERVED.has(code)) continue;
  const name = territoryNames[code];
  if (!name) die(`no English name for country ${code}`);
  if (!/^[A-Z]{3}$/.test(m._alpha3 ?? "")) die(`no alpha-3 code for country ${code}`);
  const others = new Set(
    Object.entries(territoryNames)
      .filter(([k]) => k.startsWith(`${code}-alt-`))
      .map(([, v]) => clean(v)),
  );
  for (const n of [name, ...others]) if (n.includes(" & ")) others.add(n.replaceAll(" & ", " and "));
  others.delete(clean(name));
  // Two- and three-letter alternatives (`US`, `UK`) are codes, not names.
  const names = [...others].filter((n) => n.length > 3 && !n.includes("|")).sort();
  countries.push(names.length ? [code, m._alpha3, clean(name), names.join("|")] : [code, m._alpha3, clean(name)]);
}
countries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
const countrySet = new Set(countries.map((c) => c[0]));

// --- subdivisions ---
const iso = (c) => `${c.slice(0, 2).toUpperCase()}-${c.slice(2).toUpperCase()}`;
const shortTerritoryName = (t) => territoryNames[`${t}-alt-short`] ?? territoryNames[t];
const parentOf = new Map();
for (const [container, { _contains }] of Object.entries(containment)) {
  for (const c of _contains) {
    if (parentOf.has(c)) die(`${c} has two containers`);
    parentOf.set(c, container);
  }
}
const kept = new Set(
  [...parentOf.keys()].filter(
    (c) => aliases.subdivisionAlias[c]?._reason !== "deprecated" && countrySet.has(c.slice(0, 2).toUpperCase()),
  ),
);
function nameOf(c) {
  const n = subdivisionNames[c];
  if (n) return clean(n.replace(/[\u00b9\u00b2\u00b3\u2070-\u2079]+$/u, ""));
  const alias = aliases.subdivisionAlias[c];
  if (alias?._reason === "overlong" && /^[A-Z]{2}$/.test(alias._replacement)) {
    return clean(shortTerritoryName(alias._replacement) ?? die(`no name for territory ${alias._replacement}`));
  }
  const f = FALLBACK_NAMES[c];
  if (f?.startsWith("territory:")) return clean(shortTerritoryName(f.slice(10)) ?? die(`no name for ${f}`));
  return f ?? die(`no English name for subdivision ${c}; add it to FALLBACK_NAMES`);
}
const subdivisions = [];
for (const c of kept) {
  if (!/^[a-z]{2}[a-z0-9]{1,3}$/.test(c)) die(`unexpected subdivision code ${c}`);
  const container = parentOf.get(c);
  let parent = "";
  if (container !== container.toUpperCase()) {
    if (!kept.has(container)) die(`${c} lies in ${container}, which is not kept`);
    if (container.slice(0, 2) !== c.slice(0, 2)) die(`${c} lies in ${container} of another country`);
    parent = iso(container);
  } else if (container !== c.slice(0, 2).toUpperCase()) {
    die(`${c} lies in country ${container}`);
  }
  subdivisions.push([iso(c), parent, nameOf(c)]);
}
subdivisions.sort((a, b) => (a[0] < b[0] ? -1 : 1));

// --- write ---
const source = `Unicode CLDR ${version}, generated by scripts/gen-iso-data.mjs; see NOTICE.md`;
writeFileSync(
  join(OUT, "countries.tsv"),
  [`# ISO 3166-1 countries from ${source}`, "# alpha_2\talpha_3\tname\tother names (|-separated)", ...countries.map(tsv)].join("\n") + "\n",
);
writeFileSync(
  join(OUT, "subdivisions.tsv"),
  [`# ISO 3166-2 subdivisions from ${source}`, "# code\tparent\tname", ...subdivisions.map(tsv)].join("\n") + "\n",
);
copyFileSync(join(pkgDir("cldr-core"), "LICENSE"), join(OUT, "LICENSE-UNICODE"));
console.log(`CLDR ${version}: ${countries.length} countries, ${subdivisions.length} subdivisions -> ${OUT}`);
for (const notice of [join(OUT, "..", "..", "..", "..", "NOTICE"), join(OUT, "NOTICE.md")]) {
  let text = "";
  try { text = readFileSync(notice, "utf8"); } catch { /* reported below */ }
  if (!text.includes(version)) console.warn(`gen-iso-data: update the version in ${notice} to ${version}`);
}
