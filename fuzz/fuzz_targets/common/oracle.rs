//! kpio-wasm against wasmi 2.0: what `differential` and `tiers` share. Outcomes and values
//! reduced to what both engines can show (trap classes, reference null-ness, externref
//! handles), the conversions into them, wasmi's engine and store set up with kpio's limits,
//! one call in each engine, and the comparison of exported state (globals, memories, tables)
//! between any two instances, kpio or wasmi, through [`StateView`].
//!
//! The modules these targets run are 2.0 modules (with SIMD, multi-memory, memory64, tail
//! calls, extended constants): no exceptions, no typed references, no imports.

use super::{CALL_DEPTH, ENGINE_MAX_PAGES, ENGINE_MAX_TABLE};

/// What a call or instantiation did, in terms comparable across engines.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok(Vec<Value>),
    Trap(Kind),
    /// A stack or resource limit: limits differ between engines, so not compared.
    Exhausted(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unreachable,
    MemoryOutOfBounds,
    /// wasmi reports both `table.get`-style out-of-bounds accesses and `call_indirect` past
    /// the table's end as `TableOutOfBounds`; kpio distinguishes the latter as
    /// `UndefinedElement` (the spec testsuite's wording). Both are the same spec trap class,
    /// so they compare equal here.
    TableOutOfBounds,
    /// `call_indirect` to a null entry: kpio `UninitializedElement`, wasmi `IndirectCallToNull`.
    NullCall,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    /// `throw_ref` of a null reference (kpio only: wasmi runs no exceptions).
    NullExceptionReference,
    /// An exception escaped to the host (kpio only; its tag and payload are compared by
    /// the targets that generate exceptions).
    Exception,
    Other,
}

/// A value with references reduced to what both engines can show: null-ness for funcrefs,
/// and the host handle for externrefs (both engines are given the same handles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    FuncRef {
        null: bool,
    },
    ExternRef(Option<u32>),
    /// Lanes as one little-endian integer (NaNs canonicalised by wasm-smith).
    V128(u128),
    /// An exception reference (kpio only): null-ness, as objects are numbered per store.
    ExnRef {
        null: bool,
    },
}

pub type WasmiStore = wasmi::Store<wasmi::StoreLimits>;

/// wasmi with the features these targets generate and kpio's call depth limit (wasmi runs
/// SIMD with its `simd` cargo feature, on in Cargo.toml).
pub fn wasmi_engine() -> wasmi::Engine {
    let mut w_config = wasmi::Config::default();
    w_config
        .set_max_recursion_depth(CALL_DEPTH)
        .wasm_tail_call(true)
        .wasm_extended_const(true)
        .wasm_memory64(true)
        .wasm_multi_memory(true)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false);
    wasmi::Engine::new(&w_config)
}

/// A wasmi store with kpio's growth limits.
pub fn wasmi_store(engine: &wasmi::Engine) -> WasmiStore {
    let mut store = wasmi::Store::new(
        engine,
        wasmi::StoreLimitsBuilder::new()
            .memory_size(ENGINE_MAX_PAGES as usize * 65536)
            .table_elements(ENGINE_MAX_TABLE as usize)
            .build(),
    );
    store.limiter(|limits| limits);
    store
}

/// Calls `func` of type `fty` in kpio: the comparable outcome, and the trap itself (for
/// comparisons between kpio engines, which can be stricter).
pub fn kpio_call(
    store: &mut kpio_wasm::Store<()>,
    func: kpio_wasm::Func,
    fty: &kpio_wasm::FuncType,
    args: &[kpio_wasm::Val],
) -> (Outcome, Option<kpio_wasm::Trap>) {
    let mut res: Vec<kpio_wasm::Val> = fty
        .results()
        .iter()
        .map(|t| kpio_wasm::Val::default_for(*t))
        .collect();
    match func.call(store, args, &mut res) {
        Ok(()) => (Outcome::Ok(res.iter().map(kpio_value).collect()), None),
        Err(t) => (kpio_outcome(&t, false), Some(t)),
    }
}

