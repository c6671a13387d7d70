//! The `kpio_gui` import module: windows, drawing, frames and input events, over the
//! instance's [`GuiBackend`](crate::GuiBackend).
//!
//! Every call, `measure_text` included, needs the `gui` permission (one rule for the
//! whole module: an app without it has no business laying out text either). Checks run in
//! this order: permission (`DENIED`), numeric arguments (`INVALID`, `LIMIT`), guest memory
//! (trap), UTF-8 (`INVALID`), and last whether the instance has a display
//! (`UNAVAILABLE`), so an app's argument bugs show the same way on every host.

use kpio_app::Capability;

use crate::abi::{
    EVENT_SIZE, HostError, MAX_FONT_SIZE, MAX_IMAGE_DIM, MAX_TEXT_BYTES, MAX_TITLE_BYTES,
    MAX_WINDOW_DIM,
};
use crate::ctx::HostCtx;
use crate::linker::{Args, Def, I, def};
use crate::mem::{GuestMem, HostResult};
use crate::platform::{DrawOp, GuiBackend};

/// The import module name.
pub const MODULE: &str = "kpio_gui";

/// Names of the functions of `kpio_gui`, in the ABI reference's order.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    defs().into_iter().map(|d| d.name)
}

#[rustfmt::skip]
pub(crate) fn defs() -> [Def; 11] {
    [
        def!("kpio_gui", "create_window", [I, I, I, I] -> I, create_window),
        def!("kpio_gui", "close_window", [I] -> I, close_window),
        def!("kpio_gui", "set_title", [I, I, I] -> I, set_title),
        def!("kpio_gui", "clear", [I, I] -> I, clear),
        def!("kpio_gui", "draw_rect", [I, I, I, I, I, I] -> I, draw_rect),
        def!("kpio_gui", "draw_line", [I, I, I, I, I, I] -> I, draw_line),
        def!("kpio_gui", "draw_text", [I, I, I, I, I, I, I] -> I, draw_text),
        def!("kpio_gui", "measure_text", [I, I, I] -> I, measure_text),
        def!("kpio_gui", "draw_image", [I, I, I, I, I, I, I] -> I, draw_image),
        def!("kpio_gui", "request_frame", [I] -> I, request_frame),
        def!("kpio_gui", "poll_event", [I, I, I] -> I, poll_event),
    ]
}

/// The display, or `Unavailable` if the instance has none.
fn backend(ctx: &mut HostCtx) -> HostResult<&mut (dyn GuiBackend + 'static)> {
    ctx.gui.as_deref_mut().ok_or(HostError::Unavailable.into())
}

fn dim(v: u32, max: u32) -> HostResult<u32> {
    if (1..=max).contains(&v) {
        Ok(v)
    } else {
        Err(HostError::Invalid.into())
    }
}

fn font_size(v: u32) -> HostResult<u32> {
    dim(v, MAX_FONT_SIZE)
}

fn create_window(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let (w, h) = (
        dim(a.size(2)?, MAX_WINDOW_DIM)?,
        dim(a.size(3)?, MAX_WINDOW_DIM)?,
    );
    let title = m.str(a.u32(0)?, a.u32(1)?, MAX_TITLE_BYTES)?;
    let win = backend(c)?.create_window(title, w, h)?;
    // A handle must be > 0 and fit an i32, or the app would read it as an error code.
    if win == 0 || win > i32::MAX as u32 {
        return Err(HostError::Io.into());
    }
    Ok(i64::from(win))
}

fn close_window(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    backend(c)?.close_window(win)?;
    Ok(0)
}

fn set_title(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    let title = m.str(a.u32(1)?, a.u32(2)?, MAX_TITLE_BYTES)?;
    backend(c)?.set_title(win, title)?;
    Ok(0)
}

/// Draws `op` on `win` (after the permission check every drawing call makes).
fn draw(c: &mut HostCtx, win: u32, op: DrawOp<'_>) -> HostResult<i64> {
    let width = backend(c)?.draw(win, op)?;
    // Clamped so a backend's odd answer can never look like an error code.
    Ok(i64::from(width.min(i32::MAX as u32)))
}

fn clear(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    draw(c, win, DrawOp::Clear(a.u32(1)?))?;
    Ok(0)
}

fn draw_rect(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    let op = DrawOp::Rect {
        x: a.i32(1)?,
        y: a.i32(2)?,
        w: a.size(3)?,
        h: a.size(4)?,
        argb: a.u32(5)?,
    };
    draw(c, win, op)?;
    Ok(0)
}

fn draw_line(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    let op = DrawOp::Line {
        x0: a.i32(1)?,
        y0: a.i32(2)?,
        x1: a.i32(3)?,
        y1: a.i32(4)?,
        argb: a.u32(5)?,
    };
    draw(c, win, op)?;
    Ok(0)
}

fn draw_text(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    let size = font_size(a.size(5)?)?;
    let text = m.str(a.u32(3)?, a.u32(4)?, MAX_TEXT_BYTES)?;
    let op = DrawOp::Text {
        x: a.i32(1)?,
        y: a.i32(2)?,
        text,
        size,
        argb: a.u32(6)?,
    };
    draw(c, win, op)
}

fn measure_text(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let size = font_size(a.size(2)?)?;
    let text = m.str(a.u32(0)?, a.u32(1)?, MAX_TEXT_BYTES)?;
    let width = backend(c)?.measure_text(text, size);
    Ok(i64::from(width.min(i32::MAX as u32)))
}

fn draw_image(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    let (w, h) = (a.size(3)?, a.size(4)?);
    if w > MAX_IMAGE_DIM || h > MAX_IMAGE_DIM {
        return Err(HostError::Limit.into());
    }
    let len = a.u32(6)?;
    // In u64: 4096 * 4096 * 4 fits easily, and nothing here can overflow.
    if u64::from(len) != u64::from(w) * u64::from(h) * 4 {
        return Err(HostError::Invalid.into());
    }
    let rgba = m.bytes(a.u32(5)?, len)?;
    let op = DrawOp::Image {
        x: a.i32(1)?,
        y: a.i32(2)?,
        w,
        h,
        rgba,
    };
    draw(c, win, op)?;
    Ok(0)
}

fn request_frame(c: &mut HostCtx, _m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    backend(c)?.request_frame(win)?;
    Ok(0)
}

fn poll_event(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Gui)?;
    let win = a.handle(0)?;
    let timeout = a.timeout(2)?;
    // The record's place is checked before waiting, so an event is never taken from the
    // queue and then lost to a trap.
    let out = m.bytes_mut(a.u32(1)?, EVENT_SIZE as u32)?;
    match backend(c)?.poll_event(win, timeout)? {
        Some(ev) => {
            out.copy_from_slice(&ev.to_bytes());
            Ok(1)
        }
        None => Ok(0),
    }
}
