//! Fuzzes the namespaced-name parser, `DeclName::parse`.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = std::str::from_utf8(data) {
        checks::check_decl_name(key);
    }
});
