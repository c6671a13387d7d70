//! What a hostile guest can try: escapes, writes through read-only mounts, rights it does
//! not hold, descriptor exhaustion, hostile pointers and counts; and `poll_oneoff`.

mod common;

use common::*;
use kpio_wasi::Errno;
#[cfg(feature = "host")]
use kpio_wasi::WasiCtxBuilder;
use kpio_wasm::{Engine, Linker, Module, Store};

fn guest() -> (Guest, Setup) {
    let mut s = setup(b"");
    s.builder.vfs(two_mounts());
    let ctx = s.builder.build().unwrap();
    (Guest::new(ctx), s)
}

// ----- escapes -----------------------------------------------------------------------

#[test]
fn paths_cannot_leave_their_preopen() {
    let (mut g, _) = guest();
    // `..` above the preopen, absolute paths, `..` hidden in the middle: EPERM (wasmtime).
    for path in [
        "../outside.txt",
        "/outside.txt",
        "/etc/passwd",
        "a/../../outside.txt",
        "..",
    ] {
        assert_eq!(g.open(3, path, 0, RO, 0), Err(Errno::Perm), "{path}");
    }
    assert_eq!(g.open(4, "../data", O_DIRECTORY, 0, 0), Err(Errno::Perm));
    let (p, l) = g.str("../x");
    assert_eq!(g.errno("path_create_directory", &[3, p, l]), Errno::Perm);
    let st = g.alloc(64);
    let (o, ol) = g.str("../outside.txt");
    assert_eq!(
        g.errno("path_filestat_get", &[3, 0, o, ol, st.into()]),
        Errno::Perm
    );
    // A directory opened inside the preopen is a capability for its own subtree only.
    let (d, dl) = g.str("d");
    g.ok("path_create_directory", &[3, d, dl]);
    g.open(3, "top.txt", O_CREAT, RW, 0).unwrap();
    let dfd = g.open(3, "d", O_DIRECTORY, 0, 0).unwrap();
    assert_eq!(g.open(dfd, "../top.txt", 0, RO, 0), Err(Errno::Perm));
}

#[test]
fn symlinks_cannot_point_out() {
    let (mut g, _) = guest();
    // A link whose target climbs out can be stored (as on POSIX) but never followed.
    let (t, tl) = g.str("../outside.txt");
    let (p, l) = g.str("escape");
    g.ok("path_symlink", &[t, tl, 3, p, l]);
    assert_eq!(g.open(3, "escape", 0, RO, 0), Err(Errno::Perm));
    let st = g.alloc(64);
    assert_eq!(
        g.errno("path_filestat_get", &[3, 1, p, l, st.into()]),
        Errno::Perm
    );
    // Absolute targets are refused when the link is made.
    let (a, al) = g.str("/outside.txt");
    let (q, ql) = g.str("abs");
    assert_eq!(g.errno("path_symlink", &[a, al, 3, q, ql]), Errno::Perm);
    // A chain of links that ends outside.
    let (t2, t2l) = g.str("escape");
    let (p2, p2l) = g.str("chain");
    g.ok("path_symlink", &[t2, t2l, 3, p2, p2l]);
    assert_eq!(g.open(3, "chain", 0, RO, 0), Err(Errno::Perm));
    // A loop is ELOOP.
    let (x, xl) = g.str("loop");
    g.ok("path_symlink", &[x, xl, 3, x, xl]);
    assert_eq!(g.open(3, "loop", 0, RO, 0), Err(Errno::Loop));
}

#[test]
fn descriptors_of_one_preopen_do_not_reach_another() {
    let (mut g, _) = guest();
    let f = g.open(3, "mine.txt", O_CREAT, RW, 0).unwrap();
    g.write(f, b"x").unwrap();
    // From /shared (fd 4), the writable mount is not reachable by any path.
    for path in ["../mine.txt", "/mine.txt", "../../data/mine.txt"] {
        assert_eq!(g.open(4, path, 0, RO, 0), Err(Errno::Perm), "{path}");
    }
    // Renames and links between preopens: EXDEV.
    let (a, al) = g.str("mine.txt");
    let (b, bl) = g.str("stolen.txt");
    assert_eq!(g.errno("path_rename", &[3, a, al, 4, b, bl]), Errno::Xdev);
    assert_eq!(g.errno("path_link", &[3, 0, a, al, 4, b, bl]), Errno::Xdev);
    // A file descriptor is not a directory to resolve paths in.
    assert_eq!(
        g.errno("path_rename", &[f.into(), a, al, 3, b, bl]),
        Errno::Badf
    );
}

