//! The indexed engine against the reference evaluator on scenarios decoded from the fuzz input
//! with `arbitrary` (structured fuzzing): `leadrail_testkit::Scenario`, the rules, partners and
//! leads the differential tests (`rules-dsl/tests/differential.rs`) draw with proptest, here
//! from the fuzz bytes. Conditions and ranks are trees over the testkit's atoms; every path of
//! the engine (records, prepared batch, compact results with and without explanations) must
//! decide like the reference, lead by lead, state included
//! (`leadrail_testkit::assert_engine_agrees`).

pub use leadrail_testkit::Scenario;

/// Routes the scenario with every engine path and with the reference evaluator; panics on the
/// first difference. Returns `false` when the decoded rules do not compile (a generator gap,
/// not a finding: such inputs are skipped, unless `LEADRAIL_FUZZ_STRICT` is set).
pub fn check(scenario: &Scenario) -> bool {
    match scenario.case() {
        Ok(case) => {
            leadrail_testkit::assert_engine_agrees(&case);
            true
        }
        Err(e) if std::env::var_os("LEADRAIL_FUZZ_STRICT").is_some() => {
            panic!(
                "generated rules do not compile:\n{e}\n{}",
                scenario.rules_text()
            )
        }
        Err(_) => false,
    }
}
