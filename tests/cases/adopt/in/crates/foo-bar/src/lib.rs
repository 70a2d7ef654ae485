pub fn std() -> bool { cfg!(feature = "std") }
