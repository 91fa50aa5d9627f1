//! Facts about a person that eligibility rules read, and their declared kinds.
//!
//! A fact is absent when nobody has recorded it; a rule that needs an absent fact
//! answers "needs information", never "not eligible". Facts are plain values so they
//! can be stored as JSON with a screening interview and compared for memoisation.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// One recorded fact value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FactValue {
    /// Yes or no.
    Bool(bool),
    /// A whole number (ages, years, counts, US dollars).
    Int(i64),
    /// Text: a code (`HTI`), a date (`2023-06-11`), a word.
    Text(String),
    /// A list of texts (languages, documents, ISCO codes).
    List(Vec<String>),
    /// Texts keyed by text, e.g. relatives by the state they live in: `{"CAN": ["sibling"]}`.
    Map(BTreeMap<String, Vec<String>>),
}

/// The kind a fact must have, declared in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// [`FactValue::Bool`].
    Bool,
    /// [`FactValue::Int`].
    Int,
    /// [`FactValue::Text`].
    Text,
    /// [`FactValue::List`].
    List,
    /// [`FactValue::Map`].
    Map,
}

impl FactValue {
    /// The kind of this value.
    pub fn kind(&self) -> FactKind {
        match self {
            FactValue::Bool(_) => FactKind::Bool,
            FactValue::Int(_) => FactKind::Int,
            FactValue::Text(_) => FactKind::Text,
            FactValue::List(_) => FactKind::List,
            FactValue::Map(_) => FactKind::Map,
        }
    }

    /// The CEL value the rule sees.
    pub(crate) fn to_cel(&self) -> cel::Value {
        use std::sync::Arc;
        match self {
            FactValue::Bool(b) => cel::Value::Bool(*b),
            FactValue::Int(i) => cel::Value::Int(*i),
            FactValue::Text(s) => cel::Value::String(Arc::new(s.clone())),
            FactValue::List(items) => cel::Value::List(Arc::new(
                items
                    .iter()
                    .map(|s| cel::Value::String(Arc::new(s.clone())))
                    .collect(),
            )),
            FactValue::Map(map) => {
                let map: std::collections::HashMap<String, Vec<String>> =
                    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                cel::Value::from(
                    map.into_iter()
                        .map(|(k, v)| {
                            (
                                cel::objects::Key::String(Arc::new(k)),
                                cel::Value::List(Arc::new(
                                    v.into_iter()
                                        .map(|s| cel::Value::String(Arc::new(s)))
                                        .collect(),
                                )),
                            )
                        })
                        .collect::<std::collections::HashMap<_, _>>(),
                )
            }
        }
    }
}

impl fmt::Display for FactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FactKind::Bool => "yes/no",
            FactKind::Int => "whole number",
            FactKind::Text => "text",
            FactKind::List => "list of texts",
            FactKind::Map => "map of texts to lists",
        })
    }
}

impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactValue::Bool(b) => write!(f, "{}", if *b { "yes" } else { "no" }),
            FactValue::Int(i) => write!(f, "{i}"),
            FactValue::Text(s) => write!(f, "{s:?}"),
            FactValue::List(items) => write!(f, "[{}]", items.join(", ")),
            FactValue::Map(map) => {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{k}: [{}]", v.join(", ")))
                    .collect();
                write!(f, "{{{}}}", parts.join("; "))
            }
        }
    }
}

/// The facts recorded about one person, by fact name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Facts(pub BTreeMap<String, FactValue>);

impl Facts {
    /// No facts yet.
    pub fn new() -> Facts {
        Facts::default()
    }

    /// Record or replace a fact.
    pub fn set(&mut self, name: &str, value: FactValue) -> &mut Facts {
        self.0.insert(name.to_owned(), value);
        self
    }

    /// Builder form of [`Facts::set`].
    pub fn with(mut self, name: &str, value: FactValue) -> Facts {
        self.set(name, value);
        self
    }

    /// Forget a fact.
    pub fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }

    /// A recorded fact.
    pub fn get(&self, name: &str) -> Option<&FactValue> {
        self.0.get(name)
    }
}

/// Shorthand for a text fact.
pub fn text(value: &str) -> FactValue {
    FactValue::Text(value.to_owned())
}

/// Shorthand for a list fact.
pub fn list(values: &[&str]) -> FactValue {
    FactValue::List(values.iter().map(|s| (*s).to_owned()).collect())
}