// ----- read-only mounts and rights ---------------------------------------------------

#[test]
fn a_read_only_preopen_can_be_read_but_not_written() {
    let (mut g, _) = guest();
    let r = g.open(4, "readme.txt", 0, RO, 0).unwrap();
    assert_eq!(g.read_fd(r, 100).unwrap(), b"shared data");
    // Every way of modifying it: EROFS.
    assert_eq!(g.open(4, "readme.txt", 0, RW, 0), Err(Errno::Rofs));
    assert_eq!(g.open(4, "new.txt", O_CREAT, RW, 0), Err(Errno::Rofs));
    assert_eq!(g.open(4, "readme.txt", O_TRUNC, RW, 0), Err(Errno::Rofs));
    let (p, l) = g.str("newdir");
    assert_eq!(g.errno("path_create_directory", &[4, p, l]), Errno::Rofs);
    let (f, fl) = g.str("readme.txt");
    assert_eq!(g.errno("path_unlink_file", &[4, f, fl]), Errno::Rofs);
    let (s, sl) = g.str("sub");
    assert_eq!(g.errno("path_remove_directory", &[4, s, sl]), Errno::Rofs);
    assert_eq!(g.errno("path_rename", &[4, f, fl, 4, p, l]), Errno::Rofs);
    assert_eq!(g.errno("path_symlink", &[f, fl, 4, p, l]), Errno::Rofs);
    assert_eq!(
        g.errno("path_filestat_set_times", &[4, 0, f, fl, 0, 0, 2]),
        Errno::Rofs
    );
    assert_eq!(
        g.errno("fd_filestat_set_times", &[r.into(), 0, 0, 2]),
        Errno::Rofs
    );
    // A read-only descriptor cannot write either way.
    assert_eq!(g.write(r, b"x"), Err(Errno::Badf));
    assert_eq!(
        g.errno("fd_filestat_set_size", &[r.into(), 0]),
        Errno::Inval
    );
    assert_eq!(g.read_fd(4, 1), Err(Errno::Badf));
}

#[test]
fn rights_are_enforced_and_can_only_be_dropped() {
    let (mut g, _) = guest();
    let w = g.open(3, "f", O_CREAT, 1 << 6, 0).unwrap();
    assert_eq!(g.write(w, b"write only").unwrap(), 10);
    assert_eq!(
        g.read_fd(w, 4),
        Err(Errno::Badf),
        "no fd_read: EBADF (as wasmtime)"
    );
    let r = g.open(3, "f", 0, 1 << 1, 0).unwrap();
    assert_eq!(g.write(r, b"x"), Err(Errno::Badf), "no fd_write: EBADF");
    assert_eq!(g.read_fd(r, 5).unwrap(), b"write");
    let st = g.alloc(24);
    g.ok("fd_fdstat_get", &[r.into(), st.into()]);
    let base = g.u64(st + 8);
    assert_eq!(base & (1 << 1), 1 << 1, "fd_read");
    assert_eq!(base & (1 << 6), 0, "no fd_write");
    // Drop fd_seek: seeking is ENOTCAPABLE, telling still works.
    let without_seek = base & !(1 << 2);
    g.ok("fd_fdstat_set_rights", &[r.into(), without_seek as i64, 0]);
    let pos = g.alloc(8);
    assert_eq!(
        g.errno("fd_seek", &[r.into(), 1, 0, pos.into()]),
        Errno::Notcapable
    );
    g.ok("fd_seek", &[r.into(), 0, 1, pos.into()]);
    assert_eq!(g.u64(pos), 5);
    g.ok("fd_tell", &[r.into(), pos.into()]);
    // Rights never come back.
    assert_eq!(
        g.errno("fd_fdstat_set_rights", &[r.into(), base as i64, 0]),
        Errno::Notcapable
    );
    assert_eq!(
        g.errno("fd_fdstat_set_rights", &[r.into(), 0, 1]),
        Errno::Notcapable
    );
    assert_eq!(
        g.errno("fd_fdstat_set_rights", &[r.into(), 1 << 40, 0]),
        Errno::Inval
    );
    // Dropping fd_read makes reads EBADF.
    g.ok("fd_fdstat_set_rights", &[r.into(), 0, 0]);
    assert_eq!(g.read_fd(r, 1), Err(Errno::Badf));
    let fs = g.alloc(64);
    assert_eq!(
        g.errno("fd_filestat_get", &[r.into(), fs.into()]),
        Errno::Notcapable
    );
    // A directory without path_open cannot open; without fd_write in its inheriting rights
    // it cannot hand out writable files.
    let d = g.open(3, ".", O_DIRECTORY, 0, 0).unwrap();
    g.ok("fd_fdstat_get", &[d.into(), st.into()]);
    let (dbase, dinh) = (g.u64(st + 8), g.u64(st + 16));
    g.ok(
        "fd_fdstat_set_rights",
        &[d.into(), dbase as i64, (dinh & !(1 << 6)) as i64],
    );
    assert_eq!(g.open(d, "f", 0, 1 << 6, 0), Err(Errno::Notcapable));
    let ro = g.open(d, "f", 0, 1 << 1, 0).unwrap();
    g.ok("fd_fdstat_get", &[ro.into(), st.into()]);
    assert_eq!(g.u64(st + 8) & (1 << 6), 0);
    g.ok(
        "fd_fdstat_set_rights",
        &[d.into(), (dbase & !(1 << 13)) as i64, 0],
    );
    assert_eq!(g.open(d, "f", 0, 1 << 1, 0), Err(Errno::Notcapable));
    // Stdout without fd_write.
    g.ok("fd_fdstat_set_rights", &[1, 0, 0]);
    assert_eq!(g.write(1, b"x"), Err(Errno::Badf));
}

