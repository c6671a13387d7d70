//! Threaded dispatch for the simple instructions (x86_64, optimised hosted builds).
//!
//! Each simple instruction gets its own handler; a handler does its work and then
//! tail-calls the next instruction's handler through a table indexed by opcode, so every
//! handler has its own indirect jump (which the branch predictor learns per instruction)
//! and the hot state (`ip`, `fp`, memory base and length) stays in argument registers.
//! Anything else, or a simple instruction about to trap, returns its address to the
//! portable loop in `exec`, which executes it and comes back.
//!
//! This relies on LLVM turning the tail calls into jumps, which it does when optimising
//! (`build.rs` enables this module only then, and never for bare-metal targets, where
//! arguments may travel on the stack and the calls would pile up frames).

use super::ops::simple_ops;
use super::{ea, float};
use crate::ir::{Instr, OP_COUNT, Op};
use crate::trap::TrapCode;

type Handler = unsafe extern "sysv64" fn(*const Instr, *mut u64, *mut u8, usize) -> *const Instr;

/// Runs simple instructions from `ip` until one needs the portable loop; returns it.
///
/// # Safety
/// `ip` points into translated code, `fp` at a frame with all the slots that code names,
/// and `mem_base`/`mem_len` describe the function's memory 0.
#[inline(always)]
pub(super) unsafe fn run(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    mem_len: usize,
) -> *const Instr {
    unsafe { dispatch(ip, fp, mem_base, mem_len) }
}

#[inline(always)]
unsafe fn dispatch(
    ip: *const Instr,
    fp: *mut u64,
    mem_base: *mut u8,
    mem_len: usize,
) -> *const Instr {
    // SAFETY: `Instr` is `repr(u8)`: its first byte is the opcode, always below OP_COUNT.
    unsafe {
        let op = *(ip as *const u8) as usize;
        (TABLE.get_unchecked(op))(ip, fp, mem_base, mem_len)
    }
}

/// The handler of every instruction the portable loop executes.
unsafe extern "sysv64" fn bail(
    ip: *const Instr,
    _: *mut u64,
    _: *mut u8,
    _: usize,
) -> *const Instr {
    ip
}

macro_rules! gen_handlers {
    ({ $d:tt } $($name:ident { $($f:ident),* } => $body:block)*) => {
        $(
            #[allow(non_snake_case, unused_mut, unused_macros, clippy::unnecessary_cast)]
            unsafe extern "sysv64" fn $name(
                mut ip: *const Instr,
                fp: *mut u64,
                mem_base: *mut u8,
                mem_len: usize,
            ) -> *const Instr {
                macro_rules! r { ($d s:expr) => { *fp.add($d s as usize) }; }
                macro_rules! r32 { ($d s:expr) => { *fp.add($d s as usize) as u32 }; }
                macro_rules! f32r { ($d s:expr) => { f32::from_bits(*fp.add($d s as usize) as u32) }; }
                macro_rules! f64r { ($d s:expr) => { f64::from_bits(*fp.add($d s as usize)) }; }
                macro_rules! set { ($d dst:expr, $d v:expr) => { *fp.add($d dst as usize) = $d v }; }
                macro_rules! next { () => { ip = ip.add(1) }; }
                macro_rules! jump { ($d off:expr) => { ip = ip.offset($d off as isize) }; }
                macro_rules! skip { ($d n:expr) => { ip = ip.add($d n) }; }
                macro_rules! w {
                    ($d dst:expr, $d v:expr) => {{
                        let v: u64 = $d v;
                        *fp.add($d dst as usize) = v;
                        ip = ip.add(1);
                    }};
                }
                // Hand the instruction back untouched; the portable loop raises the trap.
                macro_rules! trap { ($d c:expr) => {{ let _ = $d c; return ip; }}; }
                macro_rules! tri {
                    ($d e:expr) => {
                        match $d e {
                            Ok(v) => v,
                            Err(_) => return ip,
                        }
                    };
                }
                macro_rules! branch {
                    ($d cond:expr, $d off:expr) => {{
                        if $d cond {
                            ip = ip.offset($d off as isize);
                        } else {
                            ip = ip.add(1);
                        }
                    }};
                }
                macro_rules! load {
                    ($d dst:expr, $d a:expr, $d off:expr, $d t:ty, $d conv:expr) => {{
                        let a = tri!(ea(r!($d a), $d off, size_of::<$d t>(), mem_len));
                        let v = <$d t>::from_le_bytes(
                            *(mem_base.add(a) as *const [u8; size_of::<$d t>()]),
                        );
                        w!($d dst, $d conv(v))
                    }};
                }
                macro_rules! store {
                    ($d a:expr, $d v:expr, $d off:expr, $d t:ty) => {{
                        let a = tri!(ea(r!($d a), $d off, size_of::<$d t>(), mem_len));
                        *(mem_base.add(a) as *mut [u8; size_of::<$d t>()]) =
                            (r!($d v) as $d t).to_le_bytes();
                        ip = ip.add(1);
                    }};
                }
                // SAFETY: the table sends only this variant here; the caller of `run`
                // vouches for `fp` and memory.
                unsafe {
                    let Instr::$name { $($f),* } = *ip else {
                        core::hint::unreachable_unchecked()
                    };
                    $body
                    dispatch(ip, fp, mem_base, mem_len)
                }
            }
        )*

        static TABLE: [Handler; OP_COUNT] = {
            let mut t = [bail as Handler; OP_COUNT];
            $( t[Op::$name as usize] = $name; )*
            t
        };
    };
}

simple_ops!(gen_handlers { $ });
