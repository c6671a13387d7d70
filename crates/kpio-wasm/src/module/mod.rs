//! `Module`: decode and validate a binary with wasmparser (WebAssembly 2.0, SIMD included), and
//! keep what instantiation and lazy translation need: types, imports, exports, segments,
//! function body ranges and the name section, and the code translated from the bodies
//! (one `CodeMap` per translation flavour, shared by every instance of the module).

mod convert;
mod limits;

use crate::code::{CodeMap, Flavour, OnceBox};
use crate::engine::{Config, Engine};
use crate::error::{ModuleError, ModuleErrorKind};
use crate::types::{ExternType, FuncType, GlobalType, MemoryType, TableType};
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Range;
use wasmparser::{
    ElementItems, ElementKind, FuncValidatorAllocations, KnownCustom, Name, Parser, Payload,
    TypeRef, ValidPayload, Validator, WasmFeatures,
};

pub(crate) use convert::{ConstExpr, ConstOp, SimpleConst};

/// What kind of item an import or export refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
    /// An exception tag.
    Tag,
}

/// An import declared by a module.
#[derive(Debug, Clone)]
pub(crate) struct Import {
    pub module: String,
    pub name: String,
    pub desc: ImportDesc,
}

#[derive(Debug, Clone)]
pub(crate) enum ImportDesc {
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// A tag of this module type index.
    Tag(u32),
}

/// A borrowed view of one import, for embedders.
#[derive(Debug, Clone)]
pub struct ImportRef<'a> {
    pub module: &'a str,
    pub name: &'a str,
    pub ty: ExternType,
}

