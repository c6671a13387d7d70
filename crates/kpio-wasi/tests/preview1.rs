//! The functions of `wasi_snapshot_preview1`, called directly from a guest module, with
//! their results and errnos checked.

mod common;

use common::*;
use kpio_wasi::{Errno, WasiCtx, WasiCtxBuilder, add_to_linker, function_names};
use kpio_wasm::{Engine, Linker, Module, Store};

fn guest() -> (Guest, Setup) {
    let mut s = setup(b"");
    s.builder.vfs(two_mounts());
    let ctx = s.builder.build().unwrap();
    (Guest::new(ctx), s)
}

// ----- registration ------------------------------------------------------------------

#[test]
fn all_46_functions_are_registered_with_their_signatures() {
    let names: Vec<&str> = function_names().collect();
    let expected: Vec<&str> = SIGNATURES.iter().map(|s| s.0).collect();
    assert_eq!(names, expected);
    // Instantiating the shim proves every import resolves with the right type.
    let (mut g, _) = guest();
    g.ok("sched_yield", &[]);
}

#[test]
fn hello_world_through_a_projection_of_the_store_data() {
    struct App {
        wasi: WasiCtx,
        _other: u32,
    }
    let s = setup(b"");
    let mut b = s.builder;
    let wasm = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
            (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
            (memory (export "memory") 1)
            (data (i32.const 100) "Hello, ")
            (data (i32.const 200) "world!\n")
            (func (export "_start")
                (i32.store (i32.const 0) (i32.const 100))
                (i32.store (i32.const 4) (i32.const 7))
                (i32.store (i32.const 8) (i32.const 200))
                (i32.store (i32.const 12) (i32.const 7))
                (if (call $w (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))
                    (then unreachable))
                (call $exit (i32.load (i32.const 16)))))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(
        &engine,
        App {
            wasi: b.build().unwrap(),
            _other: 7,
        },
    );
    let mut linker = Linker::<App>::new();
    add_to_linker(&mut linker, &mut store, |app| &mut app.wasi);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_func(&store, "_start").unwrap();
    let trap = start.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(trap.exit_code(), Some(14), "exit code is the byte count");
    assert_eq!(store.data().wasi.exit_code(), Some(14));
    assert_eq!(s.stdout.contents(), b"Hello, world!\n");
    assert!(s.stderr.contents().is_empty());
}

// ----- args, environ -----------------------------------------------------------------

#[test]
fn args_and_environ_sizes_and_contents() {
    let mut s = setup(b"");
    s.builder
        .args(["one", "two words", ""])
        .env("HOME", "/")
        .env("LANG", "C.UTF-8");
    let mut g = Guest::new(s.builder.build().unwrap());
    let (count, size) = (g.alloc(4), g.alloc(4));
    g.ok("args_sizes_get", &[count.into(), size.into()]);
    assert_eq!(g.u32(count), 4);
    let expected = b"test.wasm\0one\0two words\0\0";
    assert_eq!(g.u32(size), expected.len() as u32);
    let (argv, buf) = (g.alloc(16), g.alloc(expected.len() as u32));
    g.ok("args_get", &[argv.into(), buf.into()]);
    assert_eq!(g.read(buf, expected.len() as u32), expected);
    let offsets: Vec<u32> = (0..4).map(|i| g.u32(argv + 4 * i) - buf).collect();
    assert_eq!(offsets, [0, 10, 14, 24]);

    g.ok("environ_sizes_get", &[count.into(), size.into()]);
    assert_eq!(g.u32(count), 2);
    let expected = b"HOME=/\0LANG=C.UTF-8\0";
    assert_eq!(g.u32(size), expected.len() as u32);
    let (env, buf) = (g.alloc(8), g.alloc(expected.len() as u32));
    g.ok("environ_get", &[env.into(), buf.into()]);
    assert_eq!(g.read(buf, expected.len() as u32), expected);
    assert_eq!(g.u32(env + 4) - buf, 7);
}

#[test]
fn builder_rejects_arguments_and_variables_a_guest_cannot_receive() {
    let mut b = setup(b"").builder;
    b.arg("a\0b");
    let e = b.build().unwrap_err();
    assert_eq!(e.to_string(), "argument 1: contains a NUL byte");
    let mut b = setup(b"").builder;
    b.env("A=B", "c");
    assert!(b.build().unwrap_err().to_string().contains("'='"));
    let mut b = setup(b"").builder;
    b.max_fds(4).vfs(two_mounts());
    assert_eq!(
        b.build().unwrap_err().to_string(),
        "stdio and the preopens need 5 file descriptors, but max_fds is 4"
    );
}

#[cfg(not(feature = "host"))]
#[test]
fn without_the_host_feature_a_clock_and_random_source_must_be_given() {
    assert_eq!(
        WasiCtxBuilder::new().build().unwrap_err(),
        kpio_wasi::WasiError::MissingClock
    );
}

// ----- clocks, random, sched, proc ---------------------------------------------------

