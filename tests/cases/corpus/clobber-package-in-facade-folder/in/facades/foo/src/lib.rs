pub fn mine() {}
