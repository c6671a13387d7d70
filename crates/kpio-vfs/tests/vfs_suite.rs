//! End-to-end tests of the VFS, written once and run against every backend: the in-memory
//! backend always, the host-directory backend with `--features host`.
//!
//! Each test in `suite` takes a fresh [`Fixture`] (a backend plus, for the host backend, a
//! temporary directory removed afterwards). Backend-specific tests (memory limits, host
//! persistence and out-of-band symlinks) follow at the end.

use std::sync::Arc;

use kpio_vfs::{
    Backend, FileType, Handle, ManualClock, MemoryFs, MemoryLimits, MountId, OpenOptions,
    SandboxBuilder, SeekFrom, SetTime, Vfs, VfsError,
};

/// A realistic "now" for the in-memory clock, so its timestamps compare like the OS's.
const NOW: u64 = 1_700_000_000_000_000_000;

pub struct Fixture {
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<ManualClock>,
    /// The host directory (host backend only), removed on drop.
    pub dir: Option<TempDir>,
}

pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "kpio-vfs-test-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn memory(_tag: &str) -> Fixture {
    let clock = Arc::new(ManualClock::new(NOW));
    Fixture {
        backend: Arc::new(MemoryFs::new(MemoryLimits::default(), clock.clone())),
        clock,
        dir: None,
    }
}

#[cfg(feature = "host")]
pub fn host(tag: &str) -> Fixture {
    let dir = TempDir::new(tag);
    let backend = kpio_vfs::HostFs::open(&dir.0, kpio_vfs::HostOptions::default()).unwrap();
    Fixture {
        backend: Arc::new(backend),
        clock: Arc::new(ManualClock::new(NOW)),
        dir: Some(dir),
    }
}

/// A VFS over the whole backend and a handle on its root.
pub fn whole(fx: &Fixture) -> (Vfs, Handle) {
    let mut vfs = Vfs::with_root(fx.backend.clone()).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    (vfs, root)
}

pub fn rw() -> OpenOptions {
    OpenOptions::read_write_create()
}

pub fn write_file(vfs: &mut Vfs, dir: Handle, path: &str, data: &[u8]) {
    let f = vfs.open(dir, path, &rw().with_truncate(true)).unwrap();
    assert_eq!(vfs.write(f, data).unwrap(), data.len());
    vfs.close(f).unwrap();
}

pub fn read_file(vfs: &mut Vfs, dir: Handle, path: &str) -> Result<Vec<u8>, VfsError> {
    let f = vfs.open(dir, path, &OpenOptions::read())?;
    let mut out = Vec::new();
    let mut buf = [0u8; 7]; // small on purpose: exercises the cursor
    loop {
        let n = vfs.read(f, &mut buf)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    vfs.close(f)?;
    Ok(out)
}

pub fn names(vfs: &mut Vfs, dir: Handle) -> Vec<String> {
    let mut v: Vec<String> = vfs
        .read_dir(dir, 0)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n != "." && n != "..")
        .collect();
    v.sort();
    v
}

fn is_escape<T: std::fmt::Debug>(r: Result<T, VfsError>) -> bool {
    matches!(r, Err(VfsError::Escape { .. }))
}

pub mod suite {
    use super::*;