#[test]
fn clock_time_get_and_res_get_for_all_four_clocks() {
    let (mut g, s) = guest();
    s.clock
        .mono
        .store(5_000, std::sync::atomic::Ordering::SeqCst);
    let out = g.alloc(8);
    let expected = [EPOCH_OFFSET + 5_000, 5_000, 5_000 / 2 + 7, 5_000 / 4 + 3];
    for (id, want) in expected.iter().enumerate() {
        g.ok("clock_time_get", &[id as i64, 1, out.into()]);
        assert_eq!(g.u64(out), *want, "clock {id}");
        g.ok("clock_res_get", &[id as i64, out.into()]);
        assert_eq!(g.u64(out), if id == 0 { 1000 } else { 1 });
    }
    assert_eq!(g.errno("clock_time_get", &[4, 1, out.into()]), Errno::Inval);
    assert_eq!(g.errno("clock_res_get", &[-1, out.into()]), Errno::Inval);
}

#[cfg(feature = "host")]
#[test]
fn host_clocks_are_real() {
    let mut g = Guest::new(WasiCtxBuilder::new().build().unwrap());
    let out = g.alloc(8);
    g.ok("clock_time_get", &[0, 1, out.into()]);
    assert!(
        g.u64(out) > 1_577_836_800_000_000_000,
        "realtime is after 2020"
    );
    let mut last = 0;
    for _ in 0..100 {
        g.ok("clock_time_get", &[1, 1, out.into()]);
        let now = g.u64(out);
        assert!(now >= last, "monotonic never goes back");
        last = now;
    }
    for id in [2, 3] {
        g.ok("clock_time_get", &[id, 1, out.into()]);
        assert!(g.u64(out) > 0, "CPU time of clock {id}");
        g.ok("clock_res_get", &[id, out.into()]);
        assert!(g.u64(out) >= 1);
    }
    // Randomness from the OS: 64 bytes are not all equal.
    let buf = g.alloc(64);
    g.ok("random_get", &[buf.into(), 64]);
    let bytes = g.read(buf, 64);
    assert!(bytes.iter().any(|b| *b != bytes[0]));
}

#[test]
fn random_get_fills_the_buffer_from_the_injected_source() {
    let (mut g, _) = guest();
    let buf = g.alloc(16);
    g.ok("random_get", &[buf.into(), 10]);
    assert_eq!(
        g.read(buf, 16),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0, 0, 0, 0]
    );
    g.ok("random_get", &[buf.into(), 0]);
}

#[test]
fn proc_exit_unwinds_with_the_exit_code() {
    let (mut g, _) = guest();
    let trap = g.call("proc_exit", &[3]).unwrap_err();
    assert_eq!(trap.exit_code(), Some(3));
    assert_eq!(g.ctx().exit_code(), Some(3));

    let (mut g, _) = guest();
    let trap = g.call("proc_exit", &[126]).unwrap_err();
    assert_eq!(
        trap.exit_code(),
        None,
        "126 and up are reserved, as in wasmtime"
    );
    assert!(trap.to_string().contains("outside of [0..126)"), "{trap}");
    assert_eq!(g.ctx().exit_code(), None);
}

#[test]
fn proc_raise_performs_the_default_action() {
    let (mut g, _) = guest();
    for ignored in [0, 16, 17, 22, 27, 18] {
        g.ok("proc_raise", &[ignored]);
    }
    assert_eq!(g.errno("proc_raise", &[31]), Errno::Inval);
    let trap = g.call("proc_raise", &[15]).unwrap_err();
    assert!(trap.to_string().contains("SIGTERM"), "{trap}");
    assert_eq!(trap.exit_code(), None);
}

// ----- stdio -------------------------------------------------------------------------

#[test]
fn fd_write_gathers_several_iovecs_to_captured_stdout_and_stderr() {
    let (mut g, s) = guest();
    let (iovs, n) = g.iovecs(&[b"abc", b"", b"defg", b"\n"]);
    let out = g.alloc(4);
    g.ok("fd_write", &[1, iovs, n, out.into()]);
    assert_eq!(g.u32(out), 8);
    assert_eq!(g.write(2, b"oops").unwrap(), 4);
    assert_eq!(s.stdout.contents(), b"abcdefg\n");
    assert_eq!(s.stderr.contents(), b"oops");
    // Zero iovecs write nothing.
    g.ok("fd_write", &[1, iovs, 0, out.into()]);
    assert_eq!(g.u32(out), 0);
    // stdin is not writable, stdout not readable.
    assert_eq!(g.write(0, b"x"), Err(Errno::Badf));
    assert_eq!(g.read_fd(1, 4), Err(Errno::Badf));
    assert_eq!(g.write(77, b"x"), Err(Errno::Badf));
}

#[test]
fn captured_output_with_a_limit_reports_nospc() {
    let mut s = setup(b"");
    let small = kpio_wasi::MemoryOutput::with_limit(5);
    s.builder.stdout(Box::new(small.clone()));
    let mut g = Guest::new(s.builder.build().unwrap());
    assert_eq!(g.write(1, b"123456789"), Ok(5));
    assert_eq!(g.write(1, b"more"), Err(Errno::Nospc));
    assert_eq!(small.contents(), b"12345");
}

