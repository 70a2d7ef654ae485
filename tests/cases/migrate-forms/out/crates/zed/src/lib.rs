pub const Z: u32 = 26;
