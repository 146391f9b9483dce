//! Lookout's shared types (metrics, statuses, snapshots) and pure helpers, used by the generator and the widgets.

pub mod alert;
pub mod anomaly;
pub mod labelled;
pub mod lists;
pub mod metric;
pub mod realbench;
mod rng;
pub mod rollup;
pub mod snapshot;
pub mod stats;
pub mod status;
pub mod time;
pub mod trend;

pub use metric::{Better, Metric, Unit};
pub use snapshot::{
    Counter, EndpointOutcome, Fact, OutcomeKind, PartHealth, Snapshot, SourceState,
};
pub use status::{Availability, Status};