    pub fn round_trip(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.create_dir(root, "docs").unwrap();
        write_file(&mut vfs, root, "docs/a.txt", b"hello, world");
        assert_eq!(
            read_file(&mut vfs, root, "docs/a.txt").unwrap(),
            b"hello, world"
        );
        let m = vfs.stat_path(root, "docs/a.txt", true).unwrap();
        assert_eq!(
            (m.file_type, m.size, m.nlink),
            (FileType::RegularFile, 12, 1)
        );

        let f = vfs.open(root, "./docs//a.txt", &rw()).unwrap();
        assert_eq!(vfs.seek(f, SeekFrom::End(-5)).unwrap(), 7);
        let mut buf = [0; 5];
        assert_eq!(vfs.read(f, &mut buf).unwrap(), 5);
        assert_eq!(&buf, b"world");
        assert_eq!(vfs.tell(f).unwrap(), 12);
        assert_eq!(vfs.seek(f, SeekFrom::Current(-12)).unwrap(), 0);
        assert!(matches!(
            vfs.seek(f, SeekFrom::Current(-1)),
            Err(VfsError::Invalid { .. })
        ));
        // pwrite/pread leave the cursor alone.
        assert_eq!(vfs.write_at(f, 7, b"WORLD").unwrap(), 5);
        assert_eq!(vfs.read_at(f, 5, &mut buf).unwrap(), 5);
        assert_eq!(&buf, b", WOR");
        assert_eq!(vfs.tell(f).unwrap(), 0);
        // Writing past the end leaves a zero-filled gap.
        vfs.seek(f, SeekFrom::Start(14)).unwrap();
        vfs.write(f, b"!").unwrap();
        assert_eq!(vfs.stat(f).unwrap().size, 15);
        assert_eq!(vfs.read_at(f, 12, &mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"\0\0!");
        vfs.sync(f).unwrap();
        vfs.datasync(f).unwrap();
        vfs.close(f).unwrap();

        // Append mode writes at the end whatever the cursor says.
        let f = vfs
            .open(
                root,
                "docs/a.txt",
                &OpenOptions::read().with_write(true).with_append(true),
            )
            .unwrap();
        assert!(vfs.handle_info(f).unwrap().append);
        vfs.write(f, b"+").unwrap();
        assert_eq!(vfs.stat(f).unwrap().size, 16);
        vfs.set_append(f, false).unwrap();
        vfs.seek(f, SeekFrom::Start(0)).unwrap();
        vfs.write(f, b"H").unwrap();
        vfs.close(f).unwrap();
        let data = read_file(&mut vfs, root, "docs/a.txt").unwrap();
        assert_eq!(&data[..5], b"Hello");
        assert_eq!(data.last(), Some(&b'+'));
        assert_eq!(vfs.open_count(), 1, "only the root handle is left");
    }

    pub fn access_modes_are_enforced(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        write_file(&mut vfs, root, "f", b"x");
        let ro = vfs.open(root, "f", &OpenOptions::read()).unwrap();
        assert_eq!(vfs.write(ro, b"y"), Err(VfsError::BadAccessMode));
        assert_eq!(vfs.set_len(ro, 0), Err(VfsError::BadAccessMode));
        assert_eq!(vfs.allocate(ro, 0, 10), Err(VfsError::BadAccessMode));
        let wo = vfs
            .open(
                root,
                "f",
                &OpenOptions::read().with_read(false).with_write(true),
            )
            .unwrap();
        assert_eq!(vfs.read(wo, &mut [0; 1]), Err(VfsError::BadAccessMode));
        assert!(matches!(
            vfs.read(root, &mut [0; 1]),
            Err(VfsError::IsDir { .. })
        ));
        assert!(matches!(vfs.read_dir(ro, 0), Err(VfsError::NotDir { .. })));
        assert!(matches!(
            vfs.open(ro, "x", &OpenOptions::read()),
            Err(VfsError::NotDir { .. })
        ));
        assert_eq!(
            vfs.read(Handle::from_raw(999), &mut [0; 1]),
            Err(VfsError::BadHandle)
        );
    }

    pub fn open_flags(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.create_dir(root, "d").unwrap();
        write_file(&mut vfs, root, "f", b"abc");
        let excl = rw().with_exclusive(true);
        assert_eq!(
            vfs.open(root, "f", &excl),
            Err(VfsError::Exists { path: "f".into() })
        );
        assert!(matches!(
            vfs.open(root, "d", &excl),
            Err(VfsError::Exists { .. })
        ));
        let h = vfs.open(root, "new", &excl).unwrap();
        vfs.close(h).unwrap();
        assert_eq!(
            vfs.open(root, "missing", &OpenOptions::read()),
            Err(VfsError::NotFound {
                path: "missing".into()
            })
        );
        assert!(matches!(
            vfs.open(root, "f", &OpenOptions::dir()),
            Err(VfsError::NotDir { .. })
        ));
        assert!(matches!(
            vfs.open(root, "f/", &OpenOptions::read()),
            Err(VfsError::NotDir { .. })
        ));
        assert!(matches!(
            vfs.open(root, "d", &rw()),
            Err(VfsError::IsDir { .. })
        ));
        assert!(matches!(
            vfs.open(root, "x/", &rw()),
            Err(VfsError::IsDir { .. })
        ));
        assert!(matches!(
            vfs.open(root, "f", &OpenOptions::read().with_truncate(true)),
            Err(VfsError::Invalid { .. })
        ));
        // A directory opens as a directory handle, with or without O_DIRECTORY.
        for opts in [OpenOptions::dir(), OpenOptions::read()] {
            let d = vfs.open(root, "d", &opts).unwrap();
            assert_eq!(vfs.handle_info(d).unwrap().file_type, FileType::Directory);
            vfs.close(d).unwrap();
        }
        let dot = vfs.open(root, ".", &OpenOptions::dir()).unwrap();
        assert_eq!(vfs.stat(dot).unwrap().ino, vfs.stat(root).unwrap().ino);
        let up = vfs.open(root, "d/..", &OpenOptions::dir()).unwrap();
        assert_eq!(vfs.stat(up).unwrap().ino, vfs.stat(root).unwrap().ino);
        // Truncate empties an existing file.
        let t = vfs.open(root, "f", &rw().with_truncate(true)).unwrap();
        assert_eq!(vfs.stat(t).unwrap().size, 0);
        assert!(matches!(
            vfs.open(root, "", &OpenOptions::read()),
            Err(VfsError::InvalidPath { .. })
        ));
    }

    pub fn readdir_lists_entries_with_types(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.create_dir(root, "dir").unwrap();
        write_file(&mut vfs, root, "file", b"");
        vfs.symlink("file", root, "link").unwrap();
        let all = vfs.read_dir(root, 0).unwrap();
        assert_eq!(all[0].name, ".");
        assert_eq!(all[1].name, "..");
        let kinds: Vec<(String, FileType)> = all[2..]
            .iter()
            .map(|e| (e.name.clone(), e.file_type))
            .collect();
        let mut sorted = kinds.clone();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            sorted,
            vec![
                ("dir".into(), FileType::Directory),
                ("file".into(), FileType::RegularFile),
                ("link".into(), FileType::Symlink),
            ]
        );
        // Cookies increase along the listing, and resuming after the last gives nothing.
        assert!(all.windows(2).all(|w| w[0].next_cookie < w[1].next_cookie));
        assert!(
            vfs.read_dir(root, all.last().unwrap().next_cookie)
                .unwrap()
                .is_empty()
        );
        let ino = vfs.stat_path(root, "file", false).unwrap().ino;
        assert_eq!(all.iter().find(|e| e.name == "file").unwrap().ino, ino);
    }

    pub fn readdir_cookies_survive_changes(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.create_dir(root, "d").unwrap();
        let d = vfs.open(root, "d", &OpenOptions::dir()).unwrap();
        let originals: Vec<String> = (0..30).map(|i| format!("f{i:02}")).collect();
        for n in &originals {
            write_file(&mut vfs, d, n, b"");
        }
        let full = vfs.read_dir(d, 0).unwrap();
        // Resuming in small steps gives the same listing as one call.
        let mut stepped = Vec::new();
        let mut cookie = 0;
        loop {
            let chunk = vfs.read_dir(d, cookie).unwrap();
            let Some(first) = chunk.first() else { break };
            cookie = first.next_cookie;
            stepped.push(first.clone());
        }
        assert_eq!(stepped, full);

        // Read the first part, then change the directory, then resume.
        let first_part = &full[..12];
        let cookie = first_part.last().unwrap().next_cookie;
        let seen: Vec<String> = first_part[2..].iter().map(|e| e.name.clone()).collect();
        let unseen: Vec<String> = full[12..].iter().map(|e| e.name.clone()).collect();
        for n in seen.iter().take(3).chain(unseen.iter().take(3)) {
            vfs.unlink(d, n).unwrap();
        }
        for i in 0..5 {
            write_file(&mut vfs, d, &format!("new{i}"), b"");
        }
        let rest: Vec<String> = vfs
            .read_dir(d, cookie)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert!(!rest.iter().any(|n| n == "." || n == ".."));
        let mut listed: Vec<&String> = seen.iter().chain(rest.iter()).collect();
        for n in &originals {
            let removed_before_listing = unseen[..3].contains(n);
            let count = listed.iter().filter(|l| **l == n).count();
            if removed_before_listing {
                assert_eq!(count, 0, "{n} was removed before it was listed");
            } else {
                assert_eq!(
                    count, 1,
                    "{n} existed throughout and must be listed exactly once"
                );
            }
        }
        listed.sort();
        let before = listed.len();
        listed.dedup();
        assert_eq!(before, listed.len(), "no entry listed twice");
    }

