pub fn root() -> &'static str { if cfg!(feature = "loud") { "ROOT" } else { "root" } }
