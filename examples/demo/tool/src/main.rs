fn main() {
    let baz = foo::bar::Baz::default();
    println!("tool sees foo::bar::Baz {{ value: {} }}", baz.value);
}
