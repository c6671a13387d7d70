//! Applying an app's `kpio_gui` draw calls to a window's canvas: one function, so the
//! hosted desktop and the kernel's draw the same pixels and measure text alike.

use kpio_gui::{Canvas, Font};

use crate::{DrawOp, HostError};

/// Draws `op` on `canvas` (clipped to it); returns the text's advance width for
/// [`DrawOp::Text`], else 0. An image whose size does not match its pixels is `Invalid`.
pub fn draw_on(canvas: &mut Canvas, font: &Font, op: DrawOp<'_>) -> Result<u32, HostError> {
    Ok(match op {
        DrawOp::Clear(argb) => {
            canvas.clear(argb);
            0
        }
        DrawOp::Rect { x, y, w, h, argb } => {
            canvas.fill_rect(x, y, w, h, argb);
            0
        }
        DrawOp::Line {
            x0,
            y0,
            x1,
            y1,
            argb,
        } => {
            canvas.draw_line(x0, y0, x1, y1, argb);
            0
        }
        DrawOp::Text {
            x,
            y,
            text,
            size,
            argb,
        } => canvas.draw_text(font, x, y, text, size, argb),
        DrawOp::Image { x, y, w, h, rgba } => {
            canvas
                .blit_rgba(x, y, w, h, rgba)
                .map_err(|_| HostError::Invalid)?;
            0
        }
    })
}