    pub fn rename_semantics(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        write_file(&mut vfs, root, "a", b"AAA");
        write_file(&mut vfs, root, "b", b"B");
        let hb = vfs.open(root, "b", &OpenOptions::read()).unwrap();
        vfs.rename(root, "a", root, "b").unwrap();
        assert_eq!(read_file(&mut vfs, root, "b").unwrap(), b"AAA");
        assert!(matches!(
            read_file(&mut vfs, root, "a"),
            Err(VfsError::NotFound { .. })
        ));
        // The replaced file is still readable through its open handle.
        let mut buf = [0; 4];
        assert_eq!(vfs.read_at(hb, 0, &mut buf).unwrap(), 1);
        assert_eq!(&buf[..1], b"B");

        // A handle follows its file across a rename.
        let h = vfs.open(root, "b", &rw()).unwrap();
        vfs.create_dir(root, "sub").unwrap();
        vfs.rename(root, "b", root, "sub/c").unwrap();
        vfs.write_at(h, 0, b"Z").unwrap();
        assert_eq!(read_file(&mut vfs, root, "sub/c").unwrap(), b"ZAA");

        vfs.create_dir(root, "empty").unwrap();
        vfs.create_dir(root, "full").unwrap();
        write_file(&mut vfs, root, "full/x", b"");
        write_file(&mut vfs, root, "file", b"");
        assert!(matches!(
            vfs.rename(root, "sub", root, "full"),
            Err(VfsError::NotEmpty { path }) if path == "full"
        ));
        assert!(matches!(
            vfs.rename(root, "file", root, "empty"),
            Err(VfsError::IsDir { .. })
        ));
        assert!(matches!(
            vfs.rename(root, "sub", root, "file"),
            Err(VfsError::NotDir { .. })
        ));
        assert!(matches!(
            vfs.rename(root, "sub", root, "sub/inner"),
            Err(VfsError::Invalid { .. })
        ));
        assert!(matches!(
            vfs.rename(root, "nope", root, "x"),
            Err(VfsError::NotFound { path }) if path == "nope"
        ));
        vfs.rename(root, "sub", root, "empty").unwrap();
        assert_eq!(names(&mut vfs, root), ["empty", "file", "full"]);
        assert_eq!(read_file(&mut vfs, root, "empty/c").unwrap(), b"ZAA");
        assert!(matches!(
            vfs.rename(root, ".", root, "x"),
            Err(VfsError::Busy { .. })
        ));
        // Renaming a name onto another name of the same file does nothing.
        vfs.hard_link(root, "file", false, root, "file2").unwrap();
        vfs.rename(root, "file", root, "file2").unwrap();
        assert_eq!(names(&mut vfs, root), ["empty", "file", "file2", "full"]);
    }

    pub fn open_directory_handle_survives_rename(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.create_dir(root, "old").unwrap();
        let d = vfs.open(root, "old", &OpenOptions::dir()).unwrap();
        vfs.rename(root, "old", root, "new").unwrap();
        write_file(&mut vfs, d, "inside", b"1");
        assert_eq!(read_file(&mut vfs, root, "new/inside").unwrap(), b"1");
    }

    pub fn unlink_open_file_keeps_data(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        write_file(&mut vfs, root, "f", b"still here");
        let h = vfs.open(root, "f", &rw()).unwrap();
        vfs.unlink(root, "f").unwrap();
        assert!(matches!(
            vfs.stat_path(root, "f", false),
            Err(VfsError::NotFound { .. })
        ));
        assert_eq!(names(&mut vfs, root), Vec::<String>::new());
        let mut buf = [0; 10];
        assert_eq!(vfs.read(h, &mut buf).unwrap(), 10);
        assert_eq!(&buf, b"still here");
        vfs.write_at(h, 0, b"S").unwrap();
        assert_eq!(vfs.stat(h).unwrap().nlink, 0);
        vfs.close(h).unwrap();
        // The name is free for a new file.
        write_file(&mut vfs, root, "f", b"new");
        assert_eq!(read_file(&mut vfs, root, "f").unwrap(), b"new");
    }

    pub fn remove_semantics(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.create_dir(root, "d").unwrap();
        write_file(&mut vfs, root, "d/f", b"");
        assert!(matches!(
            vfs.create_dir(root, "d"),
            Err(VfsError::Exists { .. })
        ));
        assert!(matches!(
            vfs.remove_dir(root, "d"),
            Err(VfsError::NotEmpty { .. })
        ));
        assert!(matches!(
            vfs.remove_dir(root, "d/f"),
            Err(VfsError::NotDir { .. })
        ));
        assert!(matches!(vfs.unlink(root, "d"), Err(VfsError::IsDir { .. })));
        assert!(matches!(
            vfs.unlink(root, "d/f/"),
            Err(VfsError::NotDir { .. })
        ));
        assert!(matches!(
            vfs.unlink(root, "missing"),
            Err(VfsError::NotFound { .. })
        ));
        assert!(matches!(
            vfs.remove_dir(root, "."),
            Err(VfsError::Busy { .. })
        ));
        vfs.unlink(root, "d/f").unwrap();
        vfs.remove_dir(root, "d/").unwrap();
        assert_eq!(names(&mut vfs, root), Vec::<String>::new());
    }

