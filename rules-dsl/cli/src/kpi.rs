//! `leadrail kpi` and `leadrail forecast`: read lead timelines, lead records, engagement events
//! and partner records, compute the KPIs (with the rule file's SLAs) or the forecast as of
//! `--now` (`leadrail_core::kpi`), and print one table as CSV or the whole answer as JSON;
//! `kpi --update-partners OUT` also writes the partners file with each partner's measured
//! performance in its fields (`leadrail_core::kpi::apply_to_record`).
//!
//! Every input is read whole before anything is computed; a bad record is reported with its
//! file, line (or item), record and field, the others are read too, and the command exits 2
//! without output.

#![expect(
    clippy::result_large_err,
    reason = "records are read into core's language-neutral ErrorReport, as in core's kpi module"
)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use leadrail_core::kpi::columns::{forecast_columns, report_columns, Table};
use leadrail_core::kpi::{
    self, EngagementEvent, ForecastOptions, GroupBy, KpiInput, KpiOptions, LeadFields, LeadInfo,
    MeasureFields, PartnerInfo,
};
use leadrail_core::record::{parse_duration, Record, TextHeader};
use leadrail_core::report::ErrorReport;
use leadrail_core::schema::Schema;
use leadrail_core::timeline::Timeline;
use serde_json::Value as Json;

use crate::input::{self, Format, Input, Origin, Raw, Stopped};
use crate::output;
use crate::progress::Progress;
use crate::rules;

/// How `kpi` and `forecast` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KpiFormat {
    /// One table (`--table`) as CSV, its group columns first.
    Csv,
    /// The whole answer as JSON (core's serde form).
    Json,
}

/// The inputs and options `kpi` and `forecast` share.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Lead timelines: a JSON array or JSON Lines of `{"lead": ..., "events": [...]}`.
    #[arg(long, value_name = "FILE")]
    timelines: PathBuf,
    /// Lead records with `id`, the amount, the region and the product line (CSV, JSON or JSON
    /// Lines); a lead without a record has none of them.
    #[arg(long, value_name = "FILE")]
    leads: Option<PathBuf>,
    /// The instant the figures are as of (e.g. `2026-11-24T09:00:00Z`).
    #[arg(long, value_name = "INSTANT")]
    now: String,
    /// The breakdown: any of `partner`, `country` or `region`, `product`, and one of `day`,
    /// `week`, `month`, `quarter`, comma-separated (none: the totals).
    #[arg(long, value_name = "DIMS")]
    by: Option<String>,
    /// The IANA zone of periods and local days.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    tz: String,
    /// The lead record field with the amount.
    #[arg(long, value_name = "FIELD", default_value = "amount")]
    amount_field: String,
    /// The lead record field with the region.
    #[arg(long, value_name = "FIELD", default_value = "region")]
    region_field: String,
    /// The lead record field with the product line.
    #[arg(long, value_name = "FIELD", default_value = "product_line")]
    product_field: String,
    /// The format of inputs whose file name does not say.
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<Format>,
    /// How to print.
    #[arg(long, value_enum, default_value_t = KpiFormat::Csv)]
    format: KpiFormat,
    /// The table printed as CSV (`kpi`: assignments, rejections, leads, open_leads, stages,
    /// deals, sla, engagement, engagement_kinds, first_deals; `forecast`: groups, stages,
    /// leads).
    #[arg(long, value_name = "TABLE")]
    table: Option<String>,
    /// Write the answer to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
}

/// The options of `leadrail kpi`.
#[derive(Debug, clap::Args)]
pub struct KpiCli {
    /// The rule file (its SLAs and calendars give SLA attainment).
    #[arg(long, value_name = "FILE")]
    rules: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Partner engagement events `{partner, at, kind}` (CSV, JSON or JSON Lines).
    #[arg(long, value_name = "FILE")]
    engagement: Option<PathBuf>,
    /// Partner records with `id` and `joined_at` (a network's partner file will do).
    #[arg(long, value_name = "FILE")]
    partners: Option<PathBuf>,
    /// The partner field with the join date.
    #[arg(long, value_name = "FIELD", default_value = "joined_at")]
    joined_field: String,
    /// Count open leads untouched for this long (`7d`, `36h`).
    #[arg(long, value_name = "DURATION")]
    untouched_after: Option<String>,
    /// Write the partners file (`--partners`, in the rule file's partner schema) to OUT with
    /// each partner's measured performance in its fields, in the partners file's format (a
    /// JSON file as JSON Lines when OUT ends in `.jsonl`).
    #[arg(long, value_name = "OUT", requires = "partners")]
    update_partners: Option<PathBuf>,
    /// Which measure goes into which partner field (`acceptance_rate=acc_rate`), repeated;
    /// default: `acceptance_rate`, `conversion_rate`, `leads_received` and `sla_attainment`
    /// into the fields of those names the schema has.
    #[arg(long, value_name = "MEASURE=FIELD")]
    measure: Vec<String>,
}

