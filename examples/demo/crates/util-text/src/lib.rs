//! `util::text`: a child of the root-less namespace `util` (no crate `util` exists).

/// `util::text::shout("hi")` is `"HI!"`.
pub fn shout(text: &str) -> String {
    format!("{}!", text.to_uppercase())
}
