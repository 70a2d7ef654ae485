//! The family's core types.

/// The body every member builds on.
pub fn body() -> u8 {
    7
}

/// Whether `std` is on.
pub fn has_std() -> bool {
    cfg!(feature = "std")
}
