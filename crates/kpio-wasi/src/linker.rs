//! [`add_to_linker`]: registers every `wasi_snapshot_preview1` function as a host function.

use crate::ctx::WasiCtx;
use crate::mem::{Fail, GuestMem, WasiResult};
use kpio_wasm::{Caller, Func, FuncType, Linker, Store, Trap, TrapCode, Val, ValType};

/// The import module name.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The wasm arguments of one call, typed by the function's signature.
struct Args<'a>(&'a [Val]);

impl Args<'_> {
    fn u32(&self, i: usize) -> WasiResult<u32> {
        match self.0.get(i) {
            Some(Val::I32(v)) => Ok(*v as u32),
            _ => Err(Fail::Trap(TrapCode::BadSignature.into())),
        }
    }
    fn u64(&self, i: usize) -> WasiResult<u64> {
        match self.0.get(i) {
            Some(Val::I64(v)) => Ok(*v as u64),
            _ => Err(Fail::Trap(TrapCode::BadSignature.into())),
        }
    }
}

type Handler = fn(&mut WasiCtx, &mut GuestMem<'_>, &Args<'_>) -> WasiResult<()>;

/// One function: name, parameter types (`I` = i32, `L` = i64), whether it returns an
/// errno (all but `proc_exit`), and its body.
struct Def {
    name: &'static str,
    params: &'static [ValType],
    returns_errno: bool,
    f: Handler,
}

const I: ValType = ValType::I32;
const L: ValType = ValType::I64;

macro_rules! def {
    ($name:literal, [$($p:ident),*], |$c:ident, $m:ident, $a:ident| $body:expr) => {
        Def {
            name: $name,
            params: &[$($p),*],
            returns_errno: true,
            f: |$c, $m, $a| $body,
        }
    };
}

/// Every function of `wasi_snapshot_preview1`, in the witx's order.
#[rustfmt::skip]
fn defs() -> [Def; 46] {
    [
        def!("args_get", [I, I], |c, m, a| c.args_get(m, a.u32(0)?, a.u32(1)?)),
        def!("args_sizes_get", [I, I], |c, m, a| c.args_sizes_get(m, a.u32(0)?, a.u32(1)?)),
        def!("environ_get", [I, I], |c, m, a| c.environ_get(m, a.u32(0)?, a.u32(1)?)),
        def!("environ_sizes_get", [I, I], |c, m, a| c.environ_sizes_get(m, a.u32(0)?, a.u32(1)?)),
        def!("clock_res_get", [I, I], |c, m, a| c.clock_res_get(m, a.u32(0)?, a.u32(1)?)),
        def!("clock_time_get", [I, L, I], |c, m, a| c.clock_time_get(m, a.u32(0)?, a.u64(1)?, a.u32(2)?)),
        def!("fd_advise", [I, L, L, I], |c, _m, a| c.fd_advise(a.u32(0)?, a.u64(1)?, a.u64(2)?, a.u32(3)?)),
        def!("fd_allocate", [I, L, L], |c, _m, a| c.fd_allocate(a.u32(0)?, a.u64(1)?, a.u64(2)?)),
        def!("fd_close", [I], |c, _m, a| c.fd_close(a.u32(0)?)),
        def!("fd_datasync", [I], |c, _m, a| c.fd_datasync(a.u32(0)?)),
        def!("fd_fdstat_get", [I, I], |c, m, a| c.fd_fdstat_get(m, a.u32(0)?, a.u32(1)?)),
        def!("fd_fdstat_set_flags", [I, I], |c, _m, a| c.fd_fdstat_set_flags(a.u32(0)?, a.u32(1)?)),
        def!("fd_fdstat_set_rights", [I, L, L], |c, _m, a| c.fd_fdstat_set_rights(a.u32(0)?, a.u64(1)?, a.u64(2)?)),
        def!("fd_filestat_get", [I, I], |c, m, a| c.fd_filestat_get(m, a.u32(0)?, a.u32(1)?)),
        def!("fd_filestat_set_size", [I, L], |c, _m, a| c.fd_filestat_set_size(a.u32(0)?, a.u64(1)?)),
        def!("fd_filestat_set_times", [I, L, L, I], |c, _m, a| c.fd_filestat_set_times(a.u32(0)?, a.u64(1)?, a.u64(2)?, a.u32(3)?)),
        def!("fd_pread", [I, I, I, L, I], |c, m, a| c.fd_pread(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u64(3)?, a.u32(4)?)),
        def!("fd_prestat_get", [I, I], |c, m, a| c.fd_prestat_get(m, a.u32(0)?, a.u32(1)?)),
        def!("fd_prestat_dir_name", [I, I, I], |c, m, a| c.fd_prestat_dir_name(m, a.u32(0)?, a.u32(1)?, a.u32(2)?)),
        def!("fd_pwrite", [I, I, I, L, I], |c, m, a| c.fd_pwrite(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u64(3)?, a.u32(4)?)),
        def!("fd_read", [I, I, I, I], |c, m, a| c.fd_read(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?)),
        def!("fd_readdir", [I, I, I, L, I], |c, m, a| c.fd_readdir(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u64(3)?, a.u32(4)?)),
        def!("fd_renumber", [I, I], |c, _m, a| c.fd_renumber(a.u32(0)?, a.u32(1)?)),
        def!("fd_seek", [I, L, I, I], |c, m, a| c.fd_seek(m, a.u32(0)?, a.u64(1)? as i64, a.u32(2)?, a.u32(3)?)),
        def!("fd_sync", [I], |c, _m, a| c.fd_sync(a.u32(0)?)),
        def!("fd_tell", [I, I], |c, m, a| c.fd_tell(m, a.u32(0)?, a.u32(1)?)),
        def!("fd_write", [I, I, I, I], |c, m, a| c.fd_write(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?)),
        def!("path_create_directory", [I, I, I], |c, m, a| c.path_create_directory(m, a.u32(0)?, a.u32(1)?, a.u32(2)?)),
        def!("path_filestat_get", [I, I, I, I, I], |c, m, a| c.path_filestat_get(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?, a.u32(4)?)),
        def!("path_filestat_set_times", [I, I, I, I, L, L, I], |c, m, a| c.path_filestat_set_times(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?, a.u64(4)?, a.u64(5)?, a.u32(6)?)),
        def!("path_link", [I, I, I, I, I, I, I], |c, m, a| c.path_link(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?, a.u32(4)?, a.u32(5)?, a.u32(6)?)),
        def!("path_open", [I, I, I, I, I, L, L, I, I], |c, m, a| c.path_open(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?, a.u32(4)?, a.u64(5)?, a.u64(6)?, a.u32(7)?, a.u32(8)?)),
        def!("path_readlink", [I, I, I, I, I, I], |c, m, a| c.path_readlink(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?, a.u32(4)?, a.u32(5)?)),
        def!("path_remove_directory", [I, I, I], |c, m, a| c.path_remove_directory(m, a.u32(0)?, a.u32(1)?, a.u32(2)?)),
        def!("path_rename", [I, I, I, I, I, I], |c, m, a| c.path_rename(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?, a.u32(4)?, a.u32(5)?)),
        def!("path_symlink", [I, I, I, I, I], |c, m, a| c.path_symlink(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?, a.u32(4)?)),
        def!("path_unlink_file", [I, I, I], |c, m, a| c.path_unlink_file(m, a.u32(0)?, a.u32(1)?, a.u32(2)?)),
        def!("poll_oneoff", [I, I, I, I], |c, m, a| c.poll_oneoff(m, a.u32(0)?, a.u32(1)?, a.u32(2)?, a.u32(3)?)),
        Def { name: "proc_exit", params: &[I], returns_errno: false, f: |c, _m, a| c.proc_exit(a.u32(0)?) },
        def!("proc_raise", [I], |c, _m, a| c.proc_raise(a.u32(0)?)),
        def!("sched_yield", [], |c, _m, _a| c.sched_yield()),
        def!("random_get", [I, I], |c, m, a| c.random_get(m, a.u32(0)?, a.u32(1)?)),
        def!("sock_accept", [I, I, I], |c, _m, a| c.sock_accept(a.u32(0)?, a.u32(1)?)),
        def!("sock_recv", [I, I, I, I, I, I], |c, _m, a| c.sock_recv(a.u32(0)?, a.u32(3)?)),
        def!("sock_send", [I, I, I, I, I], |c, _m, a| c.sock_send(a.u32(0)?)),
        def!("sock_shutdown", [I, I], |c, _m, a| c.sock_shutdown(a.u32(0)?, a.u32(1)?)),
    ]
}

