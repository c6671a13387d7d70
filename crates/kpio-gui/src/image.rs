//! Images: RGBA8 pixels (straight alpha), decoded from PNG app icons with zune-png, scaled
//! (area averaging to shrink, bilinear to enlarge, both on premultiplied alpha so
//! transparent pixels do not darken the edges), and the fallback icon for apps without
//! one: a coloured circle (colour picked from the app's name) with the name's first letter.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use zune_png::PngDecoder;
use zune_png::zune_core::bytestream::ZCursor;
use zune_png::zune_core::colorspace::ColorSpace;
use zune_png::zune_core::options::DecoderOptions;

use crate::canvas::Disc;
use crate::color::{blend_alpha, theme};
use crate::font::Font;

/// The largest width and height of a decoded PNG.
pub const MAX_PNG_DIMENSION: u32 = 4096;
/// The largest width and height [`Image::scale_to`] produces.
pub const MAX_SCALE_DIMENSION: u32 = 4096;
/// Scaling keeps the result of its first pass (of two) in `f32` samples; it may hold at most
/// this many pixels (4 × 4 bytes each: 64 MiB).
const MAX_SCALE_INTERMEDIATE: usize = 4 * 1024 * 1024;

/// Why an image could not be decoded or made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// The data does not start with the PNG signature and an IHDR chunk.
    NotPng,
    /// Zero width or height.
    Empty,
    /// Wider or taller than the limit.
    TooLarge {
        /// The width.
        width: u32,
        /// The height.
        height: u32,
        /// The limit on each.
        max: u32,
    },
    /// The RGBA data's length is not `width × height × 4`.
    BadLength {
        /// The bytes needed (`None`: it overflows).
        expected: Option<usize>,
        /// The bytes given.
        actual: usize,
    },
    /// The decoder rejected the file (the message says why).
    Corrupt(String),
    /// The decoder produced a pixel layout this crate does not convert.
    Unsupported(&'static str),
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotPng => f.write_str("image: not a PNG file (no signature and IHDR)"),
            Self::Empty => f.write_str("image: zero width or height"),
            Self::TooLarge { width, height, max } => {
                write!(
                    f,
                    "image: {width}×{height} exceeds the limit of {max}×{max}"
                )
            }
            Self::BadLength {
                expected: Some(e),
                actual,
            } => {
                write!(f, "image: RGBA data must be {e} bytes, got {actual}")
            }
            Self::BadLength {
                expected: None,
                actual,
            } => {
                write!(f, "image: RGBA size overflows (got {actual} bytes)")
            }
            Self::Corrupt(why) => write!(f, "image: corrupt PNG: {why}"),
            Self::Unsupported(what) => write!(f, "image: unsupported PNG layout: {what}"),
        }
    }
}

impl core::error::Error for ImageError {}

/// RGBA8 pixels, row-major, straight (not premultiplied) alpha.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 4` bytes: R, G, B, A per pixel.
    pub rgba: Vec<u8>,
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

fn rgba_len(width: u32, height: u32) -> Option<usize> {
    (width as usize)
        .checked_mul(height as usize)?
        .checked_mul(4)
}

impl Image {
    /// Wraps RGBA8 data, checking its length.
    pub fn new(width: u32, height: u32, rgba: Vec<u8>) -> Result<Image, ImageError> {
        let expected = rgba_len(width, height);
        if expected != Some(rgba.len()) {
            return Err(ImageError::BadLength {
                expected,
                actual: rgba.len(),
            });
        }
        Ok(Image {
            width,
            height,
            rgba,
        })
    }

