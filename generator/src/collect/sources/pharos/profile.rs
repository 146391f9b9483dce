//! Pharos' dashboard as data: the key metric groups in people's words and the live cards.

use crate::collect::sources::{KeyGroups, Profile};

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

pub const PROFILE: Profile = Profile {
    key_groups: KEY_GROUPS,
    cards: CARDS,
};
