use ::foo::{bar as fb};

use foo::bar as whole;
use foo::bar::{self as again, Baz};

mod m {
    use foo::bar as fb;

    pub fn f() -> String {
        foo::bar::greet("m")
    }
}

fn main() {
    println!("{}", whole::greet("whole"));
    println!("{}", again::greet("again"));
    println!("{}", m::f());
    println!("{}", Baz::new().0 + foo::bar::Baz(zed::Z).0);
}