    pub fn truncate_and_allocate(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        let f = vfs.open(root, "f", &rw()).unwrap();
        vfs.write(f, b"0123456789").unwrap();
        vfs.set_len(f, 4).unwrap();
        assert_eq!(vfs.stat(f).unwrap().size, 4);
        vfs.set_len(f, 8).unwrap();
        let mut buf = [0xff; 8];
        assert_eq!(vfs.read_at(f, 0, &mut buf).unwrap(), 8);
        assert_eq!(&buf, b"0123\0\0\0\0");
        vfs.allocate(f, 6, 10).unwrap();
        assert_eq!(vfs.stat(f).unwrap().size, 16);
        vfs.allocate(f, 0, 4).unwrap(); // never shrinks
        assert_eq!(vfs.stat(f).unwrap().size, 16);
        vfs.allocate(f, 100, 0).unwrap(); // zero length does nothing
        assert_eq!(vfs.stat(f).unwrap().size, 16);
        assert_eq!(vfs.read_at(f, 16, &mut buf).unwrap(), 0, "EOF");
        assert!(matches!(vfs.set_len(root, 0), Err(VfsError::IsDir { .. })));
    }

    pub fn timestamps(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        let f = vfs.open(root, "f", &rw()).unwrap();
        let (a, m) = (1_000_000_000_123, 2_000_000_000_456);
        vfs.set_times(f, SetTime::At(a), SetTime::At(m)).unwrap();
        let st = vfs.stat(f).unwrap();
        assert_eq!((st.atime_ns, st.mtime_ns), (a, m));
        vfs.set_times(f, SetTime::Omit, SetTime::Omit).unwrap();
        let st = vfs.stat(f).unwrap();
        assert_eq!((st.atime_ns, st.mtime_ns), (a, m));
        fx.clock.advance(1_000);
        vfs.write(f, b"x").unwrap();
        let st = vfs.stat(f).unwrap();
        assert!(st.mtime_ns > m, "a write moves mtime forward");
        assert_eq!(st.atime_ns, a);
        vfs.set_times(f, SetTime::Now, SetTime::Omit).unwrap();
        assert!(vfs.stat(f).unwrap().atime_ns > a);

        // Path-based, with and without following a symlink.
        vfs.symlink("f", root, "l").unwrap();
        vfs.set_times_path(
            root,
            "l",
            true,
            SetTime::At(7_000_000_000),
            SetTime::At(8_000_000_000),
        )
        .unwrap();
        let st = vfs.stat_path(root, "f", false).unwrap();
        assert_eq!((st.atime_ns, st.mtime_ns), (7_000_000_000, 8_000_000_000));
        vfs.set_times_path(root, "l", false, SetTime::Omit, SetTime::At(9_000_000_000))
            .unwrap();
        assert_eq!(
            vfs.stat_path(root, "l", false).unwrap().mtime_ns,
            9_000_000_000
        );
        assert_eq!(
            vfs.stat_path(root, "f", false).unwrap().mtime_ns,
            8_000_000_000
        );
        // Directories change mtime when entries are added.
        vfs.create_dir(root, "d").unwrap();
        vfs.set_times_path(root, "d", false, SetTime::Omit, SetTime::At(5))
            .unwrap();
        fx.clock.advance(1_000);
        write_file(&mut vfs, root, "d/x", b"");
        assert!(vfs.stat_path(root, "d", false).unwrap().mtime_ns > 5);
    }

    pub fn hard_links(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        write_file(&mut vfs, root, "a", b"shared");
        vfs.create_dir(root, "d").unwrap();
        vfs.hard_link(root, "a", false, root, "d/b").unwrap();
        assert_eq!(vfs.stat_path(root, "a", false).unwrap().nlink, 2);
        assert_eq!(
            vfs.stat_path(root, "a", false).unwrap().ino,
            vfs.stat_path(root, "d/b", false).unwrap().ino
        );
        write_file(&mut vfs, root, "d/b", b"changed");
        assert_eq!(read_file(&mut vfs, root, "a").unwrap(), b"changed");
        assert!(matches!(
            vfs.hard_link(root, "a", false, root, "d/b"),
            Err(VfsError::Exists { path }) if path == "d/b"
        ));
        assert!(matches!(
            vfs.hard_link(root, "d", false, root, "d2"),
            Err(VfsError::PermissionDenied { .. })
        ));
        // Linking a symlink without follow links the symlink itself.
        vfs.symlink("a", root, "s").unwrap();
        vfs.hard_link(root, "s", false, root, "s2").unwrap();
        assert_eq!(
            vfs.stat_path(root, "s2", false).unwrap().file_type,
            FileType::Symlink
        );
        vfs.hard_link(root, "s", true, root, "a3").unwrap();
        assert_eq!(vfs.stat_path(root, "a", false).unwrap().nlink, 3);
        vfs.unlink(root, "a").unwrap();
        assert_eq!(read_file(&mut vfs, root, "d/b").unwrap(), b"changed");
    }

