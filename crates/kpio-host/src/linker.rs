//! The plumbing shared by the three import modules: a table of [`Def`]s (name, signature,
//! handler) per module, typed argument access, and [`add_to_linker`], which turns each
//! `Def` into a kpio-wasm host function.

use alloc::format;

use kpio_wasm::{Caller, Func, FuncType, Linker, Store, Trap, TrapCode, Val, ValType};

use crate::abi::HostError;
use crate::ctx::HostCtx;
use crate::mem::{Fail, GuestMem, HostResult};

pub(crate) const I: ValType = ValType::I32;
pub(crate) const L: ValType = ValType::I64;

/// The wasm arguments of one call (typed by the function's signature) and its name.
pub(crate) struct Args<'a> {
    vals: &'a [Val],
    /// `module::function`, for denials and traps.
    pub(crate) call: &'static str,
}

impl Args<'_> {
    pub(crate) fn i32(&self, i: usize) -> HostResult<i32> {
        match self.vals.get(i) {
            Some(Val::I32(v)) => Ok(*v),
            _ => Err(Fail::Trap(TrapCode::BadSignature.into())),
        }
    }
    /// An argument read as unsigned (pointers, lengths, colours).
    pub(crate) fn u32(&self, i: usize) -> HostResult<u32> {
        self.i32(i).map(|v| v as u32)
    }
    /// A handle: must be > 0.
    pub(crate) fn handle(&self, i: usize) -> HostResult<u32> {
        match self.i32(i)? {
            h if h > 0 => Ok(h as u32),
            _ => Err(HostError::Invalid.into()),
        }
    }
    /// A size that must not be negative.
    pub(crate) fn size(&self, i: usize) -> HostResult<u32> {
        u32::try_from(self.i32(i)?).map_err(|_| HostError::Invalid.into())
    }
    /// A timeout in milliseconds: -1 = wait forever (`None`), other negatives `Invalid`.
    pub(crate) fn timeout(&self, i: usize) -> HostResult<Option<u32>> {
        match self.i32(i)? {
            -1 => Ok(None),
            t if t >= 0 => Ok(Some(t as u32)),
            _ => Err(HostError::Invalid.into()),
        }
    }
}

pub(crate) type Handler = fn(&mut HostCtx, &mut GuestMem<'_>, &Args<'_>) -> HostResult<i64>;

/// One host function: its name, full `module::name`, parameter types, result type and
/// body. Every function returns exactly one value.
pub(crate) struct Def {
    pub(crate) name: &'static str,
    pub(crate) call: &'static str,
    pub(crate) params: &'static [ValType],
    pub(crate) result: ValType,
    pub(crate) f: Handler,
}

/// `def!("kpio_gui", "clear", [I, I] -> I, handler)`.
macro_rules! def {
    ($module:literal, $name:literal, [$($p:ident),*] -> $r:ident, $f:expr) => {
        $crate::linker::Def {
            name: $name,
            call: concat!($module, "::", $name),
            params: &[$($p),*],
            result: $r,
            f: $f,
        }
    };
}
pub(crate) use def;

/// Runs `body` with the caller's memory (empty if the instance has none) and its context.
fn with_ctx<T, R>(
    caller: &mut Caller<'_, T>,
    get: fn(&mut T) -> &mut HostCtx,
    body: impl FnOnce(&mut HostCtx, &mut GuestMem<'_>) -> R,
) -> R {
    if caller.memory().is_some()
        && let Some((mem, data)) = caller.memory_and_data()
    {
        return body(get(data), &mut GuestMem::new(mem));
    }
    body(get(caller.data_mut()), &mut GuestMem::new(&mut []))
}

/// Defines every function of `defs` in `module`.
pub(crate) fn register<T: 'static>(
    linker: &mut Linker<T>,
    store: &mut Store<T>,
    get: fn(&mut T) -> &mut HostCtx,
    module: &'static str,
    defs: &[Def],
) {
    for def in defs {
        let ty = FuncType::new(def.params.iter().copied(), [def.result]);
        let (call, f, result) = (def.call, def.f, def.result);
        let func = Func::new(
            store,
            ty,
            move |mut caller: Caller<'_, T>, args: &[Val], results: &mut [Val]| {
                let outcome = with_ctx(&mut caller, get, |ctx, mem| {
                    let r = f(ctx, mem, &Args { vals: args, call });
                    if let Err(Fail::Fault { ptr, len, mem_len }) = &r {
                        // The trap carries only its code; the context keeps (and the log
                        // gets) the detail naming the call, for the window's failure text.
                        ctx.record_fault(format!(
                            "{call}: guest buffer at {ptr:#x} of {len} bytes is outside \
                             linear memory ({mem_len} bytes)"
                        ));
                    }
                    r
                });
                let value = match outcome {
                    Ok(v) => v,
                    Err(Fail::Host(e)) => i64::from(e.code()),
                    Err(Fail::Fault { .. }) => return Err(TrapCode::MemoryOutOfBounds.into()),
                    Err(Fail::Trap(t)) => return Err(t),
                };
                let out = if result == L {
                    Val::I64(value)
                } else {
                    // Handlers return i32-ranged values for i32 results (lengths and
                    // handles are checked to fit).
                    Val::I32(value as i32)
                };
                match results.first_mut() {
                    Some(slot) => *slot = out,
                    None => return Err(Trap::from(TrapCode::BadSignature)),
                }
                Ok(())
            },
        );
        linker.define(module, def.name, func);
    }
}

/// Registers the three import modules (`kpio_gui`, `kpio_system`, `kpio_net`) in
/// `linker`; `get` finds the [`HostCtx`] in the store data.
///
/// Every function returns one value: `>= 0` on success, a negative
/// [`HostError::code`](crate::HostError::code) on failure. A call the app lacks the
/// permission for returns `DENIED` and is logged; a buffer outside linear memory traps
/// with `TrapCode::MemoryOutOfBounds` (the detail, naming the function, goes to
/// [`HostCtx::last_fault`] and [`HostLog::fault`](crate::HostLog::fault)).
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    store: &mut Store<T>,
    get: fn(&mut T) -> &mut HostCtx,
) {
    register(linker, store, get, crate::gui::MODULE, &crate::gui::defs());
    register(
        linker,
        store,
        get,
        crate::system::MODULE,
        &crate::system::defs(),
    );
    register(linker, store, get, crate::net::MODULE, &crate::net::defs());
}
