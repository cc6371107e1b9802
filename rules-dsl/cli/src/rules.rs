//! Reading rule files (`-` is standard input) and compiling them for `route` and `sla`.

use std::io::Read as _;
use std::path::Path;

use crate::{input, render};

/// The text of the rule file at `path` (`-`: standard input) and its name for messages.
pub fn read(path: &Path) -> std::io::Result<(String, String)> {
    let name = input::name(path);
    if input::is_stdin(path) {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok((name, text));
    }
    Ok((name, std::fs::read_to_string(path)?))
}

/// Compiles the rule file at `path`, printing its warnings; on errors (printed) `Err` is the
/// exit code: 1 for errors in the rules, 2 for a file that cannot be read.
pub fn compile(path: &Path) -> Result<leadrail_dsl::Compiled, u8> {
    let (name, source) = read(path).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", input::name(path));
        2u8
    })?;
    let compiled = leadrail_dsl::compile(&source, &name).map_err(|errors| {
        for d in errors.iter() {
            eprint!("{}", render::diagnostic(d));
        }
        1u8
    })?;
    for w in &compiled.warnings {
        eprint!("{}", render::diagnostic(w));
    }
    Ok(compiled)
}
