/*!
The root of the family: it re-exports [`fam_core::body`] as [`body`].

```
assert_eq!(fam::body(), 7);
```
*/

pub use fam_core::body;

/// The root's own greeting.
pub fn greeting() -> String {
    format!("fam {}", fam_core::body())
}

/// Seven, from the macro child when `macros` is on.
#[cfg(feature = "macros")]
pub fn seven() -> u8 {
    fam_macros::seven!()
}
