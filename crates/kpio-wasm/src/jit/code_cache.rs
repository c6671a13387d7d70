//! Code cache entries: a module's native code as bytes, to keep between runs.
//!
//! The engine does no I/O: the embedder asks a module for its entry
//! ([`Module::native_code_entry`](crate::Module::native_code_entry) after a run,
//! [`Module::precompile`](crate::Module::precompile) ahead of time), stores it under the
//! entry's key ([`Module::code_cache_key`](crate::Module::code_cache_key)), and hands it back
//! on a later launch ([`Module::load_native_code`](crate::Module::load_native_code)).
//! kpio-pkg keeps installed apps' entries under `KPIO_HOME/cache/code/`.
//!
//! # The key
//! SHA-256 over the module's bytes, the engine's code fingerprint (a hash of kpio-wasm's
//! sources, made by `build.rs`: the native code's calling convention, context layout and
//! helper table are defined there), the CPU features the code may use, and the code
//! flavour (interruption checks, loop counting). Any change gives another key, so an entry
//! is only ever read by an engine that would have produced the same code.
//!
//! # The format (little-endian)
//! ```text
//! "KPIOCODE"  u32 format version  [32] key
//! u32 count, then per function: u32 index, u32 body length, u32 trampoline length,
//!                                body bytes, trampoline bytes,
//!                                the body's fault and call sites (`Sites::write`)
//! [32] SHA-256 of everything before
//! ```
//!
//! # Verification
//! Before any of it is used, an entry's digest, key (this module, this engine, this CPU),
//! and structure (indices of defined functions, each once, lengths inside the entry) are
//! checked; an entry that fails is refused whole, with [`CodeCacheError`] saying why, and
//! nothing of it is ever mapped executable. The digest detects corruption (a torn write, a
//! flipped bit, a truncated file); like wasmtime's cache, it does not make a directory that
//! others can write trustworthy: the cache must be as protected as the engine itself.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;
use sha2::{Digest, Sha256};

use super::sites::Sites;
use crate::code::Flavour;
use crate::module::ModuleInner;

const MAGIC: &[u8; 8] = b"KPIOCODE";
/// 2: each function's sites follow its code (guard-page traps, `super::sites`).
const FORMAT: u32 = 2;
const DIGEST: usize = 32;
/// Magic, format, key and count.
const HEADER: usize = 8 + 4 + DIGEST + 4;

/// A hash of kpio-wasm's sources (see `build.rs`): code from another build of the engine
/// may assume another context layout or helper table.
const FINGERPRINT: &str = env!("KPIO_WASM_CODE_FINGERPRINT");

/// Why a code cache entry was refused. Nothing of a refused entry is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCacheError {
    /// The engine has no native tier (built without `jit`, no executable pages, or
    /// `Tier::Interp`).
    NoNativeTier,
    /// Not a code cache entry, or one of another format version.
    NotAnEntry,
    /// The entry's digest does not match its contents: it was damaged.
    Corrupt,
    /// The entry is intact but for another module, engine build, CPU or code flavour.
    Foreign,
    /// The entry is intact and ours but malformed: `what` says how.
    Malformed { what: String },
}

impl fmt::Display for CodeCacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeCacheError::NoNativeTier => f.write_str("this engine has no native tier"),
            CodeCacheError::NotAnEntry => {
                f.write_str("not a code cache entry (or of another format version)")
            }
            CodeCacheError::Corrupt => {
                f.write_str("the code cache entry is damaged (its digest does not match)")
            }
            CodeCacheError::Foreign => f.write_str(
                "the code cache entry is for another module, engine build, CPU or code flavour",
            ),
            CodeCacheError::Malformed { what } => {
                write!(f, "the code cache entry is malformed: {what}")
            }
        }
    }
}

impl core::error::Error for CodeCacheError {}

/// The key of `module`'s native code in `flavour`, for a CPU with `cpu_features` (the
/// `isa` flags Cranelift was given).
pub(crate) fn key(module: &ModuleInner, flavour: Flavour, cpu_features: &[&str]) -> [u8; DIGEST] {
    let mut h = Sha256::new();
    h.update(b"kpio-wasm native code\0");
    h.update((module.bytes.len() as u64).to_le_bytes());
    h.update(&module.bytes);
    h.update(FINGERPRINT.as_bytes());
    h.update([0]);
    for f in cpu_features {
        h.update(f.as_bytes());
        h.update([0]);
    }
    h.update([flavour.index() as u8]);
    h.finalize().into()
}

