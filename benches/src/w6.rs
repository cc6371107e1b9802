//! BENCH.md W6: deal registration, new deals against existing registrations.
//!
//! Company names are a made-up brand word (two or three syllables of about 1,700, so mostly
//! unique, as in a real registry), an
//! optional second brand word or industry word, and a legal form of one of five countries;
//! a third of them carry a web domain, all a postal code of their country. New deals are a mix:
//! a fifth are variations of an existing registration by another partner (another legal form or
//! its spelled-out or dotted variant, case, punctuation, an abbreviation, a one-letter typo in a
//! long word), the rest new companies made the same way.

use leadrail_core::dealreg::registration::DAY_MS;
use leadrail_core::dealreg::{Policy, RecordKind, Registration, Status};

use crate::rng::SplitMix64;

/// The instant the workload is generated at.
pub const NOW: i64 = 1_780_000_000_000;

const ONSETS: [&str; 24] = [
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "st", "tr", "kr", "sch", "gr",
];
const VOWELS: [&str; 7] = ["a", "e", "i", "o", "u", "ei", "au"];
const CODAS: [&str; 10] = ["", "", "", "n", "r", "l", "s", "t", "ck", "ng"];

const INDUSTRY: [&str; 40] = [
    "Hydraulics",
    "Logistics",
    "Systems",
    "Technologies",
    "Engineering",
    "Manufacturing",
    "Services",
    "Industries",
    "Holdings",
    "Group",
    "International",
    "Solutions",
    "Consulting",
    "Construction",
    "Electric",
    "Plumbing",
    "Medical Center",
    "Foods",
    "Trading",
    "Energy",
    "Automotive",
    "Maschinenbau",
    "Logistik",
    "Technik",
    "Bau",
    "Industrie",
    "Ingénierie",
    "Transports",
    "Distribución",
    "Costruzioni",
    "Partners",
    "Brothers",
    "& Sons",
    "Supply",
    "Machinery",
    "Tools",
    "Parts",
    "Lubricants",
    "Fluid Power",
    "Equipment",
];

/// (country, legal forms, postal-code digits)
const COUNTRIES: [(&str, &[&str], u32); 5] = [
    (
        "US",
        &[
            "Inc",
            "Inc.",
            "Incorporated",
            "Corp",
            "Corporation",
            "LLC",
            "Co",
        ],
        5,
    ),
    (
        "DE",
        &[
            "GmbH",
            "AG",
            "GmbH & Co. KG",
            "KG",
            "Gesellschaft mit beschränkter Haftung",
        ],
        5,
    ),
    ("FR", &["SA", "S.A.", "SARL", "SAS", "S.A.S."], 5),
    ("IT", &["S.p.A.", "SpA", "S.r.l.", "Srl"], 5),
    ("GB", &["Ltd", "Limited", "Ltd.", "PLC", "plc"], 4),
];

fn pick<'a>(rng: &mut SplitMix64, xs: &[&'a str]) -> &'a str {
    xs.get(rng.below(xs.len() as u64) as usize)
        .copied()
        .unwrap_or("")
}

fn brand(rng: &mut SplitMix64) -> String {
    let n = 2 + rng.below(2);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(pick(rng, &ONSETS));
        s.push_str(pick(rng, &VOWELS));
        s.push_str(pick(rng, &CODAS));
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn company(rng: &mut SplitMix64, id: usize, partner: usize) -> Registration {
    let (country, forms, digits) = COUNTRIES
        .get(rng.below(COUNTRIES.len() as u64) as usize)
        .copied()
        .unwrap_or(COUNTRIES[0]);
    let b = brand(rng);
    let second = match rng.below(4) {
        0 => brand(rng),
        1 | 2 => pick(rng, &INDUSTRY).to_owned(),
        _ => String::new(),
    };
    let base = if second.is_empty() {
        b.clone()
    } else {
        format!("{b} {second}")
    };
    let name = format!("{base} {}", pick(rng, forms));
    let mut r = Registration::new(
        &format!("r{id}"),
        &format!("p{partner}"),
        &name,
        NOW - 30 * DAY_MS,
    );
    if rng.below(3) == 0 {
        r.domain = Some(format!(
            "www.{}.{}",
            base.to_lowercase().replace(' ', "-"),
            country.to_lowercase()
        ));
    }
    r.country = Some(country.to_owned());
    let code = rng.below(10u64.pow(digits) / 4);
    r.postal_code = Some(format!("{code:0width$}", width = digits as usize));
    r.product_lines =
        vec![pick(rng, &["hydraulics", "lubricants", "machinery", "parts"]).to_owned()];
    r
}

/// A variation of a name as another partner would type it.
fn vary(rng: &mut SplitMix64, name: &str) -> String {
    match rng.below(6) {
        0 => name.to_uppercase(),
        1 => name.replace(' ', ", ").replacen(", ", " ", 1),
        2 => name
            .replace("Incorporated", "Inc.")
            .replace("GmbH", "G.m.b.H.")
            .replace("International", "Intl")
            .replace("Limited", "Ltd")
            .replace("S.p.A.", "Società per Azioni"),
        3 => {
            // drop the legal form
            name.rsplit_once(' ')
                .map(|(a, _)| a.to_owned())
                .unwrap_or_else(|| name.to_owned())
        }
        4 => {
            // a one-letter typo in the longest word, if it is long
            let mut words: Vec<String> = name.split(' ').map(str::to_owned).collect();
            if let Some(w) = words.iter_mut().max_by_key(|w| w.len()) {
                if w.len() >= 8 {
                    let mut cs: Vec<char> = w.chars().collect();
                    cs.remove(cs.len() / 2);
                    *w = cs.into_iter().collect();
                }
            }
            words.join(" ")
        }
        _ => format!("The {name}"),
    }
}

/// W6: `existing` registrations (a tenth CRM accounts, a tenth open leads, the rest approved
/// registrations of 500 partners) and `new` deals.
pub fn generate(existing: usize, new: usize, seed: u64) -> (Vec<Registration>, Vec<Registration>) {
    let mut rng = SplitMix64::new(seed);
    let policy = Policy::default();
    let mut regs = Vec::with_capacity(existing);
    for i in 0..existing {
        let partner = rng.below(500) as usize;
        let mut r = company(&mut rng, i, partner);
        match rng.below(10) {
            0 => {
                r.kind = RecordKind::Account;
                r.status = Status::Approved;
            }
            1 => r.kind = RecordKind::Lead,
            _ => r.approve(NOW - rng.below_i64(120) * DAY_MS, &policy),
        }
        regs.push(r);
    }
    let mut deals = Vec::with_capacity(new);
    for i in 0..new {
        let partner = 500 + rng.below(100) as usize;
        let mut d = company(&mut rng, existing + i, partner);
        d.id = format!("d{i}");
        if rng.below(5) == 0 && !regs.is_empty() {
            if let Some(src) = regs.get(rng.below(regs.len() as u64) as usize) {
                d.company = vary(&mut rng, &src.company);
                d.country = src.country.clone();
                d.postal_code = src.postal_code.clone();
                if rng.below(2) == 0 {
                    d.domain = src.domain.clone();
                }
                d.product_lines = src.product_lines.clone();
            }
        }
        deals.push(d);
    }
    (regs, deals)
}
