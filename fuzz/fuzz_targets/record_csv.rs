//! Records from CSV cells (a header row, then rows) on a fixed schema of every field type.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    leadrail_fuzz::records::from_csv_bytes(data);
});
