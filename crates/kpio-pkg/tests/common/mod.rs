//! Shared test helpers: package builders, guest programs, a raw ZIP writer for hostile
//! archives, a fault-injecting backend and tree snapshots.
#![allow(dead_code)]

use std::sync::Arc;

use kpio_pkg::{AppManager, ManualPlatform, pack_entries};
use kpio_vfs::{Backend, FileType, ManualClock, MemoryFs, MemoryLimits, MountId, OpenOptions, Vfs};

// ----- packages -----------------------------------------------------------------------

/// A minimal manifest for `id` at `version`.
pub fn manifest(id: &str, version: &str, extra_perms: &str) -> String {
    format!(
        "[app]\nid = \"{id}\"\nname = \"App {id}\"\nversion = \"{version}\"\nentry = \"app.wasm\"\n\
         description = \"test app\"\nauthor = \"tests\"\n\n[permissions]\nfilesystem = \"read-write\"\n{extra_perms}"
    )
}

/// WAT for a guest that prints `marker`, then each argument and each environment variable
/// on its own line, then `note=<contents of note.txt>` (or `note-errno=<n>`) from its
/// first preopen, then exits 0.
pub fn echo_wat(marker: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "\n")
  (data (i32.const 48) "note.txt")
  (data (i32.const 64) "note=")
  (data (i32.const 72) "note-errno=")
  (data (i32.const 96) "{marker}")
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $n))
  (func $print (param $p i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func $nl (call $print (i32.const 32) (i32.const 1)))
  (func $print_all (param $count i32) (local $i i32) (local $p i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $p (i32.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))))
      (call $print (local.get $p) (call $strlen (local.get $p)))
      (call $nl)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "_start") (local $err i32)
    (call $print (i32.const 96) (call $strlen (i32.const 96)))
    (call $nl)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    (call $print_all (i32.load (i32.const 0)))
    (drop (call $env_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $env_get (i32.const 1024) (i32.const 4096)))
    (call $print_all (i32.load (i32.const 0)))
    (local.set $err (call $path_open (i32.const 3) (i32.const 0) (i32.const 48) (i32.const 8)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 40)))
    (if (i32.eqz (local.get $err))
      (then
        (i32.store (i32.const 16) (i32.const 8192))
        (i32.store (i32.const 20) (i32.const 1024))
        (drop (call $fd_read (i32.load (i32.const 40)) (i32.const 16) (i32.const 1) (i32.const 28)))
        (call $print (i32.const 64) (i32.const 5))
        (call $print (i32.const 8192) (i32.load (i32.const 28)))
        (call $nl))
      (else
        (call $print (i32.const 72) (i32.const 11))
        (i32.store8 (i32.const 200) (i32.add (i32.const 48) (i32.div_u (local.get $err) (i32.const 10))))
        (i32.store8 (i32.const 201) (i32.add (i32.const 48) (i32.rem_u (local.get $err) (i32.const 10))))
        (call $print (i32.const 200) (i32.const 2))
        (call $nl)))))"#
    )
}

/// WAT for a guest that opens `path` in its first preopen with `oflags` and rights
/// `rights`, writes `content` if it opened for writing, and exits with the errno of the
/// first failing step (0 if all worked).
pub fn open_wat(path: &str, oflags: u32, rights: u64, content: &str) -> String {
    let n = path.len();
    let c = content.len();
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "{path}")
  (data (i32.const 2048) "{content}")
  (func (export "_start") (local $e i32)
    (local.set $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 256) (i32.const {n})
      (i32.const {oflags}) (i64.const {rights}) (i64.const 0) (i32.const 0) (i32.const 40)))
    (if (local.get $e) (then (call $exit (local.get $e))))
    (if (i32.gt_u (i32.const {c}) (i32.const 0))
      (then
        (i32.store (i32.const 16) (i32.const 2048))
        (i32.store (i32.const 20) (i32.const {c}))
        (local.set $e (call $fd_write (i32.load (i32.const 40)) (i32.const 16) (i32.const 1) (i32.const 24)))
        (if (local.get $e) (then (call $exit (local.get $e))))))))"#
    )
}

