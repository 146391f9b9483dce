//! Reading JSON with the browser's own parser into `model` types: serde's generated code would not fit the bundle budget.

use std::collections::BTreeMap;

use model::alert::{AlertSeverity, AlertState, Condition, MissingData, Op, Phase, Rule};
use model::lists::JobItem;
use model::{Better, Metric, PartHealth, Snapshot, Status, Unit};
use wasm_bindgen::JsValue;

/// A node of a parsed answer; missing keys and bad bodies read as `undefined`, never fail.
#[derive(Clone)]
pub struct Json(JsValue);

impl Json {
    pub fn parse(text: &str) -> Json {
        Json(js_sys::JSON::parse(text).unwrap_or(JsValue::UNDEFINED))
    }

    pub fn get(&self, key: &str) -> Json {
        if self.0.is_object() {
            Json(
                js_sys::Reflect::get(&self.0, &JsValue::from_str(key))
                    .unwrap_or(JsValue::UNDEFINED),
            )
        } else {
            Json(JsValue::UNDEFINED)
        }
    }

    pub fn str(&self) -> Option<String> {
        self.0.as_string()
    }

    pub fn num(&self) -> Option<f64> {
        self.0.as_f64()
    }

    pub fn int(&self) -> Option<i64> {
        self.num().map(|n| n as i64)
    }

    pub fn is_object(&self) -> bool {
        self.0.is_object()
    }

    pub fn is_array(&self) -> bool {
        js_sys::Array::is_array(&self.0)
    }

    pub fn bool(&self) -> Option<bool> {
        self.0.as_bool()
    }

