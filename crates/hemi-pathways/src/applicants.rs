//! Applicants as a CSV file: one row per person, the household columns first, then one
//! column per fact the catalogue declares. `hemi pathways synth` writes it and
//! `hemi pathways screen` and `hemi pathways apply` read it.
//!
//! Cells: a list is `a;b`, a map is `CAN=sibling|parent;USA=child`, yes/no is
//! `true`/`false`, a recorded empty list or map is `none`, and an empty cell is a fact
//! nobody recorded (the rules that need it answer "needs information").

use std::collections::{BTreeMap, HashMap};

use hemi_core::{Diagnostic, Diagnostics};

use crate::cases::{Application, Member};
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::facts::{FactKind, FactValue, Facts};
use crate::synth::SynthHousehold;

/// The household and identity columns, before the fact columns.
pub const PERSON_COLUMNS: [&str; 8] = [
    "application_id",
    "office",
    "received_on",
    "person_id",
    "given_names",
    "family_names",
    "date_of_birth",
    "relationship",
];

/// A recorded empty list or map.
const NONE: &str = "none";

/// One person read from an applicants file.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicantRow {
    /// Line in the file (the header is line 1).
    pub line: u64,
    /// Household.
    pub application_id: String,
    /// Office that received it.
    pub office: String,
    /// Day received.
    pub received_on: Date,
    /// The person (sex and nationality copied from the facts when recorded).
    pub member: Member,
    /// What is known about them.
    pub facts: Facts,
}

/// The text of one fact value in a cell.
pub fn encode_fact(value: &FactValue) -> String {
    match value {
        FactValue::Bool(b) => b.to_string(),
        FactValue::Int(i) => i.to_string(),
        FactValue::Text(t) => t.clone(),
        FactValue::List(items) if items.is_empty() => NONE.into(),
        FactValue::List(items) => items.join(";"),
        FactValue::Map(map) if map.is_empty() => NONE.into(),
        FactValue::Map(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", v.join("|")))
            .collect::<Vec<_>>()
            .join(";"),
    }
}

/// Read a cell as a fact of `kind`: `Ok(None)` for an empty cell (not recorded).
pub fn decode_fact(kind: FactKind, text: &str) -> Result<Option<FactValue>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let items = |t: &str, sep: char| -> Vec<String> {
        t.split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    Ok(Some(match kind {
        FactKind::Bool => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" => FactValue::Bool(true),
            "false" | "no" => FactValue::Bool(false),
            _ => return Err(format!("{text:?} is not yes/no (write true or false)")),
        },
        FactKind::Int => FactValue::Int(
            text.parse()
                .map_err(|_| format!("{text:?} is not a whole number"))?,
        ),
        FactKind::Text => FactValue::Text(text.to_owned()),
        FactKind::List if text == NONE => FactValue::List(Vec::new()),
        FactKind::List => FactValue::List(items(text, ';')),
        FactKind::Map if text == NONE => FactValue::Map(BTreeMap::new()),
        FactKind::Map => {
            let mut map = BTreeMap::new();
            for entry in items(text, ';') {
                let Some((key, values)) = entry.split_once('=') else {
                    return Err(format!(
                        "{entry:?} is not KEY=value|value (e.g. CAN=sibling|parent)"
                    ));
                };
                map.insert(key.trim().to_owned(), items(values, '|'));
            }
            FactValue::Map(map)
        }
    }))
}

/// Write households as an applicants file with a column for every declared fact.
pub fn write_applicants(households: &[SynthHousehold], catalogue: &Catalogue) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = PERSON_COLUMNS.to_vec();
    header.extend(catalogue.facts.iter().map(|f| f.name.as_str()));
    writer.write_record(&header).expect("in memory");
    for h in households {
        let a = &h.application;
        for (member, facts) in a.members.iter().zip(&h.facts) {
            let mut record = vec![
                a.application_id.clone(),
                a.office.clone(),
                a.received_on.to_string(),
                member.person_id.clone(),
                member.given_names.clone(),
                member.family_names.clone(),
                member
                    .date_of_birth
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                member.relationship.clone(),
            ];
            record.extend(
                catalogue
                    .facts
                    .iter()
                    .map(|f| facts.get(&f.name).map(encode_fact).unwrap_or_default()),
            );
            writer.write_record(&record).expect("in memory");
        }
    }
    String::from_utf8(writer.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

fn diag(file: &str, line: u64, field: &str, message: String, hint: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line,
        field: field.to_owned(),
        message,
        hint: hint.to_owned(),
    }
}

