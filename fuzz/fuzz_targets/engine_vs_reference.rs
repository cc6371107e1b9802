//! The indexed engine against the reference evaluator on rules, partners and leads decoded
//! from the input with `arbitrary`: every lead's decision must be the same.
#![no_main]
use leadrail_fuzz::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|scenario: Scenario| {
    leadrail_fuzz::scenario::check(&scenario);
});
