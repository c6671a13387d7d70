//! KPIO's calculator app: opens the window and runs the event loop (the logic is in
//! the library, src/lib.rs).

#[cfg(target_arch = "wasm32")]
fn main() {
    use calculator::ui;
    use kpio_guest::system::{self, Level};
    use kpio_guest::{Window, run_app};

    let result = Window::new("Calculator", ui::WIDTH, ui::HEIGHT)
        .and_then(|mut win| run_app(&mut win, &mut ui::CalcApp::new()));
    if let Err(e) = result {
        system::log(Level::Error, &format!("calculator: {e}"));
        eprintln!("calculator: {e}");
        std::process::exit(1);
    }
}

/// Built for the build machine only so `cargo test` can run the unit tests.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the calculator is a KPIO app: build it with --target wasm32-wasip1");
    std::process::exit(2);
}
