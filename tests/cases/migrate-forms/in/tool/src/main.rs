mod helpers {
    pub mod foo_bar {
        pub fn local() -> &'static str {
            "local module"
        }
    }

    pub fn which() -> &'static str {
        // A local module of the same name: not the crate.
        foo_bar::local()
    }
}

fn block() -> &'static str {
    mod foo_bar {
        pub fn which() -> &'static str {
            "block module"
        }
    }
    foo_bar::which()
}

fn main() {
    println!("{}", foo_bar::greet("tool"));
    println!("{}", helpers::which());
    println!("{}", block());
}
