//! Instantiation per the WebAssembly 2.0 spec: check imports, allocate the module's
//! functions, globals, tables, memories and segments in the store, then run active element
//! and data segments and the start function.

use crate::Store;
use crate::code::{CodeMap, Flavour};
use crate::error::{InstantiateError, LinkError};
use crate::exception::{Tag, TagEntity};
use crate::exec;
use crate::extern_::Extern;
use crate::func::Func;
use crate::global::Global;
use crate::memory::Memory;
use crate::module::{
    ConstExpr, ConstOp, DataMode, ElemMode, ExternKind, ImportDesc, Module, ModuleInner,
    SimpleConst,
};
use crate::store::{DataEntity, ElemEntity, FuncEntity, FuncKind, GlobalEntity, WasmFunc};
use crate::table::Table;
use crate::trap::{Trap, TrapCode};
use crate::types::{ExternType, limits_match};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

/// An instance's index spaces, mapping module indices to store indices. The module's code
/// names entities by module index; the executor maps them through these.
pub(crate) struct InstanceEntity {
    pub module: Arc<ModuleInner>,
    /// The translation options of the store's engine: which of the module's code maps the
    /// instance runs.
    pub flavour: Flavour,
    /// Module type index -> store type id.
    pub types: Vec<u32>,
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    pub elems: Vec<u32>,
    pub datas: Vec<u32>,
    /// Module tag index -> store tag index.
    pub tags: Vec<u32>,
    pub exports: BTreeMap<String, Extern>,
}

impl InstanceEntity {
    /// The module's code map this instance runs.
    #[inline]
    pub fn code(&self) -> &CodeMap {
        self.module.code_map(self.flavour)
    }
}

/// A handle to an instantiated module in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

impl Instance {
    /// Instantiates `module` with imports given in the module's import order.
    pub fn new<T>(
        store: &mut Store<T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance, InstantiateError> {
        instantiate(store, module, imports)
    }

    pub fn get_export<T>(&self, store: &Store<T>, name: &str) -> Option<Extern> {
        store.inner.instances[self.0 as usize]
            .exports
            .get(name)
            .copied()
    }
    pub fn get_func<T>(&self, store: &Store<T>, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }
    pub fn get_global<T>(&self, store: &Store<T>, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }
    pub fn get_memory<T>(&self, store: &Store<T>, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }
    pub fn get_table<T>(&self, store: &Store<T>, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }
    pub fn get_tag<T>(&self, store: &Store<T>, name: &str) -> Option<Tag> {
        self.get_export(store, name)?.into_tag()
    }
    /// All exports, by name.
    pub fn exports<'a, T>(&self, store: &'a Store<T>) -> impl Iterator<Item = (&'a str, Extern)> {
        store.inner.instances[self.0 as usize]
            .exports
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
    }
    /// The module this instance was made from.
    pub fn module<T>(&self, store: &Store<T>) -> Module {
        Module {
            inner: store.inner.instances[self.0 as usize].module.clone(),
        }
    }
}

fn extern_type<T>(store: &Store<T>, e: Extern) -> ExternType {
    match e {
        Extern::Func(f) => ExternType::Func(f.ty(store)),
        Extern::Global(g) => ExternType::Global(g.ty(store)),
        Extern::Memory(m) => ExternType::Memory(m.ty(store)),
        Extern::Table(t) => ExternType::Table(t.ty(store)),
        Extern::Tag(t) => ExternType::Tag(t.ty(store)),
    }
}

