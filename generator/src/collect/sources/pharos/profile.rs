//! Pharos' dashboard as data: the key metric groups in people's words and the live cards.

use crate::collect::sources::{ChartSpec, KeyGroups, Methods, Profile};

/// The key metrics the index shows with a trend and an anomaly mark, grouped as the design lists them.
pub const KEY_GROUPS: KeyGroups = &[
    (
        "Event handler latency",
        &[
            ("events.handler_latency_p50", "Event handler p50"),
            ("events.handler_latency_p95", "Event handler p95"),
            ("events.handler_latency_p99", "Event handler p99"),
        ],
    ),
    (
        "Errors",
        &[
            ("events.handler_error_rate", "Event handler error rate"),
            ("events.handler_errors", "Event handler errors"),
            ("performance.slow_query_count", "Slow queries"),
        ],
    ),
    (
        "Cache",
        &[
            ("cache.hit_rate", "Hit rate"),
            ("cache.hits", "Hits"),
            ("cache.misses", "Misses"),
            ("cache.invalidations", "Invalidations"),
        ],
    ),
    (
        "Database pool",
        &[
            ("db.pool.pool_usage_percent", "Pool usage"),
            ("db.pool.checked_out", "Checked out"),
            ("db.pool.checked_in", "Idle"),
            ("db.pool.total_capacity", "Capacity"),
        ],
    ),
    (
        "Event bus",
        &[
            ("events.events_emitted", "Emitted"),
            ("events.events_delivered", "Delivered"),
            ("events.emission_latency_p95", "Emission p95"),
        ],
    ),
    (
        "Workers",
        &[
            ("workers.count", "Workers"),
            ("workers.active_tasks", "Active tasks"),
            ("workers.queue_length", "Queue length"),
            ("ingestion.worker.online", "Ingestion worker online"),
        ],
    ),
    (
        "Ingestion queue",
        &[
            ("ingestion.jobs.pending", "Pending"),
            ("ingestion.jobs.processing", "Processing"),
            ("ingestion.jobs.completed", "Completed"),
            ("ingestion.jobs.failed", "Failed"),
        ],
    ),
];

/// The metrics the live cards follow.
pub const CARDS: &[&str] = &[
    "cache.hit_rate",
    "workers.queue_length",
    "db.pool.pool_usage_percent",
    "events.handler_latency_p95",
];

pub const QUEUE: ChartSpec = ChartSpec {
    id: "queue",
    title: "Worker queue length",
    unit: model::Unit::Count,
    metrics: &[("workers.queue_length", "scheduled tasks")],
    threshold: Some(100.0),
};
pub const CACHE: ChartSpec = ChartSpec {
    id: "cache-rate",
    title: "Cache hit rate",
    unit: model::Unit::Ratio,
    metrics: &[("cache.hit_rate", "hit rate")],
    threshold: Some(0.5),
};
pub const POOL: ChartSpec = ChartSpec {
    id: "pool",
    title: "Database pool usage",
    unit: model::Unit::Percent,
    metrics: &[("database.pool.pool_usage_percent", "pool usage")],
    threshold: None,
};
pub const EVENTS: ChartSpec = ChartSpec {
    id: "handlers",
    title: "Event handler latency",
    unit: model::Unit::Milliseconds,
    metrics: &[
        ("events.handler_latency_p50", "p50"),
        ("events.handler_latency_p95", "p95"),
        ("events.handler_latency_p99", "p99"),
    ],
    threshold: None,
};

/// Pharos' per-method timings of `/performance`.
pub const METHODS: Methods = Methods {
    prefix: "performance.method.",
    average: ".average_ms",
    count: ".count",
};

pub const PROFILE: Profile = Profile {
    key_groups: KEY_GROUPS,
    cards: CARDS,
    charts: &[&CACHE, &QUEUE, &POOL, &EVENTS],
    methods: Some(METHODS),
};
