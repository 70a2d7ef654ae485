#[derive(foo::derive::Named)]
struct Thing;

fn main() {
    println!("{}", foo::ROOT);
    println!("{}", foo::root_mac!(21));
    println!("{}", foo::bar::Baz::new().0);
    println!("{}", foo::bar::bar_mac!());
    println!("{}", Thing::NAME);
    println!("{}", util::text::upper("ok"));
}
