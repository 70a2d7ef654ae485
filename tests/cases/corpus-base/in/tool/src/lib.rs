pub fn run() -> &'static str {
    foo::bar::bar()
}
