//! The child that becomes `foo::bar`.

pub struct Baz(pub u32);

impl Baz {
    pub fn new() -> Self {
        Baz(7)
    }
}

impl Default for Baz {
    fn default() -> Self {
        Self::new()
    }
}

pub fn greet(who: &str) -> String {
    format!("hello {who}")
}

pub mod nested {
    pub fn deep() -> &'static str {
        "deep"
    }
}

/// Uses `$crate`, which must keep pointing at this crate.
#[macro_export]
macro_rules! bar_mac {
    ($who:expr) => {
        $crate::greet($who)
    };
}
