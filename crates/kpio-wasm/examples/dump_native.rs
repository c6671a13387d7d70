fn main() {
    let path = std::env::args().nth(1).unwrap();
    let out = std::env::args().nth(2).unwrap();
    let tier = if std::env::args().nth(3).as_deref() == Some("auto") {
        kpio_wasm::Tier::Auto
    } else {
        kpio_wasm::Tier::Jit
    };
    let e = kpio_wasm::Engine::new(kpio_wasm::Config {
        tier,
        ..Default::default()
    });
    let m = kpio_wasm::Module::new(&e, &std::fs::read(path).unwrap()).unwrap();
    let p = m.precompile(&e).unwrap();
    std::fs::write(out, &p.entry).unwrap();
    for i in 0..m.num_funcs() as u32 {
        if let Some(n) = m.func_name(i) {
            println!("{i} {n}");
        }
    }
}