#[test]
fn fd_read_from_memory_input_fills_the_first_buffer_then_reports_eof() {
    let mut s = setup(b"line one\nline two\n");
    let mut g = Guest::new(s.builder.build().unwrap());
    let (a, b) = (g.alloc(4), g.alloc(64));
    let iovs = g.alloc(16);
    g.write_u32(iovs, a);
    g.write_u32(iovs + 4, 4);
    g.write_u32(iovs + 8, b);
    g.write_u32(iovs + 12, 64);
    let out = g.alloc(4);
    g.ok("fd_read", &[0, iovs.into(), 2, out.into()]);
    assert_eq!(g.u32(out), 4, "a stream read stops after the first buffer");
    assert_eq!(g.read(a, 4), b"line");
    assert_eq!(g.read_fd(0, 100).unwrap(), b" one\nline two\n");
    assert_eq!(g.read_fd(0, 100).unwrap(), b"", "end of input");
}

#[test]
fn stdio_fdstat_filestat_and_seek() {
    let (mut g, _) = guest();
    let st = g.alloc(24);
    g.ok("fd_fdstat_get", &[1, st.into()]);
    assert_eq!(
        g.u8(st),
        0,
        "captured output is not a terminal: filetype unknown"
    );
    assert_eq!(g.u64(st + 8), 1 << 6, "stdout: fd_write");
    g.ok("fd_fdstat_get", &[0, st.into()]);
    assert_eq!(g.u64(st + 8), 1 << 1, "stdin: fd_read");
    let fs = g.alloc(64);
    g.ok("fd_filestat_get", &[2, fs.into()]);
    assert_eq!(g.read(fs, 64), [0; 64]);
    let pos = g.alloc(8);
    assert_eq!(g.errno("fd_seek", &[1, 0, 0, pos.into()]), Errno::Spipe);
    assert_eq!(g.errno("fd_tell", &[0, pos.into()]), Errno::Spipe);
    let (iovs, n) = g.iovecs(&[b"x"]);
    let out = g.alloc(4);
    assert_eq!(
        g.errno("fd_pwrite", &[1, iovs, n, 0, out.into()]),
        Errno::Spipe
    );
    assert_eq!(
        g.errno("fd_pread", &[0, iovs, n, 0, out.into()]),
        Errno::Spipe
    );
    assert_eq!(g.errno("fd_sync", &[1]), Errno::Badf);
}

// ----- preopens ----------------------------------------------------------------------

#[test]
fn preopens_are_fds_3_on_in_mount_order_with_their_names() {
    let (mut g, _) = guest();
    let pre = g.alloc(8);
    let name = g.alloc(32);
    for (fd, want) in [(3, "/"), (4, "/shared")] {
        g.ok("fd_prestat_get", &[fd, pre.into()]);
        assert_eq!(g.u8(pre), 0, "preopentype dir");
        assert_eq!(g.u32(pre + 4), want.len() as u32);
        g.ok("fd_prestat_dir_name", &[fd, name.into(), 32]);
        assert_eq!(g.read(name, want.len() as u32), want.as_bytes());
    }
    assert_eq!(g.errno("fd_prestat_get", &[5, pre.into()]), Errno::Badf);
    assert_eq!(g.errno("fd_prestat_get", &[1, pre.into()]), Errno::Badf);
    assert_eq!(
        g.errno("fd_prestat_dir_name", &[1, name.into(), 32]),
        Errno::Notdir
    );
    assert_eq!(
        g.errno("fd_prestat_dir_name", &[4, name.into(), 3]),
        Errno::Nametoolong
    );
    let st = g.alloc(24);
    g.ok("fd_fdstat_get", &[3, st.into()]);
    assert_eq!(g.u8(st), 3, "directory");
    assert_eq!(g.u64(st + 8) & (1 << 13), 1 << 13, "path_open right");
    assert_eq!(
        g.u64(st + 16) & (1 << 6),
        1 << 6,
        "files may be opened for writing"
    );
}

#[test]
fn preopen_names_can_be_set_per_mount() {
    let mut s = setup(b"");
    s.builder
        .vfs(two_mounts())
        .preopen_name(kpio_vfs::MountId(0), ".");
    let mut g = Guest::new(s.builder.build().unwrap());
    let pre = g.alloc(8);
    g.ok("fd_prestat_get", &[3, pre.into()]);
    assert_eq!(g.u32(pre + 4), 1);
    let name = g.alloc(1);
    g.ok("fd_prestat_dir_name", &[3, name.into(), 1]);
    assert_eq!(g.read(name, 1), b".");

    let mut b = setup(b"").builder;
    b.vfs(two_mounts()).preopen_name(kpio_vfs::MountId(9), "x");
    assert!(b.build().unwrap_err().to_string().contains("no mount 9"));
}

// ----- files -------------------------------------------------------------------------

