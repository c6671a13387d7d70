//! WASI preview 1 (`wasi_snapshot_preview1`) for KPIO's engine, over [`kpio_vfs`].
//!
//! `#![no_std]` + `alloc`: the same implementation runs hosted and in the KPIO kernel. The
//! platform services are injected, never global: the file system is a [`kpio_vfs::Vfs`],
//! stdio are [`InputStream`]/[`OutputStream`]s, time is a [`WasiClock`], randomness a
//! [`RandomSource`]. Feature `host` adds [`host`]: inherited process stdio, the OS clocks and
//! the OS CSPRNG.
//!
//! ```
//! use kpio_wasi::{add_to_linker, ClockId, Errno, MemoryOutput, RandomSource, WasiClock, WasiCtx, WasiCtxBuilder};
//! use kpio_wasm::{Engine, Linker, Module, Store};
//!
//! struct Clock;
//! impl WasiClock for Clock {
//!     fn now(&self, _: ClockId) -> Result<u64, Errno> { Ok(0) }
//!     fn resolution(&self, _: ClockId) -> Result<u64, Errno> { Ok(1) }
//!     fn sleep(&self, _: u64) {}
//! }
//! struct Zeros;
//! impl RandomSource for Zeros {
//!     fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> { buf.fill(0); Ok(()) }
//! }
//!
//! let wasm = wat::parse_str(r#"(module
//!     (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
//!     (memory (export "memory") 1)
//!     (data (i32.const 16) "hello\n")
//!     (func (export "_start")
//!         (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 6))
//!         (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#).unwrap();
//! let out = MemoryOutput::new();
//! let ctx = WasiCtxBuilder::new()
//!     .arg("hello.wasm")
//!     .stdout(Box::new(out.clone()))
//!     .clock(Box::new(Clock))
//!     .random(Box::new(Zeros))
//!     .build()
//!     .unwrap();
//! let engine = Engine::default();
//! let module = Module::new(&engine, &wasm).unwrap();
//! let mut store = Store::new(&engine, ctx);
//! let mut linker = Linker::<WasiCtx>::new();
//! add_to_linker(&mut linker, &mut store, |cx| cx);
//! let instance = linker.instantiate(&mut store, &module).unwrap();
//! instance.get_func(&store, "_start").unwrap().call(&mut store, &[], &mut []).unwrap();
//! assert_eq!(out.contents(), b"hello\n");
//! ```
//!
//! # Descriptors
//!
//! fd 0, 1, 2 are stdin, stdout, stderr; fds 3, 4, … are the VFS's mounts in
//! [`Vfs::mounts`](kpio_vfs::Vfs::mounts) order, each a preopened directory whose
//! `fd_prestat_dir_name` is its mount path (or the name given to
//! [`WasiCtxBuilder::preopen_name`]). New descriptors take the highest previously closed
//! number, else one past the highest open one (wasmtime's rule). At most
//! [`WasiCtxBuilder::max_fds`] (default 1024, stdio and preopens included) are open at once:
//! beyond that `path_open` fails with `mfile`; the VFS's own handle limit gives `nfile`.
//!
//! Stdio reports file type `character_device` when the stream [`is a
//! terminal`](OutputStream::is_terminal), else `unknown` (what wasmtime reports for pipes and
//! files); stdin has right `fd_read`, stdout/stderr `fd_write`, and seeking them is `spipe`.
//!
//! # Rights
//!
//! Every descriptor carries base and inheriting rights, and every operation checks the right
//! the specification names for it. A missing `fd_read`/`fd_write` is `badf` (what wasmtime,
//! and POSIX, report for a file not open for that access); any other missing right is
//! `notcapable`. Rights are assigned as wasmtime reports them, so ordinary programs never
//! meet a rights error:
//! - preopens: wasmtime's fixed base set (path operations, `fd_readdir`, filestat get/set
//!   times) plus `fd_sync`/`fd_datasync`, and its inheriting set;
//! - `path_open`: the file opens for reading if `fs_rights_base` has `fd_read` and for
//!   writing if it has `fd_write` (those two must be in the directory's inheriting rights,
//!   else `notcapable`); the new fd gets every right that applies to what was opened (minus
//!   read/write as opened), limited by the directory's inheriting rights. Other requested
//!   rights are neither required nor granted beyond that (as wasmtime, which ignores them;
//!   wasi-libc and Rust's std pass whatever they like there);
//! - `fd_fdstat_set_rights` can only drop rights (`notcapable` when adding).
//!
//! # Guest memory
//!
//! Every pointer and length is checked with 64-bit arithmetic against the memory length
//! before use; nothing is sliced unchecked. A buffer outside linear memory **traps** (with
//! a message naming the function, pointer and length), as wasmtime does and as the WASI
//! pointer rules ask; the check happens before any I/O, so nothing is half done. Iovec
//! arrays are checked whole first, so a hostile `iovs_len` either fits in memory or traps
//! at once; reads and writes go straight between guest memory and the VFS or stream, with no
//! host buffer, so no guest value makes the host allocate. (Misaligned pointers are
//! accepted: every field is read byte-wise.)
//!
//! # Errno choices
//!
//! VFS errors map by kpio-vfs's table ([`Errno::from`]), with its two open choices made as
//! `wasmtime run` behaves:
//! - path escapes (absolute paths, `..` above the preopen, symlinks that point out) are
//!   `perm` (wasmtime/cap-std report `perm`, not `notcapable`);
//! - writes through a read-only mount are `rofs`.
//!
//! Wrong descriptor kinds follow wasmtime: path operations on a non-directory and
//! `fd_readdir` on a non-directory are `badf` (`path_open` on a file is `notdir`); reading,
//! writing, syncing or truncating a directory is `badf`; `fd_seek`/`fd_tell`/`fd_pread` on
//! stdin and `fd_seek`/`fd_tell`/`fd_pwrite` on stdout are `spipe`; a non-preopen for
//! `fd_prestat_get` is `badf` and for `fd_prestat_dir_name` `notdir`.
//! `fd_prestat_dir_name` with a short buffer is `nametoolong`. Invalid flag bits or enum
//! values are `inval`; invalid UTF-8 in a path is `ilseq`.
//!
//! # Where this differs from wasmtime (on purpose)
//!
//! `crates/kpio-cli/tests/wasi_diff.rs` runs a corpus under both and fails on any
//! difference not listed, with its reason, in `docs/wasi-differences.md`.
//!
//! - `fd_write`/`fd_read` use **all** iovecs (like `writev`/`readv`; wasmtime transfers only
//!   the first non-empty one). Stdin reads only into the first non-empty iovec, so a read
//!   never blocks once it has data.
//! - `fd_allocate` works (wasmtime: `notsup`). `fd_sync`/`fd_datasync` also work on
//!   directories (wasmtime: `badf`), so "write, fsync, rename, fsync the directory" works.
//! - `clock_time_get`/`clock_res_get` support the process and thread CPU-time clocks
//!   (wasmtime: `badf`). In `poll_oneoff` they stay `inval`, as in wasmtime: sleeping does
//!   not advance them.
//! - `fd_readdir` cookies are kpio-vfs's: stable under concurrent changes, opaque (not
//!   1, 2, 3, … past `..`). Programs only pass back `d_next`, which works the same.
//! - `fd_filestat_get`'s `dev` is the mount index and `ino` the VFS inode (wasmtime: `dev`
//!   1 and a hash), so `(dev, ino)` identifies a file.
//! - `proc_raise` performs the signal's default action instead of returning `notsup`:
//!   `none` and signals ignored by default (`chld`, `cont`, `urg`, `winch`) succeed, as do
//!   the stop signals (there is no job control to stop for); every other signal ends the
//!   guest with a trap `terminated by signal SIG…`.
//! - `fd_fdstat_set_rights` really drops rights (wasmtime answers `notsup`).
//!
//! Kept as wasmtime: `proc_exit` with a status of 126 or more traps ("outside of
//! [0..126)") instead of exiting; `fd_fdstat_set_flags` changes only `append`/`nonblock`
//! (sync flags: `inval`), and `nonblock` is recorded but never causes `again`;
//! `fd_renumber` needs an open target (`badf`); `path_link` never follows a symlink
//! (`inval` when asked to) and a new name with a trailing slash is `noent`;
//! `path_readlink` of an absolute target is `perm`; `fd_filestat_set_size` on a file not
//! open for writing is `inval`; `path_remove_directory` of `.` is `inval`;
//! `poll_oneoff` with no subscriptions is
//! `inval`; `sched_yield` does nothing; `fd_advise` only validates.
//!
//! # `poll_oneoff`
//!
//! Clock subscriptions (realtime and monotonic, relative or absolute) and `fd_read` /
//! `fd_write` subscriptions. Regular files and stdio are always ready: a readable regular
//! file reports `nbytes` = bytes left before the end (and `fd_readwrite_hangup` at the end);
//! stdin (in memory or the host's) and writable descriptors report `nbytes` 1, as wasmtime.
//! With any descriptor subscription the call returns at once; with only clocks it sleeps
//! through [`WasiClock::sleep`] until the earliest timeout and reports every clock due by
//! then. A bad descriptor makes the whole call `badf` (as wasmtime).
//!
//! Fuel cannot interrupt a sleep or a blocking stdin read: an embedder that must be able to
//! stop a guest at any moment implements [`WasiClock::sleep`] and its [`InputStream`] so
//! that they wake up when the guest is killed.
//!
//! # Sockets
//!
//! Preview 1 has no way to create a socket: sockets exist only when the host preopens them,
//! which arrives with the network permission (issue 4). Until then no descriptor is a
//! socket, so `sock_accept`, `sock_recv`, `sock_send` and `sock_shutdown` return `notsock`
//! for an open descriptor and `badf` for anything else — the real answer, not `nosys`. No
//! function here returns `nosys`.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod abi;
mod calls;
mod ctx;
mod errno;
#[cfg(feature = "host")]
pub mod host;
mod linker;
mod mem;
mod services;

pub use ctx::{DEFAULT_MAX_FDS, WasiCtx, WasiCtxBuilder, WasiError};
pub use errno::Errno;
pub use linker::{MODULE, add_to_linker, function_names};
pub use services::{
    ClockId, InputStream, MemoryInput, MemoryOutput, OutputStream, RandomSource, WasiClock,
};
