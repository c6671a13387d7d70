//! Colours as the ABI passes them: `u32` `0xAARRGGBB`, alpha 0xFF opaque; the host
//! blends "source over".

/// Opaque black.
pub const BLACK: u32 = 0xFF00_0000;
/// Opaque white.
pub const WHITE: u32 = 0xFFFF_FFFF;
/// Fully transparent (drawing with it changes nothing).
pub const TRANSPARENT: u32 = 0x0000_0000;

/// An opaque colour from its red, green and blue components.
pub const fn rgb(r: u8, g: u8, b: u8) -> u32 {
    argb(0xFF, r, g, b)
}

/// A colour from alpha, red, green and blue.
pub const fn argb(a: u8, r: u8, g: u8, b: u8) -> u32 {
    (a as u32) << 24 | (r as u32) << 16 | (g as u32) << 8 | b as u32
}

/// `colour` with its alpha replaced by `a`.
pub const fn with_alpha(colour: u32, a: u8) -> u32 {
    (colour & 0x00FF_FFFF) | (a as u32) << 24
}

/// The (alpha, red, green, blue) components of a colour.
pub const fn components(colour: u32) -> (u8, u8, u8, u8) {
    (
        (colour >> 24) as u8,
        (colour >> 16) as u8,
        (colour >> 8) as u8,
        colour as u8,
    )
}

/// The colour `t`/255 of the way from `from` to `to`, per component including alpha
/// (`t = 0` is `from`, `t = 255` is `to`). Handy for hover and pressed shades.
pub const fn mix(from: u32, to: u32, t: u8) -> u32 {
    let (a0, r0, g0, b0) = components(from);
    let (a1, r1, g1, b1) = components(to);
    const fn lerp(x: u8, y: u8, t: u8) -> u8 {
        let (x, y, t) = (x as u32, y as u32, t as u32);
        // Rounded to nearest: (x*(255-t) + y*t + 127) / 255.
        ((x * (255 - t) + y * t + 127) / 255) as u8
    }
    argb(
        lerp(a0, a1, t),
        lerp(r0, r1, t),
        lerp(g0, g1, t),
        lerp(b0, b1, t),
    )
}

/// `colour` made lighter by mixing `t`/255 of white into it (alpha kept).
pub const fn lighten(colour: u32, t: u8) -> u32 {
    with_alpha(mix(colour, WHITE, t), components(colour).0)
}

/// `colour` made darker by mixing `t`/255 of black into it (alpha kept).
pub const fn darken(colour: u32, t: u8) -> u32 {
    with_alpha(mix(colour, BLACK, t), components(colour).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_splits_components() {
        assert_eq!(rgb(0x12, 0x34, 0x56), 0xFF12_3456);
        assert_eq!(argb(0x80, 1, 2, 3), 0x8001_0203);
        assert_eq!(components(0x8001_0203), (0x80, 1, 2, 3));
        assert_eq!(with_alpha(0xFF12_3456, 0), 0x0012_3456);
    }

    #[test]
    fn mixes_with_rounding() {
        assert_eq!(mix(BLACK, WHITE, 0), BLACK);
        assert_eq!(mix(BLACK, WHITE, 255), WHITE);
        assert_eq!(mix(BLACK, WHITE, 128), rgb(128, 128, 128));
        assert_eq!(lighten(rgb(0, 0, 0), 51), rgb(51, 51, 51));
        assert_eq!(darken(rgb(200, 100, 50), 255), BLACK);
        assert_eq!(lighten(0x4000_0000, 255), 0x40FF_FFFF);
    }
}