// ----- descriptor exhaustion ---------------------------------------------------------

#[test]
fn descriptor_table_is_bounded() {
    let mut s = setup(b"");
    s.builder.vfs(two_mounts()).max_fds(8);
    let mut g = Guest::new(s.builder.build().unwrap());
    let mut fds = Vec::new();
    loop {
        match g.open(3, &format!("f{}", fds.len()), O_CREAT, RW, 0) {
            Ok(fd) => fds.push(fd),
            Err(e) => {
                assert_eq!(e, Errno::Mfile);
                break;
            }
        }
        assert!(fds.len() <= 3, "opened more than max_fds allows");
    }
    assert_eq!(fds.len(), 3, "8 minus stdio minus two preopens");
    assert_eq!(g.ctx().open_fds(), 8);
    // The failed open left nothing behind, and closing makes room again.
    assert_eq!(g.ctx().vfs().open_count(), 5);
    g.ok("fd_close", &[fds[1].into()]);
    assert_eq!(g.open(3, "again", O_CREAT, RW, 0), Ok(fds[1]));
    // Renumbering cannot pick far-away numbers (the target must be open, as wasmtime), so
    // it can neither grow host state nor make room for more descriptors.
    for i in 0..1000u32 {
        let to = 1_000_000 + i;
        assert_eq!(
            g.errno("fd_renumber", &[fds[0].into(), to.into()]),
            Errno::Badf
        );
    }
    g.ok("fd_renumber", &[fds[0].into(), fds[2].into()]);
    assert_eq!(g.ctx().open_fds(), 7);
    assert_eq!(g.open(3, "more", O_CREAT, RW, 0), Ok(fds[0]));
    assert_eq!(g.open(3, "more2", O_CREAT, RW, 0), Err(Errno::Mfile));
}

#[test]
fn the_vfs_handle_limit_reports_nfile() {
    let mut s = setup(b"");
    let mut vfs = kpio_vfs::Vfs::new(kpio_vfs::VfsLimits { max_open: 2 });
    vfs.mount(
        "/",
        memfs(),
        "",
        kpio_vfs::MountOptions {
            read_only: false,
            create: false,
        },
    )
    .unwrap();
    s.builder.vfs(vfs);
    let mut g = Guest::new(s.builder.build().unwrap());
    g.open(3, "a", O_CREAT, RW, 0).unwrap();
    assert_eq!(g.open(3, "b", O_CREAT, RW, 0), Err(Errno::Nfile));
}

// ----- hostile pointers and counts ---------------------------------------------------