/// Calls export `name` of `inst` in wasmi with the arguments kpio got (`k_args`).
pub fn wasmi_call(
    store: &mut WasmiStore,
    inst: wasmi::Instance,
    name: &str,
    k_args: &[kpio_wasm::Val],
) -> Outcome {
    let func = inst.get_func(&*store, name).expect("wasmi export");
    let args: Vec<wasmi::Val> = k_args.iter().map(|k| to_wasmi(k, store)).collect();
    let ty = func.ty(&*store);
    let mut res: Vec<wasmi::Val> = ty
        .results()
        .iter()
        .map(|t| wasmi::Val::default_for_ty(*t))
        .collect();
    match func.call(&mut *store, &args, &mut res) {
        Ok(()) => Outcome::Ok(res.iter().map(|v| wasmi_value(store, v)).collect()),
        Err(e) => wasmi_outcome(&e),
    }
}

/// The same argument for wasmi (`common::kpio_arg` drew it): externrefs get the same
/// handle, funcrefs are null.
pub fn to_wasmi(k: &kpio_wasm::Val, w_store: &mut WasmiStore) -> wasmi::Val {
    use kpio_wasm::Val as K;
    use wasmi::Val as W;
    match *k {
        K::I32(v) => W::I32(v),
        K::I64(v) => W::I64(v),
        K::F32(v) => W::F32(wasmi::F32::from_bits(v.to_bits())),
        K::F64(v) => W::F64(wasmi::F64::from_bits(v.to_bits())),
        K::V128(v) => W::V128(wasmi::V128::from(v)),
        K::FuncRef(None) => W::FuncRef(wasmi::Nullable::Null),
        K::ExternRef(None) => W::ExternRef(wasmi::Nullable::Null),
        K::ExternRef(Some(h)) => W::ExternRef(wasmi::Nullable::Val(wasmi::ExternRef::new(
            &mut *w_store,
            h.get(),
        ))),
        // The wasm-smith configs here have neither typed references nor exceptions.
        K::FuncRef(Some(_)) | K::ExnRef(_) => {
            panic!("this harness's modules have no parameter taking {k:?}")
        }
    }
}

pub fn kpio_value(v: &kpio_wasm::Val) -> Value {
    use kpio_wasm::Val as K;
    match v {
        K::I32(x) => Value::I32(*x),
        K::I64(x) => Value::I64(*x),
        K::F32(x) => Value::F32(x.to_bits()),
        K::F64(x) => Value::F64(x.to_bits()),
        K::FuncRef(f) => Value::FuncRef { null: f.is_none() },
        K::ExternRef(e) => Value::ExternRef(e.map(|e| e.get())),
        K::V128(x) => Value::V128(*x),
        K::ExnRef(e) => Value::ExnRef { null: e.is_none() },
    }
}

pub fn wasmi_value(store: &WasmiStore, v: &wasmi::Val) -> Value {
    use wasmi::Val as W;
    match v {
        W::I32(x) => Value::I32(*x),
        W::I64(x) => Value::I64(*x),
        W::F32(x) => Value::F32(x.to_bits()),
        W::F64(x) => Value::F64(x.to_bits()),
        W::FuncRef(f) => Value::FuncRef { null: f.is_null() },
        W::ExternRef(e) => Value::ExternRef(e.val().map(|e| extern_handle(store, e))),
        // `as_u128` reads the lanes in native order; fuzzing runs on little-endian x86-64.
        W::V128(x) => Value::V128(x.as_u128()),
    }
}

fn wasmi_ref(store: &WasmiStore, r: &wasmi::Ref) -> Value {
    match r {
        wasmi::Ref::Func(f) => Value::FuncRef { null: f.is_null() },
        wasmi::Ref::Extern(e) => Value::ExternRef(e.val().map(|e| extern_handle(store, e))),
    }
}

fn extern_handle(store: &WasmiStore, e: &wasmi::ExternRef) -> u32 {
    *e.data(store)
        .downcast_ref::<u32>()
        .expect("externref made by this harness")
}