/// Whether `given` satisfies import `desc` (import matching, with subtyping: a function's
/// type must be the import's, an immutable global's content type may be a subtype, a
/// mutable global's and a table's element type must be the same). `types` maps the
/// module's type indices to store type ids, in which the given entities' types are.
fn check_import<T>(
    store: &Store<T>,
    module: &ModuleInner,
    types: &[u32],
    desc: &ImportDesc,
    given: Extern,
) -> Result<(), String> {
    let to_store = |i: u32| types[i as usize];
    let ok = match (desc, given) {
        (ImportDesc::Func(t), Extern::Func(f)) => {
            store.inner.funcs[f.0 as usize].ty == types[*t as usize]
        }
        (ImportDesc::Global(t), Extern::Global(g)) => g.ty(store).matches(t.map_types(&to_store)),
        // Tag types match exactly (the payload is read and written by both sides): the
        // same store type id.
        (ImportDesc::Tag(t), Extern::Tag(tag)) => {
            store.inner.tags[tag.0 as usize].ty == types[*t as usize]
        }
        (ImportDesc::Memory(t), Extern::Memory(m)) => {
            let a = m.ty(store);
            // A memory's index type must match exactly (memory64).
            a.memory64 == t.memory64 && limits_match(a.min, a.max, t.min, t.max)
        }
        (ImportDesc::Table(t), Extern::Table(tb)) => {
            let a = tb.ty(store);
            let e = t.element.map_types(&to_store);
            // A table's index type must match exactly (table64), like a memory's.
            a.table64 == t.table64
                && a.element.matches(e)
                && e.matches(a.element)
                && limits_match(a.min, a.max, t.min, t.max)
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "incompatible import type: expected {}, found {}",
            module.import_type(desc),
            extern_type(store, given)
        ))
    }
}

/// Evaluates a constant expression in the context of a (partially built) instance.
/// Scalars are in the low 64 bits (one slot); a `v128` fills all 128.
/// Whether every 32-bit memory of an instance (its own and imported) sits in a guarded
/// reservation, so that its native code may leave their accesses to guard pages
/// ([`Flavour::guarded`], which also needs the engine's fault handler).
fn guarded<T>(store: &Store<T>, memories: &[u32]) -> bool {
    memories.iter().all(|&m| {
        let m = &store.inner.memories[m as usize];
        m.is_64() || m.guarded()
    })
}

fn eval_const<T>(store: &Store<T>, inst: &InstanceEntity, e: &ConstExpr) -> u128 {
    let simple = |c: SimpleConst| -> u128 {
        (match c {
            SimpleConst::V128(v) => return v,
            SimpleConst::I32(v) => v as u32 as u64,
            SimpleConst::I64(v) => v as u64,
            SimpleConst::F32(b) => b as u64,
            SimpleConst::F64(b) => b,
            SimpleConst::RefNull => 0,
            SimpleConst::RefFunc(i) => inst.funcs[i as usize] as u64 + 1,
            SimpleConst::GlobalGet(i) => {
                let g = &store.inner.globals[inst.globals[i as usize] as usize];
                return g.value as u128 | (g.hi as u128) << 64;
            }
        }) as u128
    };
    match e {
        ConstExpr::V128(v) => simple(SimpleConst::V128(*v)),
        ConstExpr::I32(v) => simple(SimpleConst::I32(*v)),
        ConstExpr::I64(v) => simple(SimpleConst::I64(*v)),
        ConstExpr::F32(b) => simple(SimpleConst::F32(*b)),
        ConstExpr::F64(b) => simple(SimpleConst::F64(*b)),
        ConstExpr::RefNull => simple(SimpleConst::RefNull),
        ConstExpr::RefFunc(i) => simple(SimpleConst::RefFunc(*i)),
        ConstExpr::GlobalGet(i) => simple(SimpleConst::GlobalGet(*i)),
        ConstExpr::Extended(ops) => {
            // Validation typed the sequence: each operator finds its two operands, of its
            // type, and one value is left. i32 values are kept zero-extended, like slots.
            let mut stack: Vec<u128> = Vec::with_capacity(4);
            for op in ops.iter() {
                let v = match *op {
                    ConstOp::Push(c) => simple(c),
                    arith => {
                        let b = stack.pop().unwrap_or(0) as u64;
                        let a = stack.pop().unwrap_or(0) as u64;
                        let (a32, b32) = (a as u32, b as u32);
                        (match arith {
                            ConstOp::I32Add => a32.wrapping_add(b32) as u64,
                            ConstOp::I32Sub => a32.wrapping_sub(b32) as u64,
                            ConstOp::I32Mul => a32.wrapping_mul(b32) as u64,
                            ConstOp::I64Add => a.wrapping_add(b),
                            ConstOp::I64Sub => a.wrapping_sub(b),
                            ConstOp::I64Mul => a.wrapping_mul(b),
                            ConstOp::Push(_) => unreachable!("matched above"),
                        }) as u128
                    }
                };
                stack.push(v);
            }
            stack.pop().unwrap_or(0)
        }
    }
}

