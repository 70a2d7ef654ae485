#[test]
fn seven_is_the_core_body() {
    assert_eq!(fam_core::body(), 7);
    assert!(fam_core::has_std());
}
