//! Regression tests for differences from wasmtime found by the differential test
//! (`crates/kpio-cli/tests/wasi_diff.rs`), each fixed to answer as wasmtime 50 does.

mod common;

use common::*;
use kpio_wasi::Errno;

fn guest() -> Guest {
    let mut s = setup(b"");
    s.builder.vfs(two_mounts());
    Guest::new(s.builder.build().unwrap())
}

#[test]
fn fd_renumber_to_a_descriptor_that_is_not_open_is_badf() {
    let mut g = guest();
    let a = g.open(3, "a", O_CREAT, RW, 0).unwrap();
    assert_eq!(g.errno("fd_renumber", &[a.into(), 50]), Errno::Badf);
    // Nothing moved: `a` is still open and 50 still is not.
    assert_eq!(g.write(a, b"x"), Ok(1));
    assert_eq!(g.errno("fd_close", &[50]), Errno::Badf);
    assert_eq!(g.errno("fd_renumber", &[1, 100]), Errno::Badf);
    assert_eq!(g.write(1, b"x"), Ok(1));
    // Onto an open descriptor it still works.
    let b = g.open(3, "b", O_CREAT, RW, 0).unwrap();
    g.ok("fd_renumber", &[a.into(), b.into()]);
    assert_eq!(g.errno("fd_close", &[a.into()]), Errno::Badf);
}

#[test]
fn path_link_to_a_new_name_with_a_trailing_slash_is_noent() {
    let mut g = guest();
    g.open(3, "file", O_CREAT, RW, 0).unwrap();
    let (old, ol) = g.str("file");
    let (new, nl) = g.str("link/");
    assert_eq!(
        g.errno("path_link", &[3, 0, old, ol, 3, new, nl]),
        Errno::Noent
    );
    // A trailing slash on the source that is a file stays `notdir`.
    let (old2, ol2) = g.str("file/");
    let (new2, nl2) = g.str("link2");
    assert_eq!(
        g.errno("path_link", &[3, 0, old2, ol2, 3, new2, nl2]),
        Errno::Notdir
    );
}

#[test]
fn path_link_following_symlinks_is_inval() {
    let mut g = guest();
    g.open(3, "file", O_CREAT, RW, 0).unwrap();
    let (old, ol) = g.str("file");
    let (new, nl) = g.str("hard");
    assert_eq!(
        g.errno("path_link", &[3, 1, old, ol, 3, new, nl]),
        Errno::Inval
    );
    g.ok("path_link", &[3, 0, old, ol, 3, new, nl]);
}

// `path_readlink` of an absolute target is `perm` (as wasmtime): the VFS cannot create such
// a link, so the differential test covers it with a host symlink (`link_abs` in its tree).

#[test]
fn fd_filestat_set_size_needs_a_writable_file_and_a_size_up_to_i64_max() {
    let mut g = guest();
    g.open(3, "f", O_CREAT, RW, 0).unwrap();
    let ro = g.open(3, "f", 0, RO | (1 << 22), 0).unwrap();
    assert_eq!(
        g.errno("fd_filestat_set_size", &[ro.into(), 0]),
        Errno::Inval
    );
    let rw = g.open(3, "f", 0, RW | (1 << 22), 0).unwrap();
    assert_eq!(
        g.errno("fd_filestat_set_size", &[rw.into(), -1]),
        Errno::Inval
    );
    g.ok("fd_filestat_set_size", &[rw.into(), 10]);
}

#[test]
fn path_remove_directory_of_dot_is_inval() {
    let mut g = guest();
    let (d, dl) = g.str("d");
    g.ok("path_create_directory", &[3, d, dl]);
    for path in [".", "./", "d/.", "d/./"] {
        let (p, l) = g.str(path);
        assert_eq!(
            g.errno("path_remove_directory", &[3, p, l]),
            Errno::Inval,
            "{path}"
        );
    }
    g.ok("path_remove_directory", &[3, d, dl]);
}

#[test]
fn path_rename_of_a_symlink_with_a_trailing_slash_is_notdir_and_renames_nothing() {
    let mut g = guest();
    let (d, dl) = g.str("dir");
    g.ok("path_create_directory", &[3, d, dl]);
    let (l, ll) = g.str("link");
    g.ok("path_symlink", &[d, dl, 3, l, ll]);
    let (src, sl) = g.str("link/");
    let (dst, tl) = g.str("moved");
    assert_eq!(
        g.errno("path_rename", &[3, src, sl, 3, dst, tl]),
        Errno::Notdir
    );
    // Neither the link nor the directory moved.
    let st = g.alloc(64);
    g.ok("path_filestat_get", &[3, 0, d, dl, st.into()]);
    g.ok("path_filestat_get", &[3, 0, l, ll, st.into()]);
    g.ok("path_rename", &[3, l, ll, 3, dst, tl]);
}
