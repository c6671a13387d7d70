//! Store-wide resource limits, in the spirit of wasmtime's `StoreLimits`: one budget for
//! everything a store's guests can make allocate (linear memory bytes, table elements,
//! instances, memories, tables and the value stack), checked *before* allocating.
//!
//! `Config` bounds each entity on its own (a memory's pages, a table's length); these bound
//! their sum, so a module cannot reach gigabytes by declaring many entities that are each
//! within bounds. A refused `memory.grow`/`table.grow` returns -1, a creation past the
//! budget fails with a [`LimitExceeded`] trap naming the resource, and a frame that would
//! take the value stack past its budget traps with "call stack exhausted".

use crate::memory::{MemoryEntity, PAGE_SIZE};
use crate::store::StoreInner;
use crate::table::TableEntity;
use crate::trap::Trap;
use crate::types::{MemoryType, TableType};
use alloc::boxed::Box;
use core::fmt;

/// The resources a store budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Bytes of all linear memories together.
    MemorySize,
    /// Elements of all tables together.
    TableElements,
    /// Number of instances.
    Instances,
    /// Number of linear memories.
    Memories,
    /// Number of tables.
    Tables,
    /// Bytes of value stack (frames' locals, constants and operands).
    ValueStack,
    /// Bytes of live exception objects (see `exception::MAX_LIVE_EXCEPTION_BYTES`).
    ExceptionObjects,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::MemorySize => "linear memory bytes",
            Resource::TableElements => "table elements",
            Resource::Instances => "instances",
            Resource::Memories => "memories",
            Resource::Tables => "tables",
            Resource::ValueStack => "value stack bytes",
            Resource::ExceptionObjects => "live exception object bytes",
        })
    }
}

/// A creation refused because it would take the store past one of its [`StoreLimits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LimitExceeded {
    pub resource: Resource,
    /// The store's total of `resource` had the creation gone ahead (saturating).
    pub needed: u64,
    /// The budget.
    pub limit: u64,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "store limit on {} exceeded: {} needed, limit {}",
            self.resource, self.needed, self.limit
        )
    }
}

/// A store's resource budget (see the module docs). Plain data: build one with
/// [`StoreLimitsBuilder`] or fill in the fields, and give it to `Store::set_limits`.
///
/// The defaults are generous: no store-wide bound on memory bytes, table elements or value
/// stack beyond what `Config` allows each entity, and 10,000 instances, memories and tables
/// (as wasmtime's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreLimits {
    /// Total bytes of all linear memories in the store.
    pub memory_size: usize,
    /// Total elements of all tables in the store.
    pub table_elements: usize,
    /// Number of instances.
    pub instances: usize,
    /// Number of linear memories (defined or created by the host).
    pub memories: usize,
    /// Number of tables (defined or created by the host).
    pub tables: usize,
    /// Bytes of value stack, 8 per slot; `Config::max_value_stack` also applies.
    pub value_stack: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            memory_size: usize::MAX,
            table_elements: usize::MAX,
            instances: 10_000,
            memories: 10_000,
            tables: 10_000,
            value_stack: usize::MAX,
        }
    }
}

/// Builds [`StoreLimits`], starting from the defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    pub fn new() -> Self {
        Self::default()
    }
    /// Total bytes of all linear memories.
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.0.memory_size = bytes;
        self
    }
    /// Total elements of all tables.
    pub fn table_elements(mut self, n: usize) -> Self {
        self.0.table_elements = n;
        self
    }
    pub fn instances(mut self, n: usize) -> Self {
        self.0.instances = n;
        self
    }
    pub fn memories(mut self, n: usize) -> Self {
        self.0.memories = n;
        self
    }
    pub fn tables(mut self, n: usize) -> Self {
        self.0.tables = n;
        self
    }
    /// Bytes of value stack.
    pub fn value_stack(mut self, bytes: usize) -> Self {
        self.0.value_stack = bytes;
        self
    }
    pub fn build(self) -> StoreLimits {
        self.0
    }
}

/// What a store currently holds of the budgeted sizes (counts are the entity vectors'
/// lengths).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    pub memory_bytes: usize,
    pub table_elements: usize,
}

/// `Ok` if `current + extra` is within `limit`, else the trap naming `resource`.
pub(crate) fn check(
    resource: Resource,
    current: usize,
    extra: usize,
    limit: usize,
) -> Result<(), Trap> {
    match current.checked_add(extra) {
        Some(n) if n <= limit => Ok(()),
        n => Err(Trap::limit(LimitExceeded {
            resource,
            needed: n.map_or(u64::MAX, |n| n as u64),
            limit: limit as u64,
        })),
    }
}

