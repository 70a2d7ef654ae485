fn main() {
    println!("{} {} {}", foo::hello(), foo::bar::bar(), foo::baz::baz());
}
