//! Pharos' route list (`/openapi.json`): which modules this version has, and which of them
//! answer a real health check of their own.
//!
//! Versions differ: the newest removed 9 of the 13 modules the contract names and added others,
//! and `/health/module/{name}` answers "healthy" for any name. The route list is the backend's
//! own account of what it runs.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Route groups that are not modules of their own: the service root, its Prometheus export, and
/// the two Lookout reads as the overall health and the ingestion section.
const NOT_MODULES: [&str; 4] = ["health", "metrics", "monitoring", "ingestion"];

/// The word of a module that has no check of its own: nothing is known of it.
pub const NO_CHECK: &str = "no health check registered";

/// What the route list says of modules.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Routes {
    /// Module name -> the path of its own health check, or `None` when it registers none.
    pub modules: BTreeMap<String, Option<String>>,
}

#[derive(Deserialize)]
struct OpenApi {
    paths: BTreeMap<String, BTreeMap<String, serde::de::IgnoredAny>>,
}

/// The module a route belongs to: its first segment after `/api/` and a version (`v1`).
fn group(path: &str) -> Option<&str> {
    let mut segs = path.trim_start_matches('/').split('/').peekable();
    if segs.peek() == Some(&"api") {
        segs.next();
    }
    if segs.peek().is_some_and(|s| {
        s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
    }) {
        segs.next();
    }
    segs.next()
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .filter(|s| {
            s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        })
}

/// Reads an OpenAPI document's paths; `None` when the body is not one.
pub fn parse(body: &[u8]) -> Option<Routes> {
    let doc: OpenApi = serde_json::from_slice(body).ok()?;
    let mut modules: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (path, ops) in &doc.paths {
        let Some(g) = group(path) else { continue };
        let g = g.to_ascii_lowercase();
        if NOT_MODULES.contains(&g.as_str()) {
            continue;
        }
        let check = modules.entry(g).or_default();
        // The shortest GET `.../health` under the group is its own check (`/api/search/search/health`).
        if path.ends_with("/health")
            && ops.contains_key("get")
            && !path.contains('{')
            && check.as_ref().is_none_or(|c| path.len() < c.len())
        {
            *check = Some(path.clone());
        }
    }
    (!modules.is_empty()).then_some(Routes { modules })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(version: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/pharos-real")
            .join(version)
            .join("healthy/openapi.json");
        let text = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let v: serde_json::Value = serde_json::from_slice(&text).unwrap_or_default();
        serde_json::to_vec(&v["body"]).unwrap_or_default()
    }

    #[test]
    fn both_versions_name_their_own_modules_and_checks() {
        let old = parse(&recorded("a89b45bb")).expect("older route list");
        let new = parse(&recorded("current")).expect("newest route list");
        let check = |r: &Routes, m: &str| r.modules.get(m).cloned().flatten();
        assert_eq!(
            check(&old, "resources").as_deref(),
            Some("/api/resources/health")
        );
        assert_eq!(
            check(&old, "search").as_deref(),
            Some("/api/search/search/health")
        );
        assert_eq!(
            check(&old, "quality").as_deref(),
            Some("/api/quality/quality/health")
        );
        assert_eq!(check(&old, "auth").as_deref(), Some("/api/auth/health"));
        assert_eq!(check(&old, "graph"), None, "no check of its own");
        assert!(old.modules.contains_key("taxonomy") && !old.modules.contains_key("github"));
        assert_eq!(check(&new, "github").as_deref(), Some("/api/github/health"));
        for gone in ["collections", "auth", "quality", "scholarly", "taxonomy"] {
            assert!(!new.modules.contains_key(gone), "{gone} left the newest");
        }
        for read_elsewhere in NOT_MODULES {
            assert!(!old.modules.contains_key(read_elsewhere));
            assert!(!new.modules.contains_key(read_elsewhere));
        }
        assert!(
            new.modules.contains_key("ai-planning"),
            "`/api/v1/ai-planning`"
        );
    }

    #[test]
    fn other_bodies_are_no_route_list() {
        assert_eq!(parse(b"{\"detail\":\"Not Found\"}"), None);
        assert_eq!(parse(b"<html>"), None);
        assert_eq!(parse(br#"{"paths":{}}"#), None);
        assert_eq!(
            group("/api/v1/ingestion/ingest/{repo_url}"),
            Some("ingestion")
        );
        assert_eq!(group("/{id}"), None);
        assert_eq!(group("/authority/tree"), Some("authority"));
    }
}
