//! Fuzz smoke test: no input makes `check` (compile) or `fmt` panic.
//!
//! Mutates the bundled example rule file (byte flips, deletions, insertions, splices of
//! keywords and punctuation, truncation) and feeds random byte strings; every result must be a
//! value (a plan, a formatted text or diagnostics), never a panic. The CLI's half (the real
//! binary on mutated rule and data files) is `rules-dsl/cli/tests/cli_fuzz.rs`.

use proptest::prelude::*;

mod mutate;
use mutate::{apply, example, mutation};

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
