//! The ABI seen from outside: builds a Rust guest that calls every host function
//! through the SDK and a C guest that calls every function of `kpio.h`, and checks
//! that the imports they end up with are exactly the ABI's (names, modules and
//! signatures of `kpio_guest::abi::IMPORTS`); also checks the header's declarations
//! against the same table.
//!
//! Needs the `wasm32-wasip1` Rust target and clang with wasi-libc (as the kpio-cli
//! tests do; `scripts/test.sh` installs them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use kpio_guest::abi::{IMPORTS, ValType};

type Sig = (Vec<ValType>, Vec<ValType>);

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The ABI as a map from (module, name) to signature.
fn abi() -> BTreeMap<(String, String), Sig> {
    IMPORTS
        .iter()
        .map(|i| {
            (
                (i.module.to_string(), i.name.to_string()),
                (i.params.to_vec(), i.results.to_vec()),
            )
        })
        .collect()
}

// ---- A minimal reader of a module's type and import sections ---------------------

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.b[self.pos];
        self.pos += 1;
        b
    }
    fn leb(&mut self) -> u64 {
        let (mut r, mut shift) = (0u64, 0);
        loop {
            let b = self.byte();
            r |= u64::from(b & 0x7F) << shift;
            if b < 0x80 {
                return r;
            }
            shift += 7;
        }
    }
    fn name(&mut self) -> String {
        let n = self.leb() as usize;
        let s = std::str::from_utf8(&self.b[self.pos..self.pos + n])
            .unwrap()
            .to_string();
        self.pos += n;
        s
    }
    /// A vector of value types; `None` if one is not an ABI type (f32, f64, v128,
    /// references: WASI or libc functions may use them, the ABI never does).
    fn valtypes(&mut self) -> Option<Vec<ValType>> {
        let n = self.leb();
        let mut ok = true;
        let v = (0..n)
            .filter_map(|_| match self.byte() {
                0x7F => Some(ValType::I32),
                0x7E => Some(ValType::I64),
                _ => {
                    ok = false;
                    None
                }
            })
            .collect();
        ok.then_some(v)
    }
    fn limits(&mut self) {
        let flags = self.byte();
        self.leb();
        if flags & 1 != 0 {
            self.leb();
        }
    }
}

/// Every function import of a module: (module, name) → signature (`None` if it uses
/// a type outside the ABI). Non-function imports (memories, tables, globals) are
/// skipped.
fn function_imports(wasm: &[u8]) -> Vec<((String, String), Option<Sig>)> {
    assert_eq!(&wasm[..8], b"\0asm\x01\0\0\0", "not a wasm module");
    let mut r = Reader { b: wasm, pos: 8 };
    let mut types: Vec<Option<Sig>> = Vec::new();
    let mut out = Vec::new();
    while r.pos < wasm.len() {
        let id = r.byte();
        let size = r.leb() as usize;
        let end = r.pos + size;
        match id {
            1 => {
                for _ in 0..r.leb() {
                    let form = r.byte();
                    // Only plain function types: the ABI's modules use no GC types.
                    assert_eq!(form, 0x60, "type form {form:#x}");
                    let params = r.valtypes();
                    let results = r.valtypes();
                    types.push(params.zip(results));
                }
            }
            2 => {
                for _ in 0..r.leb() {
                    let module = r.name();
                    let name = r.name();
                    match r.byte() {
                        0 => {
                            let t = r.leb() as usize;
                            out.push(((module, name), types[t].clone()));
                        }
                        1 => {
                            r.byte();
                            r.limits();
                        }
                        2 => r.limits(),
                        3 => {
                            r.byte();
                            r.byte();
                        }
                        4 => {
                            r.byte();
                            r.leb();
                        }
                        k => panic!("import kind {k}"),
                    }
                }
            }
            _ => {}
        }
        r.pos = end;
    }
    out
}

/// Problems with a module's `kpio_*` imports: unknown names and wrong signatures.
fn check_imports(wasm: &[u8]) -> (Vec<String>, Vec<(String, String)>) {
    let abi = abi();
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for ((module, name), sig) in function_imports(wasm) {
        if !module.starts_with("kpio_") {
            continue;
        }
        match abi.get(&(module.clone(), name.clone())) {
            None => problems.push(format!("{module}.{name} is not in the ABI")),
            Some(want) if Some(want) != sig.as_ref() => problems.push(format!(
                "{module}.{name} has signature {sig:?}, the ABI says {want:?}"
            )),
            Some(_) => seen.push((module, name)),
        }
    }
    (problems, seen)
}