#[derive(Debug, Clone)]
pub(crate) struct Export {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

#[derive(Debug, Clone)]
pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

#[derive(Debug, Clone)]
pub(crate) struct ElemSegment {
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

#[derive(Debug, Clone)]
pub(crate) enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

#[derive(Debug, Clone)]
pub(crate) struct DataSegment {
    pub mode: DataMode,
    pub range: Range<usize>,
}

/// Everything a validated module holds. Shared by all its instances.
#[derive(Debug)]
pub(crate) struct ModuleInner {
    pub bytes: Arc<[u8]>,
    pub types: Vec<FuncType>,
    pub imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<(TableType, Option<ConstExpr>)>,
    pub memories: Vec<MemoryType>,
    /// Every memory's type in the module's index space (imported ones first), so the
    /// translator knows each memory's index type (multi-memory and memory64).
    pub memory_space: Vec<MemoryType>,
    /// Every table's type in the module's index space (imported ones first), so the
    /// translator and the verifier know each table's index type (table64).
    pub table_space: Vec<TableType>,
    pub globals: Vec<(GlobalType, ConstExpr)>,
    /// Type index of every tag, imported ones first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    /// Byte range of each defined function's body (locals + code).
    pub bodies: Vec<Range<usize>>,
    pub func_names: BTreeMap<u32, String>,
    pub name: Option<String>,
    /// Translated functions, per flavour (indexed by `Flavour::index`), made on first use.
    code: [OnceBox<CodeMap>; Flavour::COUNT],
    /// Native code, per flavour (the `jit` feature), made on first use.
    #[cfg(feature = "jit")]
    native: [OnceBox<crate::jit::native::NativeMap>; Flavour::COUNT],
    /// Whether a function has a `try_table` with a catch clause (the `jit` feature: see
    /// [`ModuleInner::catches_exceptions`]), found on first use.
    #[cfg(feature = "jit")]
    catches: OnceBox<bool>,
}

/// A decoded, validated WebAssembly module, ready to instantiate any number of times, in
/// any number of stores, on any number of threads at once.
///
/// Cloning is cheap (the module is shared). Functions are translated on their first call in
/// any instance, once; every instance of the module runs the same code.
#[derive(Debug, Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

/// The proposals the engine runs: WebAssembly 2.0, fixed-width SIMD included, relaxed SIMD
/// (with the deterministic profile's results, see `docs/relaxed-simd.md`), extended constant
/// expressions, tail calls, typed function references, multi-memory, memory64 and exception
/// handling (the `exnref` form: `try_table`, `throw`, `throw_ref`). GC and the legacy form of
/// exception handling (`try`, `catch`, `rethrow`, `delegate`) are left out by design, so
/// validation refuses them. Multi-memory can be turned off (`Config::multi_memory`), for the
/// scripts that assert a second memory is invalid.
fn features(config: &Config) -> WasmFeatures {
    let f = WasmFeatures::WASM2
        .union(WasmFeatures::RELAXED_SIMD)
        .union(WasmFeatures::EXTENDED_CONST)
        .union(WasmFeatures::TAIL_CALL)
        .union(WasmFeatures::FUNCTION_REFERENCES)
        .union(WasmFeatures::MULTI_MEMORY)
        .union(WasmFeatures::MEMORY64)
        .union(WasmFeatures::EXCEPTIONS);
    if config.multi_memory {
        f
    } else {
        f.difference(WasmFeatures::MULTI_MEMORY)
    }
}

fn error(kind: ModuleErrorKind, e: wasmparser::BinaryReaderError) -> ModuleError {
    let message = e.message().to_string();
    // wasmparser reports a proposal left out of `features()` as "... support is not enabled",
    // tagged with the missing feature: valid WebAssembly this engine does not run (yet), not
    // an invalid module, so say so plainly.
    let (kind, message) = match e.missing_wasm_feature() {
        Some(f) if f.contains(WasmFeatures::GC) => (
            ModuleErrorKind::Unsupported,
            alloc::format!("GC is not supported by this engine ({message})"),
        ),
        Some(f) if f.contains(WasmFeatures::LEGACY_EXCEPTIONS) => (
            ModuleErrorKind::Unsupported,
            alloc::format!(
                "legacy exception handling (try/catch/rethrow/delegate) is not supported by \
                 this engine; use the exnref form (try_table, throw_ref) ({message})"
            ),
        ),
        Some(_) => (
            ModuleErrorKind::Unsupported,
            alloc::format!("a proposal this engine does not run yet ({message})"),
        ),
        None => (kind, message),
    };
    ModuleError {
        kind,
        offset: e.offset() as usize,
        message,
    }
}

fn malformed(e: wasmparser::BinaryReaderError) -> ModuleError {
    error(ModuleErrorKind::Malformed, e)
}

fn invalid(e: wasmparser::BinaryReaderError) -> ModuleError {
    error(ModuleErrorKind::Invalid, e)
}

impl Module {
    /// Decodes and validates `bytes`. Function bodies are validated here; they are translated
    /// to the interpreter's bytecode lazily, on their first call.
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, ModuleError> {
        let bytes: Arc<[u8]> = Arc::from(bytes);
        let mut m = ModuleInner {
            bytes: bytes.clone(),
            types: Vec::new(),
            imports: Vec::new(),
            funcs: Vec::new(),
            num_imported_funcs: 0,
            tables: Vec::new(),
            memories: Vec::new(),
            memory_space: Vec::new(),
            table_space: Vec::new(),
            globals: Vec::new(),
            tags: Vec::new(),
            num_imported_tags: 0,
            exports: Vec::new(),
            start: None,
            elems: Vec::new(),
            datas: Vec::new(),
            bodies: Vec::new(),
            func_names: BTreeMap::new(),
            name: None,
            code: [const { OnceBox::new() }; Flavour::COUNT],
            #[cfg(feature = "jit")]
            native: [const { OnceBox::new() }; Flavour::COUNT],
            #[cfg(feature = "jit")]
            catches: OnceBox::new(),
        };
        let mut validator = Validator::new_with_features(features(engine.config()));
        let mut allocs = FuncValidatorAllocations::default();
        for payload in Parser::new(0).parse_all(&bytes) {
            let payload = payload.map_err(malformed)?;
            let strict = match &payload {
                Payload::ImportSection(r) => Some((limits::Section::Import, r.range())),
                Payload::TableSection(r) => Some((limits::Section::Table, r.range())),
                Payload::MemorySection(r) => Some((limits::Section::Memory, r.range())),
                _ => None,
            };
            if let Some((section, range)) = strict {
                let (start, end) = (range.start as usize, range.end as usize);
                limits::check(section, &bytes[start..end], start)?;
            }
            if let ValidPayload::Func(func, body) = validator.payload(&payload).map_err(invalid)? {
                let mut v = func.into_validator(allocs);
                v.validate(&body).map_err(invalid)?;
                allocs = v.into_allocations();
                let r = body.range();
                m.bodies.push(r.start as usize..r.end as usize);
            }
            m.read_payload(payload)?;
        }
        Ok(Module { inner: Arc::new(m) })
    }

