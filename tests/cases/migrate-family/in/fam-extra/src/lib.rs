/*!
Extras on top of [`fam::greeting`] and [`fam_core::body`].

```
assert_eq!(fam_extra::twice(), 14);
```
*/

/** Twice the body of [`fam_core`]. */
pub fn twice() -> u8 {
    fam_core::body() * 2
}

/// The root's greeting, loud.
pub fn loud() -> String {
    fam::greeting().to_uppercase()
}

/// Seven, through the macro child.
#[cfg(feature = "macros")]
pub fn seven() -> u8 {
    fam_macros::seven!()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_dev_macro_has_extra() {
        assert_eq!(fam_macros::seven!(), 8);
    }
}
