//! The demo admin API's state an operator can change: WebSocket connections that were
//! disconnected, and the middleware pipeline (steps switched off, their order, its version), as
//! the design's admin API keeps them; 403 for a non-admin, 409 for a stale order, 422 for a
//! change it refuses.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::sim::{Incident, Sim};

/// What a person changed, kept while the demo runs.
#[derive(Debug)]
pub struct AdminState {
    disconnected: BTreeSet<String>,
    /// `(id, name, enabled)` in pipeline order.
    steps: Vec<(u64, &'static str, bool)>,
    version: u64,
}

/// Connections the pool holds at most.
const MAX_CONNECTIONS: u64 = 50;

type Answer = Result<(u16, Value), (u16, Value)>;

fn refuse(status: u16, why: String) -> (u16, Value) {
    (status, json!({ "detail": why }))
}

impl Default for AdminState {
    fn default() -> AdminState {
        AdminState {
            disconnected: BTreeSet::new(),
            steps: vec![
                (1, "request-id", true),
                (2, "auth", true),
                (3, "rate-limit", true),
                (4, "compress", false),
            ],
            version: 1,
        }
    }
}

impl AdminState {
    /// The connections open at sim time `t`, less those disconnected.
    fn connections(&self, sim: &Sim, t: f64) -> Vec<Value> {
        let n = (3.0 + 6.0 * sim.load(t)).round() as usize;
        (0..n)
            .filter_map(|i| {
                let id = format!("ws-{}", sim.hash("ws", i as i64) % 10_000);
                if self.disconnected.contains(&id) {
                    return None;
                }
                let subscriptions: Vec<&str> =
                    ["status", "alerts"].into_iter().take(1 + i % 2).collect();
                let since = ((t - 60.0 * (i as f64 + 1.0)) * 1000.0) as i64;
                Some(json!({
                    "id": id,
                    "client_ip": format!("10.0.{}.{}", i / 250, 10 + i % 250),
                    "connected_at": model::time::format_iso(since),
                    "subscriptions": subscriptions,
                }))
            })
            .collect()
    }

    /// A GET below the admin prefix, or `None` when it is not one of these.
    pub fn get(&self, sim: &Sim, path: &str, t: f64) -> Option<Value> {
        let errors = sim.has(t, Incident::ErrorSpike);
        Some(match path {
            "/api/v1/admin/websocket/connections" => {
                json!({ "connections": self.connections(sim, t) })
            }
            "/api/v1/admin/websocket/stats" => {
                let active = self.connections(sim, t).len();
                let load = sim.load(t);
                json!({
                    "active": active, "max": MAX_CONNECTIONS,
                    "msg_in_rate": super::endpoints::round(4.0 + 30.0 * load, 1),
                    "msg_out_rate": super::endpoints::round(12.0 + 90.0 * load, 1),
                    "error_rate": if errors { 4.2 } else { 0.1 },
                })
            }
            "/api/v1/admin/websocket/errors" => {
                // Newest first, one every 137 s of sim time (every 17 s in an error spike).
                let every = if errors { 17.0 } else { 137.0 };
                let newest = (t / every).floor();
                let list: Vec<Value> = (0..25)
                    .map(|k| {
                        let at = (newest - f64::from(k)) * every;
                        let n = sim.hash("ws-err", at as i64);
                        let (code, message) = match n % 3 {
                            0 => (1006, "closed without a close frame"),
                            1 => (1008, "subscription refused: unknown channel"),
                            _ => (1011, "handler raised while sending"),
                        };
                        json!({
                            "at": model::time::format_iso((at * 1000.0) as i64),
                            "connection_id": format!("ws-{}", n % 10_000),
                            "code": code, "message": message,
                        })
                    })
                    .collect();
                json!({ "errors": list })
            }
            "/api/v1/admin/middleware/pipeline" => self.pipeline(sim, t),
            "/api/v1/admin/middleware/stats" => {
                // Calls since the demo started, and the requests a step refused.
                let steps: Vec<Value> = self
                    .steps
                    .iter()
                    .map(|(id, name, enabled)| {
                        let calls = if *enabled { sim.counter(20.0, t) } else { 0.0 };
                        let refused = if *name == "auth" || *name == "rate-limit" { 0.01 } else { 0.0 };
                        json!({"id": id, "name": name, "calls": calls, "errors": (calls * refused).floor()})
                    })
                    .collect();
                json!({ "steps": steps })
            }
            _ => return None,
        })
    }