    pub fn symlinks(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.create_dir(root, "d").unwrap();
        write_file(&mut vfs, root, "d/target", b"T");
        vfs.symlink("d/target", root, "rel").unwrap();
        vfs.symlink("../d/target", root, "d/up").unwrap();
        vfs.symlink("d", root, "dirlink").unwrap();
        assert_eq!(read_file(&mut vfs, root, "rel").unwrap(), b"T");
        assert_eq!(read_file(&mut vfs, root, "d/up").unwrap(), b"T");
        assert_eq!(read_file(&mut vfs, root, "dirlink/target").unwrap(), b"T");
        assert_eq!(vfs.read_link(root, "rel").unwrap(), "d/target");
        assert!(matches!(
            vfs.read_link(root, "d/target"),
            Err(VfsError::Invalid { .. })
        ));
        let l = vfs.stat_path(root, "rel", false).unwrap();
        assert_eq!((l.file_type, l.size), (FileType::Symlink, 8));
        assert_eq!(
            vfs.stat_path(root, "rel", true).unwrap().file_type,
            FileType::RegularFile
        );
        // `..` after a symlink to a directory is the parent of the target, not of the link.
        vfs.create_dir(root, "d/inner").unwrap();
        vfs.symlink("d/inner", root, "in").unwrap();
        assert_eq!(read_file(&mut vfs, root, "in/../target").unwrap(), b"T");
        // A final symlink is not followed without `follow`.
        assert!(matches!(
            vfs.open(root, "rel", &OpenOptions::read().with_follow(false)),
            Err(VfsError::Loop { .. })
        ));
        assert!(matches!(
            vfs.open(root, "rel", &rw().with_exclusive(true)),
            Err(VfsError::Exists { .. })
        ));
        // ...but a trailing slash forces it.
        let h = vfs
            .open(root, "dirlink/", &OpenOptions::dir().with_follow(false))
            .unwrap();
        vfs.close(h).unwrap();
        // Creating through a dangling symlink creates its target (inside the root).
        vfs.symlink("d/created", root, "dangling").unwrap();
        assert!(matches!(
            vfs.open(root, "dangling", &OpenOptions::read()),
            Err(VfsError::NotFound { .. })
        ));
        write_file(&mut vfs, root, "dangling", b"C");
        assert_eq!(read_file(&mut vfs, root, "d/created").unwrap(), b"C");
        // Unlinking a symlink removes the link, not the target.
        vfs.unlink(root, "rel").unwrap();
        assert_eq!(read_file(&mut vfs, root, "d/target").unwrap(), b"T");
        assert!(matches!(
            vfs.symlink("x", root, "dirlink"),
            Err(VfsError::Exists { .. })
        ));
        assert!(matches!(
            vfs.symlink("", root, "e"),
            Err(VfsError::InvalidPath { .. })
        ));
    }

    pub fn symlink_loops(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.symlink("self", root, "self").unwrap();
        vfs.symlink("b", root, "a").unwrap();
        vfs.symlink("a", root, "b").unwrap();
        vfs.symlink("a/x", root, "through").unwrap();
        for p in ["self", "a", "b", "through", "a/file"] {
            assert!(
                matches!(vfs.open(root, p, &OpenOptions::read()), Err(VfsError::Loop { path }) if path == p),
                "{p}"
            );
            assert!(matches!(
                vfs.stat_path(root, p, true),
                Err(VfsError::Loop { .. })
            ));
        }
        assert!(matches!(
            vfs.open(root, "a", &rw()),
            Err(VfsError::Loop { .. })
        ));
        // A long but finite chain resolves.
        write_file(&mut vfs, root, "end", b"E");
        let mut prev = "end".to_string();
        for i in 0..30 {
            let name = format!("c{i}");
            vfs.symlink(&prev, root, &name).unwrap();
            prev = name;
        }
        assert_eq!(read_file(&mut vfs, root, &prev).unwrap(), b"E");
        // One longer than the hop limit does not.
        for i in 30..(kpio_vfs::MAX_SYMLINK_HOPS as usize + 1) {
            let name = format!("c{i}");
            vfs.symlink(&prev, root, &name).unwrap();
            prev = name;
        }
        assert!(matches!(
            read_file(&mut vfs, root, &prev),
            Err(VfsError::Loop { .. })
        ));
    }

    pub fn escapes_are_refused(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        vfs.create_dir(root, "app").unwrap();
        vfs.create_dir(root, "other").unwrap();
        write_file(&mut vfs, root, "other/secret", b"S");
        write_file(&mut vfs, root, "app/mine", b"M");
        // `app` is the capability handed out; everything below tries to leave it.
        let app = vfs.open(root, "app", &OpenOptions::dir()).unwrap();
        for p in [
            "..",
            "../other/secret",
            "a/../../x",
            "mine/../../other",
            "./../other",
            "x/../..",
        ] {
            assert!(is_escape(vfs.open(app, p, &OpenOptions::read())), "{p}");
            assert!(is_escape(vfs.stat_path(app, p, true)), "{p}");
        }
        for p in ["/", "/etc/passwd", "/other/secret"] {
            assert_eq!(
                vfs.open(app, p, &OpenOptions::read()),
                Err(VfsError::Escape { path: p.into() })
            );
        }
        // `..` that stays inside is fine.
        assert_eq!(
            read_file(&mut vfs, app, "sub/../mine").unwrap_err(),
            VfsError::NotFound {
                path: "sub/../mine".into()
            }
        );
        vfs.create_dir(app, "sub").unwrap();
        assert_eq!(read_file(&mut vfs, app, "sub/../mine").unwrap(), b"M");

        // Symlinks: absolute targets cannot even be created...
        assert_eq!(
            vfs.symlink("/etc/passwd", app, "abs"),
            Err(VfsError::Escape {
                path: "/etc/passwd".into()
            })
        );
        // ...relative ones that climb out can, but are refused when followed.
        vfs.symlink("../other/secret", app, "out").unwrap();
        vfs.symlink("../../other", app, "sub/out2").unwrap();
        vfs.symlink("..", app, "dotdot").unwrap();
        vfs.symlink("sub/../..", app, "sneaky").unwrap();
        for p in [
            "out",
            "sub/out2/secret",
            "dotdot/other/secret",
            "sneaky/other",
            "dotdot",
        ] {
            assert!(is_escape(vfs.open(app, p, &OpenOptions::read())), "{p}");
            assert!(is_escape(vfs.stat_path(app, p, true)), "{p}");
        }
        assert!(is_escape(vfs.open(app, "out", &rw())));
        assert!(is_escape(vfs.create_dir(app, "dotdot/newdir")));
        assert!(is_escape(vfs.unlink(app, "dotdot/other/secret")));
        assert!(is_escape(vfs.rename(app, "mine", app, "../stolen")));
        assert!(is_escape(vfs.rename(
            app,
            "dotdot/other/secret",
            app,
            "got"
        )));
        assert!(is_escape(vfs.hard_link(app, "out", true, app, "hl")));
        assert!(is_escape(vfs.hard_link(
            app,
            "../other/secret",
            false,
            app,
            "hl"
        )));
        assert!(is_escape(vfs.symlink("x", app, "../planted")));
        assert!(is_escape(vfs.remove_dir(app, "../other")));
        assert!(is_escape(vfs.set_times_path(
            app,
            "out",
            true,
            SetTime::Now,
            SetTime::Now
        )));
        // Reading the link's text is harmless, and the link itself can be stat'ed.
        assert_eq!(vfs.read_link(app, "out").unwrap(), "../other/secret");
        assert_eq!(
            vfs.stat_path(app, "out", false).unwrap().file_type,
            FileType::Symlink
        );
        // Nothing outside changed.
        assert_eq!(read_file(&mut vfs, root, "other/secret").unwrap(), b"S");
        assert_eq!(names(&mut vfs, root), ["app", "other"]);
        // The same links are fine from a handle whose subtree contains their targets.
        assert_eq!(read_file(&mut vfs, root, "app/out").unwrap(), b"S");
    }

