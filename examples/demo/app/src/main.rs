//! Every path below goes through a generated facade.

use foo::bar::Baz;

#[derive(foo::derive::Hello)]
struct Greeter;

fn main() {
    println!("foo::version()        = {}", foo::version());
    println!("foo::greet!(\"demo\")   = {}", foo::greet!("demo"));
    println!("foo::bar::Baz::new()  = {:?}", Baz::new());
    println!("foo::bar::baz!().value = {}", foo::bar::baz!().value);
    println!("Greeter::hello()      = {}", Greeter::hello());
    println!("util::text::shout(\"namespaces\") = {}", util::text::shout("namespaces"));
}