/// The options of `leadrail forecast`.
#[derive(Debug, clap::Args)]
pub struct ForecastCli {
    #[command(flatten)]
    common: Common,
    /// The weight of the all-partner rate of a stage (default 10).
    #[arg(long, value_name = "M")]
    m: Option<f64>,
    /// Draws for the range of more than 16 leads (at least 10,000).
    #[arg(long, value_name = "N")]
    draws: Option<u32>,
    /// The seed of the draws.
    #[arg(long, value_name = "SEED")]
    seed: Option<u64>,
    /// List each forecast lead's probability (table `leads`).
    #[arg(long)]
    detail: bool,
}

/// A report on stderr: where (`at`, a file and line), the message, and the record and field
/// when the message does not name them.
fn show(at: Option<&str>, e: &ErrorReport) {
    let mut line = match at {
        Some(at) => format!("error: {at}: {}", e.message),
        None => format!("error: {}", e.message),
    };
    let mut named = Vec::new();
    if let Some(r) = e
        .record
        .as_deref()
        .filter(|r| !e.message.contains(&format!("`{r}`")))
    {
        named.push(format!("record `{r}`"));
    }
    if let Some(f) = e
        .field
        .as_deref()
        .filter(|f| !e.message.contains(&format!("`{f}`")))
    {
        named.push(format!("field `{f}`"));
    }
    if !named.is_empty() {
        line.push_str(&format!(" ({})", named.join(", ")));
    }
    eprintln!("{line}");
    if let Some(help) = e.help.as_deref().filter(|h| !h.is_empty()) {
        eprintln!("  help: {help}");
    }
}

/// A CSV row as a JSON object (a cell of digits as a number).
fn cells_json(headers: &[&str], cells: &[&str]) -> Json {
    let obj = headers.iter().zip(cells).map(|(h, c)| {
        let v = match c.trim().parse::<i64>() {
            Ok(n) => Json::from(n),
            Err(_) if c.trim().is_empty() => Json::Null,
            Err(_) => Json::String(c.to_string()),
        };
        (h.trim().to_string(), v)
    });
    Json::Object(obj.collect())
}

