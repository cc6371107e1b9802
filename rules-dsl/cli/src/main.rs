//! `leadrail`: check, format and run routing rule files from the command line.
//!
//! Subcommands: `check`, `fmt`, `route`, `sla`.
//!
//! Exit codes: 0 success; 1 a rule file has errors (or `fmt --check` found unformatted files);
//! 2 bad data or usage (a malformed row names its file, line and field), or the output could not
//! be written (a full disk). When the reader of the output goes away (`| head`), the command
//! stops quietly with 0.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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

mod check;
mod fmt;
mod input;
mod output;
mod render;
mod route;
mod sla;

/// leadrail: routing and SLA rules for channel sales.
#[derive(Debug, Parser)]
#[command(name = "leadrail", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check rule files: print every error and warning with file:line:col, a snippet and a hint.
    Check {
        /// Rule files (`.rail`).
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Print the diagnostics as JSON error reports instead of rendered text.
        #[arg(long)]
        json: bool,
    },
    /// Format rule files in place (canonical layout, comments kept).
    Fmt {
        /// Rule files (`.rail`).
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Do not write; list the files that are not formatted and exit 1 if any.
        #[arg(long)]
        check: bool,
    },
    /// Route leads with a rule file against a partner network and print the decisions.
    Route {
        /// The rule file.
        #[arg(long)]
        rules: std::path::PathBuf,
        /// Partners: `.csv` (header row), `.json` (array of objects) or `.jsonl`.
        #[arg(long)]
        partners: std::path::PathBuf,
        /// Leads: `.csv`, `.json` or `.jsonl`, routed in file order.
        #[arg(long)]
        leads: std::path::PathBuf,
        /// The routing instant (RFC 3339, e.g. `2026-11-24T09:00:00Z`); default: the current time.
        #[arg(long)]
        now: Option<String>,
        /// Explain each decision: excluded partners by reason, scores, the tie-break.
        #[arg(long)]
        explain: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Csv)]
        format: OutputFormat,
    },
    /// Evaluate the SLAs of a rule file over lead timelines at an instant: every SLA's state,
    /// the actions now due and the re-routes to perform.
    Sla {
        /// The rule file (with `calendar` and `sla` declarations).
        #[arg(long)]
        rules: std::path::PathBuf,
        /// Timelines: `.json` (array) or `.jsonl` of `{"lead": ..., "events": [...]}`.
        #[arg(long)]
        timelines: std::path::PathBuf,
        /// The evaluation instant (RFC 3339, e.g. `2026-11-24T09:00:00Z`).
        #[arg(long)]
        now: String,
        /// Partners (`.csv`, `.json`, `.jsonl` with an `id`), for `business partner.<field>`.
        #[arg(long)]
        partners: Option<std::path::PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = sla::SlaFormat::Text)]
        format: sla::SlaFormat,
    },
}

/// How `route` prints decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One CSV row per lead.
    Csv,
    /// A JSON array of results.
    Json,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let code = match args.command {
        Command::Check { files, json } => check::run(&files, json),
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::Route {
            rules,
            partners,
            leads,
            now,
            explain,
            format,
        } => route::run(&route::RouteArgs {
            rules,
            partners,
            leads,
            now,
            explain,
            format,
        }),
        Command::Sla {
            rules,
            timelines,
            now,
            partners,
            format,
        } => sla::run(&sla::SlaArgs {
            rules,
            timelines,
            partners,
            now,
            format,
        }),
    };
    ExitCode::from(code)
}
