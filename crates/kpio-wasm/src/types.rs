//! The engine's own type vocabulary: value, reference, function, global, memory and table
//! types. Kept separate from wasmparser's so the public API does not leak parser versions.

use alloc::boxed::Box;
use core::fmt;

/// A WebAssembly value type: the 2.0 core language (fixed-width SIMD's `v128` included)
/// and the typed references of the function-references proposal.
///
/// The two nullable abstract references keep their 2.0 names, [`ValType::FuncRef`] and
/// [`ValType::ExternRef`]; every other reference type is [`ValType::Ref`]. Build reference
/// types with `ValType::from(RefType)`, which keeps that one spelling for each type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    /// `funcref`, i.e. `(ref null func)`.
    FuncRef,
    /// `externref`, i.e. `(ref null extern)`.
    ExternRef,
    /// `exnref`, i.e. `(ref null exn)`: a reference to an exception object (exception
    /// handling), `ref.null exn` or one the guest caught with `catch_ref`/`catch_all_ref`.
    ExnRef,
    /// Any other reference type: `(ref func)`, `(ref extern)`, `(ref exn)`, `(ref $t)`,
    /// `(ref null $t)`.
    Ref(RefType),
}

impl ValType {
    /// How many 64-bit frame slots a value of this type takes: two for `v128`, one else.
    pub(crate) fn slots(self) -> usize {
        if self == ValType::V128 { 2 } else { 1 }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        self.as_ref_type().is_some()
    }

    /// The reference type this is, if it is one (`FuncRef` is `RefType::FuncRef`, ...).
    pub fn as_ref_type(self) -> Option<RefType> {
        match self {
            ValType::FuncRef => Some(RefType::FuncRef),
            ValType::ExternRef => Some(RefType::ExternRef),
            ValType::ExnRef => Some(RefType::ExnRef),
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// The one spelling of this type (a `Ref` of a nullable abstract type becomes
    /// `FuncRef`/`ExternRef`/`ExnRef`).
    pub fn canonical(self) -> ValType {
        match self {
            ValType::Ref(r) => r.into(),
            t => t,
        }
    }

    /// Whether every value of `self` is a value of `other` (subtyping: a non-null reference
    /// is a nullable one, a reference to a function of a defined type is a `func`
    /// reference; defined function types match when they are the same type). Concrete type
    /// indices of both must be in the same index space (see [`HeapType::Concrete`]).
    pub fn matches(self, other: ValType) -> bool {
        match (self.as_ref_type(), other.as_ref_type()) {
            (Some(a), Some(b)) => a.matches(b),
            (None, None) => self == other,
            _ => false,
        }
    }

    /// The same type with every concrete type index mapped through `f`.
    pub(crate) fn map_types(self, f: &impl Fn(u32) -> u32) -> ValType {
        match self {
            ValType::Ref(r) => ValType::Ref(r.map_types(f)),
            t => t,
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::Ref(r) => return r.fmt(f),
            ValType::ExnRef => "exnref",
        })
    }
}

/// What a reference points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HeapType {
    /// Any function.
    Func,
    /// Any host reference.
    Extern,
    /// Any exception object (exception handling). Unrelated to `Func` and `Extern` by
    /// subtyping.
    Exn,
    /// A function of one defined function type, by index. In a module's own types
    /// ([`Module::imports`](crate::Module::imports), [`Module::exports`](crate::Module::exports))
    /// the index is the module's type index; in a store's
    /// ([`Func::ty`](crate::Func::ty), [`Global::ty`](crate::Global::ty),
    /// [`Table::ty`](crate::Table::ty), and the types given to `Global::new`/`Table::new`)
    /// it is the store's type index (see [`Store::type_index`](crate::Store::type_index)),
    /// where structurally equal function types have the same index.
    Concrete(u32),
}

/// A reference type: nullable or not, to a heap type. Tables hold references of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RefType {
    pub nullable: bool,
    pub heap: HeapType,
}