/// Reads every record of `path` with `read` (headers, cells or JSON, 1-based position);
/// reports each bad one. `Err`: the exit code.
fn read_all<T>(
    path: &Path,
    format: Option<Format>,
    mut read: impl FnMut(&[&str], Raw<'_>, usize) -> Result<T, ErrorReport>,
) -> Result<(Vec<T>, Vec<Origin>), u8> {
    let fail = |e: input::ReadError| {
        eprintln!("error: {e}");
        2u8
    };
    let input = Input::new(path, format).map_err(fail)?;
    let (mut out, mut origins, mut bad) = (Vec::new(), Vec::new(), 0usize);
    let read = input.each(&Progress::off(), |headers, origin, raw| {
        match read(headers, raw, out.len() + bad + 1) {
            Ok(x) => {
                out.push(x);
                origins.push(origin);
            }
            Err(e) => {
                bad += 1;
                show(Some(&input.at(origin)), &e);
            }
        }
        Ok(())
    });
    match read {
        Ok(()) if bad == 0 => Ok((out, origins)),
        Ok(()) => Err(2),
        Err(Stopped::Read(e)) => Err(fail(e)),
        Err(Stopped::Exit(c)) => Err(c),
    }
}

/// The timelines, each validated; a second timeline for a lead names both places.
fn timelines(path: &Path, format: Option<Format>) -> Result<Vec<Timeline>, u8> {
    let (list, origins) = read_all(path, format, |_, raw, _| match raw {
        Raw::Json(v) => leadrail_core::api::timeline_from_json(v).and_then(|t| {
            t.validate().map_err(|e| ErrorReport::from(&e))?;
            Ok(t)
        }),
        Raw::Cells(_) => Err(ErrorReport::request(
            "timelines are JSON objects `{\"lead\", \"events\"}`",
            "write the timelines as a JSON array or JSON Lines",
        )),
    })?;
    let name = input::name(path);
    let at = |o: &Origin| match o {
        Origin::Line(n) => format!("{name}:{n}"),
        Origin::Item(n) => format!("{name} (item {n})"),
    };
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    let mut bad = false;
    for (t, o) in list.iter().zip(&origins) {
        if let Some(first) = seen.insert(&t.lead, o) {
            bad = true;
            eprintln!(
                "error: {}: lead `{}` has a second timeline (the first is at {}) (field `lead`)\n  help: merge the lead's events into one timeline",
                at(o),
                t.lead,
                at(first)
            );
        }
    }
    if bad {
        return Err(2);
    }
    Ok(list)
}

fn lead_records(c: &Common) -> Result<Vec<LeadInfo>, u8> {
    let fields = LeadFields {
        amount: c.amount_field.clone(),
        region: c.region_field.clone(),
        product_line: c.product_field.clone(),
    };
    let Some(path) = &c.leads else {
        return Ok(Vec::new());
    };
    let (list, _) = read_all(path, c.input_format, |h, raw, i| match raw {
        Raw::Json(v) => LeadInfo::from_json_at(v, i, &fields),
        Raw::Cells(cells) => LeadInfo::from_text_at(h, cells, i, &fields),
    })?;
    Ok(list)
}

fn options(c: &Common) -> Result<KpiOptions, u8> {
    let usage = |e: ErrorReport| {
        show(None, &e);
        2u8
    };
    let dims = c.by.as_deref().unwrap_or_default().split(',');
    let by = GroupBy::parse(dims.map(str::trim).filter(|s| !s.is_empty())).map_err(usage)?;
    Ok(KpiOptions {
        by,
        tz: kpi::parse_tz(&c.tz).map_err(usage)?,
        ..KpiOptions::default()
    })
}

fn now(text: &str) -> Result<i64, u8> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            eprintln!(
                "error: --now `{text}` is not an RFC 3339 instant; e.g. `2026-11-24T09:00:00Z`"
            );
            2
        })
}