#[test]
fn file_round_trip_write_seek_read_tell_stat() {
    let (mut g, _) = guest();
    let fd = g.open(3, "notes.txt", O_CREAT, RW, 0).unwrap();
    assert_eq!(fd, 5, "after stdio and the two preopens");
    assert_eq!(g.write(fd, b"hello, file").unwrap(), 11);
    let pos = g.alloc(8);
    g.ok("fd_tell", &[fd.into(), pos.into()]);
    assert_eq!(g.u64(pos), 11);
    g.ok("fd_seek", &[fd.into(), 7, 0, pos.into()]);
    assert_eq!(g.u64(pos), 7);
    assert_eq!(g.read_fd(fd, 100).unwrap(), b"file");
    g.ok("fd_seek", &[fd.into(), -4, 2, pos.into()]);
    assert_eq!(g.u64(pos), 7);
    g.ok("fd_seek", &[fd.into(), -7, 1, pos.into()]);
    assert_eq!(g.u64(pos), 0);
    assert_eq!(
        g.errno("fd_seek", &[fd.into(), -1, 1, pos.into()]),
        Errno::Inval
    );
    assert_eq!(
        g.errno("fd_seek", &[fd.into(), -1, 0, pos.into()]),
        Errno::Inval
    );
    assert_eq!(
        g.errno("fd_seek", &[fd.into(), 0, 3, pos.into()]),
        Errno::Inval
    );

    // Scatter read over two buffers.
    let (a, b) = (g.alloc(5), g.alloc(20));
    let iovs = g.alloc(16);
    g.write_u32(iovs, a);
    g.write_u32(iovs + 4, 5);
    g.write_u32(iovs + 8, b);
    g.write_u32(iovs + 12, 20);
    let n = g.alloc(4);
    g.ok("fd_read", &[fd.into(), iovs.into(), 2, n.into()]);
    assert_eq!(g.u32(n), 11);
    assert_eq!(g.read(a, 5), b"hello");
    assert_eq!(g.read(b, 6), b", file");

    // pread/pwrite leave the cursor alone.
    let (iovs1, n1) = g.iovecs(&[b"HELLO"]);
    g.ok("fd_pwrite", &[fd.into(), iovs1, n1, 0, n.into()]);
    assert_eq!(g.u32(n), 5);
    let buf = g.alloc(4);
    let iov = g.alloc(8);
    g.write_u32(iov, buf);
    g.write_u32(iov + 4, 4);
    g.ok("fd_pread", &[fd.into(), iov.into(), 1, 3, n.into()]);
    let got = g.u32(n);
    assert_eq!(g.read(buf, got), b"LO, ");
    g.ok("fd_tell", &[fd.into(), pos.into()]);
    assert_eq!(g.u64(pos), 11);

    let st = g.alloc(64);
    g.ok("fd_filestat_get", &[fd.into(), st.into()]);
    assert_eq!(g.u8(st + 16), 4, "regular file");
    assert_eq!(g.u64(st + 24), 1, "nlink");
    assert_eq!(g.u64(st + 32), 11, "size");
    assert_eq!(g.u64(st), 0, "dev is the mount");
    let ino = g.u64(st + 8);
    let (p, l) = g.str("notes.txt");
    g.ok("path_filestat_get", &[3, 0, p, l, st.into()]);
    assert_eq!(g.u64(st + 8), ino);
    assert_eq!(g.u64(st + 32), 11);
    let fdst = g.alloc(24);
    g.ok("fd_fdstat_get", &[fd.into(), fdst.into()]);
    assert_eq!(g.u8(fdst), 4);
    assert_eq!(g.u16(fdst + 2), 0);
    g.ok("fd_close", &[fd.into()]);
    assert_eq!(g.errno("fd_close", &[fd.into()]), Errno::Badf);
}

#[test]
fn path_open_flags_follow_the_specification() {
    let (mut g, _) = guest();
    let fd = g.open(3, "f", O_CREAT | O_EXCL, RW, 0).unwrap();
    g.write(fd, b"0123456789").unwrap();
    assert_eq!(g.open(3, "f", O_CREAT | O_EXCL, RW, 0), Err(Errno::Exist));
    assert_eq!(g.open(3, "f", O_DIRECTORY, RO, 0), Err(Errno::Notdir));
    assert_eq!(g.open(3, "missing", 0, RO, 0), Err(Errno::Noent));
    assert_eq!(
        g.open(3, "f", 16, RO, 0),
        Err(Errno::Inval),
        "unknown oflags"
    );
    assert_eq!(
        g.open(3, "f", 0, 1 << 40, 0),
        Err(Errno::Inval),
        "unknown rights"
    );
    assert_eq!(
        g.open(3, "f", 0, RO, 32),
        Err(Errno::Inval),
        "unknown fdflags"
    );
    assert_eq!(
        g.open(fd, "x", 0, RO, 0),
        Err(Errno::Notdir),
        "a file is no directory"
    );
    assert_eq!(g.open(1, "x", 0, RO, 0), Err(Errno::Badf));
    // O_TRUNC empties it.
    let t = g.open(3, "f", O_TRUNC, RW, 0).unwrap();
    let st = g.alloc(64);
    g.ok("fd_filestat_get", &[t.into(), st.into()]);
    assert_eq!(g.u64(st + 32), 0);
    // Append mode writes at the end whatever the cursor.
    let a = g.open(3, "f", 0, RW, 1).unwrap();
    g.write(t, b"abc").unwrap();
    g.write(a, b"XY").unwrap();
    let fdst = g.alloc(24);
    g.ok("fd_fdstat_get", &[a.into(), fdst.into()]);
    assert_eq!(g.u16(fdst + 2), 1, "append flag reported");
    let r = g.open(3, "f", 0, RO, 0).unwrap();
    assert_eq!(g.read_fd(r, 10).unwrap(), b"abcXY");
    // A directory opens as a directory; asking to write one is EISDIR.
    let (p, l) = g.str("dir");
    g.ok("path_create_directory", &[3, p, l]);
    let d = g.open(3, "dir", O_DIRECTORY, 0, 0).unwrap();
    g.ok("fd_fdstat_get", &[d.into(), fdst.into()]);
    assert_eq!(g.u8(fdst), 3);
    assert_eq!(g.open(3, "dir", 0, RW, 0), Err(Errno::Isdir));
    // Relative to the opened directory, with a `..` that stays inside it; climbing above it
    // is an escape even though the preopen is above (a directory fd is a capability for its
    // own subtree, as in cap-std and wasmtime).
    assert_eq!(g.open(d, "../dir/inner", O_CREAT, RW, 0), Err(Errno::Perm));
    let inner = g.open(d, "x/../inner", O_CREAT, RW, 0);
    assert_eq!(inner, Err(Errno::Noent), "x does not exist");
    let inner = g.open(d, "./inner", O_CREAT, RW, 0).unwrap();
    g.write(inner, b"in").unwrap();
    let (p, l) = g.str("dir/inner");
    let st2 = g.alloc(64);
    g.ok("path_filestat_get", &[3, 0, p, l, st2.into()]);
    assert_eq!(g.u64(st2 + 32), 2);
    // Reading or writing a directory descriptor is EBADF (as wasmtime).
    assert_eq!(g.read_fd(d, 4), Err(Errno::Badf));
    assert_eq!(g.write(3, b"x"), Err(Errno::Badf));
    assert_eq!(
        g.errno("fd_seek", &[d.into(), 0, 0, st.into()]),
        Errno::Badf
    );
}