#[allow(non_upper_case_globals)]
impl RefType {
    /// `funcref`: `(ref null func)`.
    pub const FuncRef: RefType = RefType {
        nullable: true,
        heap: HeapType::Func,
    };
    /// `externref`: `(ref null extern)`.
    pub const ExternRef: RefType = RefType {
        nullable: true,
        heap: HeapType::Extern,
    };
    /// `exnref`: `(ref null exn)`.
    pub const ExnRef: RefType = RefType {
        nullable: true,
        heap: HeapType::Exn,
    };

    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }

    /// Whether the references point to functions (`func` or a defined function type).
    pub fn is_func(self) -> bool {
        matches!(self.heap, HeapType::Func | HeapType::Concrete(_))
    }

    /// The nullable abstract type at the top of this type's hierarchy (`funcref` for
    /// function references, `externref`, `exnref`): what a slot of this type holds is
    /// encoded as a value of that type.
    pub fn top(self) -> RefType {
        match self.heap {
            HeapType::Func | HeapType::Concrete(_) => RefType::FuncRef,
            HeapType::Extern => RefType::ExternRef,
            HeapType::Exn => RefType::ExnRef,
        }
    }

    /// Whether every reference of `self` is a reference of `other` (see
    /// [`ValType::matches`]).
    pub fn matches(self, other: RefType) -> bool {
        (other.nullable || !self.nullable)
            && match (self.heap, other.heap) {
                (a, b) if a == b => true,
                (HeapType::Concrete(_), HeapType::Func) => true,
                _ => false,
            }
    }

    pub(crate) fn map_types(self, f: &impl Fn(u32) -> u32) -> RefType {
        match self.heap {
            HeapType::Concrete(i) => RefType::new(self.nullable, HeapType::Concrete(f(i))),
            _ => self,
        }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        match r {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
            RefType::ExnRef => ValType::ExnRef,
            r => ValType::Ref(r),
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::Concrete(i) => write!(f, "${i}"),
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RefType::FuncRef => f.write_str("funcref"),
            RefType::ExternRef => f.write_str("externref"),
            RefType::ExnRef => f.write_str("exnref"),
            RefType {
                nullable: true,
                heap,
            } => write!(f, "(ref null {heap})"),
            RefType {
                nullable: false,
                heap,
            } => write!(f, "(ref {heap})"),
        }
    }
}

/// A function signature. Compared structurally; typed references in it name their defined
/// types by index (see [`HeapType::Concrete`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FuncType {
    params: Box<[ValType]>,
    results: Box<[ValType]>,
}