/// A guest that prints "run" and exits with `code`.
pub fn exit_wat(code: i32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "run\n")
  (func (export "_start")
    (i32.store (i32.const 16) (i32.const 100))
    (i32.store (i32.const 20) (i32.const 4))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $exit (i32.const {code}))))"#
    )
}

pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("test WAT parses")
}

/// A valid package: manifest, the echo guest, one resource, one data seed file.
pub fn package(id: &str, version: &str, marker: &str) -> Vec<u8> {
    package_with(id, version, &wasm(&echo_wat(marker)), "", &[])
}

/// A package with a given entry module, extra permission lines and extra files.
pub fn package_with(
    id: &str,
    version: &str,
    entry: &[u8],
    extra_perms: &str,
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "manifest.toml".into(),
            manifest(id, version, extra_perms).into_bytes(),
        ),
        ("app.wasm".into(), entry.to_vec()),
        (
            format!("resources/r-{version}.txt"),
            format!("resource of {version}").into_bytes(),
        ),
        (
            "data/note.txt".into(),
            format!("seed {version}").into_bytes(),
        ),
    ];
    for (n, b) in extra {
        files.retain(|(f, _)| f != n);
        files.push(((*n).into(), b.to_vec()));
    }
    pack_entries(files).expect("packing works")
}

// ----- raw ZIP writer for hostile archives ----------------------------------------------

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One entry exactly as it goes into the archive.
#[derive(Clone)]
pub struct Raw {
    pub name: Vec<u8>,
    /// The bytes stored (compressed, for method 8).
    pub stored: Vec<u8>,
    pub method: u16,
    pub crc: u32,
    pub declared_size: u32,
    pub external: u32,
    pub made_by: u16,
    pub flags: u16,
    /// Local header without CRC and sizes, followed by a data descriptor (as streaming
    /// writers such as macOS's Archive Utility produce).
    pub descriptor: bool,
}

impl Raw {
    pub fn stored(name: &str, data: &[u8]) -> Raw {
        Raw {
            name: name.as_bytes().to_vec(),
            stored: data.to_vec(),
            method: 0,
            crc: crc32(data),
            declared_size: data.len() as u32,
            external: 0o100644 << 16,
            made_by: 3 << 8 | 20,
            flags: 0x800,
            descriptor: false,
        }
    }

    pub fn deflated(name: &str, data: &[u8]) -> Raw {
        use std::io::Write;
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        Raw {
            stored: enc.finish().unwrap(),
            method: 8,
            ..Raw::stored(name, data)
        }
    }
}

