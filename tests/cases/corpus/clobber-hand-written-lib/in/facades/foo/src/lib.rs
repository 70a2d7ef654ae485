// Mine.
pub fn precious() {}
