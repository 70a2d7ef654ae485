pub const BAZ: u8 = 3;