/// `key` as the name an embedder stores the entry under: 64 lowercase hex digits.
pub(crate) fn key_name(key: &[u8; DIGEST]) -> String {
    use core::fmt::Write;
    let mut s = String::with_capacity(2 * DIGEST);
    for b in key {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// One function's code in an entry.
pub(crate) struct EntryFunc<'a> {
    pub index: u32,
    pub body: &'a [u8],
    pub trampoline: &'a [u8],
    pub sites: &'a Sites,
}

/// Writes an entry with `funcs` under `key`.
pub(crate) fn write(key: &[u8; DIGEST], funcs: &[EntryFunc<'_>]) -> Vec<u8> {
    let size = HEADER
        + funcs
            .iter()
            .map(|f| 12 + f.body.len() + f.trampoline.len() + 8)
            .sum::<usize>()
        + DIGEST;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(&(funcs.len() as u32).to_le_bytes());
    for f in funcs {
        out.extend_from_slice(&f.index.to_le_bytes());
        out.extend_from_slice(&(f.body.len() as u32).to_le_bytes());
        out.extend_from_slice(&(f.trampoline.len() as u32).to_le_bytes());
        out.extend_from_slice(f.body);
        out.extend_from_slice(f.trampoline);
        f.sites.write(&mut out);
    }
    let digest: [u8; DIGEST] = Sha256::digest(&out).into();
    out.extend_from_slice(&digest);
    out
}

/// A verified entry: its bytes and where each function's code is in them.
pub(crate) struct Entry {
    pub bytes: Vec<u8>,
    /// Module function index -> (body range, trampoline range) in `bytes`, and the
    /// body's sites.
    pub funcs: BTreeMap<u32, FuncCode>,
}

/// A function's body range, trampoline range and sites in an [`Entry`].
pub(crate) type FuncCode = (Range<usize>, Range<usize>, alloc::sync::Arc<Sites>);

impl Entry {
    pub fn body(&self, index: u32) -> Option<(&[u8], &[u8], &alloc::sync::Arc<Sites>)> {
        let (b, t, sites) = self.funcs.get(&index)?;
        Some((&self.bytes[b.clone()], &self.bytes[t.clone()], sites))
    }
}

/// Checks `bytes` as an entry for `key` of a module with defined functions `defined`
/// (module indices): digest first, then the key, then the structure.
pub(crate) fn read(
    bytes: &[u8],
    key: &[u8; DIGEST],
    defined: Range<u32>,
) -> Result<Entry, CodeCacheError> {
    if bytes.len() < HEADER + DIGEST || &bytes[..8] != MAGIC || bytes[8..12] != FORMAT.to_le_bytes()
    {
        return Err(CodeCacheError::NotAnEntry);
    }
    let (body, digest) = bytes.split_at(bytes.len() - DIGEST);
    if Sha256::digest(body).as_slice() != digest {
        return Err(CodeCacheError::Corrupt);
    }
    if &body[12..12 + DIGEST] != key {
        return Err(CodeCacheError::Foreign);
    }
    let malformed = |what: String| CodeCacheError::Malformed { what };
    let mut at = 12 + DIGEST;
    let u32_at = |at: &mut usize| -> Result<u32, CodeCacheError> {
        let b = body
            .get(*at..*at + 4)
            .ok_or_else(|| malformed(alloc::format!("truncated at byte {at}")))?;
        *at += 4;
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    };
    let count = u32_at(&mut at)?;
    let mut funcs = BTreeMap::new();
    for n in 0..count {
        let index = u32_at(&mut at)?;
        let body_len = u32_at(&mut at)? as usize;
        let tramp_len = u32_at(&mut at)? as usize;
        if !defined.contains(&index) {
            return Err(malformed(alloc::format!(
                "function {n} has index {index}, not a defined function ({defined:?})"
            )));
        }
        if body_len == 0 || tramp_len == 0 {
            return Err(malformed(alloc::format!("function {index} has empty code")));
        }
        let b = at..at.saturating_add(body_len);
        let t = b.end..b.end.saturating_add(tramp_len);
        if t.end > body.len() {
            return Err(malformed(alloc::format!(
                "function {index}'s code runs past the end of the entry"
            )));
        }
        let code_len = body.len();
        let Some((sites, rest)) = Sites::read(&body[t.end..]) else {
            return Err(malformed(alloc::format!(
                "function {index}'s sites are cut short or out of order"
            )));
        };
        if sites
            .faults
            .iter()
            .chain(&sites.calls)
            .any(|&(off, _)| off as usize > body_len)
        {
            return Err(malformed(alloc::format!(
                "function {index} has a site outside its body"
            )));
        }
        at = code_len - rest.len();
        if funcs
            .insert(index, (b, t, alloc::sync::Arc::new(sites)))
            .is_some()
        {
            return Err(malformed(alloc::format!("function {index} appears twice")));
        }
    }
    if at != body.len() {
        return Err(malformed(alloc::format!(
            "{} bytes after the last function",
            body.len() - at
        )));
    }
    Ok(Entry {
        bytes: bytes.to_vec(),
        funcs,
    })
}

/// The code cache: native code kept between runs (see the module docs).
impl crate::Module {
    /// The name this module's native code on `engine` is kept under in a code cache: 64
    /// lowercase hex digits, a SHA-256 over the module's bytes, the engine build, the CPU
    /// features and the code flavour (see [the module docs](self)). `None` when the engine
    /// has no native tier.
    pub fn code_cache_key(&self, engine: &crate::Engine) -> Option<String> {
        super::native::cache_key(engine, &self.inner)
            .ok()
            .map(|k| key_name(&k))
    }

    /// Verifies `entry` (from [`native_code_entry`](Self::native_code_entry) or
    /// [`precompile`](Self::precompile) of an earlier run) and gives its functions their
    /// native code on their next call, without counting calls or compiling. Returns how
    /// many functions the entry holds. A damaged entry, or one for another module, engine
    /// build, CPU or flavour, is refused whole (the embedder should delete it); the module
    /// then runs as if there were none.
    pub fn load_native_code(
        &self,
        engine: &crate::Engine,
        entry: &[u8],
    ) -> Result<usize, CodeCacheError> {
        super::native::load_entry(engine, &self.inner, entry)
    }

    /// A code cache entry with all the native code this module has on `engine` (compiled,
    /// or loaded and still unused), if anything was compiled since it was loaded or since
    /// this was last called; `None` otherwise (nothing new to keep, or no native tier).
    pub fn native_code_entry(&self, engine: &crate::Engine) -> Option<Vec<u8>> {
        super::native::entry_of(engine, &self.inner).ok().flatten()
    }

    /// Compiles every function of this module for `engine` ahead of time, into a code cache
    /// entry (nothing is mapped executable; the module's own tiering is unchanged).
    pub fn precompile(
        &self,
        engine: &crate::Engine,
    ) -> Result<super::native::Precompiled, CodeCacheError> {
        super::native::precompile(engine, &self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static NO_SITES: Sites = Sites {
        faults: Vec::new(),
        calls: Vec::new(),
    };

    fn sites() -> Sites {
        Sites {
            faults: alloc::vec![(0, 0x20)],
            calls: alloc::vec![(1, 0x24)],
        }
    }

    fn entry() -> Vec<u8> {
        let f = |index, body: &'static [u8]| EntryFunc {
            index,
            body,
            trampoline: &[0xc3],
            sites: &NO_SITES,
        };
        let with_sites = sites();
        let mut first = f(2, &[0x90, 0xc3]);
        first.sites = &with_sites;
        write(&[7; DIGEST], &[first, f(5, &[0xc3])])
    }

    #[test]
    fn an_entry_reads_back() {
        let e = read(&entry(), &[7; DIGEST], 1..6).unwrap();
        assert_eq!(e.funcs.len(), 2);
        let (b, t, s) = e.body(2).unwrap();
        assert_eq!((b, t, &**s), (&[0x90, 0xc3][..], &[0xc3][..], &sites()));
        let (b, t, s) = e.body(5).unwrap();
        assert_eq!((b, t, &**s), (&[0xc3][..], &[0xc3][..], &NO_SITES));
        assert!(e.body(3).is_none());
    }

    #[test]
    fn every_flipped_bit_and_every_truncation_is_refused() {
        let good = entry();
        for i in 0..good.len() * 8 {
            let mut bad = good.clone();
            bad[i / 8] ^= 1 << (i % 8);
            let e = read(&bad, &[7; DIGEST], 1..6).err();
            assert!(
                matches!(
                    e,
                    Some(CodeCacheError::Corrupt | CodeCacheError::NotAnEntry)
                ),
                "bit {i}: {e:?}"
            );
        }
        for len in 0..good.len() {
            assert!(read(&good[..len], &[7; DIGEST], 1..6).is_err(), "{len}");
        }
    }

    #[test]
    fn an_entry_for_another_key_or_module_shape_is_refused() {
        assert_eq!(
            read(&entry(), &[8; DIGEST], 1..6).err(),
            Some(CodeCacheError::Foreign)
        );
        assert!(matches!(
            read(&entry(), &[7; DIGEST], 3..6).err(),
            Some(CodeCacheError::Malformed { .. })
        ));
        let twice = write(
            &[7; DIGEST],
            &[
                EntryFunc {
                    sites: &NO_SITES,
                    index: 2,
                    body: &[0xc3],
                    trampoline: &[0xc3],
                },
                EntryFunc {
                    sites: &NO_SITES,
                    index: 2,
                    body: &[0xc3],
                    trampoline: &[0xc3],
                },
            ],
        );
        let e = read(&twice, &[7; DIGEST], 1..6).err().unwrap();
        assert!(alloc::format!("{e}").contains("twice"), "{e}");
        // A fault site past its body's end would map a foreign address.
        let outside = Sites {
            faults: alloc::vec![(9, 0x20)],
            calls: Vec::new(),
        };
        let bad = write(
            &[7; DIGEST],
            &[EntryFunc {
                sites: &outside,
                index: 2,
                body: &[0x90, 0xc3],
                trampoline: &[0xc3],
            }],
        );
        let e = read(&bad, &[7; DIGEST], 1..6).err().unwrap();
        assert!(alloc::format!("{e}").contains("outside its body"), "{e}");
    }
}
