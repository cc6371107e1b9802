//! The parser and checker on arbitrary text: `check` and `compile_with_files` (no holiday
//! files) return a plan or diagnostics, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        leadrail_fuzz::rules::check_and_compile(text);
    }
});
