//! Prometheus metrics (text exposition at `GET /metrics`).

use std::time::Duration;

use deadpool_postgres::Pool;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::memory::{self, MemoryWatch};

/// Every series the server exports; one registry per server instance.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    pub(crate) batches_stored: IntCounter,
    pub(crate) batch_bytes_stored: IntCounter,
    pub(crate) snapshots_stored: IntCounter,
    pub(crate) rate_limited: IntCounterVec,
    pub(crate) memory_alert: IntGauge,
    memory_alert_threshold: IntGauge,
    rss: IntGauge,
    heap: Option<IntGauge>,
    pool_max: IntGauge,
    pool_size: IntGauge,
    pool_available: IntGauge,
    pool_waiting: IntGauge,
}

fn reg<T: prometheus::core::Collector + Clone + 'static>(registry: &Registry, metric: T) -> T {
    registry.register(Box::new(metric.clone())).expect("metric names are unique");
    metric
}

impl Metrics {
    pub fn new(memory_alert_bytes: Option<u64>) -> Self {
        let r = Registry::new();
        let gauge = |name: &str, help: &str| reg(&r, IntGauge::new(name, help).expect("valid metric"));
        let counter = |name: &str, help: &str| reg(&r, IntCounter::new(name, help).expect("valid metric"));
        let m = Metrics {
            requests: reg(
                &r,
                IntCounterVec::new(
                    Opts::new("kinvault_http_requests_total", "HTTP requests by route template, method and status."),
                    &["route", "method", "status"],
                )
                .expect("valid metric"),
            ),
            duration: reg(
                &r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "kinvault_http_request_duration_seconds",
                        "Time from request head to response head, by route template and method.",
                    )
                    .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
                    &["route", "method"],
                )
                .expect("valid metric"),
            ),
            batches_stored: counter(
                "kinvault_batches_stored_total",
                "Batches stored (idempotent retries not counted).",
            ),
            batch_bytes_stored: counter("kinvault_batch_bytes_stored_total", "Ciphertext bytes of the batches stored."),
            snapshots_stored: counter("kinvault_snapshots_stored_total", "Snapshots stored or replaced."),
            rate_limited: reg(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "kinvault_rate_limited_requests_total",
                        "Requests refused with 429, by limit (device token or client IP).",
                    ),
                    &["scope"],
                )
                .expect("valid metric"),
            ),
            memory_alert: gauge(
                "kinvault_memory_alert",
                "1 while resident memory is above memory_alert_bytes, else 0.",
            ),
            memory_alert_threshold: gauge(
                "kinvault_memory_alert_threshold_bytes",
                "The configured memory_alert_bytes (0 when unset).",
            ),
            rss: gauge("process_resident_memory_bytes", "Resident memory size in bytes."),
            heap: memory::heap_bytes().map(|_| {
                gauge(
                    "kinvault_heap_allocated_bytes",
                    "Bytes allocated on the heap and not yet freed (glibc mallinfo2).",
                )
            }),
            pool_max: gauge("kinvault_db_pool_max_size", "Most PostgreSQL connections the pool may hold."),
            pool_size: gauge("kinvault_db_pool_size", "PostgreSQL connections currently in the pool."),
            pool_available: gauge("kinvault_db_pool_available", "Idle PostgreSQL connections ready for use."),
            pool_waiting: gauge("kinvault_db_pool_waiting", "Requests waiting for a PostgreSQL connection."),
            registry: r,
        };
        m.memory_alert_threshold.set(memory_alert_bytes.map_or(0, |b| i64::try_from(b).unwrap_or(i64::MAX)));
        m.rate_limited.with_label_values(&["device"]);
        m.rate_limited.with_label_values(&["ip"]);
        m
    }

    /// Records one finished request.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.duration.with_label_values(&[route, method]).observe(elapsed.as_secs_f64());
    }

    /// Refreshes the gauges read at scrape time and renders the text exposition format.
    pub fn render(&self, pool: &Pool, memory: &MemoryWatch) -> String {
        let reading = memory.check();
        self.rss.set(i64::try_from(reading.rss_bytes).unwrap_or(i64::MAX));
        if let (Some(gauge), Some(bytes)) = (&self.heap, memory::heap_bytes()) {
            gauge.set(i64::try_from(bytes).unwrap_or(i64::MAX));
        }
        let status = pool.status();
        self.pool_max.set(status.max_size as i64);
        self.pool_size.set(status.size as i64);
        self.pool_available.set(status.available as i64);
        self.pool_waiting.set(status.waiting as i64);
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf).expect("text encoding cannot fail");
        String::from_utf8(buf).expect("text exposition is UTF-8")
    }
}
