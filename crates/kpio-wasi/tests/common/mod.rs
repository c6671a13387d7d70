//! Test support: a guest module whose exports call every WASI import directly (so tests can
//! pass any argument, including hostile ones, from Rust), fake clock and randomness, and
//! in-memory file systems.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kpio_vfs::{
    Backend, ManualClock, MemoryFs, MemoryLimits, MountId, MountOptions, OpenOptions, Vfs,
    VfsLimits,
};
use kpio_wasi::{
    ClockId, Errno, MemoryInput, MemoryOutput, RandomSource, WasiClock, WasiCtx, WasiCtxBuilder,
    add_to_linker,
};
use kpio_wasm::{Engine, Instance, Linker, Memory, Module, Store, Trap, Val};

/// Every `wasi_snapshot_preview1` function: name, parameters (`i` = i32, `l` = i64), and
/// whether it returns an errno.
pub const SIGNATURES: [(&str, &str, bool); 46] = [
    ("args_get", "ii", true),
    ("args_sizes_get", "ii", true),
    ("environ_get", "ii", true),
    ("environ_sizes_get", "ii", true),
    ("clock_res_get", "ii", true),
    ("clock_time_get", "ili", true),
    ("fd_advise", "illi", true),
    ("fd_allocate", "ill", true),
    ("fd_close", "i", true),
    ("fd_datasync", "i", true),
    ("fd_fdstat_get", "ii", true),
    ("fd_fdstat_set_flags", "ii", true),
    ("fd_fdstat_set_rights", "ill", true),
    ("fd_filestat_get", "ii", true),
    ("fd_filestat_set_size", "il", true),
    ("fd_filestat_set_times", "illi", true),
    ("fd_pread", "iiili", true),
    ("fd_prestat_get", "ii", true),
    ("fd_prestat_dir_name", "iii", true),
    ("fd_pwrite", "iiili", true),
    ("fd_read", "iiii", true),
    ("fd_readdir", "iiili", true),
    ("fd_renumber", "ii", true),
    ("fd_seek", "ilii", true),
    ("fd_sync", "i", true),
    ("fd_tell", "ii", true),
    ("fd_write", "iiii", true),
    ("path_create_directory", "iii", true),
    ("path_filestat_get", "iiiii", true),
    ("path_filestat_set_times", "iiiilli", true),
    ("path_link", "iiiiiii", true),
    ("path_open", "iiiiillii", true),
    ("path_readlink", "iiiiii", true),
    ("path_remove_directory", "iii", true),
    ("path_rename", "iiiiii", true),
    ("path_symlink", "iiiii", true),
    ("path_unlink_file", "iii", true),
    ("poll_oneoff", "iiii", true),
    ("proc_exit", "i", false),
    ("proc_raise", "i", true),
    ("sched_yield", "", true),
    ("random_get", "ii", true),
    ("sock_accept", "iii", true),
    ("sock_recv", "iiiiii", true),
    ("sock_send", "iiiii", true),
    ("sock_shutdown", "ii", true),
];

/// Pages of the shim's memory (128 KiB).
pub const PAGES: u32 = 2;
pub const MEM_SIZE: u32 = PAGES * 65536;

/// WAT of a module importing every WASI function and exporting a wrapper of each.
pub fn shim_wat() -> String {
    let mut imports = String::new();
    let mut funcs = String::new();
    for (name, params, ret) in SIGNATURES {
        let ps: Vec<&str> = params
            .chars()
            .map(|c| if c == 'i' { "i32" } else { "i64" })
            .collect();
        let param_list = if ps.is_empty() {
            String::new()
        } else {
            format!(" (param {})", ps.join(" "))
        };
        let result = if ret { " (result i32)" } else { "" };
        imports.push_str(&format!(
            "  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name}{param_list}{result}))\n"
        ));
        let gets: String = (0..ps.len()).map(|i| format!(" local.get {i}")).collect();
        funcs.push_str(&format!(
            "  (func (export \"{name}\"){param_list}{result}{gets} call ${name})\n"
        ));
    }
    format!("(module\n{imports}  (memory (export \"memory\") {PAGES})\n{funcs})")
}

/// A clock that moves only when slept on, recording every sleep.
#[derive(Clone, Default)]
pub struct FakeClock {
    pub mono: Arc<AtomicU64>,
    pub sleeps: Arc<Mutex<Vec<u64>>>,
}

/// 2023-11-14T22:13:20Z.
pub const EPOCH_OFFSET: u64 = 1_700_000_000_000_000_000;

impl WasiClock for FakeClock {
    fn now(&self, id: ClockId) -> Result<u64, Errno> {
        let m = self.mono.load(Ordering::SeqCst);
        Ok(match id {
            ClockId::Realtime => EPOCH_OFFSET + m,
            ClockId::Monotonic => m,
            ClockId::ProcessCpuTime => m / 2 + 7,
            ClockId::ThreadCpuTime => m / 4 + 3,
        })
    }
    fn resolution(&self, id: ClockId) -> Result<u64, Errno> {
        Ok(match id {
            ClockId::Realtime => 1000,
            _ => 1,
        })
    }
    fn sleep(&self, ns: u64) {
        self.sleeps.lock().unwrap().push(ns);
        self.mono.fetch_add(ns, Ordering::SeqCst);
    }
}

