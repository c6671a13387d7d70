//! KPIO's hello-world app: greets, then shows what the app platform gave it — its
//! arguments, its environment, and its data directory (preopened as `/`).

fn main() {
    println!("Hello from KPIO!");
    for (i, arg) in std::env::args().enumerate() {
        println!("arg[{i}] = {arg}");
    }
    let mut vars: Vec<_> = std::env::vars().collect();
    vars.sort();
    for (k, v) in vars {
        println!("env {k}={v}");
    }
    // The package's data/ is seeded into the app's data directory on first install.
    match std::fs::read_to_string("/welcome.txt") {
        Ok(text) => print!("data: {text}"),
        Err(e) => println!("data: (no welcome.txt: {e})"),
    }
    // Count launches in the app's own persistent storage.
    let runs = std::fs::read_to_string("/runs")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    if std::fs::write("/runs", runs.to_string()).is_ok() {
        println!("launch #{runs}");
    }
}