fn assert_traps_outside_memory(r: Result<i32, kpio_wasm::Trap>, what: &str) {
    let trap = r.expect_err(what);
    let msg = trap.to_string();
    assert!(msg.contains("outside linear memory"), "{what}: {msg}");
    assert!(msg.contains("wasi_snapshot_preview1::"), "{what}: {msg}");
    assert_eq!(trap.exit_code(), None);
}

#[test]
fn hostile_iovec_counts_and_pointers_trap_without_doing_anything() {
    let (mut g, s) = guest();
    let end = i64::from(MEM_SIZE);
    let out = g.alloc(4);
    // iovs_len = 0x7fffffff with the array near the end of memory.
    assert_traps_outside_memory(
        g.call("fd_write", &[1, end - 16, 0x7fff_ffff, out.into()]),
        "huge iovs_len",
    );
    assert_traps_outside_memory(
        g.call("fd_read", &[0, end - 8, -1, out.into()]),
        "iovs_len u32::MAX",
    );
    // An iovec whose buffer runs past the end: nothing is written before the trap.
    let iovs = g.alloc(16);
    let (good, gl) = g.str("visible?");
    g.write_u32(iovs, good as u32);
    g.write_u32(iovs + 4, gl as u32);
    g.write_u32(iovs + 8, MEM_SIZE - 4);
    g.write_u32(iovs + 12, 8);
    assert_traps_outside_memory(
        g.call("fd_write", &[1, iovs.into(), 2, out.into()]),
        "iovec past end",
    );
    assert!(
        s.stdout.contents().is_empty(),
        "no partial write before the trap"
    );
    g.write_u32(iovs + 8, u32::MAX);
    g.write_u32(iovs + 12, u32::MAX);
    assert_traps_outside_memory(
        g.call("fd_write", &[1, iovs.into(), 2, out.into()]),
        "wrapping iovec",
    );
    // Result pointer out of bounds: trap before the write happens.
    let (iovs1, n1) = g.iovecs(&[b"data"]);
    assert_traps_outside_memory(g.call("fd_write", &[1, iovs1, n1, end - 2]), "nwritten");
    assert!(s.stdout.contents().is_empty());
    // Strings and buffers.
    assert_traps_outside_memory(
        g.call("path_open", &[3, 0, end - 1, 100, 1, 0, 0, 0, out.into()]),
        "path",
    );
    assert_traps_outside_memory(g.call("random_get", &[0, 0xffff_ffff]), "random_get");
    assert_traps_outside_memory(g.call("args_get", &[end - 2, 0]), "argv");
    assert_traps_outside_memory(
        g.call("fd_readdir", &[3, end - 10, 100, 0, out.into()]),
        "readdir",
    );
    assert_traps_outside_memory(g.call("fd_prestat_dir_name", &[3, end, 5]), "dir name");
    assert_traps_outside_memory(g.call("clock_time_get", &[0, 0, end - 7]), "timestamp");
    assert_traps_outside_memory(g.call("fd_filestat_get", &[3, end - 63]), "filestat");
    assert_traps_outside_memory(
        g.call("poll_oneoff", &[0, 0, 0x7fff_ffff, out.into()]),
        "nsubscriptions",
    );
    // A path_open whose result pointer is bad opens nothing.
    let before = g.ctx().open_fds();
    let (p, l) = g.str("created.txt");
    assert_traps_outside_memory(
        g.call("path_open", &[3, 0, p, l, 1, RW as i64, 0, 0, end]),
        "fd out pointer",
    );
    assert_eq!(g.ctx().open_fds(), before);
    // After all that the guest still works.
    assert_eq!(g.write(1, b"ok").unwrap(), 2);
    assert_eq!(s.stdout.contents(), b"ok");
}

#[test]
fn zero_length_buffers_at_the_end_of_memory_are_fine() {
    let (mut g, _) = guest();
    let end = i64::from(MEM_SIZE);
    let out = g.alloc(4);
    g.ok("random_get", &[end, 0]);
    g.ok("fd_write", &[1, end, 0, out.into()]);
    assert_eq!(g.u32(out), 0);
    g.ok("fd_readdir", &[3, end, 0, 0, out.into()]);
    assert_eq!(g.u32(out), 0);
}