pub fn kpio_outcome(t: &kpio_wasm::Trap, instantiating: bool) -> Outcome {
    use kpio_wasm::TrapCode as C;
    let kind = match t.code() {
        Some(C::Unreachable) => Kind::Unreachable,
        Some(C::MemoryOutOfBounds) => Kind::MemoryOutOfBounds,
        Some(C::TableOutOfBounds | C::UndefinedElement) => Kind::TableOutOfBounds,
        Some(C::UninitializedElement) => Kind::NullCall,
        Some(C::IndirectCallTypeMismatch) => Kind::IndirectCallTypeMismatch,
        Some(C::IntegerDivideByZero) => Kind::IntegerDivideByZero,
        Some(C::IntegerOverflow) => Kind::IntegerOverflow,
        Some(C::InvalidConversionToInteger) => Kind::InvalidConversionToInteger,
        Some(C::StackExhausted | C::OutOfFuel | C::ResourceLimitExceeded) => {
            return Outcome::Exhausted(t.to_string());
        }
        Some(C::Interrupted) => panic!("nothing interrupts the harness's stores: {t}"),
        Some(C::NullExceptionReference) => Kind::NullExceptionReference,
        // Typed references are off in this harness's wasm-smith configs.
        Some(C::NullReference | C::NullFunctionReference) => {
            panic!("this harness's modules cannot trap with {t}")
        }
        Some(C::BadSignature) => panic!("harness called a kpio function with wrong arguments: {t}"),
        // Instantiation reports a memory or table larger than the store allows as a host
        // trap: a resource limit.
        None if t.exception().is_some() => Kind::Exception,
        None if instantiating => return Outcome::Exhausted(t.to_string()),
        None => {
            eprintln!("kpio: unexpected non-code trap: {t}");
            Kind::Other
        }
    };
    Outcome::Trap(kind)
}

pub fn wasmi_outcome(e: &wasmi::Error) -> Outcome {
    use wasmi::TrapCode as C;
    use wasmi::errors::{ErrorKind, InstantiationError};
    let kind = match e.as_trap_code() {
        Some(C::UnreachableCodeReached) => Kind::Unreachable,
        Some(C::MemoryOutOfBounds) => Kind::MemoryOutOfBounds,
        Some(C::TableOutOfBounds) => Kind::TableOutOfBounds,
        Some(C::IndirectCallToNull) => Kind::NullCall,
        Some(C::BadSignature) => Kind::IndirectCallTypeMismatch,
        Some(C::IntegerDivisionByZero) => Kind::IntegerDivideByZero,
        Some(C::IntegerOverflow) => Kind::IntegerOverflow,
        Some(C::BadConversionToInteger) => Kind::InvalidConversionToInteger,
        Some(
            C::StackOverflow | C::OutOfFuel | C::GrowthOperationLimited | C::OutOfSystemMemory,
        ) => {
            return Outcome::Exhausted(e.to_string());
        }
        None => match e.kind() {
            // An active element segment that does not fit its table.
            ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. }) => {
                Kind::TableOutOfBounds
            }
            ErrorKind::Instantiation(_)
            | ErrorKind::Memory(_)
            | ErrorKind::Table(_)
            | ErrorKind::UserLimits(_)
            | ErrorKind::ImplementationLimits(_) => return Outcome::Exhausted(e.to_string()),
            _ => {
                eprintln!("wasmi: unexpected error: {e}");
                Kind::Other
            }
        },
    };
    Outcome::Trap(kind)
}

/// One engine's exported state, read by export name, in the comparable [`Value`] terms.
pub trait StateView {
    /// The engine's name in panic messages.
    fn label(&self) -> &str;
    fn global(&self, name: &str) -> Value;
    fn memory(&self, name: &str) -> &[u8];
    fn table_is_64(&self, name: &str) -> bool;
    fn table_size(&self, name: &str) -> u64;
    fn table_get(&self, name: &str, i: u64) -> Value;
}

/// A kpio instance's exported state.
pub struct KpioView<'a> {
    pub label: &'a str,
    pub store: &'a kpio_wasm::Store<()>,
    pub inst: kpio_wasm::Instance,
}