fn assert_imports_everything(wasm: &[u8], what: &str) {
    let (problems, seen) = check_imports(wasm);
    assert!(problems.is_empty(), "{what}: {problems:#?}");
    let missing: Vec<_> = abi().into_keys().filter(|k| !seen.contains(k)).collect();
    assert!(missing.is_empty(), "{what} does not import {missing:?}");
    assert_eq!(seen.len(), IMPORTS.len(), "{what}: duplicate imports?");
}

fn run(mut c: Command, what: &str) {
    let o = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        o.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kpio-guest-imports");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn the_rust_sdk_imports_exactly_the_abi() {
    let target = out_dir().join("probe-target");
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.args(["build", "--release", "--quiet", "--target", "wasm32-wasip1"])
        .arg("--manifest-path")
        .arg(crate_dir().join("tests/probe/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    run(c, "building tests/probe for wasm32-wasip1");
    let wasm = std::fs::read(target.join("wasm32-wasip1/release/kpio-guest-probe.wasm")).unwrap();
    assert_imports_everything(&wasm, "the Rust probe");
}

#[test]
fn the_c_header_imports_exactly_the_abi() {
    let out = out_dir().join("probe-c.wasm");
    let mut c = Command::new("clang");
    c.args([
        "--target=wasm32-wasi",
        "--sysroot=/usr",
        "-O2",
        "-Wall",
        "-Werror",
    ])
    .arg("-I")
    .arg(crate_dir().join("include"))
    .arg("-o")
    .arg(&out)
    .arg(crate_dir().join("tests/probe.c"));
    run(c, "clang --target=wasm32-wasi tests/probe.c");
    let wasm = std::fs::read(&out).unwrap();
    assert_imports_everything(&wasm, "the C probe");
}

/// The header's declarations, parsed: `KPIO_IMPORT("module", "name")` followed by a
/// prototype whose `int32_t`/`uint32_t`/pointer types are i32 and `int64_t` i64.
fn header_imports() -> BTreeMap<(String, String), Sig> {
    let text = std::fs::read_to_string(crate_dir().join("include/kpio.h")).unwrap();
    let ty = |t: &str| -> ValType {
        let t = t.trim();
        if t.contains('*') || t.starts_with("int32_t") || t.starts_with("uint32_t") {
            ValType::I32
        } else if t.starts_with("int64_t") {
            ValType::I64
        } else {
            panic!("type {t:?} in kpio.h is not an ABI type")
        }
    };
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(args) = line.strip_prefix("KPIO_IMPORT(\"") else {
            continue;
        };
        let mut parts = args.split('"');
        let module = parts.next().unwrap().to_string();
        let name = parts.nth(1).unwrap().to_string();
        let mut decl = String::new();
        for l in lines.by_ref() {
            decl.push_str(l);
            if l.contains(';') {
                break;
            }
        }
        let open = decl.find('(').unwrap();
        let ret = &decl[..open];
        let ret = &ret[..ret.trim_end().rfind(' ').unwrap()];
        let params = &decl[open + 1..decl.rfind(')').unwrap()];
        let params: Vec<ValType> = if params.trim() == "void" {
            Vec::new()
        } else {
            params.split(',').map(ty).collect()
        };
        let old = out.insert((module, name.clone()), (params, vec![ty(ret)]));
        assert!(old.is_none(), "{name} declared twice");
    }
    out
}

#[test]
fn the_header_declares_exactly_the_abi() {
    assert_eq!(header_imports(), abi());
}

#[test]
fn the_checker_rejects_wrong_names_and_signatures() {
    // (module (import "kpio_gui" "draw_rect" (func (param i32) (result i32)))
    //         (import "kpio_gui" "draw_circle" (func (param i32) (result i32))))
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend([1, 6, 1, 0x60, 1, 0x7F, 1, 0x7F]);
    let mut imports = vec![2u8];
    for name in ["draw_rect", "draw_circle"] {
        imports.extend([8]);
        imports.extend(b"kpio_gui");
        imports.push(name.len() as u8);
        imports.extend(name.as_bytes());
        imports.extend([0, 0]);
    }
    m.push(2);
    m.push(imports.len() as u8);
    m.extend(imports);
    let (problems, seen) = check_imports(&m);
    assert!(seen.is_empty());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("draw_rect has signature"));
    assert!(problems[1].contains("draw_circle is not in the ABI"));
}
