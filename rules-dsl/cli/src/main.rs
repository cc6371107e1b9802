//! `leadrail`: check, format and run routing rule files from the command line.
//!
//! Subcommands: `check`, `fmt`, `route`, `sla`, `kpi`, `forecast`, `register`, `expire`.
//!
//! Exit codes: 0 success; 1 a rule file has errors (or `fmt --check` found unformatted files);
//! 2 bad data or usage (a malformed row names its file, line and field), or the output could not
//! be written (a full disk). When the reader of the output goes away (`| head`), the command
//! stops quietly with 0.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `eprintln!` that ignores a failing stderr (the standard one panics; a message that cannot be
/// shown must not turn into a crash).
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that ignores a failing stderr.
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

/// mimalloc, as in the bindings: a stream of leads allocates its records (ids, values) on the
/// reading thread and frees them on the routing thread, which the system allocator serves
/// several times slower (measured: `benches/cli_1m.sh`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod check;
mod conflicts;
mod decisions;
mod expire;
mod fmt;
mod input;
mod kpi;
mod output;
mod progress;
mod register;
mod registry_file;
mod render;
mod route;
mod rules;
mod sla;
mod state;
mod tails;

/// Decide which channel partner gets each lead, and keep track of what partners owe, with
/// rules you write in `.rail` files.
#[derive(Debug, Parser)]
#[command(
    name = "leadrail",
    version,
    after_help = "\
Examples:
  leadrail check rules.rail
  leadrail route --rules rules.rail --partners partners.csv --leads leads.csv
  export-leads | leadrail route --rules rules.rail --partners partners.csv \\
                   --leads - --input-format jsonl --format jsonl --state routing-state.json
  leadrail sla --rules rules.rail --timelines timelines.json --now 2026-11-24T09:00:00Z
  leadrail kpi --rules rules.rail --timelines timelines.json --leads leads.csv \\
               --now 2026-12-01T00:00:00Z --by partner,month
  leadrail register --rules rules.rail --registry registry.csv --deals deals.csv
  leadrail expire --registry registry.csv --now 2026-12-31T08:00:00Z --update-registry registry.csv

Wherever a file is read or written, `-` means standard input or output.
Exit status: 0 done; 1 a rule file has errors (or `fmt --check` found files to format);
2 bad data (each bad record is named with its file, line and field), a file that cannot be
read or written, or a wrong option."
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check rule files: every error and warning, with its line and column, the text around it
    /// and how to fix it.
    Check {
        /// Rule files (`.rail`); `-` reads the rules from standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print the errors and warnings as JSON, for editors and scripts.
        #[arg(long)]
        json: bool,
    },
    /// Format rule files in place (the standard layout; comments are kept).
    Fmt {
        /// Rule files (`.rail`); `-` formats standard input to standard output.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Change nothing: list the files that are not formatted and exit with 1 if there are
        /// any.
        #[arg(long)]
        check: bool,
    },
    /// Decide which partner gets each lead, in order (each assignment counts for the leads
    /// after it), and print one decision per lead.
    Route(RouteCli),
    /// Show where each lead stands against its SLAs at an instant: every SLA's state, the
    /// reminders, escalations and retractions now due, and the leads to re-route.
    Sla {
        /// The rule file, with its `calendar` and `sla` declarations.
        #[arg(long, value_name = "FILE")]
        rules: PathBuf,
        /// Lead timelines: a JSON array or JSON Lines of `{"lead": ..., "events": [...]}`
        /// (`-` for standard input).
        #[arg(long, value_name = "FILE")]
        timelines: PathBuf,
        /// The instant to evaluate at (e.g. `2026-11-24T09:00:00Z`).
        #[arg(long, value_name = "INSTANT")]
        now: String,
        /// Partners with the calendar each works on, for SLAs timed on `partner.<field>`
        /// (CSV, JSON or JSON Lines with an `id`).
        #[arg(long, value_name = "FILE")]
        partners: Option<PathBuf>,
        /// The format of inputs whose file name does not say (standard input, or a file
        /// without a `.csv`, `.json` or `.jsonl` extension).
        #[arg(long, value_enum, value_name = "FORMAT")]
        input_format: Option<input::Format>,
        /// How to print the results.
        #[arg(long, value_enum, default_value_t = sla::SlaFormat::Text)]
        format: sla::SlaFormat,
        /// Write the results to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE", default_value = "-")]
        output: PathBuf,
    },
    /// Channel KPIs as of an instant (acceptance, conversion, response times, time in stage,
    /// sales cycle, SLA attainment, engagement, ...; docs/kpi.md), and the partners file with
    /// the measured values (`--update-partners`).
    Kpi(kpi::KpiCli),
    /// The stage-weighted forecast of the open leads as of an instant (docs/kpi.md).
    Forecast(kpi::ForecastCli),
    /// Check partners' deals against registrations, CRM accounts and open leads under a
    /// `registration` policy, and print each verdict with the records it matched and why.
    Register(RegisterCli),
    /// Mark expired the approved registrations whose protection ended at or before an instant
    /// (`protected_until <= now`) and print their ids as a JSON array, earliest end first; with
    /// `--update-registry OUT`, write the registry after expiry to OUT.
    Expire(ExpireCli),
}