#[test]
fn a_module_without_memory_can_exit_but_not_pass_pointers() {
    let wasm = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
            (import "wasi_snapshot_preview1" "fd_close" (func $c (param i32) (result i32)))
            (import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
            (func (export "yield") (result i32) call $y)
            (func (export "close") (result i32) (call $c (i32.const 99)))
            (func (export "random") (result i32) (call $r (i32.const 0) (i32.const 1)))
            (func (export "exit") (call $exit (i32.const 9))))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, setup(b"").builder.build().unwrap());
    let mut linker = Linker::new();
    kpio_wasi::add_to_linker(&mut linker, &mut store, |c| c);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let mut out = [kpio_wasm::Val::I32(-1)];
    inst.get_func(&store, "yield")
        .unwrap()
        .call(&mut store, &[], &mut out)
        .unwrap();
    assert_eq!(out[0], kpio_wasm::Val::I32(0));
    inst.get_func(&store, "close")
        .unwrap()
        .call(&mut store, &[], &mut out)
        .unwrap();
    assert_eq!(out[0], kpio_wasm::Val::I32(Errno::Badf as i32));
    let t = inst
        .get_func(&store, "random")
        .unwrap()
        .call(&mut store, &[], &mut out)
        .unwrap_err();
    assert!(
        t.to_string().contains("outside linear memory (0 bytes)"),
        "{t}"
    );
    let t = inst
        .get_func(&store, "exit")
        .unwrap()
        .call(&mut store, &[], &mut [])
        .unwrap_err();
    assert_eq!(t.exit_code(), Some(9));
}

// ----- poll_oneoff -------------------------------------------------------------------

/// Writes a clock subscription at `at`.
fn clock_sub(g: &mut Guest, at: u32, userdata: u64, clock: u32, timeout: u64, abstime: bool) {
    g.write_u64(at, userdata);
    g.mem()[at as usize + 8] = 0;
    g.write_u32(at + 16, clock);
    g.write_u64(at + 24, timeout);
    g.write_u64(at + 32, 0);
    let flags: u16 = u16::from(abstime);
    g.mem()[at as usize + 40..at as usize + 42].copy_from_slice(&flags.to_le_bytes());
}

fn fd_sub(g: &mut Guest, at: u32, userdata: u64, tag: u8, fd: u32) {
    g.write_u64(at, userdata);
    g.mem()[at as usize + 8] = tag;
    g.write_u32(at + 16, fd);
}

#[test]
fn poll_oneoff_sleeps_until_the_earliest_clock() {
    let (mut g, s) = guest();
    let subs = g.alloc(48 * 3);
    let events = g.alloc(32 * 3);
    let n = g.alloc(4);
    clock_sub(&mut g, subs, 0xAAAA, 1, 1_000_000, false); // 1 ms relative
    clock_sub(&mut g, subs + 48, 0xBBBB, 1, 5_000_000, false); // 5 ms relative
    g.ok("poll_oneoff", &[subs.into(), events.into(), 2, n.into()]);
    assert_eq!(*s.clock.sleeps.lock().unwrap(), [1_000_000]);
    assert_eq!(g.u32(n), 1, "only the 1 ms timer fired");
    assert_eq!(g.u64(events), 0xAAAA);
    assert_eq!(g.u16(events + 8), 0, "no error");
    assert_eq!(g.u8(events + 10), 0, "clock event");

    // Absolute deadline on the monotonic clock (now at 1 ms): sleeps the difference.
    clock_sub(&mut g, subs, 0xCCCC, 1, 4_000_000, true);
    g.ok("poll_oneoff", &[subs.into(), events.into(), 1, n.into()]);
    assert_eq!(s.clock.sleeps.lock().unwrap()[1], 3_000_000);
    assert_eq!((g.u32(n), g.u64(events)), (1, 0xCCCC));
    // A deadline in the past fires without sleeping; realtime works too.
    clock_sub(&mut g, subs, 0xDDDD, 1, 10, true);
    clock_sub(&mut g, subs + 48, 0xEEEE, 0, EPOCH_OFFSET, true);
    g.ok("poll_oneoff", &[subs.into(), events.into(), 2, n.into()]);
    assert_eq!(s.clock.sleeps.lock().unwrap().len(), 2);
    assert_eq!(g.u32(n), 2);
    assert_eq!((g.u64(events), g.u64(events + 32)), (0xDDDD, 0xEEEE));
}

