use foo::bar::Baz;

#[test]
fn the_child_is_reachable_from_tests() {
    assert_eq!(Baz::new().0, 7);
    assert_eq!(foo::bar::nested::deep(), "deep");
}
