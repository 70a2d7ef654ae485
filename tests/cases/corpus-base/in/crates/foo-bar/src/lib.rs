pub fn bar() -> &'static str { "foo::bar" }
