//! Icon art: app icons scaled to the desktop's size (or the fallback circle with a letter),
//! splash icons, and the two system icons drawn procedurally (no image files needed).

use alloc::vec::Vec;

use super::splash::SPLASH_ICON;
use super::theme::{ICON_SIZE, SYSTEM_ACCENT};
use crate::color::theme;
use crate::font::Font;
use crate::image::{Image, fallback_icon};

/// An app's desktop icon: its image scaled to [`ICON_SIZE`], else the fallback circle with
/// the name's first letter, in the app's accent colour (the name's palette colour when the
/// accent is fully transparent).
pub fn app_icon(font: &Font, icon: Option<&Image>, name: &str, accent: u32) -> Image {
    sized(font, icon, name, accent, ICON_SIZE)
}

/// The splash screen's icon, [`SPLASH_ICON`] square.
pub fn splash_icon(font: &Font, icon: Option<&Image>, name: &str, accent: u32) -> Image {
    sized(font, icon, name, accent, SPLASH_ICON)
}

fn sized(font: &Font, icon: Option<&Image>, name: &str, accent: u32, size: u32) -> Image {
    if let Some(scaled) = icon.and_then(|i| i.scale_to(size, size).ok()) {
        return scaled;
    }
    let mut img = fallback_icon(font, name, size);
    if accent >> 24 != 0 {
        recolour(&mut img, theme::pick(name), accent);
    }
    img
}

/// Repaints a fallback icon drawn in `from` (with a white letter blended over it) in `to`,
/// keeping the letter's anti-aliasing: each pixel's share of white is recovered from the
/// channel where `from` is darkest, then reapplied over `to`.
fn recolour(img: &mut Image, from: u32, to: u32) {
    let chan = |c: u32, i: usize| ((c >> (16 - 8 * i)) & 0xFF) as u8;
    // The channel with the most room below white tells the white share most precisely.
    let k = (0..3).min_by_key(|&i| chan(from, i)).unwrap_or(0);
    let base = u32::from(chan(from, k));
    for px in img.rgba.chunks_exact_mut(4) {
        let lighter = u32::from(px[k]).saturating_sub(base) * 255;
        let t = lighter.checked_div(255 - base).unwrap_or(0).min(255);
        for (i, p) in px.iter_mut().take(3).enumerate() {
            let c = u32::from(chan(to, i));
            *p = ((c * (255 - t) + 255 * t) / 255) as u8;
        }
    }
}

/// "All apps": a tile with a 3×3 grid of dots.
pub fn all_apps_icon() -> Image {
    procedural(|x, y| {
        let (gx, gy) = (x - 8.0, y - 8.0);
        (0..3).any(|i| {
            (0..3).any(|j| {
                let (dx, dy) = (gx - i as f32 * 8.0, gy - j as f32 * 8.0);
                dx * dx + dy * dy <= 2.6 * 2.6
            })
        })
    })
}

/// "Notifications": a tile with a bell.
pub fn bell_icon() -> Image {
    procedural(|x, y| {
        let (dx, dy) = (x - 16.0, y - 14.0);
        let dome = dy <= 0.0 && dx * dx + dy * dy <= 7.5 * 7.5;
        // The body widens from the dome's width to the rim.
        let body = (14.0..=22.0).contains(&y) && dx.abs() <= 7.5 + (y - 14.0) * 0.25;
        let rim = (22.0..=24.0).contains(&y) && dx.abs() <= 10.5;
        let (cx, cy) = (x - 16.0, y - 26.0);
        let clapper = cx * cx + cy * cy <= 2.5 * 2.5;
        let knob = (x - 16.0).abs() <= 1.2 && (5.0..=7.0).contains(&y);
        dome || body || rim || clapper || knob
    })
}

/// A [`ICON_SIZE`] rounded tile in the system accent with a white glyph where `glyph` is
/// true, 4×4 supersampled for smooth edges.
fn procedural(glyph: impl Fn(f32, f32) -> bool) -> Image {
    let s = ICON_SIZE as usize;
    let tile = [
        (SYSTEM_ACCENT >> 16) as u8,
        (SYSTEM_ACCENT >> 8) as u8,
        SYSTEM_ACCENT as u8,
    ];
    let radius = 7.0f32;
    let inside_tile = |x: f32, y: f32| {
        let size = ICON_SIZE as f32;
        let cx = x.clamp(radius, size - radius);
        let cy = y.clamp(radius, size - radius);
        let (dx, dy) = (x - cx, y - cy);
        dx * dx + dy * dy <= radius * radius
    };
    let mut rgba = Vec::with_capacity(s * s * 4);
    for py in 0..s {
        for px in 0..s {
            let (mut tile_n, mut glyph_n) = (0u32, 0u32);
            for sy in 0..4 {
                for sx in 0..4 {
                    let x = px as f32 + (sx as f32 + 0.5) / 4.0;
                    let y = py as f32 + (sy as f32 + 0.5) / 4.0;
                    if inside_tile(x, y) {
                        tile_n += 1;
                        if glyph(x, y) {
                            glyph_n += 1;
                        }
                    }
                }
            }
            // Glyph over tile: white weighted by the glyph's share of the covered samples.
            let mix = |t: u8| {
                let t = u32::from(t);
                ((t * (tile_n - glyph_n) + 255 * glyph_n) / tile_n.max(1)) as u8
            };
            let a = (tile_n * 255 / 16) as u8;
            rgba.extend_from_slice(&[mix(tile[0]), mix(tile[1]), mix(tile[2]), a]);
        }
    }
    Image {
        width: ICON_SIZE,
        height: ICON_SIZE,
        rgba,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_icons_take_the_accent_colour() {
        let font = Font::embedded();
        let icon = app_icon(&font, None, "Calculator", 0xFF3D7BD9);
        // An edge pixel inside the circle but off the letter.
        let p = icon.pixel(16, 3).unwrap();
        assert_eq!(p, [0x3D, 0x7B, 0xD9, 255]);
        // The letter stays white.
        assert!(
            icon.rgba
                .chunks(4)
                .any(|p| p[..3] == [255, 255, 255] && p[3] == 255)
        );
        // A transparent accent keeps the name's colour.
        let plain = app_icon(&font, None, "Calculator", 0);
        assert_eq!(plain, fallback_icon(&font, "Calculator", ICON_SIZE));
    }

    #[test]
    fn system_icons_are_tiles_with_white_glyphs() {
        for icon in [all_apps_icon(), bell_icon()] {
            assert_eq!((icon.width, icon.height), (ICON_SIZE, ICON_SIZE));
            assert_eq!(
                icon.pixel(0, 0).unwrap()[3],
                0,
                "corner outside the rounded tile"
            );
            assert_eq!(icon.pixel(16, 2).unwrap()[3], 255);
            assert!(icon.rgba.chunks(4).any(|p| p[..3] == [255, 255, 255]));
        }
    }
}
