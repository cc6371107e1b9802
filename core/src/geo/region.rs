//! Region codes (`US`, `US-TX`, `US-TX:750`, `DE:80`) and territories with exclusions
//! (`US except US-AK, US-HI`): parsing against the ISO tables, display, serde, `covers`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::iso::AreaId;
use super::suggest::did_you_mean;
use crate::report::{codes, ErrorReport};

/// The longest accepted postal code prefix, in characters after normalisation.
pub const MAX_POSTAL_LEN: usize = 16;

/// A region: an ISO 3166-1 country or ISO 3166-2 subdivision ([`AreaId`]), optionally narrowed
/// by a postal code prefix. Written `US`, `US-TX`, `US-TX:750`, `DE:80`.
///
/// A `RegionCode` is always valid: it can only be made by [`RegionCode::parse`] (or
/// [`FromStr`], serde) or [`RegionCode::new`], which check the code against the ISO tables and
/// normalise it (upper case; the postal prefix without spaces). [`fmt::Display`] writes the
/// normalised form, which parses back to an equal value. Serde uses that string form.
///
/// Order: by country code, then subdivision code (none first), then postal prefix (none first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode {
    area: AreaId,
    postal: Option<Box<str>>,
}

/// A territory: a region minus excluded regions, written `US except US-AK, US-HI`.
///
/// Every exclusion lies strictly inside the region (checked when the territory is made).
/// Exclusions are kept sorted and without duplicates, so equal territories compare equal and
/// display the same. A lead's region is normally a territory without exclusions; the record
/// parser accepts `except` for any `region` field (the type is shared by leads and partners),
/// and the engine only looks at a lead region's [`Territory::region`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Territory {
    region: RegionCode,
    except: Vec<RegionCode>,
}

/// Why a region code or territory was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// The input is empty or blank.
    #[error("empty region code")]
    Empty,
    /// The input does not have the form of a region code.
    #[error("`{input}` is not a region code")]
    Malformed {
        /// The input as given.
        input: String,
    },
    /// The country part is not an ISO 3166-1 alpha-2 code.
    #[error("unknown country code `{code}`")]
    UnknownCountry {
        /// The country part as given.
        code: String,
        /// A fix, e.g. "`UK` is not an ISO 3166-1 code; the United Kingdom is `GB`".
        hint: Option<String>,
    },
    /// The subdivision is not in the ISO 3166-2 list of its country.
    #[error("unknown subdivision `{code}` of `{country}`")]
    UnknownSubdivision {
        /// The subdivision code (normalised to upper case).
        code: String,
        /// The country code.
        country: String,
        /// The closest known subdivision code, if one is close.
        suggestion: Option<String>,
    },
    /// The postal code prefix contains a character other than ASCII letters, digits, space, `-`.
    #[error("invalid character `{ch}` in postal code prefix `{postal}`")]
    InvalidPostal {
        /// The postal prefix as given.
        postal: String,
        /// The first offending character.
        ch: char,
    },
    /// Nothing after the `:`.
    #[error("empty postal code prefix in `{input}`")]
    EmptyPostal {
        /// The input as given.
        input: String,
    },
    /// The postal code prefix is longer than [`MAX_POSTAL_LEN`].
    #[error("postal code prefix `{postal}` is longer than {MAX_POSTAL_LEN} characters")]
    PostalTooLong {
        /// The postal prefix as given.
        postal: String,
    },
    /// `except` with nothing (or an empty item) after it.
    #[error("empty exclusion in `{input}`")]
    EmptyExclusion {
        /// The input as given.
        input: String,
    },
    /// An exclusion that is not strictly inside the territory's region.
    #[error("exclusion `{exclusion}` does not lie inside `{region}`")]
    ExclusionOutside {
        /// The territory's region.
        region: String,
        /// The exclusion.
        exclusion: String,
    },
}