impl FuncType {
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> Self {
        FuncType {
            params: params.into_iter().map(ValType::canonical).collect(),
            results: results.into_iter().map(ValType::canonical).collect(),
        }
    }
    /// The same signature with every concrete type index mapped through `f`.
    pub(crate) fn map_types(&self, f: &impl Fn(u32) -> u32) -> FuncType {
        FuncType {
            params: self.params.iter().map(|t| t.map_types(f)).collect(),
            results: self.results.iter().map(|t| t.map_types(f)).collect(),
        }
    }
    pub fn params(&self) -> &[ValType] {
        &self.params
    }
    pub fn results(&self) -> &[ValType] {
        &self.results
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(func")?;
        if !self.params.is_empty() {
            f.write_str(" (param")?;
            for p in self.params.iter() {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.results.is_empty() {
            f.write_str(" (result")?;
            for r in self.results.iter() {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// Whether a global can be written after instantiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutability {
    Const,
    Var,
}

/// The type of a global: its content type and mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutability: Mutability,
}

impl GlobalType {
    pub fn new(content: ValType, mutability: Mutability) -> Self {
        GlobalType {
            content,
            mutability,
        }
    }
}

impl GlobalType {
    pub(crate) fn map_types(self, f: &impl Fn(u32) -> u32) -> GlobalType {
        GlobalType::new(self.content.map_types(f).canonical(), self.mutability)
    }

    /// Whether a global of type `self` can be imported as `expected`: an immutable global's
    /// content may be a subtype, a mutable one's must be the same type.
    pub(crate) fn matches(self, expected: GlobalType) -> bool {
        self.mutability == expected.mutability
            && match self.mutability {
                Mutability::Const => self.content.matches(expected.content),
                Mutability::Var => {
                    self.content.matches(expected.content) && expected.content.matches(self.content)
                }
            }
    }
}

impl fmt::Display for GlobalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mutability {
            Mutability::Const => write!(f, "(global {})", self.content),
            Mutability::Var => write!(f, "(global (mut {}))", self.content),
        }
    }
}

/// The type of a linear memory, in 64 KiB pages.
///
/// `memory64` says how the memory is addressed: with `i64` addresses, sizes and offsets
/// (the memory64 proposal) or with `i32` ones. The limits are 64-bit so a 64-bit memory's
/// can be expressed; a 32-bit memory's are at most 65,536 pages (validation sees to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    pub min: u64,
    pub max: Option<u64>,
    /// Addresses are `i64` (memory64) rather than `i32`.
    pub memory64: bool,
}

impl MemoryType {
    /// A 32-bit memory of at least `min` pages and at most `max`.
    pub fn new(min: u64, max: Option<u64>) -> Self {
        MemoryType {
            min,
            max,
            memory64: false,
        }
    }

    /// A 64-bit memory (`i64` addresses) of at least `min` pages and at most `max`.
    pub fn new64(min: u64, max: Option<u64>) -> Self {
        MemoryType {
            min,
            max,
            memory64: true,
        }
    }

    /// Whether the memory is addressed with `i64` (memory64).
    pub fn is_64(&self) -> bool {
        self.memory64
    }
}

impl fmt::Display for MemoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(memory")?;
        if self.memory64 {
            f.write_str(" i64")?;
        }
        write!(f, " {}", self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        f.write_str(")")
    }
}

/// The type of a table: element type and limits in elements.
///
/// `table64` says how the table is indexed: with `i64` indices, sizes and lengths (the
/// table64 part of the memory64 proposal) or with `i32` ones. The limits are 64-bit so a
/// 64-bit table's can be expressed; a 32-bit table's fit in 32 bits (validation sees to it).
/// A table's actual length is still bounded by `Config::max_table_elements`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    pub element: RefType,
    pub min: u64,
    pub max: Option<u64>,
    /// Indices are `i64` (table64) rather than `i32`.
    pub table64: bool,
}

impl TableType {
    /// A 32-bit table of `element`s, at least `min` long and at most `max`.
    pub fn new(element: RefType, min: u32, max: Option<u32>) -> Self {
        TableType {
            element,
            min: min.into(),
            max: max.map(u64::from),
            table64: false,
        }
    }

    /// A 64-bit table (`i64` indices) of `element`s, at least `min` long and at most `max`.
    pub fn new64(element: RefType, min: u64, max: Option<u64>) -> Self {
        TableType {
            element,
            min,
            max,
            table64: true,
        }
    }

    /// Whether the table is indexed with `i64` (table64).
    pub fn is_64(&self) -> bool {
        self.table64
    }
}

impl TableType {
    pub(crate) fn map_types(self, f: &impl Fn(u32) -> u32) -> TableType {
        TableType {
            element: self.element.map_types(f),
            ..self
        }
    }
}

impl fmt::Display for TableType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(table")?;
        if self.table64 {
            f.write_str(" i64")?;
        }
        write!(f, " {}", self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        write!(f, " {})", self.element)
    }
}

/// The type of an importable or exportable item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    Func(FuncType),
    Global(GlobalType),
    Memory(MemoryType),
    Table(TableType),
    /// An exception tag: the types of the values its exceptions carry (the function type's
    /// parameters; its results are empty).
    Tag(FuncType),
}

impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(t) => t.fmt(f),
            ExternType::Global(t) => t.fmt(f),
            ExternType::Memory(t) => t.fmt(f),
            ExternType::Table(t) => t.fmt(f),
            ExternType::Tag(t) => write!(f, "(tag {t})"),
        }
    }
}

