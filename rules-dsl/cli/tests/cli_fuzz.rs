//! Fuzz smoke test of the CLI: the real binary on mutated rule and data files (the mutations
//! of `rules-dsl/tests/mutate`) exits 0, 1 or 2, never a crash.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::process::Command;

#[path = "../../tests/mutate/mod.rs"]
mod mutate;
use mutate::{apply, example, mutation};

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
