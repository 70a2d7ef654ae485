//! `foo`: the root of the demo namespace.

/// The root's own function, reached as `foo::version()`.
pub fn version() -> &'static str {
    "foo 1.0.0"
}

/// Greets through a `$crate` path: `foo::greet!("you")`.
#[macro_export]
macro_rules! greet {
    ($who:expr) => {
        $crate::greeting($who)
    };
}

#[doc(hidden)]
pub fn greeting(who: &str) -> String {
    format!("hello, {who}")
}
