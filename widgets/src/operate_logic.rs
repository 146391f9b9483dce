//! What the operator widget reads and says, apart from the DOM: its description of a table, the
//! live list's rows with the URLs of their operations, the body that saves an order, and every
//! answer in words (403, 409 and 422 above all).

use crate::json::Json;

/// A button on each row.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub label: String,
    pub method: String,
    pub url: String,
    pub confirm: Option<String>,
}

/// What the site says of one table (`data-spec`).
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub title: String,
    pub url: String,
    pub items: String,
    pub key: Vec<String>,
    pub columns: Vec<String>,
    pub actions: Vec<Action>,
    /// `(field, method, url)`.
    pub toggle: Option<(String, String, String)>,
    /// `(method, url, id field, version field)`.
    pub reorder: Option<(String, String, String, Option<String>)>,
}

fn strings(v: &Json) -> Vec<String> {
    v.items().iter().filter_map(Json::str).collect()
}

/// The spec as the site wrote it; `None` when it lacks its URL.
pub fn spec(text: &str) -> Option<Spec> {
    let v = Json::parse(text);
    let url = v
        .get("url")
        .str()
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))?;
    let actions = v
        .get("actions")
        .items()
        .iter()
        .filter_map(|a| {
            Some(Action {
                label: a.get("label").str()?,
                method: a.get("method").str().unwrap_or_else(|| "POST".into()),
                url: a.get("url").str()?,
                confirm: a.get("confirm").str(),
            })
        })
        .collect();
    let t = v.get("toggle");
    let toggle = t.get("field").str().zip(t.get("url").str()).map(|(f, u)| {
        (
            f,
            t.get("method").str().unwrap_or_else(|| "PATCH".into()),
            u,
        )
    });
    let r = v.get("reorder");
    let reorder = r.get("id").str().map(|id| {
        (
            r.get("method").str().unwrap_or_else(|| "PUT".into()),
            r.get("url").str().unwrap_or_default(),
            id,
            r.get("version").str(),
        )
    });
    Some(Spec {
        title: v.get("title").text(),
        items: v.get("items").str().unwrap_or_default(),
        key: strings(&v.get("key")),
        columns: strings(&v.get("columns")),
        url,
        actions,
        toggle,
        reorder,
    })
}

/// The value at a dot path of `v` (the whole of it for an empty path).
pub fn at(v: &Json, path: &str) -> Json {
    let mut cur = v.clone();
    if path.is_empty() {
        return cur;
    }
    for key in path.split('.') {
        cur = cur.get(key);
    }
    cur
}

/// A cell as the site shows it: text, an array's items joined by commas.
pub fn cell(v: &Json) -> String {
    let items = v.items();
    if items.is_empty() {
        v.text()
    } else {
        items.iter().map(Json::text).collect::<Vec<_>>().join(", ")
    }
}

/// `template` with each `{field}` replaced by the item's value (URI-encoded when `encode`);
/// `None` when a field is missing.
pub fn fill(template: &str, item: &Json, encode: bool) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        out.push_str(&rest[..open]);
        let v = at(item, &rest[open + 1..close]).text();
        if v.is_empty() {
            return None;
        }
        if encode {
            out.push_str(&String::from(js_sys::encode_uri_component(&v)));
        } else {
            out.push_str(&v);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// `relative` resolved against `base`, as a browser resolves a link.
pub fn resolve(base: &str, relative: &str) -> Option<String> {
    if relative.is_empty() {
        return Some(base.to_owned());
    }
    web_sys::Url::new_with_base(relative, base)
        .ok()
        .map(|u| u.href())
}

/// One row of the live list, with what its buttons send.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub cells: Vec<String>,
    /// Per action: its URL and its confirmation, or `None` when the item lacks a field.
    pub actions: Vec<Option<(String, Option<String>)>>,
    /// The switch: its URL and the field's value now.
    pub toggle: Option<(String, bool)>,
    /// The item's id as JSON, for the order.
    pub id: Option<String>,
}

