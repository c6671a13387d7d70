//! Benchmark programs for `kpio-bench`.
//!
//! Built twice from the same source:
//! - for `wasm32-unknown-unknown` as a `cdylib` (the module that the
//!   interpreters run; every program is an exported `extern "C"` function);
//! - for the host as an `rlib` linked into `kpio-bench`, which gives the
//!   native time and the reference result each wasm run must reproduce.
//!
//! No allocator: all working memory is in fixed static buffers. Each program
//! takes one size argument and returns a 64-bit checksum of its work.

#![no_std]

#[cfg(not(target_arch = "wasm32"))]
extern crate std;

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

mod bits;
mod coremark;
mod matmul;
mod nbody;
mod sha256;

pub use sha256::Sha256;

use core::cell::UnsafeCell;

/// A fixed buffer in static memory. The programs are single-threaded: the
/// harness never calls two of them at once.
struct Buf<T>(UnsafeCell<T>);

// SAFETY: only used by the single-threaded benchmark programs (see above).
unsafe impl<T> Sync for Buf<T> {}

impl<T> Buf<T> {
    const fn new(v: T) -> Self {
        Buf(UnsafeCell::new(v))
    }

    /// # Safety
    /// The caller must not hold another reference into this buffer.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self) -> &mut T {
        // SAFETY: per the function's contract.
        unsafe { &mut *self.0.get() }
    }
}

/// xorshift32: the deterministic data generator used by all programs.
#[inline(always)]
fn xorshift32(x: &mut u32) -> u32 {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    *x
}

#[inline(never)]
fn fib_rec(n: u32) -> u64 {
    if n < 2 {
        n as u64
    } else {
        fib_rec(n - 1).wrapping_add(fib_rec(n - 2))
    }
}

/// Naive doubly recursive Fibonacci.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn fib(n: i32) -> i64 {
    fib_rec(n.max(0) as u32) as i64
}

/// SHA-256 over `mib` MiB of generated data, produced 64 KiB at a time into a
/// static buffer. Returns the first 8 bytes of the digest (big-endian).
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn sha256(mib: i32) -> i64 {
    static CHUNK: Buf<[u8; 64 * 1024]> = Buf::new([0; 64 * 1024]);
    // SAFETY: single-threaded, no other reference to CHUNK exists.
    let chunk = unsafe { CHUNK.get() };
    let mut x = 0x1234_5678u32;
    let mut h = Sha256::new();
    for _ in 0..mib.max(0) as u32 * 16 {
        for w in chunk.chunks_exact_mut(4) {
            w.copy_from_slice(&xorshift32(&mut x).to_le_bytes());
        }
        h.update(chunk);
    }
    let d = h.finish();
    i64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// A CoreMark-like integer mix: linked-list find/reverse/merge sort, small
/// integer matrix kernels, a number-parsing state machine and CRC-16, for
/// `iters` iterations. Returns the final CRC mixed with per-part counters.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn coremark(iters: i32) -> i64 {
    coremark::run(iters.max(0) as u32)
}

/// The n-body simulation (5 bodies, dt = 0.01) for `steps` steps. Returns
/// the bits of the final energy.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn nbody(steps: i32) -> i64 {
    nbody::run(steps.max(0) as u32).to_bits() as i64
}

/// Largest `n` accepted by [`sort`] (16 MiB of `u32`).
pub const SORT_CAPACITY: usize = 1 << 22;

/// Sorts `n` pseudo-random `u32`s (capped at [`SORT_CAPACITY`]) with
/// `sort_unstable` and returns a position-weighted checksum, or -1 if the
/// result is not sorted.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn sort(n: i32) -> i64 {
    static DATA: Buf<[u32; SORT_CAPACITY]> = Buf::new([0; SORT_CAPACITY]);
    // SAFETY: single-threaded, no other reference to DATA exists.
    let data = unsafe { DATA.get() };
    let a = &mut data[..(n.max(0) as usize).min(SORT_CAPACITY)];
    let mut x = 0x9E37_79B9u32;
    for v in a.iter_mut() {
        *v = xorshift32(&mut x);
    }
    a.sort_unstable();
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut prev = 0u32;
    for (i, &v) in a.iter().enumerate() {
        if v < prev {
            return -1;
        }
        prev = v;
        h = (h ^ (v as u64) ^ ((i as u64) << 32)).wrapping_mul(0x0000_0100_0000_01B3);
    }
    h as i64
}

/// Dense `f64` matrix multiply, 128x128, `rounds` times (each round feeds
/// one result element back into the left operand). Returns the bits of a
/// checksum of the results.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn matmul(rounds: i32) -> i64 {
    matmul::run(rounds.max(0) as u32).to_bits() as i64
}

/// Mixed i32/i64 integer and bit manipulation (popcount, clz/ctz, rotates,
/// bit reversal, Morton codes, table-free CRC-32, a bitset) over `n`
/// xorshift64* words. Returns a mix of the accumulators.
#[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
pub extern "C" fn bits(n: i32) -> i64 {
    bits::run(n.max(0) as u32) as i64
}
