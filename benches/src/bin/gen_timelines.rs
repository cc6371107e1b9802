//! Seeded generator of SLA timelines for `leadrail sla` (the W4 shapes of `w4::timeline`) over
//! the calendars of `examples/industrial/rules.rail`.
//!
//! ```text
//! cargo run --release -p leadrail-benches --bin gen_timelines -- [--seed N] [--timelines N] [--events N] [--out DIR]
//! leadrail sla --rules examples/industrial/rules.rail --timelines DIR/timelines.json \
//!   --partners DIR/partner-calendars.csv --now 2026-04-05T00:00:00Z
//! ```
//!
//! Writes `timelines.json` (a JSON array, one timeline per line; with `--events N` each keeps
//! its first N events: 1,000,000 timelines are about 440 MB with all events, 150 MB with 2) and `partner-calendars.csv` (partners `P000`..`P299` on the example's three
//! calendars). The same seed always writes the same files.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use leadrail_benches::rng::SplitMix64;
use leadrail_benches::w4;

fn main() -> std::io::Result<()> {
    let (mut seed, mut n, mut out) = (4u64, 1_000_000usize, PathBuf::from("."));
    let mut events = usize::MAX;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--seed" => seed = v.parse().unwrap_or(seed),
            "--timelines" => n = v.parse().unwrap_or(n),
            "--events" => events = v.parse().unwrap_or(events),
            "--out" => out = PathBuf::from(v),
            _ => {
                eprintln!(
                    "usage: gen_timelines [--seed N] [--timelines N] [--events N] [--out DIR]"
                );
                std::process::exit(2);
            }
        }
    }
    std::fs::create_dir_all(&out)?;
    let mut w = BufWriter::new(std::fs::File::create(out.join("timelines.json"))?);
    let mut rng = SplitMix64::new(seed);
    w.write_all(b"[\n")?;
    for i in 0..n {
        let mut t = w4::timeline(&mut rng, i, 300);
        t.events.truncate(events);
        serde_json::to_writer(&mut w, &t)?;
        w.write_all(if i + 1 == n { b"\n" } else { b",\n" })?;
    }
    w.write_all(b"]\n")?;
    w.flush()?;
    let mut c = BufWriter::new(std::fs::File::create(out.join("partner-calendars.csv"))?);
    writeln!(c, "id,calendar")?;
    for (i, cal) in (0..300).zip(["us-central", "ca-east", "dach"].iter().cycle()) {
        writeln!(c, "P{i:03},{cal}")?;
    }
    c.flush()
}