/// Bytes 1, 2, 3, … (so a test can see that a buffer was filled).
#[derive(Default)]
pub struct CountingRandom(pub u8);

impl RandomSource for CountingRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        for b in buf {
            self.0 = self.0.wrapping_add(1);
            *b = self.0;
        }
        Ok(())
    }
}

pub fn memfs() -> Arc<dyn Backend> {
    Arc::new(MemoryFs::new(
        MemoryLimits::default(),
        Arc::new(ManualClock::new(1_000_000_000)),
    ))
}

/// A VFS with a writable mount at `/` (backend dir `data`) and a read-only one at
/// `/shared` (backend dir `shared`, holding `readme.txt` = "shared data" and the directory
/// `sub`), plus `data/secret.txt` outside neither... (`outside.txt` at the backend root,
/// reachable by no mount).
pub fn two_mounts() -> Vfs {
    let fs = memfs();
    {
        let mut sys = Vfs::with_root(Arc::clone(&fs)).unwrap();
        let root = sys.open_root(MountId(0)).unwrap();
        sys.create_dir(root, "data").unwrap();
        sys.create_dir(root, "shared").unwrap();
        sys.create_dir(root, "shared/sub").unwrap();
        let f = sys
            .open(root, "shared/readme.txt", &OpenOptions::read_write_create())
            .unwrap();
        sys.write(f, b"shared data").unwrap();
        let f = sys
            .open(root, "outside.txt", &OpenOptions::read_write_create())
            .unwrap();
        sys.write(f, b"top secret").unwrap();
    }
    let mut vfs = Vfs::new(VfsLimits::default());
    let rw = MountOptions {
        read_only: false,
        create: false,
    };
    let ro = MountOptions {
        read_only: true,
        create: false,
    };
    vfs.mount("/", Arc::clone(&fs), "data", rw).unwrap();
    vfs.mount("/shared", fs, "shared", ro).unwrap();
    vfs
}

/// A builder with fake clock and randomness, captured stdout/stderr and the given stdin.
pub struct Setup {
    pub builder: WasiCtxBuilder,
    pub stdout: MemoryOutput,
    pub stderr: MemoryOutput,
    pub clock: FakeClock,
}

pub fn setup(stdin: &[u8]) -> Setup {
    let stdout = MemoryOutput::new();
    let stderr = MemoryOutput::new();
    let clock = FakeClock::default();
    let mut builder = WasiCtxBuilder::new();
    builder
        .arg("test.wasm")
        .stdin(Box::new(MemoryInput::new(stdin.to_vec())))
        .stdout(Box::new(stdout.clone()))
        .stderr(Box::new(stderr.clone()))
        .clock(Box::new(clock.clone()))
        .random(Box::new(CountingRandom::default()));
    Setup {
        builder,
        stdout,
        stderr,
        clock,
    }
}

/// The shim instantiated over a context, with helpers to call WASI and poke memory.
pub struct Guest {
    pub store: Store<WasiCtx>,
    pub instance: Instance,
    pub memory: Memory,
    /// Next free byte of the bump allocator used by `alloc`/`str`.
    heap: u32,
}

