//! One persistent anomaly detector per watched metric, fed each new snapshot's value once.

use std::collections::HashMap;

use model::anomaly::{Detector, DetectorConfig, Score};

use crate::store::{AnalysisWrite, SnapshotMeta, Store, StoreError};

#[derive(Debug, Default)]
pub struct Scores {
    /// The newest verdict per metric (from this pass, or kept from the last one).
    pub latest: HashMap<String, Score>,
    /// This pass's verdicts by metric and snapshot id (anomaly alert rules read these).
    pub per_snapshot: HashMap<String, HashMap<i64, Score>>,
}

pub fn advance(
    store: &Store,
    metrics: &[String],
    fresh: &[SnapshotMeta],
    write: &mut AnalysisWrite,
) -> Result<Scores, StoreError> {
    let mut out = Scores::default();
    let span = fresh
        .first()
        .zip(fresh.last())
        .map(|(a, b)| (a.taken_at_ms, b.taken_at_ms));
    for metric in metrics {
        let saved = store.detector(metric)?;
        let (mut last_ms, mut detector, mut last_score) = match &saved {
            Some(d) => (
                d.last_ms,
                Detector::from_bytes(&d.state),
                d.last_score
                    .as_deref()
                    .and_then(|s| serde_json::from_str::<Score>(s).ok()),
            ),
            None => (i64::MIN, None, None),
        };
        if let Some((from, to)) = span {
            let values = store.values_by_snapshot(metric, from, to)?;
            let points: Vec<(i64, i64, f64)> = fresh
                .iter()
                .filter(|m| m.taken_at_ms > last_ms)
                .filter_map(|m| values.get(&m.id).map(|v| (m.id, m.taken_at_ms, *v)))
                .collect();
            if !points.is_empty() {
                let d = detector.get_or_insert_with(|| {
                    let vals: Vec<f64> = points.iter().map(|p| p.2).collect();
                    Detector::new(DetectorConfig {
                        counter: model::anomaly::looks_like_counter(&vals),
                        ..DetectorConfig::default()
                    })
                });
                let per = out.per_snapshot.entry(metric.clone()).or_default();
                for (id, t, v) in points {
                    let s = d.update(t, v);
                    per.insert(id, s);
                    last_score = Some(s);
                    last_ms = t;
                }
                write.detectors.push((
                    metric.clone(),
                    last_ms,
                    d.to_bytes(),
                    last_score
                        .and_then(|s| serde_json::to_string(&s).ok())
                        .unwrap_or_default(),
                ));
            }
        }
        if let Some(s) = last_score {
            out.latest.insert(metric.clone(), s);
        }
    }
    Ok(out)
}