/// Writes one table as CSV (group columns first, then the others in core's order; null is an
/// empty cell) or `json` as pretty JSON.
fn write(c: &Common, tables: Vec<(&'static str, Table)>, json: &Json) -> u8 {
    let text = match c.format {
        KpiFormat::Json => serde_json::to_string_pretty(json).unwrap_or_default() + "\n",
        KpiFormat::Csv => {
            let names: Vec<&str> = tables.iter().map(|(n, _)| *n).collect();
            let want = c
                .table
                .as_deref()
                .unwrap_or(names.first().copied().unwrap_or(""));
            let Some((_, t)) = tables.into_iter().find(|(n, _)| *n == want) else {
                eprintln!(
                    "error: no table `{want}`\n  help: tables are {}",
                    names.join(", ")
                );
                return 2;
            };
            csv(&t)
        }
    };
    let mut out = match output::open(&c.output) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match output::finish(out.write_all(text.as_bytes()), &mut out) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

/// The group columns, and those naming what a row counts, first in this order.
const KEYS: [&str; 10] = [
    "partner",
    "country",
    "region",
    "product_line",
    "period",
    "sla",
    "stage",
    "reason",
    "kind",
    "lead",
];

fn csv(t: &Table) -> String {
    let mut cols: Vec<&(String, Vec<Json>)> = t.columns.iter().collect();
    cols.sort_by_key(|(n, _)| KEYS.iter().position(|k| k == n).unwrap_or(KEYS.len()));
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(cols.iter().map(|(n, _)| n.as_str()));
    let rows = cols.first().map_or(0, |(_, v)| v.len());
    for i in 0..rows {
        let _ = w.write_record(cols.iter().map(|(_, v)| match v.get(i) {
            None | Some(Json::Null) => String::new(),
            Some(Json::String(s)) => s.clone(),
            Some(x) => x.to_string(),
        }));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Run `kpi`; returns the exit code.
pub fn run_kpi(a: &KpiCli) -> u8 {
    match kpi_inner(a) {
        Ok(code) | Err(code) => code,
    }
}

fn kpi_inner(a: &KpiCli) -> Result<u8, u8> {
    let c = &a.common;
    let paths = [
        Some(&c.timelines),
        c.leads.as_ref(),
        a.engagement.as_ref(),
        a.partners.as_ref(),
    ];
    input::one_stdin(paths.into_iter().flatten().map(PathBuf::as_path)).map_err(|e| {
        eprintln!("error: {e}");
        2u8
    })?;
    let compiled = rules::compile(&a.rules)?;
    let plan = &compiled.plan;
    let slas = leadrail_core::api::sla_set(plan).map_err(|errors| {
        for e in errors {
            show(Some(&input::name(&a.rules)), &e);
        }
        1u8
    })?;
    let now = now(&c.now)?;
    let mut opts = options(c)?;
    if let Some(d) = &a.untouched_after {
        opts.untouched_after = Some(parse_duration(d).map_err(|e| {
            eprintln!("error: --untouched-after `{d}`: {}", e.message());
            2u8
        })?);
    }
    let timelines = timelines(&c.timelines, c.input_format)?;
    let leads = lead_records(c)?;
    let engagement = match &a.engagement {
        Some(p) => {
            read_all(p, c.input_format, |h, raw, i| match raw {
                Raw::Json(v) => EngagementEvent::from_json_at(v, i),
                Raw::Cells(cells) => EngagementEvent::from_json_at(&cells_json(h, cells), i),
            })?
            .0
        }
        None => Vec::new(),
    };
    let (partners, records) = match &a.partners {
        Some(p) => partner_files(
            p,
            c.input_format,
            &a.joined_field,
            a.update_partners.is_some().then_some(&plan.partner_schema),
        )?,
        None => (Vec::new(), Vec::new()),
    };
    let input = KpiInput::new(&timelines)
        .with_leads(&leads)
        .with_engagement(&engagement)
        .with_partners(&partners)
        .with_slas(&slas, &leadrail_core::sla::NoPartnerCalendars);
    let failed = |e: ErrorReport| {
        show(None, &e);
        2u8
    };
    let report = kpi::kpis(&input, now, &opts).map_err(failed)?;
    if let Some(out) = &a.update_partners {
        let by_partner = KpiOptions {
            by: GroupBy::parse(["partner"]).map_err(failed)?,
            ..opts.clone()
        };
        let measures =
            kpi::measures(&kpi::kpis(&input, now, &by_partner).map_err(failed)?).map_err(failed)?;
        let fields = measure_fields(&a.measure, &plan.partner_schema)?;
        update_partners(&records, &measures, &fields, &plan.partner_schema, out)?;
    }
    let tables = report_columns(&report).unwrap_or_default();
    let json = serde_json::to_value(&report).unwrap_or_default();
    Ok(write(c, tables, &json))
}

/// Run `forecast`; returns the exit code.
pub fn run_forecast(a: &ForecastCli) -> u8 {
    let c = &a.common;
    let run = || -> Result<u8, u8> {
        let paths = [Some(&c.timelines), c.leads.as_ref()];
        input::one_stdin(paths.into_iter().flatten().map(PathBuf::as_path)).map_err(|e| {
            eprintln!("error: {e}");
            2u8
        })?;
        let now = now(&c.now)?;
        let mut opts = options(c)?;
        let d = ForecastOptions::default();
        opts.forecast = ForecastOptions {
            m: a.m.unwrap_or(d.m),
            draws: a.draws.unwrap_or(d.draws),
            seed: a.seed.unwrap_or(d.seed),
            detail: a.detail,
        };
        let timelines = timelines(&c.timelines, c.input_format)?;
        let leads = lead_records(c)?;
        let input = KpiInput::new(&timelines).with_leads(&leads);
        let f = kpi::forecast(&input, now, &opts).map_err(|e| {
            show(None, &e);
            2u8
        })?;
        let json = serde_json::to_value(&f).unwrap_or_default();
        Ok(write(c, forecast_columns(&f).unwrap_or_default(), &json))
    };
    match run() {
        Ok(code) | Err(code) => code,
    }
}

/// One partner file row as read: CSV cells under their headers, or a JSON object.
enum Row {
    Cells(Vec<String>, Vec<String>),
    Json(Json),
}

/// The partner records (`joined_at`) and, for `--update-partners`, each row with its record of
/// the plan's partner `schema`.
#[allow(clippy::type_complexity)]
fn partner_files(
    path: &Path,
    format: Option<Format>,
    joined: &str,
    schema: Option<&Schema>,
) -> Result<(Vec<PartnerInfo>, Vec<(Row, Record)>), u8> {
    let mut header: Option<TextHeader<'_>> = None;
    let (list, _) = read_all(path, format, |h, raw, i| {
        let info = match raw {
            Raw::Json(v) => PartnerInfo::from_json_at(v, i, joined)?,
            Raw::Cells(cells) => PartnerInfo::from_text_at(h, cells, i, joined)?,
        };
        let Some(schema) = schema else {
            return Ok((info, None));
        };
        let (row, record) = match raw {
            Raw::Json(v) => (Row::Json(v.clone()), Record::from_json_at(schema, v, i)),
            Raw::Cells(cells) => {
                let own = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
                let rec = header
                    .get_or_insert_with(|| TextHeader::new(schema, h))
                    .record(cells, i);
                (Row::Cells(own(h), own(cells)), rec)
            }
        };
        let record = record.map_err(ErrorReport::from)?;
        Ok((info, Some((row, record))))
    })?;
    let mut infos = Vec::with_capacity(list.len());
    let mut rows = Vec::new();
    for (info, row) in list {
        infos.push(info);
        rows.extend(row);
    }
    Ok((infos, rows))
}

fn measure_fields(given: &[String], schema: &Schema) -> Result<MeasureFields, u8> {
    if given.is_empty() {
        return Ok(MeasureFields::usual(schema));
    }
    let mut map = std::collections::BTreeMap::new();
    for g in given {
        let Some((m, f)) = g.split_once('=') else {
            eprintln!("error: --measure `{g}` is not MEASURE=FIELD\n  help: e.g. `--measure acceptance_rate=acceptance_rate`");
            return Err(2);
        };
        map.insert(m.trim().to_string(), f.trim().to_string());
    }
    Ok(MeasureFields(map))
}

/// A value's cell text (as the CSV reader reads it back).
fn cell(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        x => x.to_string(),
    }
}

fn update_partners(
    rows: &[(Row, Record)],
    measures: &[kpi::Measure],
    fields: &MeasureFields,
    schema: &Schema,
    out: &Path,
) -> Result<(), u8> {
    let by_id: HashMap<&str, &kpi::Measure> =
        measures.iter().map(|m| (m.partner.as_str(), m)).collect();
    let names: Vec<&String> = fields.0.values().collect();
    let mut csv_out: Option<csv::Writer<Vec<u8>>> = None;
    let mut json_out = Vec::new();
    for (row, record) in rows {
        let m = by_id.get(&*record.id).copied();
        let updated = kpi::apply_to_record(schema, record, m, fields).map_err(|e| {
            show(Some("--update-partners"), &e);
            2u8
        })?;
        let value = |name: &str| {
            schema
                .index_of(name)
                .and_then(|i| updated.values.get(usize::from(i)))
                .map(|v| v.to_json())
        };
        match row {
            Row::Json(v) => {
                let mut v = v.clone();
                if let Json::Object(obj) = &mut v {
                    for n in &names {
                        obj.insert(n.to_string(), value(n).unwrap_or(Json::Null));
                    }
                }
                json_out.push(v);
            }
            Row::Cells(headers, cells) => {
                let mut headers = headers.clone();
                let mut cells = cells.clone();
                for n in &names {
                    let i = match headers.iter().position(|h| h.trim() == n.as_str()) {
                        Some(i) => i,
                        None => {
                            headers.push(n.to_string());
                            headers.len() - 1
                        }
                    };
                    cells.resize(headers.len(), String::new());
                    if let Some(c) = cells.get_mut(i) {
                        *c = value(n).map(|v| cell(&v)).unwrap_or_default();
                    }
                }
                let w = csv_out.get_or_insert_with(|| {
                    let mut w = csv::Writer::from_writer(Vec::new());
                    let _ = w.write_record(&headers);
                    w
                });
                let _ = w.write_record(&cells);
            }
        }
    }
    let bytes = match csv_out {
        Some(w) => w.into_inner().unwrap_or_default(),
        None if Format::of(out) == Some(Format::JsonLines) => json_out
            .iter()
            .map(|v| v.to_string() + "\n")
            .collect::<String>()
            .into_bytes(),
        None => (serde_json::to_string_pretty(&json_out).unwrap_or_default() + "\n").into_bytes(),
    };
    let mut w = output::open(out)?;
    output::finish(w.write_all(&bytes), &mut w)
}
