//! Records from JSON (one object or an array) on a fixed schema of every field type, and the
//! columnar reader against `Record::from_json_at`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    leadrail_fuzz::records::from_json_bytes(data);
});
