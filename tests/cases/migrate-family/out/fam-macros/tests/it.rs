#[test]
fn seven_is_the_core_body() {
    assert_eq!(fam::core::body(), 7);
    assert!(fam::core::has_std());
}
