fn main() {
    println!("{} std={}", foo::root(), foo::bar::std());
    #[cfg(feature = "baz")]
    println!("baz={}", foo::baz::BAZ);
}
