//! The formatter round trip: for text that parses, `fmt` is idempotent and the formatted file
//! compiles exactly when the input does, to the same plan (content hash aside).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        leadrail_fuzz::rules::fmt_roundtrip(text);
    }
});
