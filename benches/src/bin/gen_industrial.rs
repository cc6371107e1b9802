//! Seeded generator of the `examples/industrial` partner and lead data.
//!
//! ```text
//! cargo run -p leadrail-benches --bin gen_industrial -- [--seed N] [--dealers N] [--leads N] [--out DIR]
//! ```
//!
//! Writes `partners.csv` and `leads.csv` for the fictitious manufacturer Kestrel Fluid Power:
//! distributors per country, dealers below them in real cities (with their ISO 3166-2 regions,
//! postal prefixes and coordinates), certifications with validity dates (some expired), and
//! leads across the same cities. The same seed always writes the same files.

#![expect(
    clippy::indexing_slicing,
    reason = "indexes are into the constant tables of this generator, never into input"
)]

use std::fmt::Write as _;
use std::path::PathBuf;

/// splitmix64: tiny, well-known, and stable across crate versions (unlike `rand`'s streams).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T], default: &'a T) -> &'a T {
        let i = self.below(items.len());
        items.get(i).unwrap_or(default)
    }
}

struct City {
    name: &'static str,
    region: &'static str,
    postal: &'static str,
    lat: f64,
    lon: f64,
}

const CITIES: &[City] = &[
    City {
        name: "Chicago",
        region: "US-IL",
        postal: "606",
        lat: 41.8781,
        lon: -87.6298,
    },
    City {
        name: "Rockford",
        region: "US-IL",
        postal: "611",
        lat: 42.2711,
        lon: -89.0940,
    },
    City {
        name: "Milwaukee",
        region: "US-WI",
        postal: "532",
        lat: 43.0389,
        lon: -87.9065,
    },
    City {
        name: "Madison",
        region: "US-WI",
        postal: "537",
        lat: 43.0731,
        lon: -89.4012,
    },
    City {
        name: "Detroit",
        region: "US-MI",
        postal: "482",
        lat: 42.3314,
        lon: -83.0458,
    },
    City {
        name: "Grand Rapids",
        region: "US-MI",
        postal: "495",
        lat: 42.9634,
        lon: -85.6681,
    },
    City {
        name: "Columbus",
        region: "US-OH",
        postal: "432",
        lat: 39.9612,
        lon: -82.9988,
    },
    City {
        name: "Cleveland",
        region: "US-OH",
        postal: "441",
        lat: 41.4993,
        lon: -81.6944,
    },
    City {
        name: "Indianapolis",
        region: "US-IN",
        postal: "462",
        lat: 39.7684,
        lon: -86.1581,
    },
    City {
        name: "Houston",
        region: "US-TX",
        postal: "770",
        lat: 29.7604,
        lon: -95.3698,
    },
    City {
        name: "Dallas",
        region: "US-TX",
        postal: "752",
        lat: 32.7767,
        lon: -96.7970,
    },
    City {
        name: "Anchorage",
        region: "US-AK",
        postal: "995",
        lat: 61.2181,
        lon: -149.9003,
    },
    City {
        name: "Toronto",
        region: "CA-ON",
        postal: "M5",
        lat: 43.6532,
        lon: -79.3832,
    },
    City {
        name: "Montreal",
        region: "CA-QC",
        postal: "H2",
        lat: 45.5017,
        lon: -73.5673,
    },
    City {
        name: "Munich",
        region: "DE-BY",
        postal: "80",
        lat: 48.1351,
        lon: 11.5820,
    },
    City {
        name: "Stuttgart",
        region: "DE-BW",
        postal: "70",
        lat: 48.7758,
        lon: 9.1829,
    },
    City {
        name: "Cologne",
        region: "DE-NW",
        postal: "50",
        lat: 50.9375,
        lon: 6.9603,
    },
    City {
        name: "Vienna",
        region: "AT-9",
        postal: "10",
        lat: 48.2082,
        lon: 16.3738,
    },
    City {
        name: "Zurich",
        region: "CH-ZH",
        postal: "80",
        lat: 47.3769,
        lon: 8.5417,
    },
];