/// The live list's rows and version (JSON text) from an answer.
pub fn rows(spec: &Spec, body: &str) -> Result<(Vec<Row>, Option<String>), String> {
    let v = Json::parse(body);
    if !v.is_object() {
        return Err("the answer is not JSON".into());
    }
    let list = at(&v, &spec.items);
    if !list.is_array() {
        return Err(format!("the answer has no list at {:?}", spec.items));
    }
    let version = spec
        .reorder
        .as_ref()
        .and_then(|r| r.3.as_ref())
        .map(|f| at(&v, f).json())
        .filter(|t| !t.is_empty());
    let rows = list
        .items()
        .iter()
        .map(|item| {
            let key: Vec<String> = spec.key.iter().map(|k| at(item, k).text()).collect();
            let mut cells = vec![key.join(" ")];
            cells.extend(spec.columns.iter().map(|c| cell(&at(item, c))));
            Row {
                cells,
                actions: spec
                    .actions
                    .iter()
                    .map(|a| {
                        let url = resolve(&spec.url, &fill(&a.url, item, true)?)?;
                        let confirm = a
                            .confirm
                            .as_ref()
                            .map(|c| fill(c, item, false).unwrap_or_else(|| c.clone()));
                        Some((url, confirm))
                    })
                    .collect(),
                toggle: spec.toggle.as_ref().and_then(|(field, _, url)| {
                    let on = at(item, field).bool()?;
                    Some((resolve(&spec.url, &fill(url, item, true)?)?, on))
                }),
                id: spec
                    .reorder
                    .as_ref()
                    .map(|r| at(item, &r.2).json())
                    .filter(|t| !t.is_empty()),
            }
        })
        .collect();
    Ok((rows, version))
}

/// The body that saves `rows`' order: `{"order": [ids], "<version>": <as loaded>}`.
pub fn order_body(spec: &Spec, rows: &[Row], version: Option<&str>) -> Option<String> {
    let (_, _, _, vfield) = spec.reorder.as_ref()?;
    let ids: Option<Vec<&str>> = rows.iter().map(|r| r.id.as_deref()).collect();
    let mut out = format!("{{\"order\":[{}]", ids?.join(","));
    if let (Some(f), Some(v)) = (vfield, version) {
        let f = js_sys::JSON::stringify(&wasm_bindgen::JsValue::from_str(f))
            .ok()?
            .as_string()?;
        out.push_str(&format!(",{f}:{v}"));
    }
    out.push('}');
    Some(out)
}

/// Moves row `i` by `by` (-1 up, 1 down) when it can move.
pub fn moved(rows: &[Row], i: usize, by: isize) -> Option<Vec<Row>> {
    let j = i.checked_add_signed(by).filter(|j| *j < rows.len())?;
    let mut out = rows.to_vec();
    out.swap(i, j);
    Some(out)
}

/// The backend's reason in an error body: FastAPI's `detail` (text, or a list of `msg`), or a
/// `message` or `error` field.
pub fn reason(body: &str) -> String {
    let v = Json::parse(body);
    let d = v.get("detail");
    let msgs: Vec<String> = d
        .items()
        .iter()
        .filter_map(|e| e.get("msg").str())
        .collect();
    let text = if !msgs.is_empty() {
        msgs.join("; ")
    } else {
        d.str()
            .or_else(|| v.get("message").str())
            .or_else(|| v.get("error").str())
            .unwrap_or_default()
    };
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}