#[test]
fn poll_oneoff_fd_subscriptions_are_ready_at_once() {
    let (mut g, s) = guest();
    let f = g.open(3, "f", O_CREAT, RW, 0).unwrap();
    g.write(f, b"0123456789").unwrap();
    let pos = g.alloc(8);
    g.ok("fd_seek", &[f.into(), 4, 0, pos.into()]);
    let subs = g.alloc(48 * 4);
    let events = g.alloc(32 * 4);
    let n = g.alloc(4);
    clock_sub(&mut g, subs, 1, 1, 60_000_000_000, false); // a minute: must not sleep
    fd_sub(&mut g, subs + 48, 2, 1, f); // read the file
    fd_sub(&mut g, subs + 96, 3, 2, 1); // write stdout
    fd_sub(&mut g, subs + 144, 4, 1, 0); // read stdin
    g.ok("poll_oneoff", &[subs.into(), events.into(), 4, n.into()]);
    assert!(s.clock.sleeps.lock().unwrap().is_empty());
    assert_eq!(g.u32(n), 3);
    assert_eq!((g.u64(events), g.u8(events + 10)), (2, 1));
    assert_eq!(g.u64(events + 16), 6, "bytes left to read");
    assert_eq!(g.u16(events + 24), 0);
    assert_eq!((g.u64(events + 32), g.u8(events + 42)), (3, 2));
    assert_eq!(g.u64(events + 48), 1);
    assert_eq!((g.u64(events + 64), g.u8(events + 74)), (4, 1));
    // At the end of the file: hangup.
    g.ok("fd_seek", &[f.into(), 0, 2, pos.into()]);
    g.ok(
        "poll_oneoff",
        &[(subs + 48).into(), events.into(), 1, n.into()],
    );
    assert_eq!((g.u64(events + 16), g.u16(events + 24)), (0, 1));
}

#[test]
fn poll_oneoff_errors() {
    let (mut g, _) = guest();
    let subs = g.alloc(48 * 2);
    let events = g.alloc(64);
    let n = g.alloc(4);
    assert_eq!(
        g.errno("poll_oneoff", &[subs.into(), events.into(), 0, n.into()]),
        Errno::Inval
    );
    fd_sub(&mut g, subs, 1, 1, 42);
    assert_eq!(
        g.errno("poll_oneoff", &[subs.into(), events.into(), 1, n.into()]),
        Errno::Badf
    );
    fd_sub(&mut g, subs, 1, 2, 0); // write to stdin
    assert_eq!(
        g.errno("poll_oneoff", &[subs.into(), events.into(), 1, n.into()]),
        Errno::Badf
    );
    fd_sub(&mut g, subs, 1, 1, 3); // read a directory
    assert_eq!(
        g.errno("poll_oneoff", &[subs.into(), events.into(), 1, n.into()]),
        Errno::Badf
    );
    fd_sub(&mut g, subs, 1, 3, 0); // unknown tag
    assert_eq!(
        g.errno("poll_oneoff", &[subs.into(), events.into(), 1, n.into()]),
        Errno::Inval
    );
    clock_sub(&mut g, subs, 1, 2, 1, false); // process CPU time
    assert_eq!(
        g.errno("poll_oneoff", &[subs.into(), events.into(), 1, n.into()]),
        Errno::Inval
    );
    clock_sub(&mut g, subs, 1, 9, 1, false);
    assert_eq!(
        g.errno("poll_oneoff", &[subs.into(), events.into(), 1, n.into()]),
        Errno::Inval
    );
}

#[cfg(feature = "host")]
#[test]
fn poll_oneoff_really_sleeps_with_the_host_clock() {
    let mut g = Guest::new(WasiCtxBuilder::new().build().unwrap());
    let subs = g.alloc(48);
    let events = g.alloc(32);
    let n = g.alloc(4);
    clock_sub(&mut g, subs, 7, 1, 20_000_000, false);
    let t = std::time::Instant::now();
    g.ok("poll_oneoff", &[subs.into(), events.into(), 1, n.into()]);
    assert!(t.elapsed() >= std::time::Duration::from_millis(20));
    assert_eq!((g.u32(n), g.u64(events)), (1, 7));
}