#[test]
fn symlinks_follow_and_nofollow() {
    let (mut g, _) = guest();
    let fd = g.open(3, "target", O_CREAT, RW, 0).unwrap();
    g.write(fd, b"T").unwrap();
    let (t, tl) = g.str("target");
    let (p, l) = g.str("link");
    g.ok("path_symlink", &[t, tl, 3, p, l]);
    // Following: the target; not following: ELOOP (as O_NOFOLLOW).
    let f = g.open(3, "link", 0, RO, 0).unwrap();
    assert_eq!(g.read_fd(f, 4).unwrap(), b"T");
    let out = g.alloc(4);
    let e = g.errno("path_open", &[3, 0, p, l, 0, RO as i64, 0, 0, out.into()]);
    assert_eq!(e, Errno::Loop);
    // lstat vs stat.
    let st = g.alloc(64);
    g.ok("path_filestat_get", &[3, 0, p, l, st.into()]);
    assert_eq!(g.u8(st + 16), 7, "symlink");
    g.ok("path_filestat_get", &[3, 1, p, l, st.into()]);
    assert_eq!(g.u8(st + 16), 4, "followed");
    assert_eq!(
        g.errno("path_filestat_get", &[3, 2, p, l, st.into()]),
        Errno::Inval
    );
    // readlink, truncated to the buffer.
    let buf = g.alloc(16);
    g.ok("path_readlink", &[3, p, l, buf.into(), 16, out.into()]);
    assert_eq!(g.u32(out), 6);
    assert_eq!(g.read(buf, 6), b"target");
    g.ok("path_readlink", &[3, p, l, buf.into(), 3, out.into()]);
    assert_eq!(g.u32(out), 3);
    assert_eq!(
        g.errno("path_readlink", &[3, t, tl, buf.into(), 16, out.into()]),
        Errno::Inval,
        "not a symlink"
    );
}