    pub fn deep_paths_are_bounded(fx: Fixture) {
        let (mut vfs, root) = whole(&fx);
        // Build depth MAX_DEPTH + 1 one level at a time through handles.
        let mut cur = vfs.open(root, ".", &OpenOptions::dir()).unwrap();
        for _ in 0..=kpio_vfs::MAX_DEPTH {
            vfs.create_dir(cur, "a").unwrap();
            let next = vfs.open(cur, "a", &OpenOptions::dir()).unwrap();
            vfs.close(cur).unwrap();
            cur = next;
        }
        let ok = "a/".repeat(kpio_vfs::MAX_DEPTH + 1);
        assert!(vfs.stat_path(root, &ok, true).is_ok());
        let too_deep = format!("{ok}x");
        assert!(matches!(
            vfs.stat_path(root, &too_deep, true),
            Err(VfsError::NameTooLong { .. })
        ));
        let long_name = "n".repeat(kpio_vfs::MAX_NAME_LEN + 1);
        assert!(matches!(
            vfs.create_dir(root, &long_name),
            Err(VfsError::NameTooLong { .. })
        ));
    }

    pub fn sandboxes_do_not_confuse_prefixes(fx: Fixture) {
        let mut one = SandboxBuilder::new("1")
            .unwrap()
            .build(fx.backend.clone())
            .unwrap();
        let mut ten = SandboxBuilder::new("10")
            .unwrap()
            .build(fx.backend.clone())
            .unwrap();
        let r1 = one.open_root(MountId(0)).unwrap();
        let r10 = ten.open_root(MountId(0)).unwrap();
        write_file(&mut one, r1, "secret", b"one");
        write_file(&mut ten, r10, "secret", b"ten");
        assert_eq!(read_file(&mut one, r1, "secret").unwrap(), b"one");
        assert_eq!(read_file(&mut ten, r10, "secret").unwrap(), b"ten");
        assert_eq!(names(&mut one, r1), ["secret"]);
        for p in [
            "../10/secret",
            "../1/secret",
            "../../data/10/secret",
            "/apps/data/10/secret",
        ] {
            assert!(is_escape(one.open(r1, p, &OpenOptions::read())), "{p}");
            assert!(is_escape(ten.open(r10, p, &OpenOptions::read())), "{p}");
        }
        one.symlink("../10", r1, "ten").unwrap();
        assert!(is_escape(one.open(r1, "ten/secret", &OpenOptions::read())));
        // The system view sees both, apart.
        let (mut sys, root) = whole(&fx);
        assert_eq!(names(&mut sys, root), ["apps"]);
        assert_eq!(
            read_file(&mut sys, root, "apps/data/1/secret").unwrap(),
            b"one"
        );
        assert_eq!(
            read_file(&mut sys, root, "apps/data/10/secret").unwrap(),
            b"ten"
        );
        // Ids that are not single names are refused.
        for bad in ["", ".", "..", "1/../10", "a/b", "x\0"] {
            assert!(SandboxBuilder::new(bad).is_err(), "{bad:?}");
        }
    }

