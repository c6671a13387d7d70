//! A window's remembered position and size, stored by the desktop as
//! `/apps/data/{id}/window_state.json` and handed back to [`super::Shell::open_window`].
//!
//! `x`, `y` are the outer frame's top-left corner on screen; `width`, `height` the content
//! size (what the app draws), so a state survives theme changes of the frame.

use alloc::string::{String, ToString};
use core::fmt;

use serde::{Deserialize, Serialize};

use super::theme::MAX_CONTENT;

/// Farthest a remembered position may be from the origin; anything beyond is garbage.
const MAX_COORD: i32 = 1 << 16;

/// Position (outer frame) and content size of a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// Why a `window_state.json` was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WindowStateError {
    /// Not JSON of the expected shape (the parser's message, with line and column).
    Json(String),
    /// Content size outside 1..=4096.
    Size { width: u32, height: u32 },
    /// Position implausibly far from the screen.
    Position { x: i32, y: i32 },
}

impl fmt::Display for WindowStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowStateError::Json(msg) => write!(f, "window_state.json: {msg}"),
            WindowStateError::Size { width, height } => write!(
                f,
                "window_state.json: size {width}x{height} is outside 1..={MAX_CONTENT}"
            ),
            WindowStateError::Position { x, y } => write!(
                f,
                "window_state.json: position ({x}, {y}) is beyond ±{MAX_COORD}"
            ),
        }
    }
}

impl core::error::Error for WindowStateError {}

impl WindowState {
    /// Checks the ranges a stored state must respect.
    pub fn validate(&self) -> Result<(), WindowStateError> {
        if !(1..=MAX_CONTENT).contains(&self.width) || !(1..=MAX_CONTENT).contains(&self.height) {
            return Err(WindowStateError::Size {
                width: self.width,
                height: self.height,
            });
        }
        if !(-MAX_COORD..=MAX_COORD).contains(&self.x)
            || !(-MAX_COORD..=MAX_COORD).contains(&self.y)
        {
            return Err(WindowStateError::Position {
                x: self.x,
                y: self.y,
            });
        }
        Ok(())
    }

    /// The JSON the desktop stores: `{"x":..,"y":..,"width":..,"height":..}`.
    pub fn to_json(&self) -> String {
        // Serialising four integers cannot fail; fall back to an empty object all the same
        // rather than panic.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// Parses and validates a stored state.
    pub fn from_json(text: &str) -> Result<Self, WindowStateError> {
        let state: WindowState =
            serde_json::from_str(text).map_err(|e| WindowStateError::Json(e.to_string()))?;
        state.validate()?;
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = WindowState {
            x: -10,
            y: 40,
            width: 300,
            height: 400,
        };
        let json = s.to_json();
        assert_eq!(json, r#"{"x":-10,"y":40,"width":300,"height":400}"#);
        assert_eq!(WindowState::from_json(&json), Ok(s));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "null",
            "[]",
            "{\"x\":1}",
            "{\"x\":1,\"y\":2,\"width\":\"3\",\"height\":4}",
            "{\"x\":1,\"y\":2,\"width\":-3,\"height\":4}",
            "{\"x\":1.5,\"y\":2,\"width\":3,\"height\":4}",
            "\u{0}\u{ff}garbage",
        ] {
            assert!(
                matches!(WindowState::from_json(bad), Err(WindowStateError::Json(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            WindowState::from_json(r#"{"x":1,"y":2,"width":0,"height":4}"#),
            Err(WindowStateError::Size { .. })
        ));
        assert!(matches!(
            WindowState::from_json(r#"{"x":1,"y":2,"width":5000,"height":4}"#),
            Err(WindowStateError::Size { .. })
        ));
        assert!(matches!(
            WindowState::from_json(r#"{"x":2147483647,"y":2,"width":50,"height":4}"#),
            Err(WindowStateError::Position { .. })
        ));
    }
}
