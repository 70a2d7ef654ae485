use fam::extra::{loud, twice};

fn main() {
    println!("{} {}", fam::greeting(), fam::core::body());
    println!("{} {} {}", twice(), loud(), fam::extra::seven());
}
