//! The CLI's memory allocator: jemalloc, with settings for a long `run`.
//!
//! Measured side by side with glibc's malloc (tuned: one arena per core, fixed large-block
//! thresholds) on `bench/e2e.sh` and the bench harness, one build after the other:
//! - speed: `run` fetched and refined 15-25% more pages a second (both cores 188% busy
//!   against 181%), and extraction alone took 6% less time. A page's DOM is hundreds of
//!   thousands of small nodes, strings and vectors made and freed at once, and jemalloc's
//!   per-thread caches serve them with less work.
//! - memory: glibc's arenas crept up through a run (freed pages fragment and stay), so peak
//!   RSS grew by 9-10 MB between 2,000 and 20,000 pages in every pair (83-84 -> 93-94 MB).
//!   jemalloc gives freed pages back after `dirty_decay_ms`, and most of its level is reached
//!   in the first seconds: 108-129 MB at 2,000 pages, 112-124 MB at 20,000, a growth of -8 to
//!   +13 MB over nine runs (+3 to +7 in most). Its per-thread caches hold the extra ~25 MB.
//!
//! The settings: one arena per CPU (its default of four per CPU held ~20 MB more), freed
//! pages returned after one second instead of ten and without the "muzzy" second stage, which
//! only delays the same return. `_RJEM_MALLOC_CONF` in the environment overrides any of them.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc reads this before `main` (a C string: a thin pointer to NUL-terminated bytes).
#[unsafe(export_name = "_rjem_malloc_conf")]
#[used]
static MALLOC_CONF: &[u8; 57] = b"percpu_arena:percpu,dirty_decay_ms:1000,muzzy_decay_ms:0\0";
