//! Colours: the ABI's `0xAARRGGBB` (alpha in the top byte, 0xFF opaque) and the surface
//! format `0x00RRGGBB` that canvases store (always opaque, the top byte is zero), plus
//! "source over" blending of the first onto the second and the desktop's theme colours.
//!
//! Blending rounds to nearest with an exact integer division by 255, so alpha 0 leaves the
//! destination untouched and alpha 255 replaces it with the source colour, bit for bit.

/// Builds an opaque `0xFFRRGGBB` colour.
pub const fn rgb(r: u8, g: u8, b: u8) -> u32 {
    argb(0xFF, r, g, b)
}

/// Builds a `0xAARRGGBB` colour.
pub const fn argb(a: u8, r: u8, g: u8, b: u8) -> u32 {
    ((a as u32) << 24) | ((r as u32) << 16) | ((g as u32) << 8) | b as u32
}

/// The alpha byte of a `0xAARRGGBB` colour.
pub const fn alpha(argb: u32) -> u8 {
    (argb >> 24) as u8
}

/// The red byte of a colour (either format).
pub const fn red(c: u32) -> u8 {
    (c >> 16) as u8
}

/// The green byte of a colour (either format).
pub const fn green(c: u32) -> u8 {
    (c >> 8) as u8
}

/// The blue byte of a colour (either format).
pub const fn blue(c: u32) -> u8 {
    c as u8
}

/// Drops the alpha byte: the surface pixel `0x00RRGGBB` of a colour.
pub const fn to_surface(argb: u32) -> u32 {
    argb & 0x00FF_FFFF
}

/// Replaces the alpha byte of a colour.
pub const fn with_alpha(c: u32, a: u8) -> u32 {
    (c & 0x00FF_FFFF) | ((a as u32) << 24)
}

/// `x / 255` rounded to nearest, exact for every `x` in `0..=255 * 255`.
#[inline]
const fn div255(x: u32) -> u32 {
    let t = x + 128;
    ((t >> 8) + t) >> 8
}

/// Mixes one channel: `(src * a + dst * (255 - a)) / 255`, rounded.
#[inline]
const fn mix(src: u32, dst: u32, a: u32) -> u32 {
    div255(src * a + dst * (255 - a))
}

/// "Source over": the `0xAARRGGBB` colour `src` painted onto the opaque surface pixel `dst`
/// (`0x00RRGGBB`); returns the new surface pixel. Alpha 0 returns `dst` unchanged, alpha
/// 255 returns `src` without its alpha byte.
#[inline]
pub const fn blend(src: u32, dst: u32) -> u32 {
    blend_alpha(src, dst, alpha(src))
}

/// [`blend`] with an explicit alpha (`src`'s own alpha byte is ignored): used for glyph
/// coverage and anti-aliased edges, where the effective alpha is colour alpha × coverage.
#[inline]
pub const fn blend_alpha(src: u32, dst: u32, a: u8) -> u32 {
    match a {
        0 => dst & 0x00FF_FFFF,
        255 => src & 0x00FF_FFFF,
        _ => {
            let a = a as u32;
            let r = mix((src >> 16) & 0xFF, (dst >> 16) & 0xFF, a);
            let g = mix((src >> 8) & 0xFF, (dst >> 8) & 0xFF, a);
            let b = mix(src & 0xFF, dst & 0xFF, a);
            (r << 16) | (g << 8) | b
        }
    }
}

/// Scales an alpha by a coverage (both 0..=255), rounded: the effective alpha of a
/// partially covered pixel.
#[inline]
pub const fn scale_alpha(a: u8, coverage: u8) -> u8 {
    div255(a as u32 * coverage as u32) as u8
}

/// Named colours of the desktop's theme (`0xAARRGGBB`, opaque unless said otherwise).
pub mod theme {
    use super::{argb, rgb};