/// Instantiates `module` with `imports` given in the module's import order.
pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance, InstantiateError> {
    let m = module.inner.clone();
    if imports.len() != m.imports.len() {
        return Err(LinkError {
            module: String::new(),
            name: String::new(),
            message: format!(
                "expected {} imports, got {}",
                m.imports.len(),
                imports.len()
            ),
        }
        .into());
    }
    // The module's types as store ids: imports are checked, and entities typed, in them.
    let types = store.inner.intern_module_types(&m);
    let to_store = |i: u32| types[i as usize];
    for (imp, given) in m.imports.iter().zip(imports) {
        check_import(store, &m, &types, &imp.desc, *given).map_err(|message| LinkError {
            module: imp.module.clone(),
            name: imp.name.clone(),
            message,
        })?;
    }

    // The whole module against the store's budget before anything is allocated: a module
    // of many entities each within `Config`'s bounds must not get to allocate most of them.
    store.inner.check_new(
        1,
        m.memories.len(),
        // Saturating: 64-bit memories may declare up to 2^48 pages each.
        m.memories
            .iter()
            .fold(0u64, |sum, t| sum.saturating_add(t.min)),
        m.tables.len(),
        // Saturating: 64-bit tables may declare up to 2^64 - 1 elements each.
        m.tables
            .iter()
            .fold(0u64, |sum, (t, _)| sum.saturating_add(t.min)),
    )?;

    let id = store.inner.instances.len() as u32;
    let flavour = Flavour::of(&store.inner.engine);
    let mut inst = InstanceEntity {
        module: m.clone(),
        flavour,
        types: types.clone(),
        funcs: Vec::new(),
        tables: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
        elems: Vec::new(),
        datas: Vec::new(),
        tags: Vec::new(),
        exports: BTreeMap::new(),
    };
    for e in imports {
        match *e {
            Extern::Func(f) => inst.funcs.push(f.0),
            Extern::Global(g) => inst.globals.push(g.0),
            Extern::Memory(x) => inst.memories.push(x.0),
            Extern::Table(t) => inst.tables.push(t.0),
            Extern::Tag(t) => inst.tags.push(t.0),
        }
    }
    // Each instance's own tags are new tags: another instance of the module throws
    // exceptions its handlers do not catch by tag.
    for ty in m.tags.iter().skip(m.num_imported_tags as usize) {
        let ty = inst.types[*ty as usize];
        store.inner.tags.push(TagEntity { ty });
        inst.tags.push(store.inner.tags.len() as u32 - 1);
    }
    // The defined functions go into the store in a row: the threaded `call_ref` finds a
    // callee of the running instance by that range (see `exec::threaded::FastCx`).
    for (i, ty) in m
        .funcs
        .iter()
        .enumerate()
        .skip(m.num_imported_funcs as usize)
    {
        let index = store.inner.push_func(FuncEntity {
            ty: inst.types[*ty as usize],
            kind: FuncKind::Wasm(WasmFunc {
                instance: id,
                index: i as u32,
            }),
        });
        inst.funcs.push(index);
    }
    for (ty, init) in &m.globals {
        let value = eval_const(store, &inst, init);
        store.inner.globals.push(Box::new(GlobalEntity {
            value: value as u64,
            hi: (value >> 64) as u64,
            ty: ty.map_types(&to_store),
        }));
        inst.globals.push(store.inner.globals.len() as u32 - 1);
    }
    for (ty, init) in &m.tables {
        let init = init
            .as_ref()
            .map_or(0, |e| eval_const(store, &inst, e) as u64);
        inst.tables
            .push(store.inner.new_table(ty.map_types(&to_store), init)?);
    }
    for ty in &m.memories {
        inst.memories.push(store.inner.new_memory(*ty)?);
    }
    inst.flavour.guarded &= guarded(store, &inst.memories);
    // Made now, so the executor only ever reads it.
    m.code_map(inst.flavour);
    for seg in &m.elems {
        let items = seg
            .items
            .iter()
            .map(|e| eval_const(store, &inst, e) as u64)
            .collect();
        store.inner.elems.push(ElemEntity { items });
        inst.elems.push(store.inner.elems.len() as u32 - 1);
    }
    for seg in &m.datas {
        store.inner.datas.push(DataEntity {
            bytes: m.bytes.clone(),
            range: seg.range.clone(),
        });
        inst.datas.push(store.inner.datas.len() as u32 - 1);
    }
    for e in &m.exports {
        let i = e.index as usize;
        let x = match e.kind {
            ExternKind::Func => Extern::Func(Func(inst.funcs[i])),
            ExternKind::Table => Extern::Table(Table(inst.tables[i])),
            ExternKind::Memory => Extern::Memory(Memory(inst.memories[i])),
            ExternKind::Global => Extern::Global(Global(inst.globals[i])),
            ExternKind::Tag => Extern::Tag(Tag(inst.tags[i])),
        };
        inst.exports.insert(e.name.to_string(), x);
    }

    // Segment initialisation happens in order; a trap leaves earlier effects in place.
    let mut active_elems = Vec::new();
    for (i, seg) in m.elems.iter().enumerate() {
        match &seg.mode {
            ElemMode::Active { table, offset } => active_elems.push((
                i,
                inst.tables[*table as usize],
                eval_const(store, &inst, offset) as u64,
            )),
            ElemMode::Declared => store.inner.elems[inst.elems[i] as usize].items.clear(),
            ElemMode::Passive => {}
        }
    }
    let mut active_datas = Vec::new();
    for (i, seg) in m.datas.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &seg.mode {
            active_datas.push((
                i,
                inst.memories[*memory as usize],
                eval_const(store, &inst, offset) as u64,
            ));
        }
    }
    let start = m.start.map(|s| inst.funcs[s as usize]);
    store.inner.instances.push(inst);

    for (i, table, offset) in active_elems {
        let elem = store.inner.instances[id as usize].elems[i];
        let n = store.inner.elems[elem as usize].items.len();
        // A 32-bit table's offset is an `i32`: only the low half of the value counts. A
        // 64-bit table's is taken whole (an offset at or past 2^32 is out of bounds).
        let offset = if store.inner.tables[table as usize].ty.table64 {
            offset
        } else {
            offset as u32 as u64
        };
        exec::table::init(&mut store.inner, table, elem, offset, 0, n as u32)?;
        store.inner.elems[elem as usize].items.clear();
    }
    for (i, mem, offset) in active_datas {
        let data = store.inner.instances[id as usize].datas[i];
        let n = store.inner.datas[data as usize].bytes().len();
        // A 32-bit memory's offset is an `i32`: only the low half of the value counts.
        let offset = if store.inner.memories[mem as usize].is_64() {
            offset
        } else {
            offset as u32 as u64
        };
        exec::memory_init(&mut store.inner, mem, data, offset, 0, n as u32)?;
        store.inner.datas[data as usize].range = 0..0;
    }
    if let Some(f) = start {
        exec::call(store, f, &[], &mut []).map_err(InstantiateError::Trap)?;
    }
    Ok(Instance(id))
}

impl From<TrapCode> for InstantiateError {
    fn from(c: TrapCode) -> Self {
        InstantiateError::Trap(Trap::new(c))
    }
}
