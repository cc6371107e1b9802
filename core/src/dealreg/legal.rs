//! Company legal forms: the table (`data/legal_forms.tsv`) and their removal from a name's tokens.
//!
//! The table is data, not code: a form is one line with its kind, where it may stand and every
//! spelling in its natural form ("S.p.A.", "Società per Azioni", "ООО"). Each spelling goes
//! through the same steps as a name ([`super::names::tokens`]), so a dotted, spaced or
//! transliterated variant needs no entry of its own.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::names::tokens;

const TABLE: &str = include_str!("data/legal_forms.tsv");

/// What a legal form says about the company (used only to tell apart two companies whose names
/// are otherwise the same, such as a partnership and a stock corporation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalKind {
    /// A company limited by shares (Inc, AG, S.A., PLC, Oyj, АО, Α.Ε., ...).
    Stock,
    /// A private limited company (LLC, Ltd, GmbH, S.r.l., B.V., ООО, ...).
    Limited,
    /// A partnership (KG, KGaA, LP, LLP, SNC, GmbH & Co. KG, ...).
    Partnership,
    /// A form that says nothing of the kind (Co, Company, & Co, eG).
    Generic,
}

/// One legal form found in a name: its kind and the normalised tokens that spelled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalForm {
    /// The kind of company the form names.
    pub kind: LegalKind,
    /// The normalised spelling found (e.g. `gmbh & co kg`).
    pub spelling: String,
}

struct Entry {
    kind: LegalKind,
    leading: bool,
}

/// Spellings (normalised token sequences joined by spaces) to their entries; the longest
/// spelling in tokens is tried first.
struct Table {
    forms: FxHashMap<String, Entry>,
    longest: usize,
}

fn table() -> &'static Table {
    static TABLE_CELL: OnceLock<Table> = OnceLock::new();
    TABLE_CELL.get_or_init(|| {
        let mut forms = FxHashMap::default();
        let mut longest = 1;
        for line in TABLE.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(kind), Some(place), Some(_juris), Some(spellings)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let kind = match kind {
                "stock" => LegalKind::Stock,
                "limited" => LegalKind::Limited,
                "partnership" => LegalKind::Partnership,
                _ => LegalKind::Generic,
            };
            for spelling in spellings.split(" | ") {
                let toks = tokens(spelling);
                if toks.is_empty() {
                    continue;
                }
                longest = longest.max(toks.len());
                forms.entry(toks.join(" ")).or_insert(Entry {
                    kind,
                    leading: place == "both",
                });
            }
        }
        Table { forms, longest }
    })
}

/// Removes legal forms (at the end, and at the start for the forms that stand there, e.g. "AB
/// Volvo", "ООО Ромашка"), a leading or trailing "the" and dangling connectors, repeatedly
/// ("Samsung Electronics Co., Ltd." loses `ltd` then `co`). Never removes the last token.
/// Returns the forms removed, in the order found.
pub fn strip_legal_forms(toks: &mut Vec<String>) -> Vec<LegalForm> {
    let table = table();
    let mut found = Vec::new();
    loop {
        if toks.len() <= 1 {
            break;
        }
        if toks.last().is_some_and(|t| t == "the" || t == "&") {
            toks.pop();
            continue;
        }
        if toks.first().is_some_and(|t| t == "the" || t == "&") {
            toks.remove(0);
            continue;
        }
        let n = toks.len();
        // At the end, longest spelling first; keep at least one token.
        let mut hit = None;
        for len in (1..=table.longest.min(n - 1)).rev() {
            let key = toks.get(n - len..).map(|s| s.join(" ")).unwrap_or_default();
            if let Some(e) = table.forms.get(&key) {
                hit = Some((len, e.kind, key));
                break;
            }
        }
        if let Some((len, kind, spelling)) = hit {
            toks.truncate(n - len);
            found.push(LegalForm { kind, spelling });
            continue;
        }
        for len in (1..=table.longest.min(n - 1)).rev() {
            let key = toks.get(..len).map(|s| s.join(" ")).unwrap_or_default();
            if let Some(e) = table.forms.get(&key).filter(|e| e.leading) {
                hit = Some((len, e.kind, key));
                break;
            }
        }
        match hit {
            Some((len, kind, spelling)) => {
                toks.drain(..len);
                found.push(LegalForm { kind, spelling });
            }
            None => break,
        }
    }
    found
}

/// Whether two sets of legal forms name companies that cannot be the same: a partnership on one
/// side, a company limited by shares (and no partnership) on the other ("Merck KGaA" and
/// "Merck & Co., Inc."). Forms of a kind that translate each other (Oyj and Corporation, ООО and
/// LLC) never conflict.
pub fn kinds_conflict(a: &[LegalForm], b: &[LegalForm]) -> bool {
    let has = |f: &[LegalForm], k: LegalKind| f.iter().any(|x| x.kind == k);
    let part_only = |x: &[LegalForm], y: &[LegalForm]| {
        has(x, LegalKind::Partnership)
            && !has(y, LegalKind::Partnership)
            && (has(y, LegalKind::Stock) || has(y, LegalKind::Limited))
    };
    part_only(a, b) || part_only(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> (String, Vec<String>) {
        let mut t = tokens(s);
        let f = strip_legal_forms(&mut t);
        (t.join(" "), f.into_iter().map(|f| f.spelling).collect())
    }

    #[test]
    fn strips_suffixes_in_every_spelling() {
        for s in [
            "Acme Inc",
            "Acme, Incorporated",
            "ACME L.L.C.",
            "Acme Limited Liability Company",
            "Acme S.p.A.",
            "Acme Società per Azioni",
            "Acme Gesellschaft mit beschränkter Haftung",
            "Acme G.m.b.H.",
            "Acme sp. z o.o.",
            "Acme A.Ş.",
            "Acme Ltd. Şti.",
            "Acme akciová společnost",
            "Acme S.A.B. de C.V.",
            "Acme SA/NV",
            "Acme A/S",
            "Acme Pty. Ltd.",
            "Acme Co., Ltd.",
            "Acme GmbH & Co. KG",
            "Acme Α.Ε.",
            "Acme, The",
        ] {
            assert_eq!(strip(s).0, "acme", "{s}");
        }
    }

    #[test]
    fn strips_leading_forms_only_where_they_stand() {
        assert_eq!(strip("AB Volvo").0, "volvo");
        assert_eq!(strip("ООО «Ромашка»").0, "romashka");
        assert_eq!(strip("ПАО Газпром").0, "gazprom");
        assert_eq!(strip("Kabushiki Kaisha Kubota").0, "kubota");
        assert_eq!(strip("The Acme Group").0, "acme group");
        // "SA" stands only at the end: "SA Power" keeps it.
        assert_eq!(strip("SA Power").0, "sa power");
    }

    #[test]
    fn never_strips_the_last_token() {
        assert_eq!(strip("Company").0, "company");
        assert_eq!(strip("AB").0, "ab");
    }

    #[test]
    fn partnership_and_stock_conflict() {
        let f = |s: &str| {
            let mut t = tokens(s);
            strip_legal_forms(&mut t)
        };
        assert!(kinds_conflict(&f("Merck KGaA"), &f("Merck & Co Inc")));
        assert!(!kinds_conflict(&f("Kone Oyj"), &f("Kone Corporation")));
        assert!(!kinds_conflict(&f("ООО Ромашка"), &f("Romashka LLC")));
        assert!(!kinds_conflict(&f("Acme KG"), &f("Acme GmbH & Co KG")));
    }
}