/// Whether limits `actual` satisfy the import's `expected` limits (spec "import subtyping").
pub(crate) fn limits_match(
    actual_min: u64,
    actual_max: Option<u64>,
    expected_min: u64,
    expected_max: Option<u64>,
) -> bool {
    if actual_min < expected_min {
        return false;
    }
    match (expected_max, actual_max) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(e), Some(a)) => a <= e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    const T0: HeapType = HeapType::Concrete(0);

    #[test]
    fn nullable_abstract_references_have_one_spelling() {
        assert_eq!(ValType::from(RefType::FuncRef), ValType::FuncRef);
        assert_eq!(ValType::from(RefType::ExternRef), ValType::ExternRef);
        assert_eq!(ValType::Ref(RefType::FuncRef).canonical(), ValType::FuncRef);
        let typed = RefType::new(false, T0);
        assert_eq!(ValType::from(typed), ValType::Ref(typed));
        assert_eq!(ValType::FuncRef.as_ref_type(), Some(RefType::FuncRef));
        assert!(ValType::Ref(typed).is_ref() && !ValType::I32.is_ref());
    }

    #[test]
    fn subtyping_of_function_references() {
        let t = RefType::new(false, T0);
        let t_null = RefType::new(true, T0);
        let func = RefType::new(false, HeapType::Func);
        // Non-null <: nullable; a defined type <: func; not the other way round.
        assert!(t.matches(t_null) && t.matches(func) && t.matches(RefType::FuncRef));
        assert!(t_null.matches(RefType::FuncRef));
        assert!(!t_null.matches(t) && !func.matches(t) && !RefType::FuncRef.matches(func));
        // Distinct defined types and the extern hierarchy are unrelated.
        assert!(!t.matches(RefType::new(false, HeapType::Concrete(1))));
        assert!(!t.matches(RefType::ExternRef));
        assert!(!RefType::ExternRef.matches(RefType::FuncRef));
        // Value types: numbers only match themselves.
        assert!(ValType::Ref(t).matches(ValType::FuncRef));
        assert!(!ValType::I32.matches(ValType::I64));
        assert!(!ValType::I32.matches(ValType::FuncRef));
    }

    #[test]
    fn exception_references_are_references_of_their_own_hierarchy() {
        let exn = RefType::new(false, HeapType::Exn);
        assert_eq!(ValType::from(RefType::ExnRef), ValType::ExnRef);
        assert_eq!(ValType::Ref(RefType::ExnRef).canonical(), ValType::ExnRef);
        assert_eq!(ValType::ExnRef.as_ref_type(), Some(RefType::ExnRef));
        assert!(ValType::ExnRef.is_ref() && ValType::Ref(exn).is_ref());
        assert!(!RefType::ExnRef.is_func() && !exn.is_func());
        assert!(exn.matches(RefType::ExnRef) && !RefType::ExnRef.matches(exn));
        for other in [RefType::FuncRef, RefType::ExternRef] {
            assert!(!exn.matches(other) && !RefType::ExnRef.matches(other));
            assert!(!other.matches(RefType::ExnRef));
        }
        assert_eq!(ValType::ExnRef.to_string(), "exnref");
        assert_eq!(exn.to_string(), "(ref exn)");
    }

    #[test]
    fn global_import_matching_is_covariant_only_when_immutable() {
        let t = ValType::Ref(RefType::new(false, T0));
        let konst = GlobalType::new(t, Mutability::Const);
        let var = GlobalType::new(t, Mutability::Var);
        assert!(konst.matches(GlobalType::new(ValType::FuncRef, Mutability::Const)));
        assert!(var.matches(var));
        assert!(!var.matches(GlobalType::new(ValType::FuncRef, Mutability::Var)));
        assert!(!konst.matches(var));
    }

    #[test]
    fn typed_references_print_in_text_format() {
        assert_eq!(RefType::new(false, T0).to_string(), "(ref $0)");
        assert_eq!(
            RefType::new(true, HeapType::Concrete(7)).to_string(),
            "(ref null $7)"
        );
        assert_eq!(
            RefType::new(false, HeapType::Func).to_string(),
            "(ref func)"
        );
        assert_eq!(RefType::FuncRef.to_string(), "funcref");
        let map = |i: u32| i + 10;
        let ft = FuncType::new([ValType::Ref(RefType::new(true, T0))], [ValType::I32]);
        assert_eq!(
            ft.map_types(&map).to_string(),
            "(func (param (ref null $10)) (result i32))"
        );
    }
}