#[test]
fn path_operations() {
    let (mut g, _) = guest();
    let (d, dl) = g.str("d");
    g.ok("path_create_directory", &[3, d, dl]);
    assert_eq!(g.errno("path_create_directory", &[3, d, dl]), Errno::Exist);
    let f = g.open(3, "d/a", O_CREAT, RW, 0).unwrap();
    g.write(f, b"data").unwrap();
    g.ok("fd_close", &[f.into()]);
    // Hard link, then rename, then unlink.
    let (a, al) = g.str("d/a");
    let (b, bl) = g.str("d/b");
    let (c, cl) = g.str("c");
    g.ok("path_link", &[3, 0, a, al, 3, b, bl]);
    let st = g.alloc(64);
    g.ok("path_filestat_get", &[3, 0, a, al, st.into()]);
    assert_eq!(g.u64(st + 24), 2, "two links");
    g.ok("path_rename", &[3, b, bl, 3, c, cl]);
    assert_eq!(
        g.errno("path_filestat_get", &[3, 0, b, bl, st.into()]),
        Errno::Noent
    );
    g.ok("path_filestat_get", &[3, 0, c, cl, st.into()]);
    assert_eq!(g.u64(st + 32), 4);
    assert_eq!(
        g.errno("path_remove_directory", &[3, d, dl]),
        Errno::Notempty
    );
    assert_eq!(g.errno("path_unlink_file", &[3, d, dl]), Errno::Isdir);
    g.ok("path_unlink_file", &[3, a, al]);
    g.ok("path_remove_directory", &[3, d, dl]);
    assert_eq!(g.errno("path_remove_directory", &[3, c, cl]), Errno::Notdir);
    // Times: set explicitly, then "now" (the backend's clock), both at once is EINVAL.
    g.ok("path_filestat_set_times", &[3, 0, c, cl, 11, 22, 1 | 4]);
    g.ok("path_filestat_get", &[3, 0, c, cl, st.into()]);
    assert_eq!((g.u64(st + 40), g.u64(st + 48)), (11, 22));
    assert_eq!(
        g.errno("path_filestat_set_times", &[3, 0, c, cl, 1, 1, 1 | 2]),
        Errno::Inval
    );
    assert_eq!(
        g.errno("path_filestat_set_times", &[3, 0, c, cl, 1, 1, 16]),
        Errno::Inval
    );
    // Path operations need a directory descriptor.
    let f = g.open(3, "c", 0, RW, 0).unwrap();
    assert_eq!(
        g.errno("path_create_directory", &[f.into(), d, dl]),
        Errno::Badf
    );
    assert_eq!(g.errno("path_unlink_file", &[0, d, dl]), Errno::Badf);
    // Invalid UTF-8 in a path.
    let (bad, badl) = g.bytes(&[0x66, 0xff]);
    assert_eq!(
        g.errno("path_create_directory", &[3, bad, badl]),
        Errno::Ilseq
    );
    let (nul, nl) = g.bytes(b"a\0b");
    assert_eq!(
        g.errno("path_create_directory", &[3, nul, nl]),
        Errno::Inval
    );
    let (empty, el) = g.str("");
    assert_eq!(
        g.errno("path_create_directory", &[3, empty, el]),
        Errno::Noent
    );
}

#[test]
fn fd_operations_on_open_files() {
    let (mut g, _) = guest();
    let f = g
        .open(3, "f", O_CREAT, RW | (1 << 8) | (1 << 22), 0)
        .unwrap();
    g.ok("fd_filestat_set_size", &[f.into(), 100]);
    let st = g.alloc(64);
    g.ok("fd_filestat_get", &[f.into(), st.into()]);
    assert_eq!(g.u64(st + 32), 100);
    g.ok("fd_allocate", &[f.into(), 50, 150]);
    g.ok("fd_filestat_get", &[f.into(), st.into()]);
    assert_eq!(g.u64(st + 32), 200);
    assert_eq!(
        g.errno("fd_allocate", &[f.into(), i64::MAX, 2]),
        Errno::Fbig
    );
    g.ok("fd_advise", &[f.into(), 0, 10, 2]);
    assert_eq!(g.errno("fd_advise", &[f.into(), 0, 10, 6]), Errno::Inval);
    g.ok("fd_datasync", &[f.into()]);
    g.ok("fd_sync", &[f.into()]);
    g.ok("fd_sync", &[3]);
    g.ok("fd_filestat_set_times", &[f.into(), 5, 6, 1 | 4]);
    g.ok("fd_filestat_get", &[f.into(), st.into()]);
    assert_eq!((g.u64(st + 40), g.u64(st + 48)), (5, 6));
    // set_flags: append on and off; the sync flags are EINVAL (as wasmtime).
    g.ok("fd_fdstat_set_flags", &[f.into(), 1]);
    g.write(f, b"END").unwrap();
    g.ok("fd_filestat_get", &[f.into(), st.into()]);
    assert_eq!(g.u64(st + 32), 203);
    g.ok("fd_fdstat_set_flags", &[f.into(), 4]);
    let fdst = g.alloc(24);
    g.ok("fd_fdstat_get", &[f.into(), fdst.into()]);
    assert_eq!(g.u16(fdst + 2), 4, "nonblock only");
    assert_eq!(
        g.errno("fd_fdstat_set_flags", &[f.into(), 16]),
        Errno::Inval
    );
    assert_eq!(
        g.errno("fd_fdstat_set_flags", &[f.into(), 64]),
        Errno::Inval
    );
    assert_eq!(g.errno("fd_fdstat_set_flags", &[3, 1]), Errno::Badf);
    // Directories cannot be truncated or allocated.
    assert_eq!(g.errno("fd_filestat_set_size", &[3, 0]), Errno::Badf);
    assert_eq!(g.errno("fd_allocate", &[3, 0, 1]), Errno::Badf);
    // Opened with sync: every write is followed by a sync (nothing to observe on the
    // in-memory backend but that it succeeds).
    let s = g.open(3, "synced", O_CREAT, RW, 16).unwrap();
    assert_eq!(g.write(s, b"durable").unwrap(), 7);
}