impl RegionError {
    /// How to fix the input.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            RegionError::Empty | RegionError::Malformed { .. } => {
                "write a region as `US`, `US-TX`, `US-TX:750` or `DE:80`: an ISO 3166-1 country \
                 or ISO 3166-2 subdivision code, then optionally `:` and a postal code prefix"
                    .to_string()
            }
            RegionError::UnknownCountry { hint, .. } => hint.clone().unwrap_or_else(|| {
                "use an ISO 3166-1 alpha-2 country code such as `US`, `DE` or `GB`".to_string()
            }),
            RegionError::UnknownSubdivision {
                suggestion,
                country,
                ..
            } => match suggestion {
                Some(s) => format!(
                    "did you mean `{s}` ({})?",
                    AreaId::lookup(s).map_or("", AreaId::name)
                ),
                None => format!(
                    "use an ISO 3166-2 subdivision code of `{country}`{}",
                    AreaId::lookup(country)
                        .and_then(|c| c.subdivisions().first().copied())
                        .map_or(String::new(), |s| format!(" such as `{}`", s.code()))
                ),
            },
            RegionError::InvalidPostal { .. } | RegionError::PostalTooLong { .. } => format!(
                "a postal code prefix has at most {MAX_POSTAL_LEN} ASCII letters, digits, spaces \
                 and `-`, e.g. `US-TX:750` or `GB:SW1A 1`"
            ),
            RegionError::EmptyPostal { input } => format!(
                "write the postal code prefix after `:`, or drop the `:` (`{}`)",
                input.trim().trim_end_matches(':')
            ),
            RegionError::EmptyExclusion { .. } => {
                "list the excluded regions after `except`, separated by commas: \
                 `US except US-AK, US-HI`"
                    .to_string()
            }
            RegionError::ExclusionOutside { region, .. } => format!(
                "an exclusion must be a smaller region inside `{region}`, e.g. a subdivision or \
                 a postal code prefix of it"
            ),
        })
    }
}

impl From<RegionError> for ErrorReport {
    fn from(e: RegionError) -> Self {
        ErrorReport::error(codes::DATA_INVALID_FIELD, e.to_string()).with_help_opt(e.help())
    }
}

/// Well-known non-ISO country codes and the ISO code to use instead.
const ALIASES: &[(&str, &str, &str)] = &[
    ("UK", "GB", "the United Kingdom"),
    ("EL", "GR", "Greece"),
    ("EU", "", "the European Union"),
];

fn unknown_country(given: &str) -> RegionError {
    let upper = given.to_ascii_uppercase();
    let hint = if let Some((_, iso, what)) = ALIASES.iter().find(|(a, _, _)| *a == upper) {
        if iso.is_empty() {
            Some(format!(
                "`{given}` ({what}) is not an ISO 3166-1 country; list its member countries"
            ))
        } else {
            Some(format!(
                "`{given}` is not an ISO 3166-1 code; {what} is `{iso}`"
            ))
        }
    } else if let Some(c) = AreaId::lookup_alpha3(&upper) {
        Some(format!(
            "`{given}` is an alpha-3 code; use the alpha-2 code `{}` ({})",
            c.code(),
            c.name()
        ))
    } else {
        AreaId::countries()
            .find(|c| c.is_named(given))
            .map(|c| format!("use the country's ISO 3166-1 code `{}`", c.code()))
    };
    RegionError::UnknownCountry {
        code: given.to_string(),
        hint,
    }
}

fn parse_country(given: &str) -> Result<AreaId, RegionError> {
    let upper = given.to_ascii_uppercase();
    if upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
        if let Some(c) = AreaId::lookup(&upper) {
            return Ok(c);
        }
    }
    if given.is_empty() || !given.chars().all(|c| c.is_alphabetic() || c == ' ') {
        return Err(RegionError::Malformed {
            input: given.to_string(),
        });
    }
    Err(unknown_country(given))
}

fn parse_area(head: &str, whole: &str) -> Result<AreaId, RegionError> {
    let Some((country, sub)) = head.split_once('-') else {
        return parse_country(head);
    };
    let country_id = parse_country(country)?;
    let code = format!("{}-{}", country_id.code(), sub.to_ascii_uppercase());
    if sub.is_empty() || !sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
        if sub.chars().all(|c| c.is_alphanumeric() || c == ' ') && !sub.is_empty() {
            return Err(unknown_subdivision(country_id, &code, sub));
        }
        return Err(RegionError::Malformed {
            input: whole.to_string(),
        });
    }
    match AreaId::lookup(&code) {
        Some(a) if a.country() == country_id && !a.is_country() => Ok(a),
        _ => Err(unknown_subdivision(country_id, &code, sub)),
    }
}

