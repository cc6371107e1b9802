//! Golden diagnostics: every `tests/errors/*.rail` file is compiled and its diagnostics
//! (errors, or warnings if it compiles) are rendered with miette's graphical handler (no
//! colour, width 100) and compared exactly with `tests/errors/*.expected`.
//! Run with `UPDATE_GOLDEN=1` to rewrite the expected files after a deliberate change.

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use std::fmt::Write as _;
use std::path::Path;

use leadrail_dsl::{compile, Diagnostic};
use miette::{GraphicalReportHandler, GraphicalTheme};

fn render(diags: &[Diagnostic]) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let r = d.to_report();
        writeln!(
            out,
            "# {:?} {} at {}:{}",
            r.severity, r.code, r.line, r.column
        )
        .unwrap();
        handler.render_report(&mut out, d).unwrap();
        out.push('\n');
    }
    out
}

fn diagnostics_of(path: &Path) -> Vec<Diagnostic> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    match compile(&text, &name) {
        Err(ds) => ds.into_vec(),
        Ok(c) => c.warnings,
    }
}

#[test]
fn golden_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rail"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "at least 15 golden error files");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for path in &files {
        let diags = diagnostics_of(path);
        assert!(
            !diags.is_empty(),
            "{} produced no diagnostics",
            path.display()
        );
        let got = render(&diags);
        let expected_path = path.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{got}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_diagnostic_has_a_catalogued_code_a_position_and_help() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rail") {
            continue;
        }
        for d in diagnostics_of(&path) {
            let r = d.to_report();
            assert!(
                leadrail_core::report::codes::ALL.contains(&r.code.as_str()),
                "{}: uncatalogued code {}",
                path.display(),
                r.code
            );
            assert!(
                r.line >= 1 && r.column >= 1,
                "{}: no position for {}",
                path.display(),
                r.message
            );
            assert!(
                r.help.is_some(),
                "{}: no help for `{}`",
                path.display(),
                r.message
            );
            assert!(
                !r.message.ends_with('.'),
                "{}: message ends with a period",
                path.display()
            );
        }
    }
}
