//! `leadrail check FILE...`: print every error and warning; exit 1 if any file has an error.
//! `-` checks the rules given on standard input.

use std::path::PathBuf;

use std::io::Write as _;

use crate::{output, render, rules};

/// Run the check; returns the exit code.
pub fn run(files: &[PathBuf], json: bool) -> u8 {
    if let Err(e) = crate::input::one_stdin(files.iter().map(PathBuf::as_path)) {
        eprintln!("error: {e}");
        return 2;
    }
    let mut failed = false;
    let mut reports = Vec::new();
    for path in files {
        let (name, source) = match rules::read(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", crate::input::name(path));
                failed = true;
                continue;
            }
        };
        let diagnostics: Vec<leadrail_dsl::Diagnostic> = match leadrail_dsl::compile(&source, &name)
        {
            Ok(compiled) => compiled.warnings,
            Err(errors) => {
                failed = true;
                errors.into_vec()
            }
        };
        if json {
            reports.extend(diagnostics.iter().map(|d| d.to_report()));
        } else {
            for d in &diagnostics {
                eprint!("{}", render::diagnostic(d));
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            if errors == 0 {
                eprintln!("{name}: ok ({warnings} warning(s))");
            } else {
                eprintln!("{name}: {errors} error(s), {warnings} warning(s)");
            }
        }
    }
    let code = u8::from(failed);
    if json {
        let mut out = output::stdout();
        let written = serde_json::to_writer_pretty(&mut out, &reports)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out));
        return output::finish(written, &mut out).map_or_else(|c| c, |()| code);
    }
    code
}
