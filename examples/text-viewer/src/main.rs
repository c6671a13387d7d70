//! KPIO's text viewer app: reads `/sample.txt`, opens the window and runs the event
//! loop (the logic is in the library, src/lib.rs).

#[cfg(target_arch = "wasm32")]
fn main() {
    use kpio_guest::system::{self, Level};
    use kpio_guest::{Window, run_app};
    use text_viewer::view;

    const FILE: &str = "/sample.txt";
    // The data directory is preopened as `/` (the manifest asks for read-only
    // file-system access). A missing or unreadable file is shown in the window.
    let contents = std::fs::read(FILE)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| {
            // Short lines: the window shows each one centred.
            format!("{e}\nThe package's data/sample.txt is copied here on install.")
        });
    if let Err(e) = &contents {
        system::log(Level::Warn, &format!("text-viewer: {FILE}: {e}"));
    }
    let mut viewer = view::Viewer::new(FILE, contents);
    let result = Window::new("Text Viewer", view::WIDTH, view::HEIGHT)
        .and_then(|mut win| run_app(&mut win, &mut viewer));
    if let Err(e) = result {
        system::log(Level::Error, &format!("text-viewer: {e}"));
        eprintln!("text-viewer: {e}");
        std::process::exit(1);
    }
}

/// Built for the build machine only so `cargo test` can run the unit tests.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the text viewer is a KPIO app: build it with --target wasm32-wasip1");
    std::process::exit(2);
}
