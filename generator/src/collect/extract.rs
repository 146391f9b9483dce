//! Typed navigation of JSON bodies: shape errors name the JSON path that was wrong.

use model::{Better, Fact, Metric, PartHealth, Status, Unit};
use serde_json::{Map, Value};

/// A body that is valid JSON but not the shape the endpoint answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape(pub String);

/// What an extractor concluded besides the metrics it found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Ok,
    /// The body itself says the backend failed.
    BackendFailure(String),
}

/// Everything extracted from one snapshot's bodies.
#[derive(Debug, Default)]
pub struct Sink {
    pub metrics: Vec<Metric>,
    pub components: Vec<PartHealth>,
    pub modules: Vec<PartHealth>,
    pub facts: Vec<Fact>,
    /// The backend's own overall status word and message.
    pub overall: Option<(String, String)>,
    /// Lists the answer carried (recent events, jobs).
    pub lists: model::lists::Lists,
    /// Cumulative values, turned into rates against the previous snapshot (`collect::rates`).
    pub counters: Vec<model::Counter>,
}

impl Sink {
    pub fn metric(&mut self, name: impl Into<String>, value: f64, unit: Unit, better: Better) {
        if value.is_finite() {
            self.metrics.push(Metric::new(name, value, unit, better));
        }
    }

    /// Adds the number at `node` if it is present (null and missing are skipped).
    pub fn num(
        &mut self,
        node: Node<'_>,
        name: &str,
        unit: Unit,
        better: Better,
    ) -> Result<(), Shape> {
        if let Some(v) = node.opt_num()? {
            self.metric(name, v, unit, better);
        }
        Ok(())
    }

    /// A cumulative value (a counter, a histogram bucket); finite ones only.
    pub fn counter(&mut self, name: impl Into<String>, value: f64) {
        if value.is_finite() {
            self.counters.push(model::Counter {
                name: name.into(),
                value,
            });
        }
    }

    pub fn fact(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.facts.push(Fact {
            name: name.into(),
            value: value.into(),
        });
    }

    pub fn part(word: &str, name: &str, message: &str) -> PartHealth {
        PartHealth {
            name: name.to_owned(),
            status: Status::from_word(word),
            word: word.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// A JSON value and the path that led to it.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub v: Option<&'a Value>,
    pub path: String,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Node<'a> {
    pub fn root(v: &'a Value) -> Node<'a> {
        Node {
            v: Some(v),
            path: String::new(),
        }
    }

    fn where_(&self) -> String {
        if self.path.is_empty() {
            "the body".to_owned()
        } else {
            format!("`{}`", self.path)
        }
    }

    fn wrong(&self, expected: &str) -> Shape {
        let got = self.v.map_or("missing", type_name);
        Shape(format!("{} is {got}, expected {expected}", self.where_()))
    }

    pub fn get(&self, key: &str) -> Node<'a> {
        let path = if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        };
        Node {
            v: self.v.and_then(|v| v.get(key)),
            path,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.v, None | Some(Value::Null))
    }

    pub fn obj(&self) -> Result<&'a Map<String, Value>, Shape> {
        match self.v {
            Some(Value::Object(m)) => Ok(m),
            _ => Err(self.wrong("an object")),
        }
    }

    pub fn opt_obj(&self) -> Result<Option<&'a Map<String, Value>>, Shape> {
        if self.is_null() {
            Ok(None)
        } else {
            self.obj().map(Some)
        }
    }

    pub fn arr(&self) -> Result<&'a Vec<Value>, Shape> {
        match self.v {
            Some(Value::Array(a)) => Ok(a),
            _ => Err(self.wrong("an array")),
        }
    }

    pub fn opt_arr(&self) -> Result<Option<&'a Vec<Value>>, Shape> {
        if self.is_null() {
            Ok(None)
        } else {
            self.arr().map(Some)
        }
    }

    pub fn str(&self) -> Result<&'a str, Shape> {
        match self.v {
            Some(Value::String(s)) => Ok(s),
            _ => Err(self.wrong("a string")),
        }
    }

    pub fn opt_str(&self) -> Result<Option<&'a str>, Shape> {
        if self.is_null() {
            Ok(None)
        } else {
            self.str().map(Some)
        }
    }

    pub fn opt_num(&self) -> Result<Option<f64>, Shape> {
        match self.v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            _ => Err(self.wrong("a number")),
        }
    }

    pub fn opt_bool(&self) -> Result<Option<bool>, Shape> {
        match self.v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            _ => Err(self.wrong("a boolean")),
        }
    }

    /// The entries of an object, each as a node.
    pub fn entries(&self) -> Result<Vec<(&'a str, Node<'a>)>, Shape> {
        let m = self.obj()?;
        Ok(m.iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    Node {
                        v: Some(v),
                        path: format!("{}.{k}", self.path),
                    },
                )
            })
            .collect())
    }

    pub fn index(&self, i: usize) -> Node<'a> {
        Node {
            v: self.v.and_then(|v| v.get(i)),
            path: format!("{}[{i}]", self.path),
        }
    }
}

/// Keeps a backend string short enough for a table cell, on a char boundary.
pub fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Makes a JSON key safe as one segment of a dotted metric name.
pub fn seg(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