    fn pipeline(&self, sim: &Sim, t: f64) -> Value {
        let slow = sim.has(t, Incident::LatencyRegression);
        let steps: Vec<Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, (id, name, enabled))| {
                let avg = if *name == "auth" && slow {
                    48.0
                } else {
                    super::endpoints::round(0.4 + *id as f64 * 0.3, 2)
                };
                json!({"id": id, "name": name, "order": i + 1, "enabled": enabled,
                       "avg_ms": if *enabled { avg } else { 0.0 }})
            })
            .collect();
        json!({ "version": self.version, "steps": steps })
    }

    /// A change (POST, PUT, PATCH) below the admin prefix by an admin.
    pub fn change(&mut self, sim: &Sim, method: &str, path: &str, body: &[u8], t: f64) -> Answer {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        if method == "POST"
            && let Some(id) = path
                .strip_prefix("/api/v1/admin/websocket/connections/")
                .and_then(|r| r.strip_suffix("/disconnect"))
        {
            let open = self.connections(sim, t);
            if !open.iter().any(|c| c["id"] == id) {
                return Err(refuse(404, format!("no open connection {id}")));
            }
            self.disconnected.insert(id.to_owned());
            return Ok((200, json!({ "disconnected": id })));
        }
        if method == "PUT" && path == "/api/v1/admin/middleware/pipeline" {
            return self.reorder(sim, &body, t);
        }
        if method == "PATCH"
            && let Some(id) = path.strip_prefix("/api/v1/admin/middleware/")
        {
            return self.toggle(id, &body);
        }
        Err(refuse(405, "Method Not Allowed".into()))
    }

    fn reorder(&mut self, sim: &Sim, body: &Value, t: f64) -> Answer {
        let seen = body["version"].as_u64();
        if seen != Some(self.version) {
            return Err(refuse(
                409,
                format!(
                    "the pipeline changed since it was loaded (version {} now, {} sent)",
                    self.version,
                    seen.map_or_else(|| "none".to_owned(), |v| v.to_string())
                ),
            ));
        }
        let order: Option<Vec<u64>> = body["order"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect());
        let mut want = order.clone().unwrap_or_default();
        want.sort_unstable();
        let mut have: Vec<u64> = self.steps.iter().map(|s| s.0).collect();
        have.sort_unstable();
        let Some(order) = order.filter(|_| want == have) else {
            return Err(refuse(422, "order must list every step's id once".into()));
        };
        let auth = order.iter().position(|&i| i == 2).unwrap_or(0);
        let limit = order.iter().position(|&i| i == 3).unwrap_or(0);
        if limit < auth {
            return Err(refuse(
                422,
                "rate-limit must run after auth: it limits per user".into(),
            ));
        }
        let old = std::mem::take(&mut self.steps);
        self.steps = order
            .iter()
            .filter_map(|id| old.iter().find(|s| s.0 == *id).copied())
            .collect();
        self.version += 1;
        Ok((200, self.pipeline(sim, t)))
    }

    fn toggle(&mut self, id: &str, body: &Value) -> Answer {
        let Some(step) = self.steps.iter_mut().find(|s| s.0.to_string() == id) else {
            return Err(refuse(404, format!("no middleware step {id}")));
        };
        let Some(enabled) = body["enabled"].as_bool() else {
            return Err(refuse(422, "enabled must be true or false".into()));
        };
        if step.1 == "auth" && !enabled {
            return Err(refuse(
                422,
                "auth cannot be switched off: every request needs it".into(),
            ));
        }
        step.2 = enabled;
        self.version += 1;
        Ok((
            200,
            json!({"id": step.0, "name": step.1, "enabled": enabled}),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::sim::Incidents;

    fn sim() -> Sim {
        Sim {
            seed: 3,
            incidents: Incidents::Fixed(vec![]),
        }
    }

    #[test]
    fn changes_are_kept_and_refused_as_the_admin_api_refuses_them() {
        let (sim, t) = (sim(), 1_790_000_000.0);
        let mut s = AdminState::default();
        let conns = s
            .get(&sim, "/api/v1/admin/websocket/connections", t)
            .expect("list");
        let first = conns["connections"][0]["id"]
            .as_str()
            .expect("an id")
            .to_owned();
        let path = format!("/api/v1/admin/websocket/connections/{first}/disconnect");
        assert_eq!(s.change(&sim, "POST", &path, b"", t).map(|r| r.0), Ok(200));
        assert_eq!(
            s.change(&sim, "POST", &path, b"", t).map_err(|e| e.0),
            Err(404)
        );
        let after = s
            .get(&sim, "/api/v1/admin/websocket/stats", t)
            .expect("stats");
        assert_eq!(
            after["active"].as_u64(),
            Some(conns["connections"].as_array().map_or(0, Vec::len) as u64 - 1)
        );

        let pipe = "/api/v1/admin/middleware/pipeline";
        let put = |s: &mut AdminState, body: &str| s.change(&sim, "PUT", pipe, body.as_bytes(), t);
        assert_eq!(
            put(&mut s, r#"{"version":1,"order":[2,1,3,4]}"#).map(|r| r.0),
            Ok(200)
        );
        // Loaded at version 1, changed since: 409.
        assert_eq!(
            put(&mut s, r#"{"version":1,"order":[1,2,3,4]}"#).map_err(|e| e.0),
            Err(409)
        );
        assert_eq!(
            put(&mut s, r#"{"version":2,"order":[1,2]}"#).map_err(|e| e.0),
            Err(422)
        );
        assert_eq!(
            put(&mut s, r#"{"version":2,"order":[3,2,1,4]}"#).map_err(|e| e.0),
            Err(422)
        );
        let now = s.get(&sim, pipe, t).expect("pipeline");
        assert_eq!(now["steps"][0]["name"], "auth");
        assert_eq!(now["version"], 2);

        let patch = |s: &mut AdminState, id: &str, body: &str| {
            s.change(
                &sim,
                "PATCH",
                &format!("/api/v1/admin/middleware/{id}"),
                body.as_bytes(),
                t,
            )
        };
        assert_eq!(
            patch(&mut s, "4", r#"{"enabled":true}"#).map(|r| r.0),
            Ok(200)
        );
        assert_eq!(
            patch(&mut s, "2", r#"{"enabled":false}"#).map_err(|e| e.0),
            Err(422)
        );
        assert_eq!(
            patch(&mut s, "3", r#"{"enabled":"no"}"#).map_err(|e| e.0),
            Err(422)
        );
        assert_eq!(
            patch(&mut s, "9", r#"{"enabled":true}"#).map_err(|e| e.0),
            Err(404)
        );
        assert_eq!(s.get(&sim, pipe, t).expect("pipeline")["version"], 3);
    }
}
