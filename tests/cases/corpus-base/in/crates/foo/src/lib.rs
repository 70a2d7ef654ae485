pub fn hello() -> &'static str { "foo" }
