//! `leadrail fmt [--check] FILE...`: canonical formatting, in place or as a check. `-` formats
//! standard input to standard output.

use std::path::PathBuf;

use std::io::Write as _;

use crate::{input, output, render, rules};

/// Run the formatter; returns the exit code (1 on syntax errors or, with `--check`, unformatted
/// files).
pub fn run(files: &[PathBuf], check: bool) -> u8 {
    if let Err(e) = crate::input::one_stdin(files.iter().map(PathBuf::as_path)) {
        eprintln!("error: {e}");
        return 2;
    }
    let mut code = 0;
    let mut out = output::stdout();
    for path in files {
        let (name, source) = match rules::read(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", input::name(path));
                code = 1;
                continue;
            }
        };
        let formatted = match leadrail_dsl::format(&source, &name) {
            Ok(f) => f,
            Err(errors) => {
                for d in errors.iter() {
                    eprint!("{}", render::diagnostic(d));
                }
                code = 1;
                continue;
            }
        };
        if input::is_stdin(path) && !check {
            // standard input is formatted to standard output, formatted or not
            if let Err(e) = out.write_all(formatted.as_bytes()) {
                return output::failed(&e);
            }
            continue;
        }
        if formatted == source {
            continue;
        }
        if check {
            if let Err(e) = writeln!(out, "{name}: not formatted") {
                return output::failed(&e);
            }
            code = 1;
        } else if let Err(e) = std::fs::write(path, formatted) {
            eprintln!("error: cannot write {name}: {e}");
            code = 1;
        } else {
            eprintln!("formatted {name}");
        }
    }
    output::finish(Ok(()), &mut out).map_or_else(|c| c, |()| code)
}
