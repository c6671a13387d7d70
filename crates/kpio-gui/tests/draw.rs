//! End-to-end tests of the drawing layer: PNG files of every colour type decoded to RGBA,
//! scaled to icon size, fallback icons, real glyphs on a canvas, and a canvas presented
//! into a framebuffer.
//!
//! PNGs are encoded here by a minimal writer (stored deflate blocks, so no compression
//! crate is needed); two fixtures in `tests/fixtures/` were written by Python's zlib with
//! real compression and every PNG row filter (see the comments at their tests).

use kpio_gui::image::{ImageError, MAX_PNG_DIMENSION, icon_letter};
use kpio_gui::{
    Canvas, ChannelOrder, Font, FrameBuffer, Image, PixelFormat, decode_png, fallback_icon, theme,
};

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(65535).collect()
    };
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// A PNG with the given header fields; `scanlines` already holds each row's filter byte.
fn png(
    w: u32,
    h: u32,
    colour_type: u8,
    depth: u8,
    interlace: u8,
    extra: &[(&[u8; 4], Vec<u8>)],
    scanlines: &[u8],
) -> Vec<u8> {
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, colour_type, 0, 0, interlace]);
    chunk(&mut out, b"IHDR", &ihdr);
    for (kind, data) in extra {
        chunk(&mut out, kind, data);
    }
    chunk(&mut out, b"IDAT", &zlib_stored(scanlines));
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Rows of `row_bytes` each, filter 0 (None).
fn unfiltered(rows: &[Vec<u8>]) -> Vec<u8> {
    rows.iter()
        .flat_map(|r| std::iter::once(0).chain(r.iter().copied()))
        .collect()
}

fn px(img: &Image, x: u32, y: u32) -> [u8; 4] {
    img.pixel(x, y).unwrap()
}

#[test]
fn rgba8_rgb8_grey_and_grey_alpha() {
    let rgba = png(
        2,
        1,
        6,
        8,
        0,
        &[],
        &unfiltered(&[vec![1, 2, 3, 4, 250, 251, 252, 253]]),
    );
    let img = decode_png(&rgba).unwrap();
    assert_eq!((img.width, img.height), (2, 1));
    assert_eq!(img.rgba, [1, 2, 3, 4, 250, 251, 252, 253]);

    let rgb = png(
        2,
        1,
        2,
        8,
        0,
        &[],
        &unfiltered(&[vec![10, 20, 30, 40, 50, 60]]),
    );
    assert_eq!(
        decode_png(&rgb).unwrap().rgba,
        [10, 20, 30, 255, 40, 50, 60, 255]
    );

    let grey = png(3, 1, 0, 8, 0, &[], &unfiltered(&[vec![0, 128, 255]]));
    assert_eq!(
        decode_png(&grey).unwrap().rgba,
        [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]
    );

    let grey_alpha = png(
        1,
        2,
        4,
        8,
        0,
        &[],
        &unfiltered(&[vec![77, 10], vec![200, 0]]),
    );
    assert_eq!(
        decode_png(&grey_alpha).unwrap().rgba,
        [77, 77, 77, 10, 200, 200, 200, 0]
    );
}

#[test]
fn low_bit_depth_grey_and_grey_with_trns() {
    // 1-bit grey, 10 pixels: 1010110011 → white/black, padded to 2 bytes.
    let one_bit = png(
        10,
        1,
        0,
        1,
        0,
        &[],
        &unfiltered(&[vec![0b1010_1100, 0b1100_0000]]),
    );
    let img = decode_png(&one_bit).unwrap();
    let bits: Vec<u8> = (0..10).map(|x| px(&img, x, 0)[0]).collect();
    assert_eq!(bits, [255, 0, 255, 0, 255, 255, 0, 0, 255, 255]);
    assert!((0..10).all(|x| px(&img, x, 0)[3] == 255));

    // 8-bit grey with tRNS marking grey 50 transparent.
    let keyed = png(
        2,
        1,
        0,
        8,
        0,
        &[(b"tRNS", vec![0, 50])],
        &unfiltered(&[vec![50, 51]]),
    );
    let img = decode_png(&keyed).unwrap();
    assert_eq!(px(&img, 0, 0)[3], 0);
    assert_eq!(px(&img, 1, 0), [51, 51, 51, 255]);
}

