//! Regressions of the cargo-fuzz targets `check` and `fmt_roundtrip` (`fuzz/`, see
//! docs/architecture.md, "Fuzzing"), replayed on stable with every `cargo test`.
//!
//! Every file under `tests/fuzz-regressions/` (a minimised input, `cargo fuzz tmin`) goes
//! through both properties: `check` and `compile_with_files` return a value, and for text that
//! parses `fmt` is idempotent and the formatted text compiles exactly when the input does, to
//! the same plan (content hash aside) with the same warnings. Inputs found outside the corpus
//! (reported in issue 10) are inline tests.
#![expect(clippy::unwrap_used, clippy::panic, reason = "test code")]

use std::collections::BTreeMap;
use std::path::PathBuf;

use leadrail_dsl::{Compiled, Diagnostics};

const FILE: &str = "fuzz.rail";

fn compile(text: &str) -> Result<Compiled, Diagnostics> {
    leadrail_dsl::compile_with_files(text, FILE, &BTreeMap::new())
}

fn plan_key(c: &Compiled) -> String {
    let mut plan = c.plan.clone();
    plan.content_hash.clear();
    serde_json::to_string(&plan).unwrap()
}

/// The `check` target's property.
fn check_and_compile(text: &str) {
    if let Err(d) = leadrail_dsl::check(text, FILE) {
        assert!(!d.reports().is_empty());
        let _ = d.to_string();
    }
    if let Err(d) = compile(text) {
        assert!(!d.reports().is_empty());
        let _ = d.to_string();
    }
}

/// The `fmt_roundtrip` target's property.
fn fmt_roundtrip(text: &str) {
    let Ok(once) = leadrail_dsl::format(text, FILE) else {
        return;
    };
    let twice = leadrail_dsl::format(&once, FILE)
        .unwrap_or_else(|d| panic!("the formatted text does not parse:\n{d}\n{once}"));
    assert_eq!(once, twice, "fmt is not idempotent on {text:?}");
    match (compile(text), compile(&once)) {
        (Ok(b), Ok(a)) => {
            assert_eq!(
                plan_key(&b),
                plan_key(&a),
                "fmt changed the plan of {text:?}"
            );
            let codes = |c: &Compiled| c.warnings.iter().map(|w| w.code()).collect::<Vec<_>>();
            assert_eq!(codes(&b), codes(&a), "fmt changed the warnings of {text:?}");
        }
        (Err(_), Err(_)) => {}
        (Ok(_), Err(d)) => panic!("fmt made {text:?} invalid:\n{d}\n{once}"),
        (Err(d), Ok(_)) => panic!("fmt made {text:?} valid (was:\n{d})\n{once}"),
    }
}

fn both(text: &str) {
    check_and_compile(text);
    fmt_roundtrip(text);
}

#[test]
fn minimised_fuzz_inputs_hold_both_properties() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !matches!(p.extension(), Some(x) if x == "md"))
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        // the targets skip text that is not UTF-8
        if let Ok(text) = std::str::from_utf8(&bytes) {
            both(text);
        }
    }
}

/// A comment between the tokens of the `ruleset` header moved on `fmt`, so the second `fmt`
/// changed the text again (issue 10, item 8).
#[test]
fn fmt_is_idempotent_with_comments_in_the_header() {
    both(
        "ruleset #a\n\"t\" #b\nversion 1\nschema lead { region: region }\n\
         schema partner { t: set<region> }\nroute \"r\" { }\n",
    );
}

/// `fmt` dropped the `.0` of the largest decimal, so a file that checked no longer parsed
/// (issue 10, item 6).
#[test]
fn fmt_keeps_the_largest_decimal_literal() {
    both(
        "ruleset \"t\" version 1\nschema lead { region: region, x: decimal }\n\
         schema partner { t: set<region> }\n\
         route \"r\" { when lead.x < 79228162514264337593543950335.0 }\n",
    );
}
