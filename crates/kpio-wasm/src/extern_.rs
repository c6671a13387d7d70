//! `Extern`: any importable or exportable item.

use crate::exception::Tag;
use crate::func::Func;
use crate::global::Global;
use crate::memory::Memory;
use crate::table::Table;

/// A function, global, memory, table or exception tag, as imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Global(Global),
    Memory(Memory),
    Table(Table),
    Tag(Tag),
}

impl Extern {
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Self {
        Extern::Func(f)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Self {
        Extern::Global(g)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Self {
        Extern::Memory(m)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Self {
        Extern::Table(t)
    }
}
impl From<Tag> for Extern {
    fn from(t: Tag) -> Self {
        Extern::Tag(t)
    }
}
