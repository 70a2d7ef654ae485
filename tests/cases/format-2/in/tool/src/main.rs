fn main() { println!("tool {}", foo::bar::bar_mac!()); }
