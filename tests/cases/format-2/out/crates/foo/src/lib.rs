pub const ROOT: &str = "root foo";

pub fn twice(x: u32) -> u32 {
    x * 2
}

#[macro_export]
macro_rules! root_mac {
    ($x:expr) => {
        $crate::twice($x)
    };
}