    pub fn read_only_mounts(fx: Fixture) {
        {
            let (mut sys, root) = whole(&fx);
            sys.create_dir(root, "system").unwrap();
            sys.create_dir(root, "system/fonts").unwrap();
            write_file(&mut sys, root, "system/fonts/sans.ttf", b"FONT");
            sys.create_dir(root, "system/fonts/sub").unwrap();
        }
        let mut app = SandboxBuilder::new("7")
            .unwrap()
            .read_only("/system/fonts/")
            .build(fx.backend.clone())
            .unwrap();
        let mounts = app.mounts();
        assert_eq!(mounts.len(), 2);
        assert_eq!((mounts[0].path.as_str(), mounts[0].read_only), ("/", false));
        assert_eq!(
            (mounts[1].path.as_str(), mounts[1].read_only),
            ("/system/fonts", true)
        );
        let (fonts_id, rest) = app.find_mount("/system/fonts/sans.ttf").unwrap();
        assert_eq!((fonts_id, rest.as_str()), (mounts[1].id, "sans.ttf"));
        let data = app.open_root(mounts[0].id).unwrap();
        let fonts = app.open_root(fonts_id).unwrap();
        assert!(app.handle_info(fonts).unwrap().read_only_mount);

        assert_eq!(read_file(&mut app, fonts, &rest).unwrap(), b"FONT");
        assert_eq!(app.stat(fonts).unwrap().dev, u64::from(fonts_id.0));
        let ro = |r: Result<_, VfsError>| matches!(r, Err(VfsError::ReadOnly { .. }));
        assert!(ro(app
            .open(fonts, "sans.ttf", &OpenOptions::read().with_write(true))
            .map(|_| ())));
        assert!(ro(app.open(fonts, "new.ttf", &rw()).map(|_| ())));
        assert!(ro(app
            .open(fonts, "sans.ttf", &rw().with_truncate(true))
            .map(|_| ())));
        assert!(ro(app.create_dir(fonts, "d")));
        assert!(ro(app.remove_dir(fonts, "sub")));
        assert!(ro(app.unlink(fonts, "sans.ttf")));
        assert!(ro(app.rename(fonts, "sans.ttf", fonts, "x.ttf")));
        assert!(ro(app.symlink("sans.ttf", fonts, "l")));
        assert!(ro(app.hard_link(fonts, "sans.ttf", false, fonts, "h")));
        assert!(ro(app.set_times_path(
            fonts,
            "sans.ttf",
            false,
            SetTime::Now,
            SetTime::Now
        )));
        let f = app.open(fonts, "sans.ttf", &OpenOptions::read()).unwrap();
        assert!(ro(app.set_times(f, SetTime::Now, SetTime::Now)));
        assert!(ro(app.set_len(f, 0)));
        assert!(ro(app.allocate(f, 0, 100)));
        assert!(ro(app.write(f, b"x").map(|_| ())));
        // Across mounts: copy is the only way.
        assert!(matches!(
            app.rename(fonts, "sans.ttf", data, "stolen.ttf"),
            Err(VfsError::CrossDevice { .. })
        ));
        assert!(matches!(
            app.hard_link(fonts, "sans.ttf", false, data, "h"),
            Err(VfsError::CrossDevice { .. })
        ));
        write_file(&mut app, data, "mine", b"");
        assert!(matches!(
            app.rename(data, "mine", fonts, "mine"),
            Err(VfsError::CrossDevice { .. })
        ));
        // The read-only mount cannot be left upwards either.
        assert!(is_escape(app.open(
            fonts,
            "../fonts/sans.ttf",
            &OpenOptions::read()
        )));
        // Nothing changed underneath.
        let (mut sys, root) = whole(&fx);
        assert_eq!(names(&mut sys, root), ["apps", "system"]);
        let fonts_dir = sys.open(root, "system/fonts", &OpenOptions::dir()).unwrap();
        assert_eq!(names(&mut sys, fonts_dir), ["sans.ttf", "sub"]);
        assert_eq!(
            read_file(&mut sys, root, "system/fonts/sans.ttf").unwrap(),
            b"FONT"
        );
        // A missing read-only path is an error, not an empty mount.
        assert!(matches!(
            SandboxBuilder::new("7")
                .unwrap()
                .read_only("/system/missing")
                .build(fx.backend.clone()),
            Err(VfsError::NotFound { .. })
        ));
    }
}

macro_rules! backend_suite {
    ($module:ident, $make:path) => {
        mod $module {
            backend_suite!(@tests $make;
                round_trip,
                access_modes_are_enforced,
                open_flags,
                readdir_lists_entries_with_types,
                readdir_cookies_survive_changes,
                rename_semantics,
                open_directory_handle_survives_rename,
                unlink_open_file_keeps_data,
                remove_semantics,
                truncate_and_allocate,
                timestamps,
                hard_links,
                symlinks,
                symlink_loops,
                escapes_are_refused,
                deep_paths_are_bounded,
                sandboxes_do_not_confuse_prefixes,
                read_only_mounts,
            );
        }
    };
    (@tests $make:path; $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                super::suite::$test($make(stringify!($test)));
            }
        )*
    };
}

backend_suite!(memory_backend, super::memory);
#[cfg(feature = "host")]
backend_suite!(host_backend, super::host);

// ----- in-memory backend only ----------------------------------------------------------