    /// The pixel at (x, y) as `[r, g, b, a]`, or `None` outside.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let at = (y as usize * self.width as usize + x as usize) * 4;
        let p = self.rgba.get(at..at + 4)?;
        Some([p[0], p[1], p[2], p[3]])
    }

    /// The image resized to `width × height`: each axis is area-averaged when it shrinks
    /// and bilinearly interpolated when it grows, in premultiplied alpha.
    pub fn scale_to(&self, width: u32, height: u32) -> Result<Image, ImageError> {
        if width > MAX_SCALE_DIMENSION || height > MAX_SCALE_DIMENSION {
            return Err(ImageError::TooLarge {
                width,
                height,
                max: MAX_SCALE_DIMENSION,
            });
        }
        if rgba_len(self.width, self.height) != Some(self.rgba.len()) {
            return Err(ImageError::BadLength {
                expected: rgba_len(self.width, self.height),
                actual: self.rgba.len(),
            });
        }
        if width == self.width && height == self.height {
            return Ok(self.clone());
        }
        let out_len = width as usize * height as usize * 4;
        if self.width == 0 || self.height == 0 || out_len == 0 {
            // Nothing to sample: a transparent image of the asked size.
            return Ok(Image {
                width,
                height,
                rgba: vec![0; out_len],
            });
        }
        let (sw, sh) = (self.width as usize, self.height as usize);
        let (dw, dh) = (width as usize, height as usize);
        let wx = weights(sw, dw);
        let wy = weights(sh, dh);
        // Two separable passes; the first reads the bytes (premultiplying as it goes), the
        // second writes bytes (un-premultiplying), so only the intermediate is in floats.
        // Do first the pass that leaves the smaller intermediate.
        let horizontal_first = dw * sh <= sw * dh;
        let (mid_w, mid_h) = if horizontal_first { (dw, sh) } else { (sw, dh) };
        if mid_w * mid_h > MAX_SCALE_INTERMEDIATE {
            return Err(ImageError::TooLarge {
                width,
                height,
                max: MAX_SCALE_DIMENSION,
            });
        }
        let premultiplied = |i: usize| {
            let p = &self.rgba[i * 4..i * 4 + 4];
            let a = f32::from(p[3]) / 255.0;
            [
                f32::from(p[0]) * a,
                f32::from(p[1]) * a,
                f32::from(p[2]) * a,
                f32::from(p[3]),
            ]
        };
        let mut mid = vec![0f32; mid_w * mid_h * 4];
        let (first, second) = if horizontal_first {
            (&wx, &wy)
        } else {
            (&wy, &wx)
        };
        pass(sw, sh, first, horizontal_first, premultiplied, |i, v| {
            mid[i * 4..i * 4 + 4].copy_from_slice(&v)
        });
        let mut rgba = vec![0u8; out_len];
        let from_mid = |i: usize| {
            let m = &mid[i * 4..i * 4 + 4];
            [m[0], m[1], m[2], m[3]]
        };
        pass(mid_w, mid_h, second, !horizontal_first, from_mid, |i, p| {
            let a = p[3].clamp(0.0, 255.0);
            if a >= 0.5 {
                let un = 255.0 / a;
                rgba[i * 4..i * 4 + 4].copy_from_slice(&[
                    to_u8(p[0] * un),
                    to_u8(p[1] * un),
                    to_u8(p[2] * un),
                    to_u8(a),
                ]);
            }
        });
        Ok(Image {
            width,
            height,
            rgba,
        })
    }
}

/// Rounds and clamps to a byte.
fn to_u8(v: f32) -> u8 {
    if v.is_nan() || v <= 0.0 {
        0
    } else if v >= 255.0 {
        255
    } else {
        (v + 0.5) as u8
    }
}

/// For each output index along one axis: the first source index and the weights of the
/// source samples from there (summing to 1).
fn weights(src: usize, dst: usize) -> Vec<(usize, Vec<f32>)> {
    let mut out = Vec::with_capacity(dst);
    let ratio = src as f64 / dst as f64;
    for j in 0..dst {
        if dst <= src {
            // Area: output j covers source [j·ratio, (j+1)·ratio).
            let a = j as f64 * ratio;
            let b = ((j + 1) as f64 * ratio).min(src as f64);
            let first = a as usize;
            let mut w = Vec::new();
            let mut i = first;
            while (i as f64) < b && i < src {
                let overlap = b.min(i as f64 + 1.0) - a.max(i as f64);
                w.push((overlap / ratio) as f32);
                i += 1;
            }
            out.push((first, w));
        } else {
            // Bilinear between the two nearest source centres, clamped at the edges.
            let u = ((j as f64 + 0.5) * ratio - 0.5).max(0.0);
            let i0 = (u as usize).min(src - 1);
            let f = (u - i0 as f64) as f32;
            if i0 + 1 < src && f > 0.0 {
                out.push((i0, vec![1.0 - f, f]));
            } else {
                out.push((i0, vec![1.0]));
            }
        }
    }
    out
}

/// One resampling pass over `w × h` premultiplied pixels along x (`horizontal`) or y:
/// reads source pixel `i` (row-major index) with `get` and hands each output pixel, by its
/// row-major index in the output, to `put`.
fn pass(
    w: usize,
    h: usize,
    wt: &[(usize, Vec<f32>)],
    horizontal: bool,
    get: impl Fn(usize) -> [f32; 4],
    mut put: impl FnMut(usize, [f32; 4]),
) {
    let (ow, oh) = if horizontal {
        (wt.len(), h)
    } else {
        (w, wt.len())
    };
    for y in 0..oh {
        for x in 0..ow {
            let (first, ws) = if horizontal { &wt[x] } else { &wt[y] };
            let mut acc = [0f32; 4];
            for (k, &wk) in ws.iter().enumerate() {
                let (sx, sy) = if horizontal {
                    (first + k, y)
                } else {
                    (x, first + k)
                };
                let v = get(sy * w + sx);
                for c in 0..4 {
                    acc[c] += v[c] * wk;
                }
            }
            put(y * ow + x, acc);
        }
    }
}

