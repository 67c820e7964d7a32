//! Memory accounting for the `harness = false` memory tests and benchmarks: a counting global
//! allocator (live bytes, live allocations, peak), resident memory from procfs, and the answer to
//! a test runner's `--list`.
//!
//! ```ignore
//! #[global_allocator]
//! static GLOBAL: kinvault_testkit::alloc::Counting = kinvault_testkit::alloc::Counting;
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Forwards to the system allocator, counting. Install it with `#[global_allocator]` in the test
/// or benchmark binary; the counters are process-wide.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        ALLOCS.fetch_sub(1, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

/// Heap bytes allocated and not yet freed (through [`Counting`]).
pub fn live_bytes() -> usize {
    LIVE.load(Ordering::SeqCst)
}

/// Allocations not yet freed.
pub fn live_allocations() -> usize {
    ALLOCS.load(Ordering::SeqCst)
}

/// The most live bytes since the last [`reset_peak`].
pub fn peak_bytes() -> usize {
    PEAK.load(Ordering::SeqCst)
}

/// Starts a new peak measurement from the current live bytes.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::SeqCst), Ordering::SeqCst);
}

/// Resident set size of this process (/proc/self/statm), 0 where procfs is missing.
pub fn rss_bytes() -> usize {
    let s = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    s.split_whitespace().nth(1).and_then(|x| x.parse::<usize>().ok()).unwrap_or(0) * 4096
}

/// For a `harness = false` test: answers a test runner's listing (`--list`, as cargo-nextest
/// asks before running) with the one test named `name`, and returns true — the caller then exits
/// without running. Any other invocation returns false.
pub fn listing_only(name: &str) -> bool {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--list") {
        return false;
    }
    if !args.iter().any(|a| a == "--ignored") {
        println!("{name}: test");
    }
    true
}
