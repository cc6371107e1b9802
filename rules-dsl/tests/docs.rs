//! `docs/language.md` carries the built-ins table generated from the registry, verbatim.

// Tests may unwrap, index and panic: a failure is the test failing.

#[test]
fn language_reference_lists_every_builtin_from_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/language.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let table = leadrail_dsl::builtins::markdown();
    assert!(
        doc.contains(&table),
        "regenerate the built-ins table in docs/language.md:\n{table}"
    );
}

#[test]
fn every_catalogued_dsl_code_is_documented() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/language.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for code in leadrail_core::report::codes::ALL {
        if code.starts_with("leadrail::parse::")
            || code.starts_with("leadrail::type::")
            || code.starts_with("leadrail::check::")
        {
            assert!(
                doc.contains(code),
                "{code} is not documented in docs/language.md"
            );
        }
    }
}
