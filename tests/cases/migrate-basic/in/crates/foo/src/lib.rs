//! The namespace root.

pub const ROOT: &str = "root foo";

pub fn shout(text: &str) -> String {
    text.to_uppercase()
}
