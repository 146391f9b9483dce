//! Health through a dependency graph: a healthy part that depends on a broken one is degraded,
//! with the reason named.

use std::collections::{BTreeMap, HashMap};

use crate::{PartHealth, Status};

#[derive(Debug, Clone, PartialEq)]
pub struct Propagated {
    pub name: String,
    /// What the backend said.
    pub own: Status,
    /// After dependencies: never better than `own`, at most degraded by a dependency.
    pub effective: Status,
    /// The dependencies that made it worse, with their status: `redis is down`.
    pub because: Vec<String>,
}

/// Propagates statuses along `depends_on` (part -> parts it needs; names compared without case).
/// Chains propagate (a -> b -> c); cycles end because a status only ever gets worse.
pub fn propagate(
    parts: &[&PartHealth],
    depends_on: &BTreeMap<String, Vec<String>>,
) -> Vec<Propagated> {
    let key = |s: &str| s.to_ascii_lowercase();
    let mut effective: HashMap<String, Status> =
        parts.iter().map(|p| (key(&p.name), p.status)).collect();
    let mut because: HashMap<String, Vec<String>> = HashMap::new();
    for _ in 0..parts.len().max(1) {
        let mut changed = false;
        for p in parts {
            let k = key(&p.name);
            let Some(deps) = depends_on.get(&k) else {
                continue;
            };
            let broken: Vec<(String, Status)> = deps
                .iter()
                .filter_map(|d| effective.get(&key(d)).map(|s| (d.clone(), *s)))
                .filter(|(_, s)| s.is_problem())
                .collect();
            if broken.is_empty() {
                continue;
            }
            let reasons: Vec<String> = broken
                .iter()
                .map(|(d, s)| format!("{d} is {}", s.label().to_ascii_lowercase()))
                .collect();
            let cur = effective.get(&k).copied().unwrap_or(Status::Unknown);
            if cur < Status::Degraded {
                effective.insert(k.clone(), Status::Degraded);
                changed = true;
            }
            if because.get(&k) != Some(&reasons) {
                because.insert(k, reasons);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    parts
        .iter()
        .map(|p| {
            let k = key(&p.name);
            let eff = effective.get(&k).copied().unwrap_or(p.status);
            Propagated {
                name: p.name.clone(),
                own: p.status,
                effective: eff,
                because: if eff > p.status {
                    because.remove(&k).unwrap_or_default()
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(name: &str, status: Status) -> PartHealth {
        PartHealth {
            name: name.into(),
            status,
            word: String::new(),
            message: String::new(),
        }
    }

    fn deps(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
            .collect()
    }

    #[test]
    fn a_healthy_part_on_a_down_dependency_is_degraded_because_of_it() {
        let parts = [
            part("redis", Status::Down),
            part("Search", Status::Healthy),
            part("Graph", Status::Healthy),
        ];
        let refs: Vec<&PartHealth> = parts.iter().collect();
        let out = propagate(&refs, &deps(&[("search", &["database", "redis"])]));
        assert_eq!(out[1].effective, Status::Degraded);
        assert_eq!(out[1].because, vec!["redis is down".to_owned()]);
        assert_eq!(out[2].effective, Status::Healthy);
        assert!(out[0].because.is_empty());
    }

    #[test]
    fn chains_propagate_cycles_end_and_own_status_is_never_improved() {
        let parts = [
            part("a", Status::Healthy),
            part("b", Status::Healthy),
            part("c", Status::Down),
            part("d", Status::Down),
        ];
        let refs: Vec<&PartHealth> = parts.iter().collect();
        let out = propagate(
            &refs,
            &deps(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &["c"])]),
        );
        assert_eq!(out[0].effective, Status::Degraded, "a -> b -> c");
        assert_eq!(out[0].because, vec!["b is degraded".to_owned()]);
        assert_eq!(out[3].effective, Status::Down, "down stays down");
        assert!(out[3].because.is_empty());
    }
}