/// Cities where leads come from but no partner sits: they exercise the fallback queue.
const LEAD_ONLY_CITIES: &[City] = &[
    City {
        name: "London",
        region: "GB-LND",
        postal: "EC",
        lat: 51.5155,
        lon: -0.0922,
    },
    City {
        name: "Perth",
        region: "AU-WA",
        postal: "60",
        lat: -31.9523,
        lon: 115.8613,
    },
];

/// (id, country territory, name) of the distributors; dealers hang below the one of their country.
const DISTRIBUTORS: &[(&str, &str, &str)] = &[
    (
        "D-US-1",
        "US except US-AK, US-HI",
        "Great Lakes Fluid Supply",
    ),
    ("D-US-2", "US-TX|US-AK", "Gulf & Northern Hydraulics"),
    ("D-CA-1", "CA", "Maple Power Systems"),
    ("D-DE-1", "DE|AT", "Rhein-Donau Antriebstechnik"),
    ("D-CH-1", "CH", "Helvetia Hydraulik"),
];

const PRODUCT_LINES: &[&str] = &[
    "hydraulics",
    "pneumatics",
    "filtration",
    "lubricants",
    "spare-parts",
];
const CERTS: &[&str] = &[
    "hydraulic-systems",
    "atex-safety",
    "pneumatics-pro",
    "filtration-expert",
];
const INDUSTRIES: &[&str] = &[
    "agriculture",
    "construction",
    "food",
    "mining",
    "oil_gas",
    "manufacturing",
];

/// A CSV cell: quoted when it holds a comma or a quote.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn distributor_for(region: &str) -> &'static str {
    match region {
        "US-TX" | "US-AK" => "D-US-2",
        r if r.starts_with("US") => "D-US-1",
        r if r.starts_with("CA") => "D-CA-1",
        r if r.starts_with("DE") || r.starts_with("AT") => "D-DE-1",
        _ => "D-CH-1",
    }
}

