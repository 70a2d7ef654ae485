pub struct Baz(pub u32);

impl Baz {
    pub fn new() -> Baz {
        Baz(7)
    }
}

#[macro_export]
macro_rules! bar_mac {
    () => {
        $crate::Baz::new().0 + 1
    };
}