#[test]
fn memory_limits_give_no_space() {
    let clock = Arc::new(ManualClock::new(NOW));
    let limits = MemoryLimits {
        max_file_size: 1000,
        max_total_bytes: 4096,
        max_inodes: 10,
    };
    let backend: Arc<dyn Backend> = Arc::new(MemoryFs::new(limits, clock));
    let mut app = SandboxBuilder::new("greedy")
        .unwrap()
        .build(backend)
        .unwrap();
    let root = app.open_root(MountId(0)).unwrap();
    // One file may not exceed max_file_size...
    let f = app.open(root, "big", &rw()).unwrap();
    assert_eq!(app.write_at(f, 1000, b"x"), Err(VfsError::FileTooLarge));
    assert_eq!(app.set_len(f, 1001), Err(VfsError::FileTooLarge));
    assert_eq!(app.allocate(f, 999, 2), Err(VfsError::FileTooLarge));
    assert_eq!(
        app.write_at(f, u64::MAX - 1, b"xx"),
        Err(VfsError::FileTooLarge)
    );
    app.set_len(f, 1000).unwrap();
    // ...and all files together may not exceed max_total_bytes.
    let mut made = 0;
    let err = loop {
        let g = app.open(root, &format!("g{made}"), &rw()).unwrap();
        let r = app.set_len(g, 1000);
        app.close(g).unwrap();
        match r {
            Ok(()) => made += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(
        err,
        VfsError::NoSpace {
            what: "total bytes"
        }
    );
    assert_eq!(made, 2);
    // Freed space can be used again.
    app.set_len(f, 0).unwrap();
    let g = app.open(root, "g9", &rw()).unwrap();
    app.set_len(g, 1000).unwrap();
    // Inodes are bounded too (root, apps, data, greedy, big, g0..g2, g9 = 9 so far).
    fill_inodes(&mut app, root);
}

fn fill_inodes(app: &mut Vfs, root: Handle) {
    let mut made = 0;
    let err = loop {
        match app.create_dir(root, &format!("d{made}")) {
            Ok(()) => made += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(err, VfsError::NoSpace { what: "inodes" });
    assert_eq!(made, 1);
}

#[test]
fn handle_limit_gives_too_many_open() {
    let fx = memory("handles");
    let mut app = SandboxBuilder::new("1")
        .unwrap()
        .limits(kpio_vfs::VfsLimits { max_open: 8 })
        .build(fx.backend.clone())
        .unwrap();
    let root = app.open_root(MountId(0)).unwrap();
    write_file(&mut app, root, "f", b"");
    let handles: Vec<Handle> = (0..7)
        .map(|_| app.open(root, "f", &OpenOptions::read()).unwrap())
        .collect();
    assert_eq!(
        app.open(root, "f", &OpenOptions::read()),
        Err(VfsError::TooManyOpen)
    );
    assert_eq!(app.open_root(MountId(0)), Err(VfsError::TooManyOpen));
    for h in handles {
        app.close(h).unwrap();
    }
    assert_eq!(app.open_count(), 1);
}

// ----- host backend only ---------------------------------------------------------------

#[cfg(feature = "host")]
mod host_only {
    use super::*;
    use kpio_vfs::{HostFs, HostOptions};
    use std::os::unix::fs::symlink;

    fn host_backend(dir: &TempDir) -> Arc<dyn Backend> {
        Arc::new(HostFs::open(&dir.0, HostOptions::default()).unwrap())
    }

    #[test]
    fn data_persists_across_instances() {
        let dir = TempDir::new("persist");
        {
            let mut app = SandboxBuilder::new("42")
                .unwrap()
                .build(host_backend(&dir))
                .unwrap();
            let root = app.open_root(MountId(0)).unwrap();
            app.create_dir(root, "saves").unwrap();
            write_file(&mut app, root, "saves/slot1", b"level 3");
            app.symlink("saves/slot1", root, "latest").unwrap();
        }
        assert_eq!(
            std::fs::read(dir.0.join("apps/data/42/saves/slot1")).unwrap(),
            b"level 3"
        );
        let mut app = SandboxBuilder::new("42")
            .unwrap()
            .build(host_backend(&dir))
            .unwrap();
        let root = app.open_root(MountId(0)).unwrap();
        assert_eq!(read_file(&mut app, root, "latest").unwrap(), b"level 3");
        assert_eq!(names(&mut app, root), ["latest", "saves"]);
    }

    #[test]
    fn symlinks_planted_out_of_band_cannot_escape() {
        let dir = TempDir::new("planted");
        let outside = TempDir::new("outside");
        std::fs::write(outside.0.join("secret"), b"host secret").unwrap();
        let backend = host_backend(&dir);
        let mut app = SandboxBuilder::new("1")
            .unwrap()
            .build(backend.clone())
            .unwrap();
        let mut ten = SandboxBuilder::new("10")
            .unwrap()
            .build(backend.clone())
            .unwrap();
        let r10 = ten.open_root(MountId(0)).unwrap();
        write_file(&mut ten, r10, "secret", b"ten");
        let data = dir.0.join("apps/data/1");
        symlink("/etc", data.join("etc")).unwrap();
        symlink(outside.0.join("secret"), data.join("abs")).unwrap();
        symlink("../../../..", data.join("up")).unwrap();
        symlink("../10", data.join("sibling")).unwrap();
        std::fs::create_dir(data.join("d")).unwrap();
        symlink("../../10/secret", data.join("d/deep")).unwrap();
        let root = app.open_root(MountId(0)).unwrap();
        for p in [
            "etc/passwd",
            "etc",
            "abs",
            "up",
            "up/etc/passwd",
            "sibling/secret",
            "d/deep",
        ] {
            assert!(is_escape(app.open(root, p, &OpenOptions::read())), "{p}");
            assert!(is_escape(app.stat_path(root, p, true)), "{p}");
            assert!(is_escape(app.open(root, p, &rw())), "{p}");
        }
        assert!(is_escape(app.create_dir(root, "up/evil")));
        assert!(is_escape(app.unlink(root, "sibling/secret")));
        // Unlinking the planted link removes only the link.
        app.unlink(root, "abs").unwrap();
        assert_eq!(
            std::fs::read(outside.0.join("secret")).unwrap(),
            b"host secret"
        );
        assert_eq!(read_file(&mut ten, r10, "secret").unwrap(), b"ten");
    }

    #[test]
    fn a_symlink_in_a_mount_path_is_refused() {
        let dir = TempDir::new("mountlink");
        std::fs::create_dir_all(dir.0.join("apps/data")).unwrap();
        std::fs::create_dir_all(dir.0.join("system")).unwrap();
        symlink("../../system", dir.0.join("apps/data/5")).unwrap();
        assert!(matches!(
            SandboxBuilder::new("5").unwrap().build(host_backend(&dir)),
            Err(VfsError::PermissionDenied { .. })
        ));
    }

    #[test]
    fn special_files_and_odd_names_are_not_opened() {
        let dir = TempDir::new("special");
        let backend = host_backend(&dir);
        let mut vfs = Vfs::with_root(backend).unwrap();
        let root = vfs.open_root(MountId(0)).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(dir.0.join("fifo"))
            .status();
        if matches!(status, Ok(s) if s.success()) {
            let listed = vfs.read_dir(root, 0).unwrap();
            let fifo = listed.iter().find(|e| e.name == "fifo").unwrap();
            assert_eq!(fifo.file_type, FileType::Unknown);
            assert!(matches!(
                vfs.open(root, "fifo", &OpenOptions::read()),
                Err(VfsError::Unsupported { .. })
            ));
        }
        // A name that is not UTF-8 is left out of listings rather than mangled.
        use std::os::unix::ffi::OsStrExt;
        let odd = std::ffi::OsStr::from_bytes(b"bad\xff");
        std::fs::write(dir.0.join(odd), b"").unwrap();
        assert!(
            !vfs.read_dir(root, 0)
                .unwrap()
                .iter()
                .any(|e| e.name.starts_with("bad"))
        );
    }

    #[test]
    fn host_file_size_limit() {
        let dir = TempDir::new("fsize");
        let backend = Arc::new(HostFs::open(&dir.0, HostOptions { max_file_size: 100 }).unwrap());
        let mut vfs = Vfs::with_root(backend).unwrap();
        let root = vfs.open_root(MountId(0)).unwrap();
        let f = vfs.open(root, "f", &rw()).unwrap();
        assert_eq!(vfs.write_at(f, 100, b"x"), Err(VfsError::FileTooLarge));
        assert_eq!(vfs.set_len(f, 101), Err(VfsError::FileTooLarge));
        vfs.write_at(f, 99, b"x").unwrap();
    }
}