fn main() {
    let mut seed = 7u64;
    let mut dealers = 48usize;
    let mut leads = 40usize;
    let mut out = PathBuf::from("examples/industrial");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--seed" => seed = v.parse().unwrap_or(seed),
            "--dealers" => dealers = v.parse().unwrap_or(dealers),
            "--leads" => leads = v.parse().unwrap_or(leads),
            "--out" => out = PathBuf::from(v),
            _ => {
                eprintln!("usage: gen_industrial [--seed N] [--dealers N] [--leads N] [--out DIR]");
                std::process::exit(2);
            }
        }
    }
    let mut rng = Rng(seed);
    let header = "id,name,kind,parent,territories,location,product_lines,certifications,tier,\
                  capacity,active_leads,acceptance_rate,conversion_rate,leads_received,status,\
                  last_assigned_at,weight";
    let mut p = String::new();
    let _ = writeln!(p, "{header}");
    let mut minute = 0u32;
    let mut stamp = |rng: &mut Rng| {
        minute += 1 + rng.below(50) as u32;
        format!(
            "2026-11-{:02}T{:02}:{:02}:00Z",
            10 + minute / 1440,
            (minute / 60) % 24,
            minute % 60
        )
    };
    for (id, territory, name) in DISTRIBUTORS {
        let (territory, name) = (cell(territory), cell(name));
        let cap = 200 + rng.below(200);
        let _ = writeln!(
            p,
            "{id},{name},distributor,,{territory},,{pl},hydraulic-systems=2027-12-31|atex-safety=2027-06-30,platinum,{cap},{act},{acc:.3},{conv:.3},{n},active,{t},3",
            pl = PRODUCT_LINES.join("|"),
            act = rng.below(cap / 2),
            acc = 0.6 + 0.3 * rng.unit(),
            conv = 0.2 + 0.2 * rng.unit(),
            n = 200 + rng.below(800),
            t = stamp(&mut rng),
        );
    }
    for i in 0..dealers {
        let city = rng.pick(CITIES, &CITIES[0]);
        let id = format!("K-{:03}", i + 1);
        let mut territories = vec![city.region.to_string()];
        if rng.chance(0.3) {
            territories.push(rng.pick(CITIES, &CITIES[0]).region.to_string());
        }
        territories.sort();
        territories.dedup();
        let mut lines: Vec<&str> = PRODUCT_LINES
            .iter()
            .copied()
            .filter(|_| rng.chance(0.55))
            .collect();
        if lines.is_empty() {
            lines.push(*rng.pick(PRODUCT_LINES, &"hydraulics"));
        }
        let mut certs = Vec::new();
        for c in CERTS {
            if rng.chance(0.35) {
                // Some certifications have lapsed before the example's routing date (2026-11-24).
                let (y, m) = if rng.chance(0.2) {
                    (2026, 1 + rng.below(10))
                } else {
                    (2027, 1 + rng.below(12))
                };
                certs.push(format!("{c}={y}-{m:02}-28"));
            }
        }
        let tier = match rng.below(10) {
            0 => "platinum",
            1..=3 => "gold",
            _ => "silver",
        };
        let capacity = 10 + rng.below(40);
        let active = if rng.chance(0.1) {
            capacity
        } else {
            rng.below(capacity)
        };
        let status = match rng.below(20) {
            0 => "paused",
            1 => "suspended",
            _ => "active",
        };
        let location = if rng.chance(0.9) {
            // Dealers sit within about 30 km of the city centre.
            format!(
                "{:.4} {:.4}",
                city.lat + (rng.unit() - 0.5) * 0.5,
                city.lon + (rng.unit() - 0.5) * 0.5
            )
        } else {
            String::new()
        };
        let received = if rng.chance(0.15) {
            rng.below(3)
        } else {
            5 + rng.below(300)
        };
        let last = if rng.chance(0.1) {
            String::new()
        } else {
            stamp(&mut rng)
        };
        let _ = writeln!(
            p,
            "{id},{name} {kind},dealer,{parent},{terr},{location},{lines},{certs},{tier},{capacity},{active},{acc:.3},{conv:.3},{received},{status},{last},{w}",
            name = city.name,
            kind = rng.pick(&["Hydraulics", "Fluid Power", "Industrial Supply", "Machinery"], &"Hydraulics"),
            parent = distributor_for(city.region),
            terr = territories.join("|"),
            lines = lines.join("|"),
            certs = certs.join("|"),
            acc = rng.unit(),
            conv = 0.4 * rng.unit(),
            w = 1 + rng.below(3),
        );
    }
    let mut l = String::new();
    let _ = writeln!(l, "id,region,location,product_line,deal_size,industry");
    for i in 0..leads {
        let city = if rng.chance(0.08) {
            rng.pick(LEAD_ONLY_CITIES, &LEAD_ONLY_CITIES[0])
        } else {
            rng.pick(CITIES, &CITIES[0])
        };
        let region = if rng.chance(0.6) {
            format!("{}:{}", city.region, city.postal)
        } else {
            city.region.to_string()
        };
        let location = if rng.chance(0.8) {
            format!(
                "{:.4} {:.4}",
                city.lat + (rng.unit() - 0.5) * 0.8,
                city.lon + (rng.unit() - 0.5) * 0.8
            )
        } else {
            String::new()
        };
        // Log-uniform deal sizes between 2,000 and 600,000.
        let deal = (2_000f64.ln() + rng.unit() * (600_000f64.ln() - 2_000f64.ln())).exp();
        let _ = writeln!(
            l,
            "L-{:04},{region},{location},{pl},{deal:.2},{ind}",
            i + 1,
            pl = rng.pick(PRODUCT_LINES, &"hydraulics"),
            ind = rng.pick(INDUSTRIES, &"manufacturing"),
        );
    }
    let write = |name: &str, text: &str| {
        let path = out.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
        eprintln!("wrote {}", path.display());
    };
    write("partners.csv", &p);
    write("leads.csv", &l);
}
