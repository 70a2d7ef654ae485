use fam_extra::{loud, twice};

fn main() {
    println!("{} {}", fam::greeting(), fam_core::body());
    println!("{} {} {}", twice(), loud(), fam_extra::seven());
}