/// The options of `leadrail expire`.
#[derive(Debug, clap::Args)]
struct ExpireCli {
    /// Registrations, CRM accounts and open leads (CSV, JSON or JSON Lines), as `register
    /// --registry` reads them.
    #[arg(long, value_name = "FILE")]
    registry: PathBuf,
    /// The instant (e.g. `2026-12-31T08:00:00Z`, or ms since the epoch); the default is now.
    #[arg(long, value_name = "INSTANT")]
    now: Option<String>,
    /// The format of an input whose file name does not say.
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<input::Format>,
    /// Write the ids to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
    /// Write the registry after expiry (every record, the expired ones with status `expired`)
    /// to OUT, in the registry file's format (CSV, JSON or JSON Lines, as OUT's extension or
    /// else the registry's says); OUT may be the registry file itself.
    #[arg(long, value_name = "OUT")]
    update_registry: Option<PathBuf>,
}

/// The options of `leadrail register`.
#[derive(Debug, clap::Args)]
struct RegisterCli {
    /// The rule file with the `registration` policy.
    #[arg(long, value_name = "FILE")]
    rules: PathBuf,
    /// Registrations, CRM accounts and open leads (CSV, JSON or JSON Lines).
    #[arg(long, value_name = "FILE")]
    registry: PathBuf,
    /// The deals to check (CSV, JSON or JSON Lines).
    #[arg(long, value_name = "FILE")]
    deals: PathBuf,
    /// The policy's name (default: the rule file's first `registration`).
    #[arg(long, value_name = "NAME")]
    policy: Option<String>,
    /// The instant of the check (e.g. `2026-11-24T09:00:00Z`); the default is now.
    #[arg(long, value_name = "INSTANT")]
    now: Option<String>,
    /// Submit the deals in order: each is recorded as its verdict says, so a later deal
    /// conflicts with an earlier approved one.
    #[arg(long)]
    submit: bool,
    /// The format of inputs whose file name does not say.
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<input::Format>,
    /// How to print the verdicts.
    #[arg(long, value_enum, default_value_t = register::RegisterFormat::Csv)]
    format: register::RegisterFormat,
    /// Write the verdicts to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
}

/// The options of `leadrail route`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Each decision names the partner (or the queue) and the rule that decided. A lead that cannot
be routed (a missing or malformed field) gets an `error` row with the reason, and the reason
is also printed on standard error with its file and line.")]
struct RouteCli {
    /// The rule file.
    #[arg(long, value_name = "FILE")]
    rules: PathBuf,
    /// Partners: CSV with a header row, a JSON array of objects, or JSON Lines.
    #[arg(long, value_name = "FILE")]
    partners: PathBuf,
    /// Leads (CSV, JSON or JSON Lines), routed in the order given; `-` reads them from
    /// standard input.
    #[arg(long, value_name = "FILE")]
    leads: PathBuf,
    /// The format of inputs whose file name does not say (standard input, or a file without a
    /// `.csv`, `.json` or `.jsonl` extension).
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<input::Format>,
    /// When the leads arrive, for all of them (e.g. `2026-11-24T09:00:00Z`); the default is
    /// now.
    #[arg(long, value_name = "INSTANT", conflicts_with = "now_column")]
    now: Option<String>,
    /// Read when each lead arrives from this column or field of the lead (e.g.
    /// `created_at`: `2026-11-24T09:00:00Z`).
    #[arg(long, value_name = "COLUMN")]
    now_column: Option<String>,
    /// Carry the partners' workload and round-robin turns from run to run: read them from
    /// FILE if it exists, and save them there when every lead has been routed and written.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Check each lead against registrations, CRM accounts and open leads (the forms `register
    /// --registry` reads) and route a lead in conflict as the rule file's `on lead_conflict`
    /// says; the output gains the conflict (CSV: `conflict`, `conflict_rule`, `holder`,
    /// `conflict_records`; JSON: a `conflict` object).
    #[arg(long, value_name = "FILE")]
    registry: Option<PathBuf>,
    /// Say why: the partners left out and the reason, the scores, what broke a tie.
    #[arg(long)]
    explain: bool,
    /// How to print the decisions.
    #[arg(long, value_enum, default_value_t = decisions::OutputFormat::Csv)]
    format: decisions::OutputFormat,
    /// Write the decisions to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let code = match args.command {
        Command::Check { files, json } => check::run(&files, json),
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::Route(r) => route::run(&route::RouteArgs {
            rules: r.rules,
            partners: r.partners,
            leads: r.leads,
            input_format: r.input_format,
            now: match r.now_column {
                Some(column) => route::Now::Column(column),
                None => route::Now::At(r.now),
            },
            state: r.state,
            registry: r.registry,
            explain: r.explain,
            format: r.format,
            output: r.output,
        }),
        Command::Sla {
            rules,
            timelines,
            now,
            partners,
            input_format,
            format,
            output,
        } => sla::run(&sla::SlaArgs {
            rules,
            timelines,
            partners,
            input_format,
            now,
            format,
            output,
        }),
        Command::Kpi(k) => kpi::run_kpi(&k),
        Command::Forecast(f) => kpi::run_forecast(&f),
        Command::Register(r) => register::run(&register::RegisterArgs {
            rules: r.rules,
            registry: r.registry,
            deals: r.deals,
            policy: r.policy,
            now: r.now,
            submit: r.submit,
            input_format: r.input_format,
            format: r.format,
            output: r.output,
        }),
        Command::Expire(e) => expire::run(&expire::ExpireArgs {
            registry: e.registry,
            now: e.now,
            input_format: e.input_format,
            output: e.output,
            update_registry: e.update_registry,
        }),
    };
    ExitCode::from(code)
}