#[test]
fn fd_readdir_serializes_dirents_and_resumes_from_cookies() {
    let (mut g, _) = guest();
    let (p, l) = g.str("d");
    g.ok("path_create_directory", &[3, p, l]);
    let names = ["alpha", "beta", "gamma.txt", "a-much-longer-file-name.data"];
    for n in names {
        g.open(3, &format!("d/{n}"), O_CREAT, RW, 0).unwrap();
    }
    let (p, l) = g.str("d/sub");
    g.ok("path_create_directory", &[3, p, l]);
    let d = g.open(3, "d", O_DIRECTORY, 0, 0).unwrap();
    let st = g.alloc(64);
    g.ok("fd_filestat_get", &[d.into(), st.into()]);
    let dir_ino = g.u64(st + 8);

    // Everything at once.
    let buf = g.alloc(1024);
    let used = g.alloc(4);
    g.ok("fd_readdir", &[d.into(), buf.into(), 1024, 0, used.into()]);
    let n = g.u32(used);
    assert!(n < 1024);
    let all = parse_dirents(&g.read(buf, n));
    let got: Vec<&str> = all.iter().map(|e| e.3.as_str()).collect();
    assert_eq!(&got[..2], [".", ".."]);
    let mut rest: Vec<&str> = got[2..].to_vec();
    rest.sort();
    assert_eq!(
        rest,
        [
            "a-much-longer-file-name.data",
            "alpha",
            "beta",
            "gamma.txt",
            "sub"
        ]
    );
    assert_eq!(all[0].1, dir_ino, ". is the directory itself");
    assert_eq!(all[0].2, 3);
    for e in &all[2..] {
        let want = if e.3 == "sub" { 3 } else { 4 };
        assert_eq!(e.2, want, "type of {}", e.3);
    }

    // A small buffer: filled completely, the last entry cut off; resuming from the last
    // complete entry's cookie yields the rest, each entry exactly once.
    let mut seen = Vec::new();
    let mut cookie = 0u64;
    loop {
        g.ok(
            "fd_readdir",
            &[d.into(), buf.into(), 64, cookie as i64, used.into()],
        );
        let n = g.u32(used);
        let bytes = g.read(buf, n);
        let complete = parse_dirents(&bytes);
        if n < 64 {
            seen.extend(complete.iter().map(|e| e.3.clone()));
            break;
        }
        assert_eq!(n, 64, "a full buffer is reported as full");
        assert!(!complete.is_empty(), "64 bytes hold at least one entry");
        seen.extend(complete.iter().map(|e| e.3.clone()));
        cookie = complete.last().unwrap().0;
    }
    assert_eq!(seen, got);

    // A buffer smaller than one header gets a truncated header.
    g.ok("fd_readdir", &[d.into(), buf.into(), 10, 0, used.into()]);
    assert_eq!(g.u32(used), 10);
    assert_eq!(g.u64(buf), 1, "the first 8 bytes are .'s d_next");
    // Not a directory: EBADF (as wasmtime).
    let f = g.open(3, "d/alpha", 0, RO, 0).unwrap();
    assert_eq!(
        g.errno("fd_readdir", &[f.into(), buf.into(), 100, 0, used.into()]),
        Errno::Badf
    );
    // Preopens list too.
    g.ok("fd_readdir", &[4, buf.into(), 1024, 0, used.into()]);
    let used_len = g.u32(used);
    let shared = parse_dirents(&g.read(buf, used_len));
    assert_eq!(shared.len(), 4);
}

/// (d_next, d_ino, d_type, name) of every complete entry.
fn parse_dirents(mut b: &[u8]) -> Vec<(u64, u64, u8, String)> {
    let mut out = Vec::new();
    while b.len() >= 24 {
        let next = u64::from_le_bytes(b[0..8].try_into().unwrap());
        let ino = u64::from_le_bytes(b[8..16].try_into().unwrap());
        let namlen = u32::from_le_bytes(b[16..20].try_into().unwrap()) as usize;
        let ty = b[20];
        if b.len() < 24 + namlen {
            break;
        }
        let name = String::from_utf8(b[24..24 + namlen].to_vec()).unwrap();
        out.push((next, ino, ty, name));
        b = &b[24 + namlen..];
    }
    out
}

#[test]
fn fd_renumber_moves_and_replaces() {
    let (mut g, _) = guest();
    let a = g.open(3, "a", O_CREAT, RW, 0).unwrap();
    let b = g.open(3, "b", O_CREAT, RW, 0).unwrap();
    let (st_a, st_b) = (g.alloc(24), g.alloc(24));
    g.ok("fd_fdstat_get", &[a.into(), st_a.into()]);
    g.write(a, b"from a").unwrap();
    let open_before = g.ctx().open_fds();
    g.ok("fd_renumber", &[a.into(), b.into()]);
    assert_eq!(
        g.errno("fd_close", &[a.into()]),
        Errno::Badf,
        "from is closed"
    );
    g.ok("fd_fdstat_get", &[b.into(), st_b.into()]);
    assert_eq!(g.read(st_a, 24), g.read(st_b, 24));
    let pos = g.alloc(8);
    g.ok("fd_tell", &[b.into(), pos.into()]);
    assert_eq!(g.u64(pos), 6, "b is now a's description");
    assert_eq!(g.ctx().open_fds(), open_before - 1);
    assert_eq!(g.ctx().vfs().open_count(), 3, "b's old handle was closed");
    g.ok("fd_renumber", &[b.into(), b.into()]);
    assert_eq!(g.errno("fd_renumber", &[99, b.into()]), Errno::Badf);
    // Stdout can be moved like any descriptor, onto an open one (as wasmtime).
    let d = g.open(3, "d", O_CREAT, RW, 0).unwrap();
    g.ok("fd_renumber", &[1, d.into()]);
    assert_eq!(g.write(1, b"x"), Err(Errno::Badf));
    assert_eq!(g.write(d, b"x"), Ok(1));
    // The freed numbers are reused, highest first (as wasmtime).
    let c = g.open(3, "c", O_CREAT, RW, 0).unwrap();
    assert_eq!(c, 1);
}

