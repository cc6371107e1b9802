//! `leadrail`: check, format and run routing rule files from the command line.
//!
//! Exit codes: 0 success; 1 a rule file has errors (or `fmt --check` found unformatted files);
//! 2 bad data or usage (a malformed row names its file, line and field).

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod cli;

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
        Command::Check { files, json } => cli::check::run(&files, json),
        Command::Fmt { files, check } => cli::fmt::run(&files, check),
    };
    ExitCode::from(code)
}