fn unknown_subdivision(country: AreaId, code: &str, given_suffix: &str) -> RegionError {
    let subs = country.subdivisions();
    let by_name = subs
        .iter()
        .find(|s| s.is_named(given_suffix))
        .map(|s| s.code());
    let suggestion = by_name.or_else(|| did_you_mean(code, subs.iter().map(|s| s.code())));
    RegionError::UnknownSubdivision {
        code: code.to_string(),
        country: country.code().to_string(),
        suggestion: suggestion.map(str::to_string),
    }
}

fn normalise_postal(given: &str, whole: &str) -> Result<Box<str>, RegionError> {
    if let Some(ch) = given
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == ' ' || *c == '-'))
    {
        return Err(RegionError::InvalidPostal {
            postal: given.to_string(),
            ch,
        });
    }
    let norm: String = given
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if norm.is_empty() {
        return Err(RegionError::EmptyPostal {
            input: whole.to_string(),
        });
    }
    if norm.len() > MAX_POSTAL_LEN {
        return Err(RegionError::PostalTooLong {
            postal: given.to_string(),
        });
    }
    Ok(norm.into_boxed_str())
}

impl RegionCode {
    /// Parses and validates `US`, `US-TX`, `US-TX:750`, `DE:80` (any case; surrounding
    /// whitespace ignored; spaces inside the postal prefix dropped).
    ///
    /// # Errors
    /// A [`RegionError`] naming the unknown country or subdivision (with a suggestion where
    /// one is close), or the bad postal prefix.
    pub fn parse(input: &str) -> Result<RegionCode, RegionError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(RegionError::Empty);
        }
        let (head, postal) = match s.split_once(':') {
            Some((h, p)) => (h.trim_end(), Some(p.trim_start())),
            None => (s, None),
        };
        let area = parse_area(head, s)?;
        let postal = postal.map(|p| normalise_postal(p, s)).transpose()?;
        Ok(RegionCode { area, postal })
    }

    /// A region from an ISO area and an optional postal prefix (validated and normalised as by
    /// [`RegionCode::parse`]).
    ///
    /// # Errors
    /// A [`RegionError`] if the postal prefix is empty, too long or has a bad character.
    pub fn new(area: AreaId, postal: Option<&str>) -> Result<RegionCode, RegionError> {
        let postal = postal
            .map(|p| normalise_postal(p, &format!("{}:{p}", area.code())))
            .transpose()?;
        Ok(RegionCode { area, postal })
    }

    /// The whole of an ISO area (no postal prefix).
    pub fn from_area(area: AreaId) -> RegionCode {
        RegionCode { area, postal: None }
    }

    /// The ISO area: the subdivision if there is one, else the country.
    pub fn area(&self) -> AreaId {
        self.area
    }

    /// The ISO 3166-1 alpha-2 country code, upper case (`US`).
    pub fn country(&self) -> &'static str {
        self.area.country().code()
    }

    /// The full ISO 3166-2 subdivision code (`US-TX`), if any.
    pub fn subdivision(&self) -> Option<&'static str> {
        (!self.area.is_country()).then(|| self.area.code())
    }

    /// The normalised postal code prefix (upper case, no spaces), if any.
    pub fn postal(&self) -> Option<&str> {
        self.postal.as_deref()
    }

    /// The same region without its postal prefix.
    pub fn without_postal(&self) -> RegionCode {
        RegionCode::from_area(self.area)
    }

    /// Whether this region covers `other`:
    /// - the same country, and
    /// - this region's area is `other`'s area or one of its ISO ancestors (a country covers all
    ///   its subdivisions; `GB-ENG` covers `GB-KEC`; `FR-IDF` covers `FR-75C`), and
    /// - if this region has a postal prefix, `other` has a postal code starting with it
    ///   (`DE:80` covers `DE-BY:80331`; `US-TX:750` does not cover `US-TX`).
    ///
    /// A subdivision does not cover a region known only by its country (`US-TX` does not
    /// cover `US:750`): the subdivision of the latter is unknown.
    pub fn covers(&self, other: &RegionCode) -> bool {
        if !self.area.contains(other.area) {
            return false;
        }
        match (&self.postal, &other.postal) {
            (None, _) => true,
            (Some(p), Some(q)) => q.starts_with(&**p),
            (Some(_), None) => false,
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.area.code())?;
        if let Some(p) = &self.postal {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

impl FromStr for RegionCode {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl Ord for RegionCode {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.country(), self.subdivision(), self.postal()).cmp(&(
            other.country(),
            other.subdivision(),
            other.postal(),
        ))
    }
}

impl PartialOrd for RegionCode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Finds the keyword `except` (any case) as a whole word; returns (before, after).
fn split_except(s: &str) -> Option<(&str, &str)> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower.get(from..).and_then(|r| r.find("except")) {
        let start = from + pos;
        let end = start + "except".len();
        let before_ok = lower
            .get(..start)
            .and_then(|b| b.chars().last())
            .is_some_and(char::is_whitespace);
        let after_ok = lower
            .get(end..)
            .is_some_and(|a| a.is_empty() || a.starts_with(char::is_whitespace));
        if before_ok && after_ok {
            return Some((s.get(..start)?, s.get(end..)?));
        }
        from = end;
    }
    None
}

