//! KPIO's text viewer: shows `/sample.txt` from the app's data directory (the
//! package's `data/sample.txt`, copied there on install) with line numbers, keyboard
//! scrolling and a scroll bar ([`view`]).
//!
//! A library plus a thin `main` so that the logic is unit-tested on the build
//! machine (`cargo test`) while the app itself is built for `wasm32-wasip1`.

pub mod view;
