//! Fuzz smoke test: no input makes `check` (compile), `fmt` or the CLI panic.
//!
//! Mutates the bundled example rule file (byte flips, deletions, insertions, splices of
//! keywords and punctuation, truncation) and feeds random byte strings; every result must be a
//! value (a plan, a formatted text or diagnostics), never a panic. The CLI half runs the real
//! binary on mutated rule and data files and accepts only exit codes 0, 1 and 2.
#![expect(clippy::expect_used, clippy::indexing_slicing, reason = "test code")]

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/industrial")
        .join(name);
    std::fs::read_to_string(path).expect("example file")
}

const SPLICES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "\"",
    "'",
    "==",
    "=",
    "<",
    ">=",
    "and",
    "or",
    "not",
    "in",
    "covers",
    "route",
    "when",
    "require",
    "rank",
    "tie",
    "else",
    "balance",
    "fallback",
    "schema",
    "lead.",
    "partner.",
    "24h",
    "150 km",
    "15%",
    "250_000",
    "1e999",
    "-",
    "*",
    "/",
    "#",
    "//",
    "\n",
    "é",
    "\u{0}",
    "999999999999999999999999",
    "set<",
    "map<",
    "?",
    ":",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 0..SPLICES.len()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in muts {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Flip(i, b) => {
                if let Some(x) = bytes.get_mut(i % len) {
                    *x ^= b;
                }
            }
            Mutation::Delete(i, n) => {
                let start = (i % len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                bytes.drain(start..end);
            }
            Mutation::Insert(i, s) => {
                let at = (i % len).min(bytes.len());
                let splice = SPLICES[s].as_bytes();
                bytes.splice(at..at, splice.iter().copied());
            }
            Mutation::Truncate(i) => bytes.truncate(i % len),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_rule_files_never_panic(muts in prop::collection::vec(mutation(), 1..6)) {
        let text = apply(&example("rules.rail"), &muts);
        let _ = leadrail_dsl::compile(&text, "mutated.rail");
        if let Ok(formatted) = leadrail_dsl::format(&text, "mutated.rail") {
            // Whatever formats must format to itself and still compile the same way.
            let again = leadrail_dsl::format(&formatted, "mutated.rail");
            prop_assert_eq!(again.ok(), Some(formatted.clone()));
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = leadrail_dsl::compile(&text, "random.rail");
        let _ = leadrail_dsl::format(&text, "random.rail");
    }
}

fn leadrail() -> Command {
    Command::new(env!("CARGO_BIN_EXE_leadrail"))
}

/// The CLI on mutated rule files and mutated CSV data: exit 0, 1 or 2, never a crash.
#[test]
fn cli_never_crashes_on_mutated_files() {
    let dir = std::env::temp_dir().join(format!("leadrail-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = example("rules.rail");
    let partners = example("partners.csv");
    let leads = example("leads.csv");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (
        prop::collection::vec(mutation(), 0..4),
        prop::collection::vec(mutation(), 0..4),
        prop::collection::vec(mutation(), 0..4),
    );
    for case in 0..40 {
        let (mr, mp, ml) = strategy.new_tree(&mut runner).unwrap().current();
        let r = dir.join("rules.rail");
        let p = dir.join("partners.csv");
        let l = dir.join("leads.csv");
        std::fs::write(&r, apply(&rules, &mr)).unwrap();
        std::fs::write(&p, apply(&partners, &mp)).unwrap();
        std::fs::write(&l, apply(&leads, &ml)).unwrap();
        for args in [
            vec!["check".into(), r.display().to_string()],
            vec!["fmt".into(), "--check".into(), r.display().to_string()],
            vec![
                "route".into(),
                "--rules".into(),
                r.display().to_string(),
                "--partners".into(),
                p.display().to_string(),
                "--leads".into(),
                l.display().to_string(),
                "--now".into(),
                "2026-11-24T09:00:00Z".into(),
                "--explain".into(),
            ],
        ] {
            let out = leadrail().args(&args).output().unwrap();
            let code = out.status.code();
            assert!(
                matches!(code, Some(0..=2)),
                "case {case}: `leadrail {}` exited with {code:?}\nstderr: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
