//! An app written before namespaces: `foo_bar::` here in a doc comment stays.

use foo_bar::Baz; // the child's type, trailing comment kept
use foo_bar::{self as fb, nested::deep}; /* block: foo_bar::nested */

mod inner {
    /// Leading `::` paths inside a nested module.
    pub fn call() -> String {
        ::foo_bar::greet("inner")
    }

    pub mod deeper {
        pub fn make() -> ::foo_bar::Baz {
            ::foo_bar::Baz::default()
        }
    }
}

fn main() {
    println!("{}", foo::shout(foo::ROOT));
    println!("{}", Baz::new().0);
    println!("{}", fb::greet("alias"));
    println!("{}", deep());
    println!("{}", inner::call());
    // A macro invocation with a path inside, and a string that looks like one.
    println!("{} / {}", "foo_bar::not_a_path", foo_bar::greet("macro arg"));
    println!("{}", foo_bar::bar_mac!("macro"));
    let text = "foo_bar::Baz in a string";
    println!("{text}");
    /* foo_bar::Baz in a block comment */
    let sum: u32 = [inner::deeper::make(), foo_bar::Baz(1)].iter().map(|b| b.0).sum();
    println!("{sum}");
}