/// An answer in words: `(succeeded, text)`. `what` names the change ("Disconnect ws-1").
pub fn describe(what: &str, status: u16, body: &str, sent_token: bool) -> (bool, String) {
    let why = reason(body);
    let because = if why.is_empty() {
        String::new()
    } else {
        format!(": {why}")
    };
    match status {
        200..=299 => (true, format!("{what}: done (HTTP {status}).")),
        401 => (
            false,
            format!("{what}: the token was refused (HTTP 401{because})."),
        ),
        403 => (
            false,
            format!(
                "{what}: not allowed (HTTP 403{because}). This token may read but not change; an admin's token is needed."
            ),
        ),
        404 => (
            false,
            format!("{what}: not found (HTTP 404{because}); it may be gone already."),
        ),
        409 => (
            false,
            format!(
                "{what}: it changed since you loaded it (HTTP 409{because}). The list was read again: check it and try again."
            ),
        ),
        422 => (
            false,
            format!("{what}: refused as invalid (HTTP 422{because})."),
        ),
        0 if sent_token => (
            false,
            format!(
                "{what}: no answer the browser may read: the token may have been refused (a 401 without CORS headers), or the backend does not allow this site's origin."
            ),
        ),
        0 => (
            false,
            format!("{what}: the backend could not be reached; type the API token first."),
        ),
        s => (
            false,
            format!("{what}: the backend answered HTTP {s}{because}."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const SPEC: &str = r#"{"title":"Middleware pipeline","url":"http://x/api/middleware/pipeline","items":"steps","key":["name"],"columns":["id","enabled"],
        "actions":[{"label":"Drop","method":"POST","url":"steps/{id}/drop","confirm":"Drop {name}?"}],
        "toggle":{"field":"enabled","method":"PATCH","url":"{id}"},
        "reorder":{"method":"PUT","url":null,"id":"id","version":"version"}}"#;

    #[wasm_bindgen_test]
    fn a_live_list_reads_into_rows_with_their_urls() {
        let s = spec(SPEC).expect("a spec");
        let body = r#"{"version":7,"steps":[{"id":1,"name":"auth","enabled":true},{"id":2,"name":"gzip / br","enabled":false},{"name":"no id"}]}"#;
        let (rows, version) = rows(&s, body).expect("rows");
        assert_eq!(version.as_deref(), Some("7"));
        assert_eq!(rows[0].cells, ["auth", "1", "true"]);
        assert_eq!(
            rows[0].actions[0],
            Some((
                "http://x/api/middleware/steps/1/drop".to_owned(),
                Some("Drop auth?".to_owned())
            ))
        );
        assert_eq!(
            rows[1].toggle,
            Some(("http://x/api/middleware/2".to_owned(), false))
        );
        // A missing field: no URL is guessed.
        assert_eq!(rows[2].actions[0], None);
        assert_eq!(rows[2].toggle, None);
        let swapped = moved(&rows[..2], 1, -1).expect("moves up");
        assert_eq!(
            order_body(&s, &swapped, version.as_deref()).as_deref(),
            Some(r#"{"order":[2,1],"version":7}"#)
        );
        assert!(moved(&rows, 0, -1).is_none());
        assert_eq!(
            order_body(&s, &rows, Some("7")),
            None,
            "a row without an id cannot be ordered"
        );
        assert!(super::rows(&s, r#"{"steps":3}"#).is_err());
        assert!(spec(r#"{"url":"javascript:alert(1)"}"#).is_none());
    }

    #[wasm_bindgen_test]
    fn answers_read_in_words() {
        let (ok, t) = describe("Save order", 409, r#"{"detail":"version 3 now"}"#, true);
        assert!(!ok && t.contains("HTTP 409: version 3 now") && t.contains("read again"));
        let t = describe(
            "Switch off auth",
            422,
            r#"{"detail":[{"msg":"auth is required"}]}"#,
            true,
        )
        .1;
        assert!(t.contains("invalid (HTTP 422: auth is required)"), "{t}");
        assert!(
            describe(
                "Disconnect",
                403,
                r#"{"detail":"Admin role required"}"#,
                true
            )
            .1
            .contains("an admin's token")
        );
        assert!(describe("Disconnect", 200, "{}", true).0);
        assert!(
            describe("Disconnect", 0, "", true)
                .1
                .contains("token may have been refused")
        );
    }
}
