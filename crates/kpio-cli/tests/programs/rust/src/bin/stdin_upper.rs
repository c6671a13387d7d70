//! Reads all of stdin, prints it upper-cased and counts its lines.
use std::io::Read;
fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).unwrap();
    print!("{}", s.to_uppercase());
    println!("lines: {}", s.lines().count());
}
