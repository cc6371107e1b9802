//! Writes the BENCH.md W5 workload (`leadrail_benches::w5`) as CSV for the polars pipeline
//! (`benches/polars_w5.py`), with leadrail's own answers to compare against:
//!
//! ```text
//! cargo run --release -p leadrail-benches --bin gen_w5 -- [--leads N] [--partners N] [--seed N] [--out DIR]
//! ```
//!
//! `events.csv` (`lead,at,event,partner,reason,stage,status`, one row per event, leads in
//! order), `leads.csv` (`id,amount,region,product_line`), `kpis.json` (the KPIs by partner and
//! month) and `forecast.json` (the forecast by partner and month), as of `w5::W5_NOW`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use leadrail_benches::w5;
use leadrail_core::kpi::{self, GroupBy, KpiInput, KpiOptions};
use leadrail_core::sla::NoPartnerCalendars;
use leadrail_core::timeline::EventData;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut n, mut partners, mut seed, mut out) =
        (100_000usize, 1000u64, 5u64, PathBuf::from("."));
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--leads" => n = v.parse()?,
            "--partners" => partners = v.parse()?,
            "--seed" => seed = v.parse()?,
            "--out" => out = PathBuf::from(v),
            _ => {
                eprintln!("usage: gen_w5 [--leads N] [--partners N] [--seed N] [--out DIR]");
                std::process::exit(2);
            }
        }
    }
    std::fs::create_dir_all(&out)?;
    let w = w5::generate(n, partners, seed)?;
    let mut f = BufWriter::new(std::fs::File::create(out.join("events.csv"))?);
    writeln!(f, "lead,at,event,partner,reason,stage,status")?;
    let mut events = 0usize;
    for t in &w.timelines {
        for e in &t.events {
            let (mut partner, mut reason, mut stage, mut status) = ("", "", "", "");
            match &e.data {
                EventData::Assigned { partner: p }
                | EventData::Accepted { partner: p }
                | EventData::Reassigned { partner: p }
                | EventData::HandedDown { reseller: p } => partner = p,
                EventData::Rejected {
                    partner: p,
                    reason: r,
                } => {
                    partner = p;
                    reason = r;
                }
                EventData::Viewed { partner: p }
                | EventData::Contacted { partner: p }
                | EventData::Retracted { partner: p } => partner = p.as_deref().unwrap_or(""),
                EventData::StageChanged { stage: s } => stage = s,
                EventData::StatusChanged { status: s } => status = s,
                _ => {}
            }
            writeln!(
                f,
                "{},{},{},{partner},{reason},{stage},{status}",
                t.lead,
                e.at,
                e.kind()
            )?;
            events += 1;
        }
    }
    f.flush()?;
    let mut f = BufWriter::new(std::fs::File::create(out.join("leads.csv"))?);
    writeln!(f, "id,amount,region,product_line")?;
    for l in &w.leads {
        writeln!(
            f,
            "{},{},{},{}",
            l.id,
            l.amount.unwrap_or_default(),
            l.region.as_deref().unwrap_or(""),
            l.product_line.as_deref().unwrap_or("")
        )?;
    }
    f.flush()?;
    let input = KpiInput::new(&w.timelines)
        .with_leads(&w.leads)
        .with_slas(&w.slas, &NoPartnerCalendars);
    let opts = KpiOptions {
        by: GroupBy::parse(["partner", "month"]).map_err(|e| e.message)?,
        ..KpiOptions::default()
    };
    let (report, forecast) = kpi::kpis_and_forecast(&input, w.now, &opts).map_err(|e| e.message)?;
    std::fs::write(out.join("kpis.json"), serde_json::to_string(&report)?)?;
    std::fs::write(out.join("forecast.json"), serde_json::to_string(&forecast)?)?;
    eprintln!(
        "{} leads, {events} events, {} partners: {}",
        w.timelines.len(),
        partners,
        out.display()
    );
    Ok(())
}