    /// The module's imports, in declaration order.
    pub fn imports(&self) -> impl Iterator<Item = ImportRef<'_>> + '_ {
        self.inner.imports.iter().map(|i| ImportRef {
            module: &i.module,
            name: &i.name,
            ty: self.inner.import_type(&i.desc),
        })
    }

    /// The module's exports with their types.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExternType)> + '_ {
        self.inner
            .exports
            .iter()
            .map(|e| (e.name.as_str(), self.inner.extern_type(e.kind, e.index)))
    }

    /// The module's name from the name section, if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// A function's name from the name section, if any.
    pub fn func_name(&self, index: u32) -> Option<&str> {
        self.inner.func_names.get(&index).map(|s| s.as_str())
    }

    /// The module's start function, if any.
    pub fn start(&self) -> Option<u32> {
        self.inner.start
    }

    /// Number of functions (imported and defined).
    pub fn num_funcs(&self) -> usize {
        self.inner.funcs.len()
    }

    /// How many of the module's functions have been translated so far, by all its instances
    /// together (a function counts once per set of translation options it ran under:
    /// fuel metering and interruptibility change the code). Instantiating the module again,
    /// in any store, and running functions that ran before translates nothing.
    pub fn translated_functions(&self) -> usize {
        self.inner
            .code
            .iter()
            .filter_map(|c| c.get())
            .map(|c| c.translated())
            .sum()
    }
}

impl ModuleInner {
    /// The code map for `flavour`, made empty on first use.
    pub(crate) fn code_map(&self, flavour: Flavour) -> &CodeMap {
        self.code[flavour.index()]
            .get_or_init(|| CodeMap::new(flavour, self.funcs.len(), self.num_imported_funcs))
    }

    /// The native code map for `flavour`, made by `make` on first use.
    #[cfg(feature = "jit")]
    pub(crate) fn native_map(
        &self,
        flavour: Flavour,
        make: impl FnOnce() -> crate::jit::native::NativeMap,
    ) -> &crate::jit::native::NativeMap {
        self.native[flavour.index()].get_or_init(make)
    }

    /// Whether any function of the module has a `try_table` with a catch clause, the only
    /// place an exception can be caught in its code. Native code of a module without one
    /// never needs to look whether a call it made ended in a trap (see the JIT's
    /// `Translator::raise`). Found by reading every body's operators once, on first use;
    /// a body that does not read counts as catching.
    #[cfg(feature = "jit")]
    pub(crate) fn catches_exceptions(&self) -> bool {
        *self.catches.get_or_init(|| {
            self.bodies.iter().any(|r| {
                let reader = wasmparser::BinaryReader::new(&self.bytes[r.clone()], r.start as u64);
                let Ok(mut ops) = wasmparser::FunctionBody::new(reader).get_operators_reader()
                else {
                    return true;
                };
                while !ops.eof() {
                    match ops.read() {
                        Ok(wasmparser::Operator::TryTable { try_table })
                            if !try_table.catches.is_empty() =>
                        {
                            return true;
                        }
                        Ok(_) => {}
                        Err(_) => return true,
                    }
                }
                false
            })
        })
    }

