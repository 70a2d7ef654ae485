pub fn baz() -> &'static str { "foo::baz" }
