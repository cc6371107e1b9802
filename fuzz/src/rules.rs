//! Properties of rule files: `check` and `compile` return values (never panic) on any text, and
//! the formatter is idempotent and never changes whether (or to what) a file compiles.

use std::collections::BTreeMap;

use leadrail_dsl::{Compiled, Diagnostics};

const FILE: &str = "fuzz.rail";

/// Every error report of `d` (the language-neutral form the bindings raise), and its display:
/// both must be computable for any diagnostics.
fn touch(d: &Diagnostics) {
    let reports = d.reports();
    assert!(!reports.is_empty(), "an error path carries a diagnostic");
    for r in &reports {
        assert!(!r.code.is_empty());
    }
    let _ = d.to_string();
}

fn compile(text: &str) -> Result<Compiled, Diagnostics> {
    leadrail_dsl::compile_with_files(text, FILE, &BTreeMap::new())
}

/// `check` and `compile_with_files` (no holiday files) on arbitrary text.
pub fn check_and_compile(text: &str) {
    if let Err(d) = leadrail_dsl::check(text, FILE) {
        touch(&d);
    }
    match compile(text) {
        Ok(c) => {
            let plan = &c.plan;
            // the plan has the serde form hosts may store
            let json = serde_json::to_string(plan).expect("a plan serialises");
            let _ = json;
            for w in &c.warnings {
                assert!(!w.is_error(), "a warning is not an error");
            }
        }
        Err(d) => touch(&d),
    }
}

/// The plan without what formatting may change (the content hash of the source), as canonical
/// JSON (floats compare by their shortest round-trip text; NaN cannot hide an inequality).
fn plan_key(c: &Compiled) -> String {
    let mut plan = c.plan.clone();
    plan.content_hash.clear();
    serde_json::to_string(&plan).expect("a plan serialises")
}

fn warning_codes(c: &Compiled) -> Vec<&'static str> {
    c.warnings.iter().map(|w| w.code()).collect()
}

/// The formatter round trip on `text`: when it parses, `format` succeeds, its output parses and
/// formats to itself, and the output compiles exactly when the input does, to the same plan
/// (content hash aside) with the same warnings.
pub fn fmt_roundtrip(text: &str) {
    let Ok(once) = leadrail_dsl::format(text, FILE) else {
        return;
    };
    let twice = match leadrail_dsl::format(&once, FILE) {
        Ok(t) => t,
        Err(d) => panic!(
            "the formatted text does not parse:\n{d}\n--- input ---\n{text}\n--- formatted ---\n{once}"
        ),
    };
    assert_eq!(
        once, twice,
        "fmt is not idempotent\n--- input ---\n{text:?}\n--- once ---\n{once}\n--- twice ---\n{twice}"
    );
    let before = compile(text);
    let after = compile(&once);
    match (&before, &after) {
        (Ok(b), Ok(a)) => {
            assert_eq!(
                plan_key(b),
                plan_key(a),
                "fmt changed the plan\n--- input ---\n{text:?}\n--- formatted ---\n{once}"
            );
            assert_eq!(
                warning_codes(b),
                warning_codes(a),
                "fmt changed the warnings\n--- input ---\n{text:?}\n--- formatted ---\n{once}"
            );
        }
        (Err(_), Err(_)) => {}
        (Ok(_), Err(d)) => panic!(
            "fmt made a valid file invalid:\n{d}\n--- input ---\n{text:?}\n--- formatted ---\n{once}"
        ),
        (Err(d), Ok(_)) => panic!(
            "fmt made an invalid file valid (was:\n{d})\n--- input ---\n{text:?}\n--- formatted ---\n{once}"
        ),
    }
}