impl Territory {
    /// A territory from a region and exclusions (sorted and deduplicated here).
    ///
    /// # Errors
    /// [`RegionError::ExclusionOutside`] if an exclusion is not strictly inside `region`.
    pub fn new(region: RegionCode, except: Vec<RegionCode>) -> Result<Territory, RegionError> {
        let mut except = except;
        for e in &except {
            if !region.covers(e) || *e == region {
                return Err(RegionError::ExclusionOutside {
                    region: region.to_string(),
                    exclusion: e.to_string(),
                });
            }
        }
        except.sort();
        except.dedup();
        Ok(Territory { region, except })
    }

    /// Parses `US`, `US-TX:750`, `US except US-AK, US-HI` (`except` in any case).
    ///
    /// # Errors
    /// A [`RegionError`] for a bad region or exclusion, an empty exclusion list, or an
    /// exclusion outside the region.
    pub fn parse(input: &str) -> Result<Territory, RegionError> {
        let s = input.trim();
        let Some((head, rest)) = split_except(s) else {
            return Ok(Territory::from(RegionCode::parse(s)?));
        };
        let region = RegionCode::parse(head)?;
        let mut except = Vec::new();
        for item in rest.split(',') {
            if item.trim().is_empty() {
                return Err(RegionError::EmptyExclusion {
                    input: s.to_string(),
                });
            }
            except.push(RegionCode::parse(item)?);
        }
        Territory::new(region, except)
    }

    /// The covered region.
    pub fn region(&self) -> &RegionCode {
        &self.region
    }

    /// The regions carved out, sorted.
    pub fn except(&self) -> &[RegionCode] {
        &self.except
    }

    /// Whether this territory covers `region`: its region covers it and no exclusion does.
    ///
    /// A region that only partly overlaps an exclusion is covered (`US except US-AK` covers
    /// `US`: a lead known only as `US` is not known to be in Alaska).
    pub fn covers(&self, region: &RegionCode) -> bool {
        self.region.covers(region) && !self.except.iter().any(|e| e.covers(region))
    }
}

impl From<RegionCode> for Territory {
    fn from(region: RegionCode) -> Self {
        Territory {
            region,
            except: Vec::new(),
        }
    }
}

impl fmt::Display for Territory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.region)?;
        for (i, e) in self.except.iter().enumerate() {
            f.write_str(if i == 0 { " except " } else { ", " })?;
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl FromStr for Territory {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Territory::parse(s)
    }
}

impl Serialize for Territory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Territory {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Territory::parse(&s).map_err(serde::de::Error::custom)
    }
}