#[test]
fn palette_with_and_without_trns() {
    let plte = vec![255, 0, 0, 0, 255, 0, 0, 0, 255];
    let p8 = png(
        3,
        1,
        3,
        8,
        0,
        &[(b"PLTE", plte.clone())],
        &unfiltered(&[vec![2, 0, 1]]),
    );
    assert_eq!(
        decode_png(&p8).unwrap().rgba,
        [0, 0, 255, 255, 255, 0, 0, 255, 0, 255, 0, 255]
    );

    let p4 = png(
        3,
        1,
        3,
        4,
        0,
        &[(b"PLTE", plte), (b"tRNS", vec![0, 99])],
        &unfiltered(&[vec![0x12, 0x00]]),
    );
    let img = decode_png(&p4).unwrap();
    assert_eq!(px(&img, 0, 0), [0, 255, 0, 99]);
    assert_eq!(px(&img, 1, 0), [0, 0, 255, 255], "no tRNS entry: opaque");
    assert_eq!(px(&img, 2, 0)[3], 0);
}

#[test]
fn sixteen_bit_keeps_the_high_byte() {
    let rgba16 = png(
        1,
        1,
        6,
        16,
        0,
        &[],
        &unfiltered(&[vec![0x12, 0x34, 0xAB, 0xCD, 0x00, 0xFF, 0xFF, 0x00]]),
    );
    assert_eq!(decode_png(&rgba16).unwrap().rgba, [0x12, 0xAB, 0x00, 0xFF]);
    let rgb16 = png(
        1,
        1,
        2,
        16,
        0,
        &[],
        &unfiltered(&[vec![0xFF, 0xFF, 0x80, 0x00, 0x01, 0x02]]),
    );
    assert_eq!(decode_png(&rgb16).unwrap().rgba, [0xFF, 0x80, 0x01, 0xFF]);
    let grey16 = png(
        2,
        1,
        0,
        16,
        0,
        &[],
        &unfiltered(&[vec![0x40, 0x00, 0xC0, 0xFF]]),
    );
    assert_eq!(
        decode_png(&grey16).unwrap().rgba,
        [0x40, 0x40, 0x40, 0xFF, 0xC0, 0xC0, 0xC0, 0xFF]
    );
    let grey_alpha16 = png(
        1,
        1,
        4,
        16,
        0,
        &[],
        &unfiltered(&[vec![0x10, 0x00, 0x7F, 0xFF]]),
    );
    assert_eq!(
        decode_png(&grey_alpha16).unwrap().rgba,
        [0x10, 0x10, 0x10, 0x7F]
    );
}

