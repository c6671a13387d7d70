//! Prints a greeting, its arguments and its (sorted) environment.
fn main() {
    println!("Hello from KPIO!");
    for (i, a) in std::env::args().enumerate().skip(1) {
        println!("arg {i}: {a}");
    }
    let mut vars: Vec<(String, String)> =
        std::env::vars().filter(|(k, _)| k.starts_with("KPIO_")).collect();
    vars.sort();
    for (k, v) in vars {
        println!("env {k}={v}");
    }
}