impl Guest {
    pub fn new(ctx: WasiCtx) -> Guest {
        let engine = Engine::default();
        let wasm = wat::parse_str(shim_wat()).unwrap();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ctx);
        let mut linker = Linker::<WasiCtx>::new();
        add_to_linker(&mut linker, &mut store, |cx| cx);
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        Guest {
            store,
            instance,
            memory,
            heap: 4096,
        }
    }

    /// Calls a WASI function with raw arguments (each converted to its parameter's type).
    pub fn call(&mut self, name: &str, args: &[i64]) -> Result<i32, Trap> {
        let (_, params, ret) = SIGNATURES
            .iter()
            .find(|(n, _, _)| *n == name)
            .unwrap_or_else(|| panic!("unknown function {name}"));
        assert_eq!(params.len(), args.len(), "argument count for {name}");
        let vals: Vec<Val> = params
            .chars()
            .zip(args)
            .map(|(c, a)| {
                if c == 'i' {
                    Val::I32(*a as i32)
                } else {
                    Val::I64(*a)
                }
            })
            .collect();
        let func = self.instance.get_func(&self.store, name).unwrap();
        let mut out = vec![Val::I32(0); usize::from(*ret)];
        func.call(&mut self.store, &vals, &mut out)?;
        Ok(match out.first() {
            Some(Val::I32(v)) => *v,
            _ => 0,
        })
    }

    /// Calls and returns the errno; panics on a trap.
    pub fn errno(&mut self, name: &str, args: &[i64]) -> Errno {
        let raw = self
            .call(name, args)
            .unwrap_or_else(|t| panic!("{name} trapped: {t}"));
        Errno::from_raw(raw as u16).unwrap_or_else(|| panic!("{name} returned {raw}"))
    }

    /// Calls and expects success.
    pub fn ok(&mut self, name: &str, args: &[i64]) {
        assert_eq!(self.errno(name, args), Errno::Success, "{name}{args:?}");
    }

    pub fn ctx(&mut self) -> &mut WasiCtx {
        self.store.data_mut()
    }

    pub fn mem(&mut self) -> &mut [u8] {
        self.memory.data_mut(&mut self.store)
    }

    /// Reserves `len` bytes (8-aligned) of guest memory, zeroed.
    pub fn alloc(&mut self, len: u32) -> u32 {
        let p = self.heap;
        self.heap = (self.heap + len + 7) & !7;
        assert!(self.heap < MEM_SIZE - 4096, "test heap exhausted");
        self.mem()[p as usize..(p + len) as usize].fill(0);
        p
    }

    /// Copies `bytes` into fresh guest memory; returns (ptr, len) as call arguments.
    pub fn bytes(&mut self, bytes: &[u8]) -> (i64, i64) {
        let p = self.alloc(bytes.len() as u32);
        self.mem()[p as usize..p as usize + bytes.len()].copy_from_slice(bytes);
        (i64::from(p), bytes.len() as i64)
    }

    pub fn str(&mut self, s: &str) -> (i64, i64) {
        self.bytes(s.as_bytes())
    }

    /// An iovec array over the given buffers (each copied into guest memory).
    pub fn iovecs(&mut self, bufs: &[&[u8]]) -> (i64, i64) {
        let arr = self.alloc(8 * bufs.len() as u32);
        for (i, b) in bufs.iter().enumerate() {
            let (p, l) = self.bytes(b);
            self.write_u32(arr + 8 * i as u32, p as u32);
            self.write_u32(arr + 8 * i as u32 + 4, l as u32);
        }
        (i64::from(arr), bufs.len() as i64)
    }

    pub fn read(&mut self, ptr: u32, len: u32) -> Vec<u8> {
        self.mem()[ptr as usize..(ptr + len) as usize].to_vec()
    }
    pub fn u8(&mut self, ptr: u32) -> u8 {
        self.mem()[ptr as usize]
    }
    pub fn u16(&mut self, ptr: u32) -> u16 {
        u16::from_le_bytes(self.read(ptr, 2).try_into().unwrap())
    }
    pub fn u32(&mut self, ptr: u32) -> u32 {
        u32::from_le_bytes(self.read(ptr, 4).try_into().unwrap())
    }
    pub fn u64(&mut self, ptr: u32) -> u64 {
        u64::from_le_bytes(self.read(ptr, 8).try_into().unwrap())
    }
    pub fn write_u32(&mut self, ptr: u32, v: u32) {
        self.mem()[ptr as usize..ptr as usize + 4].copy_from_slice(&v.to_le_bytes());
    }
    pub fn write_u64(&mut self, ptr: u32, v: u64) {
        self.mem()[ptr as usize..ptr as usize + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// `path_open` relative to `dir`; returns the new fd or the errno.
    pub fn open(
        &mut self,
        dir: u32,
        path: &str,
        oflags: u32,
        rights: u64,
        fdflags: u32,
    ) -> Result<u32, Errno> {
        let (p, l) = self.str(path);
        let out = self.alloc(4);
        let e = self.errno(
            "path_open",
            &[
                i64::from(dir),
                1, // follow symlinks
                p,
                l,
                i64::from(oflags),
                rights as i64,
                rights as i64,
                i64::from(fdflags),
                i64::from(out),
            ],
        );
        if e == Errno::Success {
            Ok(self.u32(out))
        } else {
            Err(e)
        }
    }

    /// `fd_write` of one buffer; returns bytes written or the errno.
    pub fn write(&mut self, fd: u32, data: &[u8]) -> Result<u32, Errno> {
        let (iovs, n) = self.iovecs(&[data]);
        let out = self.alloc(4);
        match self.errno("fd_write", &[i64::from(fd), iovs, n, i64::from(out)]) {
            Errno::Success => Ok(self.u32(out)),
            e => Err(e),
        }
    }

    /// `fd_read` into one buffer of `len` bytes; returns the bytes read or the errno.
    pub fn read_fd(&mut self, fd: u32, len: u32) -> Result<Vec<u8>, Errno> {
        let buf = self.alloc(len);
        let iov = self.alloc(8);
        self.write_u32(iov, buf);
        self.write_u32(iov + 4, len);
        let out = self.alloc(4);
        match self.errno(
            "fd_read",
            &[i64::from(fd), i64::from(iov), 1, i64::from(out)],
        ) {
            Errno::Success => {
                let n = self.u32(out);
                Ok(self.read(buf, n))
            }
            e => Err(e),
        }
    }
}

/// Rights for opening a file read-write.
pub const RW: u64 = (1 << 1) | (1 << 6) | (1 << 2) | (1 << 5);
/// Rights for opening a file read-only.
pub const RO: u64 = (1 << 1) | (1 << 2) | (1 << 5);
pub const O_CREAT: u32 = 1;
pub const O_DIRECTORY: u32 = 2;
pub const O_EXCL: u32 = 4;
pub const O_TRUNC: u32 = 8;