/// Read an applicants file. Columns may come in any order; the household columns are
/// required, fact columns optional (a missing column is a fact nobody recorded). An
/// unknown column, a cell of the wrong kind, a bad date or a person listed twice is a
/// diagnostic with the file, line and column.
pub fn parse_applicants(
    reader: impl std::io::Read,
    file: &str,
    catalogue: &Catalogue,
) -> Result<Vec<ApplicantRow>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(e) => {
            diagnostics.push(diag(
                file,
                1,
                "header",
                e.to_string(),
                "the file must be UTF-8 CSV with a header row",
            ));
            return Err(diagnostics);
        }
    };
    let known: Vec<&str> = PERSON_COLUMNS
        .iter()
        .copied()
        .chain(catalogue.facts.iter().map(|f| f.name.as_str()))
        .collect();
    for column in &header {
        if !known.contains(&column.as_str()) {
            let hint = match hemi_core::suggest::closest(column, &known) {
                Some(s) => format!("did you mean {s:?}? Columns are the household columns and the facts of the catalogue"),
                None => "columns are the household columns and the facts of the catalogue (`hemi pathways catalogue --facts`)".into(),
            };
            diagnostics.push(diag(
                file,
                1,
                column,
                format!("unknown column {column:?}"),
                &hint,
            ));
        }
    }
    for required in PERSON_COLUMNS {
        if required != "date_of_birth" && !header.iter().any(|c| c == required) {
            diagnostics.push(diag(
                file,
                1,
                required,
                format!("column {required:?} is missing"),
                "every row names its household, office, date received and person",
            ));
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let index: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (k, record) in csv.records().enumerate() {
        let line = k as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                diagnostics.push(diag(
                    file,
                    line,
                    "row",
                    e.to_string(),
                    "check the number of columns and the encoding",
                ));
                continue;
            }
        };
        let cell = |name: &str| -> &str {
            index
                .get(name)
                .and_then(|i| record.get(*i))
                .map(str::trim)
                .unwrap_or("")
        };
        let before = diagnostics.total();
        for required in [
            "application_id",
            "office",
            "person_id",
            "given_names",
            "family_names",
        ] {
            if cell(required).is_empty() {
                diagnostics.push(diag(
                    file,
                    line,
                    required,
                    "is empty".into(),
                    "every person needs this",
                ));
            }
        }
        let mut date = |field: &str, optional: bool| -> Option<Date> {
            let text = cell(field);
            if text.is_empty() && optional {
                return None;
            }
            match Date::parse(text) {
                Ok(d) => Some(d),
                Err(e) => {
                    diagnostics.push(diag(file, line, field, e.0, "dates are YYYY-MM-DD"));
                    None
                }
            }
        };
        let received_on = date("received_on", false);
        let date_of_birth = date("date_of_birth", true);
        let mut facts = Facts::new();
        for fact in &catalogue.facts {
            match decode_fact(fact.kind, cell(&fact.name)) {
                Ok(Some(v)) => {
                    facts.set(&fact.name, v);
                }
                Ok(None) => {}
                Err(message) => diagnostics.push(diag(
                    file,
                    line,
                    &fact.name,
                    message,
                    &format!("{}: {}", fact.kind, fact.description),
                )),
            }
        }
        let person_id = cell("person_id").to_owned();
        if let Some(first) = seen.get(&person_id) {
            diagnostics.push(diag(
                file,
                line,
                "person_id",
                format!("person {person_id:?} is listed again (first on line {first})"),
                "one row per person",
            ));
        } else {
            seen.insert(person_id.clone(), line);
        }
        if diagnostics.total() > before {
            continue;
        }
        let text_fact = |name: &str| match facts.get(name) {
            Some(FactValue::Text(t)) => t.clone(),
            _ => String::new(),
        };
        out.push(ApplicantRow {
            line,
            application_id: cell("application_id").to_owned(),
            office: cell("office").to_owned(),
            received_on: received_on.expect("checked"),
            member: Member {
                person_id,
                given_names: cell("given_names").to_owned(),
                family_names: cell("family_names").to_owned(),
                date_of_birth,
                sex: text_fact("sex"),
                nationality: text_fact("nationality"),
                relationship: match cell("relationship") {
                    "" => "principal".to_owned(),
                    r => r.to_owned(),
                },
            },
            facts,
        });
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(diagnostics)
    }
}

/// Group rows into applications (households) in file order, with each member's facts.
pub fn households(rows: &[ApplicantRow]) -> Vec<(Application, Vec<Facts>)> {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, (Application, Vec<Facts>)> = HashMap::new();
    for r in rows {
        let entry = by_id.entry(r.application_id.clone()).or_insert_with(|| {
            order.push(r.application_id.clone());
            (
                Application {
                    application_id: r.application_id.clone(),
                    office: r.office.clone(),
                    received_on: r.received_on,
                    members: Vec::new(),
                    withdrawn_on: None,
                },
                Vec::new(),
            )
        });
        entry.0.members.push(r.member.clone());
        entry.1.push(r.facts.clone());
    }
    order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip() {
        let mut map = BTreeMap::new();
        map.insert(
            "CAN".to_owned(),
            vec!["sibling".to_owned(), "parent".to_owned()],
        );
        let values = [
            (FactKind::Bool, FactValue::Bool(true)),
            (FactKind::Int, FactValue::Int(-3)),
            (FactKind::Text, FactValue::Text("HTI".into())),
            (
                FactKind::List,
                FactValue::List(vec!["a".into(), "b".into()]),
            ),
            (FactKind::List, FactValue::List(vec![])),
            (FactKind::Map, FactValue::Map(map)),
            (FactKind::Map, FactValue::Map(BTreeMap::new())),
        ];
        for (kind, value) in values {
            let text = encode_fact(&value);
            assert_eq!(decode_fact(kind, &text).unwrap(), Some(value), "{text}");
        }
        assert_eq!(decode_fact(FactKind::Int, " ").unwrap(), None);
        assert!(decode_fact(FactKind::Bool, "maybe").is_err());
        assert!(decode_fact(FactKind::Map, "CAN").is_err());
    }
}
