//! The ISO 3166 tables shipped with the crate: ISO 3166-1 countries and ISO 3166-2 subdivisions
//! with their parent subdivision (e.g. `FR-75C` under `FR-IDF`, `GB-KEC` under `GB-ENG`).
//!
//! The data comes from Unicode CLDR (Unicode License v3; see `data/NOTICE.md` next to this file
//! and `scripts/gen-iso-data.mjs`, which generates it) and is parsed once, on first use, into a
//! static table. Every country and subdivision is an [`AreaId`]: a small, dense id (countries
//! first, in alpha-2 order, then subdivisions in code order) that is stable for a given version
//! of the data.

use std::collections::HashMap;
use std::sync::LazyLock;

const COUNTRIES_TSV: &str = include_str!("data/countries.tsv");
const SUBDIVISIONS_TSV: &str = include_str!("data/subdivisions.tsv");

/// The version of the Unicode CLDR JSON packages (`cldr-core`, `cldr-localenames-full`,
/// `cldr-subdivisions-full`) the tables were generated from.
pub const CLDR_VERSION: &str = "48.2.0";

/// A country or a subdivision from the ISO 3166 tables.
///
/// Ids are dense (`0..AreaId::count()`), so an engine may index arrays by [`AreaId::index`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaId(u16);

#[derive(Debug)]
struct Area {
    code: &'static str,
    alpha3: Option<&'static str>,
    name: &'static str,
    /// Other English names of a country (`Turkey` for `Türkiye`), `|`-separated; empty for a
    /// subdivision.
    other_names: &'static str,
    /// The parent subdivision, or the country for a top-level subdivision; `None` for a
    /// country.
    parent: Option<AreaId>,
    country: AreaId,
}

#[derive(Debug)]
struct Tables {
    areas: Vec<Area>,
    by_code: HashMap<&'static str, AreaId>,
    by_alpha3: HashMap<&'static str, AreaId>,
    country_count: usize,
    /// For each country (by index), the subdivisions of that country.
    subdivisions: Vec<Vec<AreaId>>,
}