    /// Pure white.
    pub const WHITE: u32 = rgb(0xFF, 0xFF, 0xFF);
    /// Pure black.
    pub const BLACK: u32 = rgb(0x00, 0x00, 0x00);
    /// Fully transparent (draws nothing).
    pub const TRANSPARENT: u32 = argb(0, 0, 0, 0);
    /// The desktop background.
    pub const DESKTOP: u32 = rgb(0x1F, 0x3A, 0x5F);
    /// The taskbar.
    pub const TASKBAR: u32 = rgb(0x20, 0x22, 0x28);
    /// A focused window's title bar.
    pub const TITLE_ACTIVE: u32 = rgb(0x2D, 0x5B, 0x9A);
    /// An unfocused window's title bar.
    pub const TITLE_INACTIVE: u32 = rgb(0x5A, 0x5F, 0x66);
    /// Title bar text.
    pub const TITLE_TEXT: u32 = WHITE;
    /// A window's border.
    pub const BORDER: u32 = rgb(0x3C, 0x3F, 0x45);
    /// Panels, menus and dialogs.
    pub const PANEL: u32 = rgb(0xF4, 0xF5, 0xF7);
    /// Text on panels.
    pub const TEXT: u32 = rgb(0x1E, 0x1F, 0x22);
    /// Secondary text on panels.
    pub const TEXT_MUTED: u32 = rgb(0x6B, 0x70, 0x78);
    /// Selection and hover highlight (translucent).
    pub const HIGHLIGHT: u32 = argb(0x66, 0x4C, 0x8D, 0xF6);
    /// The unread badge and error states.
    pub const ALERT: u32 = rgb(0xE0, 0x3E, 0x3E);
    /// Dim overlay behind modal dialogs (translucent black).
    pub const SHADE: u32 = argb(0x80, 0x00, 0x00, 0x00);

    /// Pleasant, distinct colours for apps without an icon or accent colour: index with
    /// [`pick`] so a name always gets the same one.
    pub const PALETTE: [u32; 12] = [
        rgb(0xE5, 0x39, 0x35), // red
        rgb(0xD8, 0x1B, 0x60), // pink
        rgb(0x8E, 0x24, 0xAA), // purple
        rgb(0x5E, 0x35, 0xB1), // deep purple
        rgb(0x39, 0x49, 0xAB), // indigo
        rgb(0x1E, 0x88, 0xE5), // blue
        rgb(0x00, 0x89, 0x7B), // teal
        rgb(0x43, 0xA0, 0x47), // green
        rgb(0x7C, 0xB3, 0x42), // light green
        rgb(0xF4, 0x51, 0x1E), // deep orange
        rgb(0xFB, 0x8C, 0x00), // orange
        rgb(0x6D, 0x4C, 0x41), // brown
    ];

    /// The palette colour for `name`, chosen by a fixed hash (FNV-1a over the UTF-8 bytes),
    /// so it is the same on every run and every machine.
    pub fn pick(name: &str) -> u32 {
        let mut h: u32 = 0x811C_9DC5;
        for b in name.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        PALETTE[(h % PALETTE.len() as u32) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blend_is_exact_at_the_ends() {
        for dst in [0x000000, 0x123456, 0xFFFFFF, 0xABCDEF] {
            for src in [0x00FF8040, 0x00000000, 0x00FFFFFF] {
                assert_eq!(blend(with_alpha(src, 0), dst), dst);
                assert_eq!(blend(with_alpha(src, 255), dst), src & 0xFFFFFF);
            }
        }
    }

    #[test]
    fn blend_half_is_the_rounded_mean() {
        // (255 * 128 + 0 * 127) / 255 = 128; (0 * 128 + 255 * 127) / 255 = 127.
        assert_eq!(blend(0x80FF_0000, 0x0000_00FF), 0x0080_007F);
        // White at alpha 0x40 over black: 255 * 64 / 255 = 64.
        assert_eq!(blend(0x40FF_FFFF, 0), 0x0040_4040);
    }

    #[test]
    fn div255_is_exact() {
        for x in 0..=255 * 255 {
            let want = (x * 2 + 255) / 510;
            assert_eq!(div255(x), want, "x = {x}");
        }
    }

    #[test]
    fn constructors_and_accessors_round_trip() {
        let c = argb(0x12, 0x34, 0x56, 0x78);
        assert_eq!(c, 0x1234_5678);
        assert_eq!(
            (alpha(c), red(c), green(c), blue(c)),
            (0x12, 0x34, 0x56, 0x78)
        );
        assert_eq!(to_surface(c), 0x0034_5678);
        assert_eq!(rgb(1, 2, 3), 0xFF01_0203);
        assert_eq!(scale_alpha(255, 255), 255);
        assert_eq!(scale_alpha(255, 0), 0);
        assert_eq!(scale_alpha(128, 128), 64);
    }

    #[test]
    fn palette_pick_is_deterministic() {
        assert_eq!(theme::pick("calculator"), theme::pick("calculator"));
        assert!(theme::PALETTE.contains(&theme::pick("")));
        // Different names spread over the palette.
        let names = [
            "calculator",
            "text-viewer",
            "c-paint",
            "hello",
            "files",
            "notes",
        ];
        let distinct: alloc::collections::BTreeSet<u32> =
            names.iter().map(|n| theme::pick(n)).collect();
        assert!(distinct.len() >= 3, "{distinct:?}");
    }
}
