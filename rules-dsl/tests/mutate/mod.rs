//! Mutations of text files for the fuzz smoke tests (byte flips, deletions, splices of
//! keywords and punctuation, truncation), shared by `rules-dsl/tests/fuzz_smoke.rs` and the
//! CLI's `rules-dsl/cli/tests/cli_fuzz.rs`.
#![expect(clippy::expect_used, clippy::indexing_slicing, reason = "test code")]

use proptest::prelude::*;
use std::path::Path;

/// A file of the bundled example (`examples/industrial/NAME`).
pub fn example(name: &str) -> String {
    // the repository root is the manifest directory or one of its parents
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|p| p.join("examples/industrial"))
        .find(|p| p.is_dir())
        .expect("the examples directory");
    let path = dir.join(name);
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

/// One change to a text.
#[derive(Debug, Clone)]
pub enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, usize),
    Truncate(usize),
}

/// Any one mutation.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 0..SPLICES.len()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// `text` with `muts` applied in order (lossy UTF-8 at the end).
pub fn apply(text: &str, muts: &[Mutation]) -> String {
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
