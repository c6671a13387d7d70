//! The store budget of an app run: how much of each engine resource one run of an app may
//! hold, so that a small package cannot reach gigabytes through its tables, its value
//! stack or many instances. One budget for every place apps run: the hosted launcher
//! (`kpio-pkg`, which may lower the memory further with `kpio run --max-memory`) and the
//! kernel.

use kpio_wasm::{Config, PAGE_SIZE, StoreLimits, StoreLimitsBuilder};

use crate::Permissions;

/// Store-wide table elements a guest may hold in all (a large C++ program has tens of
/// thousands of functions in its table).
pub const APP_TABLE_ELEMENTS: usize = 1 << 20;
/// Bytes of value stack a guest's frames may take in all (8 M slots).
pub const APP_VALUE_STACK_BYTES: usize = 64 << 20;
/// How many tables a guest may hold (the reference-types proposal allows many).
pub const APP_TABLES: usize = 100;
/// How many memories and instances a guest may hold (an app is one module).
pub const APP_MEMORIES: usize = 10;
pub const APP_INSTANCES: usize = 10;

/// The budget of a guest whose linear memories may hold `memory_bytes` in all.
pub fn store_limits(memory_bytes: u64, config: &Config) -> StoreLimits {
    StoreLimitsBuilder::new()
        .memory_size(usize::try_from(memory_bytes).unwrap_or(usize::MAX))
        .table_elements(APP_TABLE_ELEMENTS.min(config.max_table_elements as usize))
        .value_stack(APP_VALUE_STACK_BYTES)
        .tables(APP_TABLES)
        .memories(APP_MEMORIES)
        .instances(APP_INSTANCES)
        .build()
}

impl Permissions {
    /// Bytes of linear memory an app may hold in all: its `memory_limit_pages`, or the
    /// engine's per-memory maximum, whichever is lower.
    pub fn memory_budget(&self, config: &Config) -> u64 {
        let pages = self
            .memory_limit_pages
            .map_or(config.max_memory_pages, |p| p.min(config.max_memory_pages));
        u64::from(pages).saturating_mul(PAGE_SIZE as u64)
    }
}