/// Names of all functions [`add_to_linker`] defines, in the witx's order.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    defs().into_iter().map(|d| d.name)
}

/// Runs `body` with the caller's memory (empty if the instance has none) and its context.
fn with_ctx<T, R>(
    caller: &mut Caller<'_, T>,
    get: fn(&mut T) -> &mut WasiCtx,
    body: impl FnOnce(&mut WasiCtx, &mut GuestMem<'_>) -> R,
) -> R {
    if caller.memory().is_some()
        && let Some((mem, data)) = caller.memory_and_data()
    {
        return body(get(data), &mut GuestMem::new(mem));
    }
    body(get(caller.data_mut()), &mut GuestMem::new(&mut []))
}

/// Registers all 46 functions of `wasi_snapshot_preview1` (the 45 of the original
/// snapshot plus `sock_accept`) in `linker`. `get` finds the [`WasiCtx`] in the store data.
///
/// Each returns its errno as an `i32`, except `proc_exit`, which always unwinds with
/// [`Trap::exit`] (after recording the code in [`WasiCtx::exit_code`]). A guest pointer
/// outside linear memory traps, naming the function and the pointer.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    store: &mut Store<T>,
    get: fn(&mut T) -> &mut WasiCtx,
) {
    for def in defs() {
        let results: &[ValType] = if def.returns_errno { &[I] } else { &[] };
        let ty = FuncType::new(def.params.iter().copied(), results.iter().copied());
        let (name, f) = (def.name, def.f);
        let func = Func::new(
            store,
            ty,
            move |mut caller: Caller<'_, T>, args: &[Val], results: &mut [Val]| {
                let outcome = with_ctx(&mut caller, get, |ctx, mem| f(ctx, mem, &Args(args)));
                let errno = match outcome {
                    Ok(()) => crate::Errno::Success,
                    Err(Fail::Errno(e)) => e,
                    Err(Fail::Trap(t)) => return Err(t),
                    Err(Fail::Fault { ptr, len, mem_len }) => {
                        return Err(Trap::host(alloc::format!(
                            "{MODULE}::{name}: guest buffer at {ptr:#x} of {len} bytes is \
                             outside linear memory ({mem_len} bytes)"
                        )));
                    }
                };
                if let Some(slot) = results.first_mut() {
                    *slot = Val::I32(i32::from(errno.raw()));
                }
                Ok(())
            },
        );
        linker.define(MODULE, name, func);
    }
}