impl StateView for KpioView<'_> {
    fn label(&self) -> &str {
        self.label
    }
    fn global(&self, name: &str) -> Value {
        let g = self.inst.get_global(self.store, name).expect("kpio global");
        kpio_value(&g.get(self.store))
    }
    fn memory(&self, name: &str) -> &[u8] {
        let m = self.inst.get_memory(self.store, name).expect("kpio memory");
        m.data(self.store)
    }
    fn table_is_64(&self, name: &str) -> bool {
        let t = self.inst.get_table(self.store, name).expect("kpio table");
        t.is_64(self.store)
    }
    fn table_size(&self, name: &str) -> u64 {
        let t = self.inst.get_table(self.store, name).expect("kpio table");
        u64::from(t.size(self.store))
    }
    fn table_get(&self, name: &str, i: u64) -> Value {
        let t = self.inst.get_table(self.store, name).expect("kpio table");
        let i = u32::try_from(i).expect("kpio table index fits u32");
        kpio_value(&t.get(self.store, i).expect("kpio table index"))
    }
}

/// A wasmi instance's exported state.
pub struct WasmiView<'a> {
    pub store: &'a WasmiStore,
    pub inst: wasmi::Instance,
}

impl StateView for WasmiView<'_> {
    fn label(&self) -> &str {
        "wasmi"
    }
    fn global(&self, name: &str) -> Value {
        let g = self
            .inst
            .get_global(self.store, name)
            .expect("wasmi global");
        wasmi_value(self.store, &g.get(self.store))
    }
    fn memory(&self, name: &str) -> &[u8] {
        let m = self
            .inst
            .get_memory(self.store, name)
            .expect("wasmi memory");
        m.data(self.store)
    }
    fn table_is_64(&self, name: &str) -> bool {
        let t = self.inst.get_table(self.store, name).expect("wasmi table");
        t.ty(self.store).is_64()
    }
    fn table_size(&self, name: &str) -> u64 {
        let t = self.inst.get_table(self.store, name).expect("wasmi table");
        t.size(self.store)
    }
    fn table_get(&self, name: &str, i: u64) -> Value {
        let t = self.inst.get_table(self.store, name).expect("wasmi table");
        wasmi_ref(
            self.store,
            &t.get(self.store, i).expect("wasmi table index"),
        )
    }
}

/// Compares every exported global, memory (size and every byte) and table (index type,
/// size, every element) of `a` and `b`; panics on the first difference.
pub fn compare_state(
    a: &dyn StateView,
    b: &dyn StateView,
    exports: &[(String, kpio_wasm::ExternType)],
    when: &str,
) {
    let (la, lb) = (a.label(), b.label());
    for (name, ty) in exports {
        match ty {
            // Functions have no state; tags neither (and 2.0 modules have none).
            kpio_wasm::ExternType::Func(_) | kpio_wasm::ExternType::Tag(_) => {}
            kpio_wasm::ExternType::Global(_) => {
                assert_eq!(
                    a.global(name),
                    b.global(name),
                    "global `{name}` differs {when} (left {la}, right {lb})"
                );
            }
            kpio_wasm::ExternType::Memory(_) => {
                let (x, y) = (a.memory(name), b.memory(name));
                assert_eq!(
                    x.len(),
                    y.len(),
                    "memory `{name}` size differs {when} (left {la}, right {lb})"
                );
                if x != y {
                    let at = x.iter().zip(y).position(|(p, q)| p != q).unwrap();
                    panic!(
                        "memory `{name}` contents differ {when}: first at byte {at:#x}: {la} {:#04x}, {lb} {:#04x}",
                        x[at], y[at]
                    );
                }
            }
            kpio_wasm::ExternType::Table(_) => {
                assert_eq!(
                    a.table_is_64(name),
                    b.table_is_64(name),
                    "table `{name}` index type differs {when} (left {la}, right {lb})"
                );
                let n = a.table_size(name);
                assert_eq!(
                    n,
                    b.table_size(name),
                    "table `{name}` size differs {when} (left {la}, right {lb})"
                );
                for i in 0..n {
                    assert_eq!(
                        a.table_get(name, i),
                        b.table_get(name, i),
                        "table `{name}`[{i}] differs {when} (left {la}, right {lb})"
                    );
                }
            }
        }
    }
}
