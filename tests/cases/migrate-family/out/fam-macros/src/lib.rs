//! Macros of the family.

use proc_macro::TokenStream;

/// `seven!()` expands to the number of the family (plus one with `extra`).
#[proc_macro]
pub fn seven(_input: TokenStream) -> TokenStream {
    let n = if cfg!(feature = "extra") { 8 } else { 7 };
    #[cfg(feature = "core")]
    let n = n.max(fam::core::body());
    format!("{n}u8").parse().unwrap()
}
