//! `foo::bar`: a child of namespace `foo`, provided by package `foo-bar`.

/// Reached as `foo::bar::Baz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Baz {
    pub value: u32,
}

impl Baz {
    pub fn new() -> Baz {
        Baz { value: 42 }
    }
}

impl Default for Baz {
    fn default() -> Baz {
        Baz::new()
    }
}

/// A child macro with a `$crate` path: `foo::bar::baz!()`.
#[macro_export]
macro_rules! baz {
    () => {
        $crate::Baz::new()
    };
}
