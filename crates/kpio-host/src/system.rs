//! The `kpio_system` import module: clocks, host name, locale, log lines (no permission
//! needed), notifications (`notifications`) and the clipboard (`clipboard`), over the
//! instance's [`SystemBackend`](crate::SystemBackend) and [`HostLog`](crate::HostLog).
//!
//! Calls that fill a buffer (`get_hostname`, `get_locale`, `clipboard_read`) return the
//! full length and copy the bytes only if they fit in `cap`; the buffer `ptr .. ptr + cap`
//! must lie in linear memory either way. Checks run permission first, then sizes, memory
//! and UTF-8, as in `kpio_gui`.

use kpio_app::Capability;

use crate::abi::{
    HostError, LogLevel, MAX_CLIPBOARD_BYTES, MAX_LOG_BYTES, MAX_NOTIFY_BODY_BYTES, MAX_TITLE_BYTES,
};
use crate::ctx::HostCtx;
use crate::linker::{Args, Def, I, L, def};
use crate::mem::{GuestMem, HostResult};

/// The import module name.
pub const MODULE: &str = "kpio_system";

/// Names of the functions of `kpio_system`, in the ABI reference's order.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    defs().into_iter().map(|d| d.name)
}

#[rustfmt::skip]
pub(crate) fn defs() -> [Def; 8] {
    [
        def!("kpio_system", "get_time", [] -> L, get_time),
        def!("kpio_system", "get_monotonic", [] -> L, get_monotonic),
        def!("kpio_system", "get_hostname", [I, I] -> I, get_hostname),
        def!("kpio_system", "notify", [I, I, I, I] -> I, notify),
        def!("kpio_system", "clipboard_read", [I, I] -> I, clipboard_read),
        def!("kpio_system", "clipboard_write", [I, I] -> I, clipboard_write),
        def!("kpio_system", "get_locale", [I, I] -> I, get_locale),
        def!("kpio_system", "log", [I, I, I] -> I, log),
    ]
}

fn get_time(c: &mut HostCtx, _m: &mut GuestMem<'_>, _a: &Args<'_>) -> HostResult<i64> {
    Ok(c.system.wall_clock_ms())
}

fn get_monotonic(c: &mut HostCtx, _m: &mut GuestMem<'_>, _a: &Args<'_>) -> HostResult<i64> {
    Ok(c.system.monotonic_ns())
}

fn get_hostname(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    let (ptr, cap) = (a.u32(0)?, a.u32(1)?);
    m.check(ptr, cap)?;
    let name = c.system.hostname()?;
    m.copy_out(ptr, cap, name.as_bytes())
}

fn notify(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Notifications)?;
    let (tl, bl) = (a.u32(1)?, a.u32(3)?);
    if tl > MAX_TITLE_BYTES || bl > MAX_NOTIFY_BODY_BYTES {
        return Err(HostError::Limit.into());
    }
    let title = m.str(a.u32(0)?, tl, MAX_TITLE_BYTES)?;
    let body = m.str(a.u32(2)?, bl, MAX_NOTIFY_BODY_BYTES)?;
    let id = c.system.notify(&c.app_id, title, body)?;
    // Ids are > 0 and must not read as an error code.
    if id == 0 || id > i32::MAX as u32 {
        return Err(HostError::Io.into());
    }
    Ok(i64::from(id))
}

fn clipboard_read(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Clipboard)?;
    let (ptr, cap) = (a.u32(0)?, a.u32(1)?);
    m.check(ptr, cap)?;
    let text = c.system.clipboard_read()?;
    m.copy_out(ptr, cap, text.as_bytes())
}

fn clipboard_write(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    c.require(a.call, Capability::Clipboard)?;
    let text = m.str(a.u32(0)?, a.u32(1)?, MAX_CLIPBOARD_BYTES)?;
    c.system.clipboard_write(text)?;
    Ok(0)
}

fn get_locale(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    let (ptr, cap) = (a.u32(0)?, a.u32(1)?);
    m.check(ptr, cap)?;
    let tag = c.system.locale();
    m.copy_out(ptr, cap, tag.as_bytes())
}

fn log(c: &mut HostCtx, m: &mut GuestMem<'_>, a: &Args<'_>) -> HostResult<i64> {
    let level = LogLevel::from_i32(a.i32(0)?).ok_or(HostError::Invalid)?;
    let line = m.str(a.u32(1)?, a.u32(2)?, MAX_LOG_BYTES)?;
    let instance = c.instance_id();
    c.log.app_log(&c.app_id, instance, level, line);
    Ok(0)
}
