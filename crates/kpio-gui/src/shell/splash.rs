//! A splash screen over a window's content while its app starts: the accent colour, the
//! app's icon and its name, shown until the app presents its first frame.

use alloc::string::String;

use crate::image::Image;

/// Size the splash icon is drawn at.
pub const SPLASH_ICON: u32 = 64;

/// What a window shows before its first frame.
#[derive(Clone, Debug)]
pub struct Splash {
    pub app_name: String,
    /// Already scaled to [`SPLASH_ICON`] square.
    pub icon: Image,
    /// Background colour (`0xAARRGGBB`).
    pub accent: u32,
}
