//! `[[endpoint.map.action]]`, `[endpoint.map.toggle]` and `[endpoint.map.reorder]`: what an
//! operator may do to a mapped table's items from its section page (buttons in the operator
//! widgets, sent with the tab's token).

use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::mapping::{path_ok, template_ok};

/// The operations on one mapped table; empty when it is only shown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ops {
    pub actions: Vec<Action>,
    pub toggle: Option<Toggle>,
    pub reorder: Option<Reorder>,
}

impl Ops {
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.toggle.is_none() && self.reorder.is_none()
    }
}

/// A button on each row: `method` to `url` (relative to the endpoint's URL, `{field}`
/// placeholders from the item), after the person confirms `confirm` when given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub label: String,
    pub method: String,
    pub url: String,
    pub confirm: Option<String>,
}

/// A switch on each row for a boolean field: `method` to `url` with `{"<field>": <new value>}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Toggle {
    pub field: String,
    pub method: String,
    pub url: String,
}

/// Moving rows and saving their order: `method` to `url` (the endpoint itself unless given) with
/// `{"order": [<id of each item>], "<version>": <the version loaded>}`; the backend answers 409
/// when the list changed since it was loaded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reorder {
    pub method: String,
    pub url: Option<String>,
    pub id: String,
    pub version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAction {
    label: String,
    url: String,
    method: Option<String>,
    confirm: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawToggle {
    field: String,
    url: String,
    method: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReorder {
    url: Option<String>,
    method: Option<String>,
    id: String,
    version: Option<String>,
}

/// The raw operations of one mapping, as the TOML gives them.
pub(super) struct RawOps {
    pub action: Vec<RawAction>,
    pub toggle: Option<RawToggle>,
    pub reorder: Option<RawReorder>,
}

type Bad<'a> = &'a dyn Fn(&'static str, String) -> ConfigError;

fn method(
    m: Option<&str>,
    default: &str,
    key: &'static str,
    bad: Bad,
) -> Result<String, ConfigError> {
    let m = m.unwrap_or(default).to_ascii_uppercase();
    if ["POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
        Ok(m)
    } else {
        Err(bad(key, format!("{m:?} is not POST, PUT, PATCH or DELETE")))
    }
}

fn url(t: &str, key: &'static str, bad: Bad) -> Result<String, ConfigError> {
    if template_ok(t) {
        Ok(t.to_owned())
    } else {
        let why = format!("{t:?} is not a relative URL with {{field}} placeholders");
        Err(bad(key, why))
    }
}

/// Checks the operations; they need the table they act on (`has_table`).
pub(super) fn check(raw: RawOps, has_table: bool, bad: Bad) -> Result<Ops, ConfigError> {
    let mut actions = Vec::new();
    for a in raw.action {
        let label = a.label.trim().to_owned();
        if label.is_empty() || label.chars().count() > 40 {
            return Err(bad(
                "endpoint.map.action.label",
                "needs 1 to 40 characters".into(),
            ));
        }
        let confirm = a
            .confirm
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        actions.push(Action {
            label,
            method: method(
                a.method.as_deref(),
                "POST",
                "endpoint.map.action.method",
                bad,
            )?,
            url: url(&a.url, "endpoint.map.action.url", bad)?,
            confirm,
        });
    }
    let toggle = match raw.toggle {
        None => None,
        Some(t) if !path_ok(&t.field) => {
            return Err(bad(
                "endpoint.map.toggle.field",
                format!("{:?} is not a field path", t.field),
            ));
        }
        Some(t) => Some(Toggle {
            method: method(
                t.method.as_deref(),
                "PATCH",
                "endpoint.map.toggle.method",
                bad,
            )?,
            url: url(&t.url, "endpoint.map.toggle.url", bad)?,
            field: t.field,
        }),
    };
    let reorder = match raw.reorder {
        None => None,
        Some(r) => {
            if let Some(f) = std::iter::once(&r.id)
                .chain(r.version.iter())
                .find(|f| !path_ok(f))
            {
                return Err(bad(
                    "endpoint.map.reorder",
                    format!("{f:?} is not a field path"),
                ));
            }
            Some(Reorder {
                method: method(
                    r.method.as_deref(),
                    "PUT",
                    "endpoint.map.reorder.method",
                    bad,
                )?,
                url: match &r.url {
                    Some(u) => Some(url(u, "endpoint.map.reorder.url", bad)?),
                    None => None,
                },
                id: r.id,
                version: r.version,
            })
        }
    };
    let ops = Ops {
        actions,
        toggle,
        reorder,
    };
    if !ops.is_empty() && !has_table {
        return Err(bad(
            "endpoint.map",
            "action, toggle and reorder act on a table's rows: give it `table`".into(),
        ));
    }
    Ok(ops)
}
