//! KPIO's calculator: a 300 × 400 window with a display and a keypad, operated with
//! the mouse or the keyboard, computing in exact decimals ([`decimal`]) left to
//! right like a pocket calculator ([`calc`]); [`ui`] lays it out and draws it.
//!
//! A library plus a thin `main` so that the logic is unit-tested on the build
//! machine (`cargo test`) while the app itself is built for `wasm32-wasip1`.

pub mod calc;
pub mod decimal;
pub mod ui;
