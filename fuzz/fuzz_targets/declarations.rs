//! Fuzzes the declaration reader: the plan (and the rendered manifest) of a
//! workspace whose consumer manifest is the input.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
mod checks;

static SANDBOX: LazyLock<checks::Sandbox> = LazyLock::new(checks::Sandbox::new);

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        checks::check_declarations(&SANDBOX, text);
    }
});
