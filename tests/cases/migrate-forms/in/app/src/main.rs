extern crate fb;

use fb as whole;
use fb::{self as again, Baz};

mod m {
    use fb;

    pub fn f() -> String {
        fb::greet("m")
    }
}

fn main() {
    println!("{}", whole::greet("whole"));
    println!("{}", again::greet("again"));
    println!("{}", m::f());
    println!("{}", Baz::new().0 + fb::Baz(zed::Z).0);
}