    /// As JSON text (`"a"`, `7`); empty for what is missing.
    pub fn json(&self) -> String {
        js_sys::JSON::stringify(&self.0)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    /// `Some(false)` only for a JSON `false`: a missing key is not a failed check.
    pub fn is_false(&self) -> bool {
        self.0.as_bool() == Some(false)
    }

    /// The items of an array; nothing for anything else.
    pub fn items(&self) -> Vec<Json> {
        if !js_sys::Array::is_array(&self.0) {
            return Vec::new();
        }
        js_sys::Array::from(&self.0).iter().map(Json).collect()
    }

    /// An object's keys and values; nothing for anything else.
    pub fn entries(&self) -> Vec<(String, Json)> {
        if !self.0.is_object() || js_sys::Array::is_array(&self.0) {
            return Vec::new();
        }
        js_sys::Object::keys(&js_sys::Object::from(self.0.clone()))
            .iter()
            .filter_map(|k| k.as_string())
            .map(|k| {
                let v = self.get(&k);
                (k, v)
            })
            .collect()
    }

    /// A string as it is, nothing for null or missing, anything else as JSON text.
    pub fn text(&self) -> String {
        if let Some(s) = self.0.as_string() {
            return s;
        }
        if self.0.is_null() || self.0.is_undefined() {
            return String::new();
        }
        js_sys::JSON::stringify(&self.0)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    fn req_str(&self, key: &str) -> Result<String, String> {
        self.get(key)
            .str()
            .ok_or_else(|| format!("no text at {key:?}"))
    }
}

/// A finite number as a person types it (an empty field is none).
pub fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    // Unary + (as `Number(s)`): strict, unlike parseFloat, which reads "5abc" as 5.
    Some(JsValue::from_str(s).unchecked_into_f64()).filter(|v| v.is_finite())
}

fn parts(v: &Json) -> Result<Vec<PartHealth>, String> {
    v.items()
        .iter()
        .map(|p| {
            Ok(PartHealth {
                name: p.req_str("name")?,
                status: p
                    .get("status")
                    .str()
                    .and_then(|s| Status::parse(&s))
                    .ok_or("a part without a status")?,
                word: p.get("word").text(),
                message: p.get("message").text(),
            })
        })
        .collect()
}

fn snapshot(s: &Json) -> Result<Snapshot, String> {
    Ok(Snapshot {
        taken_at_ms: s.get("taken_at_ms").int().ok_or("no time")?,
        duration_ms: s.get("duration_ms").num().unwrap_or_default(),
        overall: s
            .get("overall")
            .str()
            .and_then(|o| Status::parse(&o))
            .ok_or("no overall status")?,
        availability: None,
        reasons: Vec::new(),
        components: parts(&s.get("components"))?,
        modules: parts(&s.get("modules"))?,
        outcomes: Vec::new(),
        metrics: s
            .get("metrics")
            .items()
            .iter()
            .filter_map(|m| {
                Some(Metric::new(
                    m.get("name").str()?,
                    m.get("value").num()?,
                    m.get("unit")
                        .str()
                        .and_then(|u| Unit::parse(&u))
                        .unwrap_or(Unit::None),
                    m.get("better")
                        .str()
                        .and_then(|b| Better::parse(&b))
                        .unwrap_or(Better::Neither),
                ))
            })
            .collect(),
        facts: Vec::new(),
        lists: Default::default(),
        sources: vec![],
        counters: vec![],
    })
}

/// The site's `data/latest.json`: its snapshot (the parts and metrics widgets use), `None`
/// before the first one.
pub fn latest(body: &str) -> Result<Option<Snapshot>, String> {
    let v = Json::parse(body);
    let s = v.get("snapshot");
    if !v.is_object() || (!s.is_object() && !s.0.is_null()) {
        return Err("the source sent something else (not a Lookout snapshot)".into());
    }
    if s.0.is_null() {
        return Ok(None);
    }
    snapshot(&s)
        .map(Some)
        .map_err(|e| format!("the source sent something else ({e})"))
}

/// `data-depends`: part -> the parts it needs.
pub fn depends(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (k, v) in Json::parse(text).entries() {
        out.insert(k, v.items().iter().filter_map(Json::str).collect());
    }
    out
}

/// `jobs/history`'s list.
pub fn jobs(body: &str) -> Result<Vec<JobItem>, String> {
    let v = Json::parse(body);
    if !js_sys::Array::is_array(&v.get("jobs").0) {
        return Err("the job history had an unexpected shape (no jobs list)".into());
    }
    let opt_num = |j: &Json, k: &str| j.get(k).num();
    let opt_str = |j: &Json, k: &str| j.get(k).str();
    Ok(v.get("jobs")
        .items()
        .iter()
        .map(|j| JobItem {
            repo_url: opt_str(j, "repo_url"),
            status: j.get("status").text(),
            duration_seconds: opt_num(j, "duration_seconds"),
            files_processed: opt_num(j, "files_processed"),
            embeddings_generated: opt_num(j, "embeddings_generated"),
            timestamp: opt_str(j, "timestamp"),
            error: opt_str(j, "error"),
            reason: opt_str(j, "reason"),
        })
        .collect())
}

fn rule(r: &Json) -> Result<Rule, String> {
    let c = r.get("condition");
    let condition = if c.get("Threshold").is_object() {
        let t = c.get("Threshold");
        Condition::Threshold {
            op: t
                .get("op")
                .str()
                .and_then(|o| Op::parse(&o))
                .ok_or("a rule without an operator")?,
            threshold: t
                .get("threshold")
                .num()
                .ok_or("a rule without a threshold")?,
            clear: t.get("clear").num(),
        }
    } else {
        let a = c.get("Anomaly");
        Condition::Anomaly {
            min_score: a
                .get("min_score")
                .num()
                .ok_or("a rule without a condition")?,
            min_severity: a
                .get("min_severity")
                .str()
                .and_then(|s| model::anomaly::Severity::parse(&s))
                .ok_or("an anomaly rule without a severity")?,
        }
    };
    Ok(Rule {
        name: r.req_str("name")?,
        metric: r.req_str("metric")?,
        condition,
        for_ms: r.get("for_ms").int().unwrap_or_default(),
        keep_firing_for_ms: r.get("keep_firing_for_ms").int().unwrap_or_default(),
        severity: r
            .get("severity")
            .str()
            .and_then(|s| AlertSeverity::parse(&s))
            .ok_or("a rule without a severity")?,
        missing: r
            .get("missing")
            .str()
            .and_then(|s| MissingData::parse(&s))
            .unwrap_or(MissingData::Keep),
    })
}

fn state(s: &Json) -> Result<AlertState, String> {
    let mut st = AlertState::new(&s.req_str("rule")?, &s.req_str("metric")?);
    st.phase = s
        .get("phase")
        .str()
        .and_then(|p| Phase::parse(&p))
        .ok_or("a state without a phase")?;
    st.since_ms = s.get("since_ms").int();
    st.fired_ms = s.get("fired_ms").int();
    st.resolved_ms = s.get("resolved_ms").int();
    st.last_true_ms = s.get("last_true_ms").int();
    st.peak = s.get("peak").num();
    st.last_value = s.get("last_value").num();
    st.snapshots = s
        .get("snapshots")
        .items()
        .iter()
        .filter_map(Json::int)
        .collect();
    st.transitions = s
        .get("transitions")
        .items()
        .iter()
        .filter_map(Json::int)
        .collect();
    st.flapping = s.get("flapping").0.as_bool().unwrap_or(false);
    st.seen_ms = s.get("seen_ms").int();
    Ok(st)
}

/// What the generator writes to `data/rules.json`: its rules, their states as of the build, and
/// the metrics a maintenance window mutes.
pub struct Published {
    pub rules: Vec<Rule>,
    pub states: Vec<AlertState>,
    pub muted: Vec<String>,
}

pub fn published(body: &str) -> Result<Published, String> {
    let v = Json::parse(body);
    let read = || -> Result<Published, String> {
        Ok(Published {
            rules: v
                .get("rules")
                .items()
                .iter()
                .map(rule)
                .collect::<Result<_, _>>()?,
            states: v
                .get("states")
                .items()
                .iter()
                .map(state)
                .collect::<Result<_, _>>()?,
            muted: v
                .get("muted")
                .items()
                .iter()
                .filter_map(Json::str)
                .collect(),
        })
    };
    if !js_sys::Array::is_array(&v.get("rules").0) {
        return Err("the alert rules could not be read (no rules list)".into());
    }
    read().map_err(|e| format!("the alert rules could not be read ({e})"))
}

fn pharos_part(name: String, v: &Json) -> PartHealth {
    // A module may be listed as a bare word or as `{status, message}`.
    let word = v
        .str()
        .or_else(|| v.get("status").str())
        .unwrap_or_default();
    PartHealth {
        name,
        status: Status::from_word(&word),
        message: v.get("message").text(),
        word,
    }
}

/// Overall status, components, and the modules when listed.
pub type PharosHealth = (Status, Vec<PartHealth>, Option<Vec<PartHealth>>);

/// Pharos' own `/health`: its overall word, the components, and the modules when it lists them
/// (`None` when it sends `modules: null`, as it usually does).
pub fn pharos_health(body: &str) -> Result<PharosHealth, String> {
    let v = Json::parse(body);
    let word = v
        .get("status")
        .str()
        .ok_or("the backend's /health answered something else (no status)")?;
    let parts = |key: &str, title: bool| -> Vec<PartHealth> {
        v.get(key)
            .entries()
            .into_iter()
            .map(|(k, p)| {
                let name = if title {
                    k[..1.min(k.len())].to_ascii_uppercase() + &k[1.min(k.len())..]
                } else {
                    k
                };
                pharos_part(name, &p)
            })
            .collect()
    };
    let modules = v.get("modules").is_object().then(|| parts("modules", true));
    Ok((
        Status::from_word(&word),
        parts("components", false),
        modules,
    ))
}

/// `/health/module/{name}`'s answer as the part `name`; unknown when it did not answer sensibly.
pub fn pharos_module(name: &str, body: &str) -> PartHealth {
    let v = Json::parse(body);
    if !v.get("health").is_object() && v.get("status").str().is_some() {
        return own_check(name, &v);
    }
    let mut p = pharos_part(name.to_owned(), &v.get("health"));
    if p.word.is_empty() {
        p.status = Status::Unknown;
        p.message = "no answer from the backend".into();
    } else if p.message.contains("no health check registered") {
        // Pharos' placeholder for any name, as the generator reads it: unknown, never healthy.
        p.status = Status::Unknown;
        p.word = "no health check registered".into();
    }
    p
}

/// A module's own check (`/api/resources/health`, ...), read as the generator reads it: its
/// status word, and why from the sub-checks that failed.
fn own_check(name: &str, v: &Json) -> PartHealth {
    let word = v.get("status").str().unwrap_or_default();
    let db = v.get("database");
    let mut why = Vec::new();
    if db.is_false() {
        why.push("database check failed".to_owned());
    } else if db.get("healthy").is_false() {
        why.push(db.get("message").text());
    }
    if v.get("cache_available").is_false() {
        why.push("cache unavailable".to_owned());
    }
    PartHealth {
        name: name.to_owned(),
        status: Status::from_word(&word),
        message: why.join("; "),
        word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn reads_what_the_generator_publishes() {
        // Written by the generator's own test (render::alerts), so the two cannot drift apart.
        let p = published(include_str!("fixtures/rules.json")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.rules.len(), 9);
        assert_eq!(p.rules[0].name, "Backend down");
        assert_eq!(
            p.rules[0].condition,
            Condition::Threshold {
                op: Op::Ge,
                threshold: 2.0,
                clear: None
            }
        );
        assert_eq!(p.rules[0].for_ms, 120_000);
        assert_eq!(p.rules[1].metric, "status.component.*");
        assert_eq!(p.rules[3].severity, AlertSeverity::Warning);
        assert_eq!(
            p.rules[4].condition,
            Condition::Threshold {
                op: Op::Lt,
                threshold: 0.5,
                clear: Some(0.55)
            }
        );
        assert_eq!(p.rules[6].metric, "status.source.*");
        assert_eq!(p.rules[7].metric, "*check.cert_days_left");
        assert_eq!(p.rules[7].for_ms, 0, "an expiry does not flap");
        assert!(matches!(
            p.rules[8].condition,
            Condition::Anomaly { min_score, min_severity: model::anomaly::Severity::High } if min_score == 0.7
        ));
        let s = &p.states[0];
        assert_eq!(s.phase, Phase::Firing);
        assert_eq!(
            (s.fired_ms, s.seen_ms, s.last_value),
            (Some(130_000), Some(130_000), Some(14.0))
        );
        assert_eq!(s.snapshots, vec![1, 2, 130]);
        assert!(published("[1]").is_err());
        assert!(
            published(r#"{"rules":[{"name":"x"}]}"#)
                .is_err_and(|e| e.contains("without a condition"))
        );
    }

    #[wasm_bindgen_test]
    fn snapshots_jobs_depends_and_numbers() {
        let body = r#"{"snapshot":{"taken_at_ms":5,"duration_ms":1,"overall":"degraded","reasons":[],
            "components":[{"name":"redis","status":"down","word":"unhealthy","message":"refused"}],
            "modules":[],"outcomes":[],"facts":[],
            "metrics":[{"name":"probe.error_rate","value":7.5,"unit":"percent","better":"lower"}]}}"#;
        let s = latest(body)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("no snapshot"));
        assert_eq!((s.taken_at_ms, s.overall), (5, Status::Degraded));
        assert_eq!(s.components[0].status, Status::Down);
        assert_eq!(
            s.metric("probe.error_rate").map(|m| (m.value, m.unit)),
            Some((7.5, Unit::Percent))
        );
        assert_eq!(latest(r#"{"snapshot":null}"#), Ok(None));
        assert!(latest("<html>").is_err());
        assert!(latest(r#"{"snapshot":{"overall":"healthy"}}"#).is_err());

        let j = jobs(r#"{"jobs":[{"repo_url":"https://x.org/a","status":"failed","error":"boom","duration_seconds":2.5}]}"#)
            .unwrap_or_default();
        assert_eq!(j[0].error.as_deref(), Some("boom"));
        assert_eq!(j[0].duration_seconds, Some(2.5));
        assert!(jobs("[]").is_err());

        let d = depends(r#"{"auth":["redis","database"]}"#);
        assert_eq!(d.get("auth").map(Vec::len), Some(2));
        assert!(depends("not json").is_empty());

        assert_eq!(number(" 2.5 "), Some(2.5));
        assert_eq!(number("5abc"), None);
        assert_eq!(number(""), None);
        assert_eq!(number("Infinity"), None);
    }

    fn fixture(name: &str) -> String {
        // The recorded answers of a real Pharos (tests/fixtures/pharos, in this repository): `body` of each.
        let text = match name {
            "health" => include_str!("../../tests/fixtures/pharos/monitoring_health.json"),
            _ => {
                include_str!("../../tests/fixtures/pharos/monitoring_health_module_search.json")
            }
        };
        Json::parse(text).get("body").text()
    }

    #[wasm_bindgen_test]
    fn reads_pharos_health_and_modules_directly() {
        let (overall, comps, modules) =
            pharos_health(&fixture("health")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(overall, Status::Degraded);
        assert!(modules.is_none(), "the real server sends modules: null");
        let redis = comps
            .iter()
            .find(|p| p.name == "redis")
            .map(|p| (p.status, p.message.as_str()));
        assert_eq!(redis, Some((Status::Down, "Connection failed")));
        assert_eq!(comps.len(), 5);
        let search = pharos_module("Search", &fixture("module"));
        assert_eq!(
            (search.name.as_str(), search.status),
            ("Search", Status::Unknown),
            "the recorded placeholder"
        );
        let checked = pharos_module(
            "Search",
            r#"{"status":"ok","module":"search","health":{"status":"healthy","message":"Index reachable"}}"#,
        );
        assert_eq!(checked.status, Status::Healthy);
        assert_eq!(pharos_module("Graph", "").status, Status::Unknown);
        let (_, _, listed) = pharos_health(r#"{"status":"healthy","components":{},"modules":{"auth":"healthy","graph":{"status":"unhealthy","message":"x"}}}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let listed = listed.unwrap_or_default();
        assert_eq!(
            listed
                .iter()
                .map(|p| (p.name.as_str(), p.status))
                .collect::<Vec<_>>(),
            [("Auth", Status::Healthy), ("Graph", Status::Down)]
        );
        assert!(pharos_health(r#"{"snapshot":null}"#).is_err());
        // A module's own check, in the shapes both versions answer (tests/fixtures/pharos-real).
        let resources = pharos_module(
            "Resources",
            r#"{"status":"unhealthy","module":{"name":"resources"},"database":{"healthy":false,"message":"Database connection failed: SQL"}}"#,
        );
        assert_eq!(
            (resources.status, resources.message.as_str()),
            (Status::Down, "Database connection failed: SQL")
        );
        let github = pharos_module(
            "Github",
            r#"{"status":"degraded","cache_available":false,"max_concurrency":10}"#,
        );
        assert_eq!(
            (github.status, github.message.as_str()),
            (Status::Degraded, "cache unavailable")
        );
        let scholarly = pharos_module(
            "Scholarly",
            r#"{"status":"healthy","module":"scholarly","database":true}"#,
        );
        assert_eq!(
            (scholarly.status, scholarly.message.as_str()),
            (Status::Healthy, "")
        );
    }
}
