//! Grouping: which dimensions a report is broken down by, and the key of one group.

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::period::Granularity;
use crate::report::ErrorReport;

/// How regions are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// The country: the code before the first `-` (`US` for `US-TX:750`).
    Country,
    /// The subdivision (or the country for a country-level code): the code before `:`
    /// (`US-TX` for `US-TX:750`).
    Region,
}

/// The dimensions of a breakdown: partner, region (country or subdivision), product line and
/// period, in any combination (none: one group, the totals).
///
/// Written as a list of names: `partner`, `country` or `region`, `product` (or
/// `product_line`), and one of `day`, `week`, `month`, `quarter`; e.g. `"partner,month"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GroupBy {
    /// By partner (the partner each metric names; the `null` group holds unheld items).
    pub partner: bool,
    /// By country or subdivision of the lead's region.
    pub region: Option<RegionLevel>,
    /// By the lead's product line.
    pub product_line: bool,
    /// By period of each item's date, in the report's zone.
    pub period: Option<Granularity>,
}

impl GroupBy {
    /// The dimensions' names, in canonical order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.partner {
            out.push("partner");
        }
        match self.region {
            Some(RegionLevel::Country) => out.push("country"),
            Some(RegionLevel::Region) => out.push("region"),
            None => {}
        }
        if self.product_line {
            out.push("product_line");
        }
        if let Some(g) = self.period {
            out.push(g.as_str());
        }
        out
    }

    /// Parses a list of dimension names (see the type docs).
    ///
    /// # Errors
    /// A request error for an unknown name, a name given twice, or two region levels or two
    /// periods.
    pub fn parse<'s>(names: impl IntoIterator<Item = &'s str>) -> Result<GroupBy, ErrorReport> {
        let mut by = GroupBy::default();
        let help = "group by `partner`, `country` or `region`, `product`, and one of `day`, `week`, `month`, `quarter`";
        for raw in names {
            let name = raw.trim();
            if name.is_empty() {
                continue;
            }
            let twice = || {
                ErrorReport::request(
                    format!("`by` names `{name}` twice, or two of one kind"),
                    help,
                )
            };
            match name {
                "partner" => {
                    if by.partner {
                        return Err(twice());
                    }
                    by.partner = true;
                }
                "country" | "region" => {
                    if by.region.is_some() {
                        return Err(twice());
                    }
                    by.region = Some(if name == "country" {
                        RegionLevel::Country
                    } else {
                        RegionLevel::Region
                    });
                }
                "product" | "product_line" => {
                    if by.product_line {
                        return Err(twice());
                    }
                    by.product_line = true;
                }
                other => match other.parse::<Granularity>() {
                    Ok(g) if by.period.is_none() => by.period = Some(g),
                    Ok(_) => return Err(twice()),
                    Err(()) => {
                        return Err(ErrorReport::request(
                            format!("unknown grouping `{other}`"),
                            help,
                        ))
                    }
                },
            }
        }
        Ok(by)
    }

    /// The key of a region at this level (`None` when regions are not grouped or the lead
    /// has no region).
    pub(crate) fn region_key<'a>(&self, region: Option<&'a str>) -> Option<&'a str> {
        let r = region?.trim();
        let sub = r.split(':').next().unwrap_or(r);
        match self.region? {
            RegionLevel::Region => Some(sub),
            RegionLevel::Country => Some(sub.split('-').next().unwrap_or(sub)),
        }
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

impl Serialize for GroupBy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.names().serialize(s)
    }
}

/// `by` as a list of names or one comma-separated text.
#[derive(Deserialize)]
#[serde(untagged)]
enum ByRepr {
    List(Vec<String>),
    Text(String),
}

impl<'de> Deserialize<'de> for GroupBy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<GroupBy, D::Error> {
        let names = match ByRepr::deserialize(d)? {
            ByRepr::List(v) => v,
            ByRepr::Text(s) => s.split(',').map(str::to_string).collect(),
        };
        GroupBy::parse(names.iter().map(String::as_str))
            .map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// The key of one group: the value of each grouped dimension (partner and region may be
/// `null`: unheld items, leads without a region). Serialised as the grouped dimensions only,
/// e.g. `{"partner": "P1", "period": "2026-03"}`, so a row reads as one flat record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Key {
    /// The partner, when grouped by partner.
    pub partner: Option<String>,
    /// The country or subdivision, when grouped by region.
    pub region: Option<String>,
    /// The product line, when grouped by product line.
    pub product_line: Option<String>,
    /// The period's label (`2026-03`, `2026-W53`), when grouped by period.
    pub period: Option<String>,
    /// Which dimensions the key has.
    pub by: KeyDims,
}

/// Which dimensions a [`Key`] carries (a table may leave some of the report's out: lead
/// conversion has no partner, engagement no region or product line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct KeyDims {
    /// Has a partner.
    pub partner: bool,
    /// Has a region, named `country` (`Some(Country)`) or `region`.
    pub region: Option<RegionLevel>,
    /// Has a product line.
    pub product_line: bool,
    /// Has a period.
    pub period: bool,
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.by;
        let n = usize::from(d.partner)
            + usize::from(d.region.is_some())
            + usize::from(d.product_line)
            + usize::from(d.period);
        let mut m = s.serialize_map(Some(n))?;
        if d.partner {
            m.serialize_entry("partner", &self.partner)?;
        }
        match d.region {
            Some(RegionLevel::Country) => m.serialize_entry("country", &self.region)?,
            Some(RegionLevel::Region) => m.serialize_entry("region", &self.region)?,
            None => {}
        }
        if d.product_line {
            m.serialize_entry("product_line", &self.product_line)?;
        }
        if d.period {
            m.serialize_entry("period", &self.period)?;
        }
        m.end()
    }
}

/// A group key while accumulating: borrowed texts and the period's first day
/// (`i32::MIN` when not grouped by period). Fields of dimensions not grouped are `None`.
pub(crate) type RawKey<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, i32);

/// Builds [`RawKey`]s for the items of one lead and [`Key`]s for the answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keys<'a> {
    pub by: GroupBy,
    pub region: Option<&'a str>,
    pub product_line: Option<&'a str>,
}

/// No period.
pub(crate) const NO_PERIOD: i32 = i32::MIN;

impl<'a> Keys<'a> {
    /// The key of an item of this lead: `partner` and period `period` (when grouped).
    pub(crate) fn of(&self, partner: Option<&'a str>, period: Option<i32>) -> RawKey<'a> {
        (
            partner.filter(|_| self.by.partner),
            self.region,
            self.product_line,
            period.unwrap_or(NO_PERIOD),
        )
    }
}

impl GroupBy {
    /// The key dimensions of a table: every grouped dimension, less partner when `partner` is
    /// false, less region and product line when `lead_fields` is false.
    pub(crate) fn dims(&self, partner: bool, lead_fields: bool) -> KeyDims {
        KeyDims {
            partner: self.partner && partner,
            region: self.region.filter(|_| lead_fields),
            product_line: self.product_line && lead_fields,
            period: self.period.is_some(),
        }
    }

    /// The answer's key of a raw key.
    pub(crate) fn key(&self, raw: &RawKey<'_>, dims: KeyDims) -> Key {
        Key {
            partner: raw.0.filter(|_| dims.partner).map(str::to_string),
            region: raw.1.filter(|_| dims.region.is_some()).map(str::to_string),
            product_line: raw.2.filter(|_| dims.product_line).map(str::to_string),
            period: match self.period {
                Some(g) if raw.3 != NO_PERIOD => Some(g.label(raw.3)),
                _ => None,
            },
            by: dims,
        }
    }
}
