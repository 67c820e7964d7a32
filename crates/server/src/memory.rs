//! Process memory readings and the memory alert (`memory_alert_bytes`).

use std::sync::atomic::{AtomicBool, Ordering};

use prometheus::IntGauge;

/// Resident set size of this process from `/proc/self/statm`; `None` without procfs.
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let resident_pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(resident_pages * page_size())
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions; it returns -1 for an unknown name.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 {
        size as u64
    } else {
        4096
    }
}

/// Bytes the allocator has handed out and not had back (glibc `mallinfo2`: arena bytes in use
/// plus mmapped blocks). `None` where the allocator is not glibc's.
pub fn heap_bytes() -> Option<u64> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallinfo2 takes no arguments and only reads the allocator's statistics.
        let info = unsafe { libc::mallinfo2() };
        Some((info.uordblks + info.hblkhd) as u64)
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        None
    }
}

/// One reading of the memory state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryReading {
    pub rss_bytes: u64,
    pub limit: Option<u64>,
    /// RSS is above the limit.
    pub alert: bool,
}

/// Compares RSS with the configured threshold, keeps the `kinvault_memory_alert` gauge and logs
/// once per crossing (up and back down), however often it is asked.
#[derive(Debug)]
pub struct MemoryWatch {
    limit: Option<u64>,
    alerting: AtomicBool,
    gauge: IntGauge,
}

impl MemoryWatch {
    pub fn new(limit: Option<u64>, gauge: IntGauge) -> Self {
        MemoryWatch { limit, alerting: AtomicBool::new(false), gauge }
    }

    /// Reads RSS now and updates the alert state.
    pub fn check(&self) -> MemoryReading {
        self.observe(rss_bytes().unwrap_or(0))
    }

    /// Updates the alert state for a given RSS (separate from [`MemoryWatch::check`] for tests).
    pub fn observe(&self, rss: u64) -> MemoryReading {
        let alert = self.limit.is_some_and(|limit| rss > limit);
        if self.alerting.swap(alert, Ordering::AcqRel) != alert {
            // Only the caller that flipped the state logs.
            let limit = self.limit.unwrap_or(0);
            if alert {
                tracing::warn!(
                    rss_bytes = rss,
                    limit_bytes = limit,
                    "memory alert: resident memory above the threshold"
                );
            } else {
                tracing::info!(
                    rss_bytes = rss,
                    limit_bytes = limit,
                    "memory alert cleared: resident memory below the threshold"
                );
            }
        }
        self.gauge.set(i64::from(alert));
        MemoryReading { rss_bytes: rss, limit: self.limit, alert }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_plausible() {
        let rss = rss_bytes().expect("procfs on Linux");
        assert!(rss > 1 << 20 && rss < 1 << 40, "{rss}");
        if let Some(heap) = heap_bytes() {
            let before = heap;
            let v = vec![1u8; 8 << 20];
            let during = heap_bytes().unwrap();
            assert!(during >= before + (8 << 20) - 4096, "{before} -> {during}");
            drop(v);
        }
    }

    #[test]
    fn alert_follows_threshold() {
        let gauge = IntGauge::new("g", "g").unwrap();
        let w = MemoryWatch::new(Some(1000), gauge.clone());
        assert!(!w.observe(999).alert);
        assert_eq!(gauge.get(), 0);
        assert!(w.observe(1001).alert);
        assert!(w.observe(5000).alert);
        assert_eq!(gauge.get(), 1);
        assert!(!w.observe(10).alert);
        assert_eq!(gauge.get(), 0);
        let off = MemoryWatch::new(None, IntGauge::new("h", "h").unwrap());
        assert!(!off.observe(u64::MAX).alert);
    }
}