fn data_lines(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

impl Tables {
    /// The id the next area pushed gets (`None` past `u16::MAX` areas).
    fn next_id(&self) -> Option<AreaId> {
        u16::try_from(self.areas.len()).ok().map(AreaId)
    }

    /// Adds `area` under the next id, found by its code.
    fn push(&mut self, area: Area) {
        if let Some(id) = self.next_id() {
            self.by_code.insert(area.code, id);
            self.areas.push(area);
        }
    }
}

fn build() -> Tables {
    let mut t = Tables {
        areas: Vec::new(),
        by_code: HashMap::new(),
        by_alpha3: HashMap::new(),
        country_count: 0,
        subdivisions: Vec::new(),
    };
    for cols in data_lines(COUNTRIES_TSV) {
        let (Some(code), Some(alpha3), Some(name)) = (cols.first(), cols.get(1), cols.get(2))
        else {
            continue;
        };
        let Some(id) = t.next_id() else { break };
        t.push(Area {
            code,
            alpha3: Some(alpha3),
            name,
            other_names: cols.get(3).copied().unwrap_or(""),
            parent: None,
            country: id,
        });
        t.by_alpha3.insert(alpha3, id);
    }
    t.country_count = t.areas.len();
    t.subdivisions = vec![Vec::new(); t.country_count];
    let mut parents: Vec<(AreaId, &'static str)> = Vec::new();
    for cols in data_lines(SUBDIVISIONS_TSV) {
        let (Some(code), Some(parent), Some(name)) = (cols.first(), cols.get(1), cols.get(2))
        else {
            continue;
        };
        let Some(country) = code
            .split('-')
            .next()
            .and_then(|c| t.by_code.get(c).copied())
        else {
            continue;
        };
        let Some(id) = t.next_id() else { break };
        t.push(Area {
            code,
            alpha3: None,
            name,
            other_names: "",
            parent: Some(country),
            country,
        });
        if let Some(list) = t.subdivisions.get_mut(usize::from(country.0)) {
            list.push(id);
        }
        if !parent.is_empty() {
            parents.push((id, parent));
        }
    }
    for (id, parent) in parents {
        if let Some(p) = t.by_code.get(parent).copied() {
            if let Some(area) = t.areas.get_mut(usize::from(id.0)) {
                area.parent = Some(p);
            }
        }
    }
    t
}

static TABLES: LazyLock<Tables> = LazyLock::new(build);

fn area(id: AreaId) -> Option<&'static Area> {
    TABLES.areas.get(usize::from(id.0))
}

impl AreaId {
    /// The number of areas (countries plus subdivisions) in the tables.
    pub fn count() -> usize {
        TABLES.areas.len()
    }

    /// The area with this exact, upper-case code (`US`, `US-TX`), if the tables hold it.
    pub fn lookup(code: &str) -> Option<AreaId> {
        TABLES.by_code.get(code).copied()
    }

    /// The country with this ISO 3166-1 alpha-3 code (`USA`), if any.
    pub fn lookup_alpha3(code: &str) -> Option<AreaId> {
        TABLES.by_alpha3.get(code).copied()
    }

    /// The area with this dense index, if it exists.
    pub fn from_index(index: usize) -> Option<AreaId> {
        if index < Self::count() {
            u16::try_from(index).ok().map(AreaId)
        } else {
            None
        }
    }

    /// The dense index of this area, `0..AreaId::count()`.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The ISO code: `US` for a country, `US-TX` for a subdivision.
    pub fn code(self) -> &'static str {
        area(self).map_or("", |a| a.code)
    }

    /// The English name, from CLDR (`Texas`, `Bavaria`).
    pub fn name(self) -> &'static str {
        area(self).map_or("", |a| a.name)
    }

    /// Whether `given` is this area's English name or, for a country, one of the other English
    /// names CLDR gives it (`Turkey`, `Ivory Coast`), ignoring ASCII case.
    pub(crate) fn is_named(self, given: &str) -> bool {
        area(self).is_some_and(|a| {
            a.name.eq_ignore_ascii_case(given)
                || a.other_names
                    .split('|')
                    .any(|n| !n.is_empty() && n.eq_ignore_ascii_case(given))
        })
    }

    /// The ISO 3166-1 alpha-3 code of a country (`USA`); `None` for a subdivision.
    pub fn alpha3(self) -> Option<&'static str> {
        area(self).and_then(|a| a.alpha3)
    }

    /// Whether this area is a country.
    pub fn is_country(self) -> bool {
        self.index() < TABLES.country_count
    }

    /// The country this area belongs to (itself for a country).
    pub fn country(self) -> AreaId {
        area(self).map_or(self, |a| a.country)
    }

    /// The next larger area: the parent subdivision where the data gives one (`GB-ENG` for
    /// `GB-KEC`), else the country; `None` for a country.
    pub fn parent(self) -> Option<AreaId> {
        area(self).and_then(|a| a.parent)
    }

    /// This area and every larger area containing it, smallest first, ending with the country
    /// (`GB-KEC`, `GB-ENG`, `GB`).
    pub fn ancestors(self) -> impl Iterator<Item = AreaId> {
        // Parent chains are short (at most subdivision > subdivision > country); the bound
        // guards against a cycle in edited data.
        std::iter::successors(Some(self), |a| a.parent()).take(8)
    }

    /// Whether `self` is `other` or contains it (`GB` and `GB-ENG` both contain `GB-KEC`).
    pub fn contains(self, other: AreaId) -> bool {
        other.ancestors().any(|a| a == self)
    }

    /// Every country, in alpha-2 order.
    pub fn countries() -> impl Iterator<Item = AreaId> {
        (0..TABLES.country_count).filter_map(AreaId::from_index)
    }

    /// The subdivisions of this country (every level), in code order; empty for a subdivision.
    pub fn subdivisions(self) -> &'static [AreaId] {
        if self.is_country() {
            TABLES
                .subdivisions
                .get(self.index())
                .map_or(&[][..], Vec::as_slice)
        } else {
            &[]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_line_is_loaded_and_the_version_matches() {
        let lines = |text: &str| text.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(TABLES.country_count, lines(COUNTRIES_TSV));
        assert_eq!(
            TABLES.areas.len(),
            lines(COUNTRIES_TSV) + lines(SUBDIVISIONS_TSV)
        );
        let source = format!("Unicode CLDR {CLDR_VERSION},");
        assert!(COUNTRIES_TSV.starts_with(&format!("# ISO 3166-1 countries from {source}")));
        assert!(SUBDIVISIONS_TSV.starts_with(&format!("# ISO 3166-2 subdivisions from {source}")));
    }

    #[test]
    fn parents_lie_in_the_same_country() {
        for a in TABLES.areas.iter().filter(|a| a.alpha3.is_none()) {
            let parent = a.parent.and_then(area);
            assert!(parent.is_some_and(|p| p.country == a.country), "{}", a.code);
        }
    }
}