impl<T> StoreInner<T> {
    /// Checks that `instances` more instances, `memories` more memories of `memory_pages`
    /// pages in all, and `tables` more tables of `table_elements` elements in all fit the
    /// budget. Instantiation asks this for the whole module before allocating anything.
    pub(crate) fn check_new(
        &self,
        instances: usize,
        memories: usize,
        memory_pages: u64,
        tables: usize,
        table_elements: u64,
    ) -> Result<(), Trap> {
        let l = &self.limits;
        check(
            Resource::Instances,
            self.instances.len(),
            instances,
            l.instances,
        )?;
        check(
            Resource::Memories,
            self.memories.len(),
            memories,
            l.memories,
        )?;
        check(Resource::Tables, self.tables.len(), tables, l.tables)?;
        let bytes = memory_pages.saturating_mul(PAGE_SIZE as u64);
        check(
            Resource::MemorySize,
            self.usage.memory_bytes,
            usize::try_from(bytes).unwrap_or(usize::MAX),
            l.memory_size,
        )?;
        check(
            Resource::TableElements,
            self.usage.table_elements,
            usize::try_from(table_elements).unwrap_or(usize::MAX),
            l.table_elements,
        )
    }

    /// Creates a memory within the budget and `Config::max_memory_pages`; returns its store
    /// index.
    pub(crate) fn new_memory(&mut self, ty: MemoryType) -> Result<u32, Trap> {
        self.check_new(0, 1, ty.min, 0, 0)?;
        let mem = MemoryEntity::new(ty, self.engine.config().max_memory_pages)?;
        self.usage.memory_bytes += mem.len();
        self.memories.push(Box::new(mem));
        Ok(self.memories.len() as u32 - 1)
    }

    /// Creates a table filled with `init` within the budget and
    /// `Config::max_table_elements`; returns its store index.
    pub(crate) fn new_table(&mut self, ty: TableType, init: u64) -> Result<u32, Trap> {
        self.check_new(0, 0, 0, 1, ty.min)?;
        let t = TableEntity::new(ty, init, self.engine.config().max_table_elements)?;
        self.usage.table_elements += t.elems.len();
        self.tables.push(Box::new(t));
        Ok(self.tables.len() as u32 - 1)
    }

    /// `memory.grow`: the old size in pages, or None if the memory's maximum or the store's
    /// budget refuses (nothing is allocated then).
    pub(crate) fn grow_memory(&mut self, mem: u32, delta: u64) -> Option<u64> {
        let extra = usize::try_from(delta).ok()?.checked_mul(PAGE_SIZE)?;
        check(
            Resource::MemorySize,
            self.usage.memory_bytes,
            extra,
            self.limits.memory_size,
        )
        .ok()?;
        let budget = self.memories[mem as usize].len().saturating_add(
            self.limits
                .memory_size
                .saturating_sub(self.usage.memory_bytes),
        );
        let old = self.memories[mem as usize].grow(delta, budget)?;
        self.usage.memory_bytes += extra;
        Some(old)
    }

    /// `table.grow`: the old length, or None if the table's maximum or the store's budget
    /// refuses (nothing is allocated then).
    pub(crate) fn grow_table(&mut self, table: u32, delta: u32, init: u64) -> Option<u32> {
        // The length stays within `Config::max_table_elements`, a u32.
        self.grow_table64(table, delta.into(), init)
            .map(|old| old as u32)
    }

    /// `table.grow` with a 64-bit delta (a 64-bit table's): the old length, or None if
    /// refused, as [`grow_table`](Self::grow_table).
    pub(crate) fn grow_table64(&mut self, table: u32, delta: u64, init: u64) -> Option<u64> {
        check(
            Resource::TableElements,
            self.usage.table_elements,
            usize::try_from(delta).unwrap_or(usize::MAX),
            self.limits.table_elements,
        )
        .ok()?;
        let old = self.tables[table as usize].grow(delta, init)?;
        // `grow` succeeded, so the delta fits the table's u32 maximum.
        self.usage.table_elements += delta as usize;
        Some(old)
    }

    /// The most value-stack slots this store may hold.
    pub(crate) fn max_slots(&self) -> usize {
        (self.limits.value_stack / size_of::<u64>()).min(self.engine.config().max_value_stack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn builder_sets_every_field() {
        let l = StoreLimitsBuilder::new()
            .memory_size(1)
            .table_elements(2)
            .instances(3)
            .memories(4)
            .tables(5)
            .value_stack(6)
            .build();
        assert_eq!(
            l,
            StoreLimits {
                memory_size: 1,
                table_elements: 2,
                instances: 3,
                memories: 4,
                tables: 5,
                value_stack: 6,
            }
        );
    }

    #[test]
    fn check_names_the_resource_and_saturates() {
        assert!(check(Resource::Tables, 3, 2, 5).is_ok());
        let t = check(Resource::TableElements, usize::MAX, 1, 10).unwrap_err();
        let e = t.limit_exceeded().unwrap();
        assert_eq!(e.resource, Resource::TableElements);
        assert_eq!(e.needed, u64::MAX);
        assert_eq!(e.limit, 10);
        assert!(t.to_string().contains("table elements"), "{t}");
    }
}
