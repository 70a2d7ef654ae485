pub struct Baz(pub u32);

impl Baz {
    pub fn new() -> Self {
        Baz(7)
    }
}

pub fn greet(who: &str) -> String {
    format!("hello {who}")
}
