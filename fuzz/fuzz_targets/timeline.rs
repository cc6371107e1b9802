//! SLA timelines from JSON, evaluated with a fixed policy set and calendars.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    leadrail_fuzz::sla::evaluate_bytes(data);
});