    /// The native code map for `flavour`, if one was made.
    #[cfg(feature = "jit")]
    pub(crate) fn native_map_if_made(
        &self,
        flavour: Flavour,
    ) -> Option<&crate::jit::native::NativeMap> {
        self.native[flavour.index()].get()
    }

    fn read_payload(&mut self, payload: Payload<'_>) -> Result<(), ModuleError> {
        match payload {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    self.types
                        .push(convert::func_type(&ty.map_err(malformed)?)?);
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(malformed)?;
                    let desc = match imp.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            self.funcs.push(t);
                            self.num_imported_funcs += 1;
                            ImportDesc::Func(t)
                        }
                        TypeRef::Table(t) => {
                            let t = convert::table_type(&t)?;
                            self.table_space.push(t);
                            ImportDesc::Table(t)
                        }
                        TypeRef::Memory(t) => {
                            let t = convert::memory_type(&t)?;
                            self.memory_space.push(t);
                            ImportDesc::Memory(t)
                        }
                        TypeRef::Global(t) => ImportDesc::Global(convert::global_type(&t)?),
                        TypeRef::Tag(t) => {
                            self.tags.push(t.func_type_idx);
                            self.num_imported_tags += 1;
                            ImportDesc::Tag(t.func_type_idx)
                        }
                    };
                    self.imports.push(Import {
                        module: imp.module.to_string(),
                        name: imp.name.to_string(),
                        desc,
                    });
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    self.funcs.push(t.map_err(malformed)?);
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    let t = t.map_err(malformed)?;
                    let init = match t.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(ConstExpr::read(&e)?),
                    };
                    let ty = convert::table_type(&t.ty)?;
                    self.tables.push((ty, init));
                    self.table_space.push(ty);
                }
            }
            Payload::MemorySection(r) => {
                for t in r {
                    let t = convert::memory_type(&t.map_err(malformed)?)?;
                    self.memories.push(t);
                    self.memory_space.push(t);
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g.map_err(malformed)?;
                    self.globals
                        .push((convert::global_type(&g.ty)?, ConstExpr::read(&g.init_expr)?));
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(malformed)?;
                    let kind = match e.kind {
                        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                            ExternKind::Func
                        }
                        wasmparser::ExternalKind::Table => ExternKind::Table,
                        wasmparser::ExternalKind::Memory => ExternKind::Memory,
                        wasmparser::ExternalKind::Global => ExternKind::Global,
                        wasmparser::ExternalKind::Tag => ExternKind::Tag,
                    };
                    self.exports.push(Export {
                        name: e.name.to_string(),
                        kind,
                        index: e.index,
                    });
                }
            }
            Payload::TagSection(r) => {
                for t in r {
                    self.tags.push(t.map_err(malformed)?.func_type_idx);
                }
            }
            Payload::StartSection { func, .. } => self.start = Some(func),
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.map_err(malformed)?;
                    let mode = match e.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declared,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: ConstExpr::read(&offset_expr)?,
                        },
                    };
                    let mut items = Vec::new();
                    match e.items {
                        ElementItems::Functions(r) => {
                            for f in r {
                                items.push(ConstExpr::RefFunc(f.map_err(malformed)?));
                            }
                        }
                        ElementItems::Expressions(_, r) => {
                            for x in r {
                                items.push(ConstExpr::read(&x.map_err(malformed)?)?);
                            }
                        }
                    }
                    self.elems.push(ElemSegment { mode, items });
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d.map_err(malformed)?;
                    let mode = match d.kind {
                        wasmparser::DataKind::Passive => DataMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: memory_index,
                            offset: ConstExpr::read(&offset_expr)?,
                        },
                    };
                    // `d.data` borrows from our own copy of the bytes: find its position.
                    let start = d.data.as_ptr() as usize - self.bytes.as_ptr() as usize;
                    self.datas.push(DataSegment {
                        mode,
                        range: start..start + d.data.len(),
                    });
                }
            }
            Payload::CustomSection(c) => {
                // A broken name section is not an error in the spec; keep what parses.
                if let KnownCustom::Name(names) = c.as_known() {
                    for n in names.into_iter().flatten() {
                        match n {
                            Name::Module { name, .. } => self.name = Some(name.to_string()),
                            Name::Function(map) => {
                                for naming in map.into_iter().flatten() {
                                    self.func_names
                                        .insert(naming.index, naming.name.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The type of global `g` (module index: imported globals first).
    pub(crate) fn global_type(&self, g: u32) -> Option<crate::GlobalType> {
        let imported = self.imports.iter().filter_map(|i| match &i.desc {
            ImportDesc::Global(t) => Some(*t),
            _ => None,
        });
        imported
            .chain(self.globals.iter().map(|(t, _)| *t))
            .nth(g as usize)
    }

    pub(crate) fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.funcs[func_index as usize] as usize]
    }

    /// The type of tag `tag_index` (module index): its parameters are the payload's types.
    pub(crate) fn tag_type(&self, tag_index: u32) -> &FuncType {
        &self.types[self.tags[tag_index as usize] as usize]
    }

    pub(crate) fn import_type(&self, desc: &ImportDesc) -> ExternType {
        match desc {
            ImportDesc::Func(t) => ExternType::Func(self.types[*t as usize].clone()),
            ImportDesc::Table(t) => ExternType::Table(*t),
            ImportDesc::Memory(t) => ExternType::Memory(*t),
            ImportDesc::Global(t) => ExternType::Global(*t),
            ImportDesc::Tag(t) => ExternType::Tag(self.types[*t as usize].clone()),
        }
    }

    fn imported<F: Fn(&ImportDesc) -> Option<ExternType>>(&self, f: F) -> Vec<ExternType> {
        self.imports.iter().filter_map(|i| f(&i.desc)).collect()
    }

    pub(crate) fn extern_type(&self, kind: ExternKind, index: u32) -> ExternType {
        let i = index as usize;
        match kind {
            ExternKind::Func => ExternType::Func(self.func_type(index).clone()),
            ExternKind::Tag => ExternType::Tag(self.tag_type(index).clone()),
            ExternKind::Table => {
                let imp = self.imported(|d| match d {
                    ImportDesc::Table(t) => Some(ExternType::Table(*t)),
                    _ => None,
                });
                imp.get(i)
                    .cloned()
                    .unwrap_or_else(|| ExternType::Table(self.tables[i - imp.len()].0))
            }
            ExternKind::Memory => {
                let imp = self.imported(|d| match d {
                    ImportDesc::Memory(t) => Some(ExternType::Memory(*t)),
                    _ => None,
                });
                imp.get(i)
                    .cloned()
                    .unwrap_or_else(|| ExternType::Memory(self.memories[i - imp.len()]))
            }
            ExternKind::Global => {
                let imp = self.imported(|d| match d {
                    ImportDesc::Global(t) => Some(ExternType::Global(*t)),
                    _ => None,
                });
                imp.get(i)
                    .cloned()
                    .unwrap_or_else(|| ExternType::Global(self.globals[i - imp.len()].0))
            }
        }
    }
}

#[cfg(all(test, feature = "jit"))]
mod tests {
    use super::*;

    fn catches(wat: &str) -> bool {
        let e = Engine::default();
        let m = Module::new(&e, &wat::parse_str(wat).unwrap()).unwrap();
        m.inner.catches_exceptions()
    }

    #[test]
    fn a_module_catches_exceptions_where_a_try_table_has_a_catch_clause() {
        assert!(!catches(
            "(module (func) (func (result i32) (i32.const 1)))"
        ));
        // Throwing, or a try_table without clauses, catches nothing.
        assert!(!catches(
            "(module (tag $e) (func (try_table (throw $e))) (func (try_table)))"
        ));
        assert!(catches(
            "(module (func) (func (block $h (try_table (catch_all $h)))))"
        ));
        assert!(catches(
            "(module (tag $e (param i32)) (func)
               (func (result i32) (block $h (result i32) (try_table (catch $e $h)) (i32.const 0))))"
        ));
    }
}