/// Writes `entries` as a ZIP with local headers and a central directory, exactly as given
/// (duplicates, lying sizes and all).
pub fn raw_zip(entries: &[Raw]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let flags = e.flags | if e.descriptor { 0x08 } else { 0 };
        let local = |v: u32| if e.descriptor { 0 } else { v };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&local(e.crc).to_le_bytes());
        out.extend_from_slice(&local(e.stored.len() as u32).to_le_bytes());
        out.extend_from_slice(&local(e.declared_size).to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.stored);
        if e.descriptor {
            out.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
            out.extend_from_slice(&e.crc.to_le_bytes());
            out.extend_from_slice(&(e.stored.len() as u32).to_le_bytes());
            out.extend_from_slice(&e.declared_size.to_le_bytes());
        }

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&e.made_by.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&flags.to_le_bytes());
        central.extend_from_slice(&e.method.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x21u16.to_le_bytes());
        central.extend_from_slice(&e.crc.to_le_bytes());
        central.extend_from_slice(&(e.stored.len() as u32).to_le_bytes());
        central.extend_from_slice(&e.declared_size.to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
        central.extend_from_slice(&e.external.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The entries of a valid package, as raw stored entries, to which a test adds a hostile
/// one.
pub fn valid_raw(id: &str) -> Vec<Raw> {
    vec![
        Raw::stored("manifest.toml", manifest(id, "1.0.0", "").as_bytes()),
        Raw::stored("app.wasm", &wasm(&echo_wat("m"))),
    ]
}

// ----- a backend that fails on request -------------------------------------------------

pub use kpio_vfs::fault::FaultFs;

/// A fault-injecting wrapper that counts (and fails) only mutating operations, and fails
/// writes whole: see `kpio_vfs::fault`.
pub fn fault_fs(inner: Arc<dyn Backend>) -> Arc<FaultFs> {
    FaultFs::new(inner, kpio_vfs::fault::Counted::Mutating, false)
}

// ----- managers and snapshots ---------------------------------------------------------

pub const T0: u64 = 1_700_000_000_000_000_000;

pub fn memory_fs() -> Arc<dyn Backend> {
    Arc::new(MemoryFs::new(
        MemoryLimits::default(),
        Arc::new(ManualClock::new(0)),
    ))
}

pub fn platform() -> ManualPlatform {
    ManualPlatform::new(T0)
}

pub fn manager(fs: Arc<dyn Backend>, p: &ManualPlatform) -> AppManager {
    AppManager::open(fs, Arc::new(p.clone())).expect("manager opens")
}

/// A tree: (path, contents); directories end with `/` and have no contents.
pub type Tree = Vec<(String, Vec<u8>)>;

/// Directories every state may have (created by the first install and never removed).
const SKELETON: &[&str] = &["apps/", "apps/data/", "system/", "system/apps/"];

/// Every directory and file of the tree (paths with a trailing `/` are directories), with
/// file contents; the skeleton directories, the registry's temp files and its previous
/// generation (bookkeeping that a commit rewrites, checked on its own by
/// [`check_previous_generation`]) are left out.
pub fn snapshot(fs: &Arc<dyn Backend>) -> Tree {
    fn walk(vfs: &mut Vfs, dir: kpio_vfs::Handle, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
        for e in vfs.read_dir(dir, 0).unwrap() {
            if e.name == "." || e.name == ".." {
                continue;
            }
            let path = format!("{prefix}{}", e.name);
            match e.file_type {
                FileType::Directory => {
                    let h = vfs.open(dir, &e.name, &OpenOptions::dir()).unwrap();
                    out.push((format!("{path}/"), Vec::new()));
                    walk(vfs, h, &format!("{path}/"), out);
                    vfs.close(h).unwrap();
                }
                _ => {
                    let h = vfs.open(dir, &e.name, &OpenOptions::read()).unwrap();
                    let mut data = Vec::new();
                    let mut buf = [0u8; 4096];
                    loop {
                        let n = vfs.read(h, &mut buf).unwrap();
                        if n == 0 {
                            break;
                        }
                        data.extend_from_slice(&buf[..n]);
                    }
                    vfs.close(h).unwrap();
                    out.push((path, data));
                }
            }
        }
    }
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let mut out = Vec::new();
    walk(&mut vfs, root, "", &mut out);
    out.retain(|(p, _)| {
        !SKELETON.contains(&p.as_str())
            && ![
                "system/apps/registry.json.tmp",
                "system/apps/registry.json.prev",
                "system/apps/registry.json.prev.tmp",
            ]
            .contains(&p.as_str())
    });
    out.sort();
    out
}

/// The registry's previous generation, if there is one, is a whole registry (never torn).
pub fn check_previous_generation(fs: &Arc<dyn Backend>, context: &str) {
    let mut vfs = Vfs::with_root(Arc::clone(fs)).unwrap();
    let root = vfs.open_root(MountId(0)).unwrap();
    let Ok(h) = vfs.open(root, kpio_app::Registry::PREV_PATH, &OpenOptions::read()) else {
        return;
    };
    let mut data = vec![0u8; 1 << 20];
    let n = vfs.read(h, &mut data).unwrap();
    vfs.close(h).unwrap();
    if let Err(e) = kpio_app::Registry::from_json(&data[..n], kpio_app::Registry::PREV_PATH) {
        panic!("{context}: the previous generation is not a whole registry: {e}");
    }
}

/// The paths of a snapshot, for readable assertion failures.
pub fn paths(s: &[(String, Vec<u8>)]) -> Vec<&str> {
    s.iter().map(|(p, _)| p.as_str()).collect()
}