#[test]
fn adam7_interlaced_rgba() {
    // A 5 × 5 RGBA image, pixel (x, y) = (x·50, y·50, x + y, 255), in Adam7's seven passes.
    let (w, h) = (5usize, 5usize);
    let value = |x: usize, y: usize| [(x * 50) as u8, (y * 50) as u8, (x + y) as u8, 255];
    const PASSES: [(usize, usize, usize, usize); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut data = Vec::new();
    for (x0, y0, dx, dy) in PASSES {
        if x0 >= w || y0 >= h {
            continue;
        }
        for y in (y0..h).step_by(dy) {
            data.push(0);
            for x in (x0..w).step_by(dx) {
                data.extend_from_slice(&value(x, y));
            }
        }
    }
    let img = decode_png(&png(5, 5, 6, 8, 1, &[], &data)).unwrap();
    for y in 0..5 {
        for x in 0..5 {
            assert_eq!(px(&img, x as u32, y as u32), value(x, y), "({x}, {y})");
        }
    }
}

#[test]
fn compressed_fixture_with_every_row_filter() {
    // Written by Python's zlib at level 9; rows use filters None, Sub, Up, Average, Paeth
    // in turn. Pixel (x, y) = (32x, 32y, 16(x + y), 255 - 8x).
    let img = decode_png(include_bytes!("fixtures/rgba8_filtered.png")).unwrap();
    assert_eq!((img.width, img.height), (8, 8));
    for y in 0..8u32 {
        for x in 0..8u32 {
            let want = [
                (x * 32) as u8,
                (y * 32) as u8,
                ((x + y) * 16) as u8,
                (255 - x * 8) as u8,
            ];
            assert_eq!(px(&img, x, y), want, "({x}, {y})");
        }
    }
}

#[test]
fn compressed_palette_fixture_two_bits_with_trns() {
    // Written by Python: 4 × 2, 2-bit indices [0 1 2 3 / 3 2 1 0] into red, green, blue,
    // white; tRNS alphas 255, 128, 0 (index 3 has none: opaque).
    let img = decode_png(include_bytes!("fixtures/palette2_trns.png")).unwrap();
    let row0: Vec<[u8; 4]> = (0..4).map(|x| px(&img, x, 0)).collect();
    assert_eq!(
        row0,
        [
            [255, 0, 0, 255],
            [0, 255, 0, 128],
            [0, 0, 255, 0],
            [255, 255, 255, 255]
        ]
    );
    assert_eq!(px(&img, 0, 1), [255, 255, 255, 255]);
    assert_eq!(px(&img, 3, 1), [255, 0, 0, 255]);
}

#[test]
fn bad_pngs_are_typed_errors() {
    assert_eq!(decode_png(b"GIF89a"), Err(ImageError::NotPng));
    assert_eq!(decode_png(&[]), Err(ImageError::NotPng));
    let huge = png(MAX_PNG_DIMENSION + 1, 1, 6, 8, 0, &[], &[]);
    assert_eq!(
        decode_png(&huge),
        Err(ImageError::TooLarge {
            width: MAX_PNG_DIMENSION + 1,
            height: 1,
            max: MAX_PNG_DIMENSION
        })
    );
    // A small file claiming 4096 × 4096 × 16-bit RGBA (128 MiB) is refused before the
    // decoder allocates anything.
    let bomb = png(4096, 4096, 6, 16, 0, &[], &[0; 1000]);
    let err = decode_png(&bomb).unwrap_err();
    assert!(err.to_string().contains("too short"), "{err}");
    let zero = png(0, 5, 6, 8, 0, &[], &[]);
    assert_eq!(decode_png(&zero), Err(ImageError::Empty));
    // Too few pixels in IDAT.
    let short = png(4, 4, 6, 8, 0, &[], &[0, 1, 2, 3]);
    let err = decode_png(&short).unwrap_err();
    assert!(matches!(err, ImageError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().starts_with("image: corrupt PNG: "), "{err}");
    // Every truncation of a good file is an error, never a panic.
    let good = include_bytes!("fixtures/rgba8_filtered.png");
    for len in 0..good.len() {
        assert!(decode_png(&good[..len]).is_err(), "truncated at {len}");
    }
    // Flipped bytes: an error or some image, never a panic.
    for i in 8..good.len() {
        let mut bad = good.to_vec();
        bad[i] ^= 0x5A;
        let _ = decode_png(&bad);
    }
    // A palette image without PLTE.
    let no_plte = png(1, 1, 3, 8, 0, &[], &unfiltered(&[vec![0]]));
    assert!(decode_png(&no_plte).is_err());
}

#[test]
fn downscale_averages_areas_in_premultiplied_alpha() {
    // 4 × 4: left half opaque red, right half transparent (green, which must not leak).
    let mut rgba = Vec::new();
    for _y in 0..4 {
        for x in 0..4 {
            rgba.extend_from_slice(if x < 2 {
                &[255, 0, 0, 255]
            } else {
                &[0, 255, 0, 0]
            });
        }
    }
    let img = Image::new(4, 4, rgba).unwrap();
    let half = img.scale_to(2, 2).unwrap();
    assert_eq!(px(&half, 0, 0), [255, 0, 0, 255]);
    assert_eq!(px(&half, 1, 1), [0, 0, 0, 0]);
    let one = img.scale_to(1, 1).unwrap();
    assert_eq!(
        px(&one, 0, 0),
        [255, 0, 0, 128],
        "half covered, colour not darkened or greened"
    );
    // A checkerboard averages to grey.
    let mut cb = Vec::new();
    for y in 0..8 {
        for x in 0..8 {
            let v = if (x + y) % 2 == 0 { 255 } else { 0 };
            cb.extend_from_slice(&[v, v, v, 255]);
        }
    }
    let grey = Image::new(8, 8, cb).unwrap().scale_to(3, 3).unwrap();
    for y in 0..3 {
        for x in 0..3 {
            let p = px(&grey, x, y);
            assert!(
                (100..=155).contains(&p[0]) && p[3] == 255,
                "({x}, {y}) {p:?}"
            );
        }
    }
    // Non-integer ratio on a large icon: 100 × 60 → 32 × 32 keeps a uniform colour exactly.
    let big = Image::new(100, 60, [10, 200, 30, 255].repeat(6000)).unwrap();
    let icon = big.scale_to(32, 32).unwrap();
    assert!(icon.rgba.chunks_exact(4).all(|p| p == [10, 200, 30, 255]));
}

#[test]
fn upscale_is_bilinear_and_limits_are_checked() {
    let img = Image::new(2, 1, vec![0, 0, 0, 255, 200, 100, 40, 255]).unwrap();
    let wide = img.scale_to(4, 1).unwrap();
    // Centres at 0.5..3.5 map to source -0.25, 0.25, 0.75, 1.25: clamp, ¼, ¾, clamp.
    assert_eq!(px(&wide, 0, 0), [0, 0, 0, 255]);
    assert_eq!(px(&wide, 1, 0), [50, 25, 10, 255]);
    assert_eq!(px(&wide, 2, 0), [150, 75, 30, 255]);
    assert_eq!(px(&wide, 3, 0), [200, 100, 40, 255]);
    let tall = img.scale_to(2, 3).unwrap();
    assert_eq!(px(&tall, 1, 2), [200, 100, 40, 255]);
    // Mixed: wider and shorter at once.
    let mixed = Image::new(2, 2, [9, 9, 9, 255].repeat(4))
        .unwrap()
        .scale_to(5, 1)
        .unwrap();
    assert!(mixed.rgba.chunks_exact(4).all(|p| p == [9, 9, 9, 255]));
    assert_eq!(img.scale_to(2, 1).unwrap(), img);
    assert_eq!(img.scale_to(0, 7).unwrap().rgba.len(), 0);
    assert!(matches!(
        img.scale_to(5000, 1),
        Err(ImageError::TooLarge { .. })
    ));
    // The float intermediate is capped: 2100² → 4096² would need 4096 × 2100 of it.
    let big = Image::new(2100, 2100, vec![0; 2100 * 2100 * 4]).unwrap();
    assert!(matches!(
        big.scale_to(4096, 4096),
        Err(ImageError::TooLarge { .. })
    ));
    assert_eq!(big.scale_to(64, 64).unwrap().rgba.len(), 64 * 64 * 4);
    let empty = Image::new(0, 0, vec![]).unwrap();
    assert_eq!(empty.scale_to(2, 2).unwrap().rgba, vec![0; 16]);
    assert!(matches!(
        Image::new(2, 2, vec![0; 3]),
        Err(ImageError::BadLength {
            expected: Some(16),
            actual: 3
        })
    ));
    let broken = Image {
        width: 3,
        height: 3,
        rgba: vec![1, 2],
    };
    assert!(broken.scale_to(1, 1).is_err());
}

#[test]
fn decoded_icon_scaled_to_32() {
    let img = decode_png(include_bytes!("fixtures/rgba8_filtered.png")).unwrap();
    let icon = img.scale_to(32, 32).unwrap();
    assert_eq!(
        (icon.width, icon.height, icon.rgba.len()),
        (32, 32, 32 * 32 * 4)
    );
    // Bilinear keeps the corners' colours (edges clamp).
    assert_eq!(px(&icon, 0, 0), px(&img, 0, 0));
    assert_eq!(px(&icon, 31, 31), px(&img, 7, 7));
}

#[test]
fn fallback_icon_is_a_circle_with_a_white_letter() {
    let font = Font::embedded();
    let icon = fallback_icon(&font, "calculator", 32);
    assert_eq!((icon.width, icon.height), (32, 32));
    let c = theme::pick("calculator");
    let colour = [(c >> 16) as u8, (c >> 8) as u8, c as u8];
    // Transparent corners, opaque body in the app's colour at the rim.
    assert_eq!(px(&icon, 0, 0)[3], 0);
    assert_eq!(px(&icon, 31, 31)[3], 0);
    assert_eq!(px(&icon, 16, 2), [colour[0], colour[1], colour[2], 255]);
    // The "C" puts white pixels near the middle, left of centre (the letter's stroke), and
    // its ink is centred: the white pixels' bounding box has its middle near (16, 16).
    let white: Vec<(u32, u32)> = (0..32)
        .flat_map(|y| (0..32).map(move |x| (x, y)))
        .filter(|&(x, y)| px(&icon, x, y) == [255, 255, 255, 255])
        .collect();
    assert!(white.len() > 20, "{} white pixels", white.len());
    let (x0, x1) = (
        white.iter().map(|p| p.0).min().unwrap(),
        white.iter().map(|p| p.0).max().unwrap(),
    );
    let (y0, y1) = (
        white.iter().map(|p| p.1).min().unwrap(),
        white.iter().map(|p| p.1).max().unwrap(),
    );
    assert!(((x0 + x1) as i32 - 31).abs() <= 3, "x {x0}..{x1}");
    assert!(((y0 + y1) as i32 - 31).abs() <= 3, "y {y0}..{y1}");
    // Deterministic, and different names give different letters.
    assert_eq!(fallback_icon(&font, "calculator", 32), icon);
    assert_ne!(fallback_icon(&font, "text-viewer", 32), icon);
    // The letter: uppercased, skipping what the font cannot draw; "?" when nothing fits.
    assert_eq!(icon_letter(&font, "ñandú"), 'Ñ');
    assert_eq!(icon_letter(&font, "  9lives"), '9');
    assert_eq!(icon_letter(&font, "日本 viewer"), 'V', "DejaVu has no CJK");
    assert_eq!(icon_letter(&font, "_-_"), '?');
    assert_eq!(
        icon_letter(&font, "ß"),
        'S',
        "ß uppercases to SS; its first letter is kept"
    );
    // Sizes are clamped.
    let q = fallback_icon(&font, "_", 0);
    assert_eq!((q.width, q.height), (1, 1));
    assert_eq!(fallback_icon(&font, "", 5000).width, 1024);
}

#[test]
fn glyph_ink_lies_inside_its_box_with_the_expected_shape() {
    // A black "H" on white: every changed pixel lies in the glyph's bitmap box; the stems
    // are solid black and the space between them above the bar is white.
    let font = Font::embedded();
    let mut c = Canvas::new(80, 80).unwrap();
    c.clear(0xFFFF_FFFF);
    let (x, y, size) = (20, 10, 40);
    c.draw_text(&font, x, y, "H", size, 0xFF00_0000);
    let m = font.glyph_metrics('H', size);
    let left = x + m.xmin;
    let top = y + font.baseline(size) - m.ymin - m.height as i32;
    let (right, bottom) = (left + m.width as i32, top + m.height as i32);
    for py in 0..80 {
        for px in 0..80 {
            if c.pixel(px, py) != Some(0xFFFFFF) {
                assert!(
                    (left..right).contains(&px) && (top..bottom).contains(&py),
                    "ink at ({px}, {py}) outside the box {left}..{right} × {top}..{bottom}"
                );
            }
        }
    }
    // Left stem: a few columns in from the left edge, solid from top to bottom.
    let stem_x = left + 2;
    let solid = (top + 1..bottom - 1)
        .filter(|&py| c.pixel(stem_x, py) == Some(0))
        .count();
    assert!(
        solid as i32 >= m.height as i32 - 4,
        "{solid} of {} stem pixels black",
        m.height
    );
    let mid = (left + right) / 2;
    assert_eq!(
        c.pixel(mid, top + 3),
        Some(0xFFFFFF),
        "gap between the stems"
    );
    let bar = (top..bottom)
        .filter(|&py| c.pixel(mid, py) == Some(0))
        .count();
    assert!((2..=6).contains(&bar), "the crossbar is {bar} px thick");
    // The cap height of DejaVu is 0.729 em.
    assert!(
        (27..=31).contains(&m.height),
        "H is {} px tall at 40 px",
        m.height
    );
    // Anti-aliased: some pixels are grey.
    assert!(c.pixels().iter().any(|&p| p != 0 && p != 0xFFFFFF));
}

#[test]
fn notdef_box_for_missing_characters() {
    let font = Font::embedded();
    let mut c = Canvas::new(60, 40).unwrap();
    c.clear(0xFFFF_FFFF);
    let w = c.draw_text(&font, 5, 5, "\u{10FFFF}\u{E000}", 20, 0xFF00_0000);
    assert!(w > 10);
    assert!(
        c.pixels().iter().filter(|&&p| p == 0).count() > 20,
        "the boxes are drawn"
    );
    assert_eq!(c.text_runs().next().unwrap().text, "\u{10FFFF}\u{E000}");
}

#[test]
fn desktop_pipeline_into_each_framebuffer_format() {
    // Compose: a window canvas with text placed on a desktop canvas, presented to a
    // framebuffer of each format; the window's pixels arrive converted.
    let font = Font::embedded();
    let mut window = Canvas::new(30, 20).unwrap();
    window.clear(0xFF11_2233);
    window.draw_text(&font, 2, 2, "3", 14, 0xFFFF_FFFF);
    let mut desktop = Canvas::new(64, 48).unwrap();
    desktop.clear(theme::DESKTOP);
    desktop.draw_canvas(&window, 10, 5);
    for format in [
        PixelFormat::RGB888,
        PixelFormat::BGR888,
        PixelFormat::RGBX8888,
        PixelFormat::BGRX8888,
    ] {
        let bpp = usize::from(format.bytes_per_pixel);
        let stride = 64 * bpp + 8;
        let mut buf = vec![0u8; stride * 48];
        let mut fb = FrameBuffer::new(&mut buf, 64, 48, stride, format).unwrap();
        fb.present(&desktop);
        for y in 0..48 {
            for x in 0..64 {
                assert_eq!(
                    fb.read_pixel(x, y),
                    desktop.pixel(x as i32, y as i32),
                    "{format:?} ({x}, {y})"
                );
            }
        }
        let at = 5 * stride + 10 * bpp;
        let want: &[u8] = match format.order {
            ChannelOrder::Rgb => &[0x11, 0x22, 0x33],
            ChannelOrder::Bgr => &[0x33, 0x22, 0x11],
        };
        assert_eq!(&buf[at..at + 3], want);
    }
    assert_eq!(window.text(), "3");
}

#[test]
fn random_well_formed_chunks_never_panic() {
    // Valid chunk framing and CRCs around random content: header combinations, palettes,
    // tRNS, interlacing and scanline bytes (right-sized or not), plus raw zlib garbage. The
    // decoder must return an image of the stated size or an error, never panic.
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % u64::from(n)) as u32
    };
    const COMBOS: [(u8, &[u8]); 5] = [
        (0, &[1, 2, 4, 8, 16]),
        (2, &[8, 16]),
        (3, &[1, 2, 4, 8]),
        (4, &[8, 16]),
        (6, &[8, 16]),
    ];
    let channels = |ct: u8| match ct {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        _ => 4,
    };
    let (mut decoded, mut refused) = (0, 0);
    for _ in 0..3000 {
        let (ct, depths) = COMBOS[next(5) as usize];
        let depth = depths[next(depths.len() as u32) as usize];
        let (w, h) = (1 + next(9), 1 + next(9));
        let interlace = next(2) as u8;
        let mut extra: Vec<(&[u8; 4], Vec<u8>)> = Vec::new();
        if ct == 3 || next(4) == 0 {
            let n = if next(8) == 0 {
                next(800)
            } else {
                3 * (1 + next(256))
            };
            extra.push((b"PLTE", (0..n).map(|_| next(256) as u8).collect()));
        }
        if next(3) == 0 {
            let n = next(300);
            extra.push((b"tRNS", (0..n).map(|_| next(256) as u8).collect()));
        }
        let row = (w as usize * channels(ct) * usize::from(depth)).div_ceil(8) + 1;
        let mut len = row * h as usize;
        if interlace == 1 || next(5) == 0 {
            len = next(len as u32 * 2) as usize;
        }
        let data: Vec<u8> = (0..len)
            .map(|i| {
                if i % row == 0 {
                    next(6) as u8
                } else {
                    next(256) as u8
                }
            })
            .collect();
        let mut file = png(w, h, ct, depth, interlace, &extra, &data);
        if next(6) == 0 {
            // Replace the IDAT with random bytes (bad zlib), keeping the CRC right.
            let start = file.len() - 12 - (zlib_stored(&data).len() + 12);
            file.truncate(start);
            let garbage: Vec<u8> = (0..next(64)).map(|_| next(256) as u8).collect();
            chunk(&mut file, b"IDAT", &garbage);
            chunk(&mut file, b"IEND", &[]);
        }
        match decode_png(&file) {
            Ok(img) => {
                assert_eq!(
                    (img.width, img.height, img.rgba.len()),
                    (w, h, (w * h * 4) as usize)
                );
                decoded += 1;
            }
            Err(_) => refused += 1,
        }
    }
    assert!(
        decoded > 200 && refused > 100,
        "{decoded} decoded, {refused} refused"
    );
}

#[test]
fn one_font_shared_by_threads_draws_the_same_pixels() {
    // The glyph cache's try-lock: threads drawing at once with one Arc<Font> get exactly the
    // pixels a single thread gets (a busy cache is bypassed, not corrupted or waited for).
    let font = std::sync::Arc::new(Font::embedded());
    let draw = |font: &Font| {
        let mut c = Canvas::new(200, 30).unwrap();
        c.clear(0xFFFF_FFFF);
        for size in [9, 12, 14, 17, 20] {
            c.draw_text(
                font,
                0,
                0,
                "The quick brown fox 0123456789",
                size,
                0xFF00_0000,
            );
        }
        c
    };
    let want = draw(&Font::embedded());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let font = font.clone();
            std::thread::spawn(move || (0..5).map(|_| draw(&font)).collect::<Vec<_>>())
        })
        .collect();
    for h in handles {
        for c in h.join().unwrap() {
            assert!(c.pixels() == want.pixels());
        }
    }
}