#[test]
fn sockets_are_not_sockets_without_the_network_permission() {
    let (mut g, _) = guest();
    let out = g.alloc(8);
    assert_eq!(g.errno("sock_accept", &[3, 0, out.into()]), Errno::Notsock);
    assert_eq!(g.errno("sock_accept", &[42, 0, out.into()]), Errno::Badf);
    assert_eq!(g.errno("sock_accept", &[3, 64, out.into()]), Errno::Inval);
    let (iovs, n) = g.iovecs(&[b"x"]);
    assert_eq!(
        g.errno("sock_recv", &[1, iovs, n, 0, out.into(), out.into()]),
        Errno::Notsock
    );
    assert_eq!(
        g.errno("sock_recv", &[1, iovs, n, 4, out.into(), out.into()]),
        Errno::Inval
    );
    assert_eq!(
        g.errno("sock_send", &[2, iovs, n, 0, out.into()]),
        Errno::Notsock
    );
    assert_eq!(
        g.errno("sock_send", &[9, iovs, n, 0, out.into()]),
        Errno::Badf
    );
    assert_eq!(g.errno("sock_shutdown", &[0, 3]), Errno::Notsock);
    assert_eq!(g.errno("sock_shutdown", &[0, 4]), Errno::Inval);
}

/// The acceptance criterion: no function answers ENOSYS. Each is called with valid
/// arguments on a fresh guest (a directory or file where it wants one).
#[test]
fn no_function_returns_nosys() {
    for (name, params, ret) in SIGNATURES {
        if !ret {
            continue; // proc_exit: checked above
        }
        let (mut g, _) = guest();
        let f = g.open(3, "file", O_CREAT, RW, 0).unwrap();
        g.write(f, b"content").unwrap();
        let (p, l) = g.str("file");
        let (q, ql) = g.str("other");
        let buf = g.alloc(256);
        let (iovs, n) = g.iovecs(&[b"abc"]);
        let subs = g.alloc(48);
        g.write_u64(subs + 24, 0); // clock, monotonic 0 ns: due at once
        g.write_u32(subs + 16, 1);
        let fd = i64::from(f);
        let b = i64::from(buf);
        let args: Vec<i64> = match name {
            "fd_advise" => vec![fd, 0, 1, 0],
            "fd_allocate" => vec![fd, 0, 1],
            "fd_close" | "fd_datasync" | "fd_sync" => vec![fd],
            "fd_fdstat_set_flags" => vec![fd, 0],
            "fd_fdstat_set_rights" => vec![fd, 0, 0],
            "fd_filestat_set_size" => vec![fd, 3],
            "fd_filestat_set_times" => vec![fd, 0, 0, 2],
            "fd_pread" | "fd_pwrite" => vec![fd, iovs, n, 0, b],
            "fd_read" | "fd_write" => vec![fd, iovs, n, b],
            "fd_prestat_get" => vec![3, b],
            "fd_prestat_dir_name" => vec![3, b, 16],
            "fd_readdir" => vec![3, b, 256, 0, b + 252],
            "fd_renumber" => vec![fd, 3],
            "fd_seek" => vec![fd, 0, 0, b],
            "fd_tell" | "fd_fdstat_get" | "fd_filestat_get" => vec![fd, b],
            "path_create_directory" | "path_remove_directory" => vec![3, q, ql],
            "path_unlink_file" => vec![3, p, l],
            "path_filestat_get" => vec![3, 0, p, l, b],
            "path_filestat_set_times" => vec![3, 0, p, l, 0, 0, 2],
            "path_link" => vec![3, 0, p, l, 3, q, ql],
            "path_open" => vec![3, 0, p, l, 0, RO as i64, 0, 0, b],
            "path_readlink" => vec![3, p, l, b, 16, b + 200],
            "path_rename" => vec![3, p, l, 3, q, ql],
            "path_symlink" => vec![p, l, 3, q, ql],
            "poll_oneoff" => vec![i64::from(subs), b, 1, b + 200],
            "proc_raise" => vec![0],
            "random_get" => vec![b, 16],
            "clock_res_get" => vec![1, b],
            "clock_time_get" => vec![1, 0, b],
            "sock_accept" => vec![3, 0, b],
            "sock_recv" => vec![3, iovs, n, 0, b, b + 4],
            "sock_send" => vec![3, iovs, n, 0, b],
            "sock_shutdown" => vec![3, 3],
            "sched_yield" => vec![],
            _ => vec![b, b + 128], // args/environ get and sizes_get
        };
        assert_eq!(args.len(), params.len(), "{name}");
        let e = g.errno(name, &args);
        assert_ne!(e, Errno::Nosys, "{name}");
        let want = match name {
            "path_remove_directory" => Errno::Noent, // "other" does not exist
            "path_readlink" => Errno::Inval,         // "file" is not a symlink
            n if n.starts_with("sock_") => Errno::Notsock,
            _ => Errno::Success,
        };
        assert_eq!(e, want, "{name}");
    }
}