/// Reads the width and height from the IHDR chunk (which the PNG format puts first).
fn ihdr_size(data: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if data.get(..8)? != SIGNATURE || data.get(12..16)? != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(data.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(data.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

/// Walks the chunk structure before handing the file to the decoder: the IHDR fields must
/// be a valid combination, a palette image must have a PLTE chunk before its image data,
/// there must be image data, and every chunk must lie within the file up to IEND. This
/// turns malformed files the decoder would mis-handle (zune-png 0.5.2 decodes a palette
/// image without PLTE to garbage) into typed errors. It also refuses image data too short
/// to inflate to the stated size (deflate shrinks at most 1032:1), so a small file cannot
/// make the decoder allocate the pixel memory of a large image.
fn validate_chunks(data: &[u8]) -> Result<(), ImageError> {
    let corrupt = |why: &str| Err(ImageError::Corrupt(String::from(why)));
    let ihdr = data.get(16..29).ok_or(ImageError::NotPng)?;
    if data.get(8..12) != Some(&[0, 0, 0, 13][..]) {
        return corrupt("IHDR is not 13 bytes");
    }
    let (depth, colour_type) = (ihdr[8], ihdr[9]);
    let depth_ok = match colour_type {
        0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
        3 => matches!(depth, 1 | 2 | 4 | 8),
        2 | 4 | 6 => matches!(depth, 8 | 16),
        _ => return corrupt("unknown colour type"),
    };
    if !depth_ok {
        return corrupt("bit depth not allowed for the colour type");
    }
    if ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1 {
        return corrupt("unknown compression, filter or interlace method");
    }
    let mut at = 8usize;
    let mut seen_plte = false;
    let mut idat_bytes = 0usize;
    loop {
        let Some(head) = data.get(at..at + 8) else {
            return corrupt("the file ends before IEND");
        };
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let end = at.checked_add(12).and_then(|n| n.checked_add(len));
        let Some(end) = end.filter(|&e| e <= data.len()) else {
            return corrupt("a chunk runs past the end of the file");
        };
        match &head[4..8] {
            b"PLTE" => {
                if len == 0 || !len.is_multiple_of(3) || len > 768 {
                    return corrupt("PLTE length is not 3 to 768 in steps of 3");
                }
                seen_plte = true;
            }
            b"IDAT" => {
                if colour_type == 3 && !seen_plte {
                    return corrupt("palette image without PLTE before IDAT");
                }
                idat_bytes = idat_bytes.saturating_add(len);
            }
            b"IEND" => break,
            _ => {}
        }
        at = end;
    }
    if idat_bytes == 0 {
        return corrupt("no image data (IDAT)");
    }
    let width = u64::from(u32::from_be_bytes([ihdr[0], ihdr[1], ihdr[2], ihdr[3]]));
    let height = u64::from(u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]));
    let channels: u64 = match colour_type {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        _ => 4,
    };
    let min_inflated = width * height * channels * u64::from(depth) / 8;
    if (idat_bytes as u64)
        .saturating_mul(1032)
        .saturating_add(1024)
        < min_inflated
    {
        return corrupt("the image data is too short for the image size");
    }
    Ok(())
}

/// Decodes a PNG file (any colour type: grey, grey + alpha, RGB, RGBA, palette, with or
/// without `tRNS`; 1 to 16 bits per sample; interlaced or not) to RGBA8. 16-bit samples
/// keep their high byte. Images wider or taller than [`MAX_PNG_DIMENSION`] are refused
/// before any pixel memory is allocated. An animated PNG gives its first frame.
pub fn decode_png(data: &[u8]) -> Result<Image, ImageError> {
    let (width, height) = ihdr_size(data).ok_or(ImageError::NotPng)?;
    if width == 0 || height == 0 {
        return Err(ImageError::Empty);
    }
    if width > MAX_PNG_DIMENSION || height > MAX_PNG_DIMENSION {
        return Err(ImageError::TooLarge {
            width,
            height,
            max: MAX_PNG_DIMENSION,
        });
    }
    validate_chunks(data)?;
    let max = MAX_PNG_DIMENSION as usize;
    // The inflated data of a w × h image is at most 8 bytes per pixel plus a filter byte
    // per row: a larger stream is a decompression bomb.
    let inflate_limit = width as usize * height as usize * 8 + height as usize + 1024;
    let options = DecoderOptions::default()
        .set_max_width(max)
        .set_max_height(max)
        .inflate_set_limit(inflate_limit)
        .png_set_strip_to_8bit(true)
        .png_set_confirm_crc(true)
        .png_set_decode_animated(false);
    let mut decoder = PngDecoder::new_with_options(ZCursor::new(data), options);
    let corrupt = |e: zune_png::error::PngDecodeErrors| {
        let mut msg = alloc::format!("{e:?}");
        msg.truncate(msg.trim_end().len());
        ImageError::Corrupt(msg)
    };
    decoder.decode_headers().map_err(corrupt)?;
    let colorspace = decoder
        .colorspace()
        .ok_or(ImageError::Unsupported("no colour space"))?;
    let raw = decoder.decode_raw().map_err(corrupt)?;
    let pixels = width as usize * height as usize;
    let rgba = match colorspace {
        ColorSpace::RGBA if raw.len() >= pixels * 4 => {
            let mut raw = raw;
            raw.truncate(pixels * 4);
            raw
        }
        ColorSpace::RGB if raw.len() >= pixels * 3 => raw[..pixels * 3]
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        ColorSpace::LumaA if raw.len() >= pixels * 2 => raw[..pixels * 2]
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        ColorSpace::Luma if raw.len() >= pixels => {
            raw[..pixels].iter().flat_map(|&v| [v, v, v, 255]).collect()
        }
        ColorSpace::RGBA | ColorSpace::RGB | ColorSpace::LumaA | ColorSpace::Luma => {
            return Err(ImageError::Corrupt(alloc::format!(
                "the decoder returned {} bytes for {width}×{height} {colorspace:?}",
                raw.len()
            )));
        }
        _ => {
            return Err(ImageError::Unsupported(
                "colour space other than grey or RGB",
            ));
        }
    };
    Ok(Image {
        width,
        height,
        rgba,
    })
}

/// The letter on a fallback icon: the name's first letter or digit that the font can draw,
/// uppercased (the uppercase form only if the font has it too), else `?`. Skipping what the
/// font lacks keeps a `.notdef` box off the icon (DejaVu has no CJK, for one).
pub fn icon_letter(font: &Font, name: &str) -> char {
    name.chars()
        .filter(|c| c.is_alphanumeric() && font.has_glyph(*c))
        .map(|c| match c.to_uppercase().next() {
            Some(u) if font.has_glyph(u) => u,
            _ => c,
        })
        .next()
        .unwrap_or('?')
}

/// The icon of an app without one: a circle `size × size` in a colour picked from `name`
/// ([`theme::pick`]) with the name's first letter or digit (see [`icon_letter`]) in white,
/// centred; transparent outside the circle. `size` is clamped to 1..=1024.
pub fn fallback_icon(font: &Font, name: &str, size: u32) -> Image {
    let size = size.clamp(1, 1024);
    let s = size as usize;
    let colour = theme::pick(name) & 0x00FF_FFFF;
    let disc = Disc::new(0.0, 0.0, f64::from(size));
    // Colour and alpha per pixel: the disc's coverage becomes the alpha.
    let mut rgb = vec![colour; s * s];
    let mut alpha = vec![0u8; s * s];
    for y in 0..s {
        for x in 0..s {
            alpha[y * s + x] = disc.coverage(x as f64, y as f64);
        }
    }
    let letter = icon_letter(font, name);
    let mut buf = [0u8; 4];
    let letter_str = letter.encode_utf8(&mut buf);
    // The letter's bitmap is centred in the circle (not its line box, whose ascent and
    // descent would push it up).
    let text_size = (size * 3 / 5).max(1);
    let m = font.glyph_metrics(letter, text_size);
    let baseline = font.baseline(text_size);
    // Regular DejaVu is thin for an icon: from 24 px on, the letter is emboldened by also
    // painting it shifted right by 1..=`bold` pixels (the maximum of the coverages), one
    // pixel per 32 of icon size.
    let bold = ((size + 8) / 32) as i32;
    let left = (size as i32 - m.width as i32 - bold) / 2 - m.xmin;
    let top = (size as i32 - m.height as i32) / 2 - (baseline - m.ymin - m.height as i32);
    let mut ink = vec![0u8; s * s];
    font.render(
        letter_str,
        text_size,
        -left,
        size as i32 - left,
        |gx, gy, cov| {
            let y = top + gy;
            for x in left + gx..=left + gx + bold {
                if (0..size as i32).contains(&x) && (0..size as i32).contains(&y) {
                    let at = y as usize * s + x as usize;
                    ink[at] = ink[at].max(cov);
                }
            }
        },
    );
    for (c, &cov) in rgb.iter_mut().zip(&ink) {
        *c = blend_alpha(0x00FF_FFFF, *c, cov);
    }
    let mut rgba = Vec::with_capacity(s * s * 4);
    for (c, a) in rgb.iter().zip(&alpha) {
        rgba.extend_from_slice(&[(c >> 16) as u8, (c >> 8) as u8, *c as u8, *a]);
    }
    Image {
        width: size,
        height: size,
        rgba,
    }
}
