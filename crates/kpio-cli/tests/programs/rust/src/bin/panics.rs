//! Panics: on wasm32-wasip1 a panic aborts, which is a trap (`unreachable`).
fn main() {
    let v: Vec<u32> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    println!("sum {}", v.iter().sum::<u32>());
    panic!("deliberate panic");
}
