//! Placement files: households, sites, arcs and plans as CSV, parsed from readers with
//! `file:line: field` diagnostics, and written back in the same layout.
//!
//! Layouts (a header row; extra columns are ignored, so files from other tools load):
//! - households: `household_id,size[,tie_site][,tie_household][,tie]` where `tie` is
//!   `hard` (default) or `soft`;
//! - sites: `site_id,capacity_people`;
//! - arcs: `household_id,site_id,score` (candidate pairs; the score is maximised);
//! - plan: `household_id,site_id` (an empty site means not placed).

use std::io::Read;

use hemi_core::{Diagnostic, Diagnostics};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Instance, Plan};
use crate::AllocationError;

/// Whether a tie must hold (`Hard`) or earns a bonus when it holds (`Soft`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TieStrength {
    /// The plan must honour the tie.
    #[default]
    Hard,
    /// The plan earns `SolveOptions::soft_tie_bonus` when the tie holds.
    Soft,
}

/// One household to place; all its members go to the same site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdRow {
    /// Identifier as given in the file.
    pub household_id: String,
    /// Members, at least 1.
    pub size_people: u32,
    /// A site the household is tied to (family already there, a sponsor).
    pub tie_site: Option<String>,
    /// Another household this one is tied to (relatives arriving separately).
    pub tie_household: Option<String>,
    /// Whether the ties are hard constraints or soft bonuses.
    pub tie_strength: TieStrength,
}

/// One site (a community) with its capacity in people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteRow {
    /// Identifier as given in the file.
    pub site_id: String,
    /// Places, counted in people.
    pub capacity_people: u32,
}

/// One candidate pair with the score a placement there earns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArcRow {
    /// Index into the household list.
    pub household: u32,
    /// Index into the site list.
    pub site: u32,
    /// What is maximised (for example expected employment).
    pub score: f64,
    /// Line of the arcs file the pair came from (for diagnostics).
    pub line: u32,
}

fn diagnostic(file: &str, line: u64, field: &str, message: String, hint: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        line,
        field: field.to_string(),
        message,
        hint: hint.to_string(),
    }
}

/// Column positions found in a header, by name.
struct Header {
    names: Vec<String>,
}

impl Header {
    fn read<R: Read>(
        reader: &mut csv::Reader<R>,
        file: &str,
        diags: &mut Diagnostics,
    ) -> Option<Self> {
        match reader.byte_headers() {
            Ok(h) => Some(Header {
                names: h
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_ascii_lowercase())
                    .collect(),
            }),
            Err(e) => {
                diags.push(diagnostic(
                    file,
                    1,
                    "header",
                    format!("cannot read the header: {e}"),
                    "the first line must name the columns",
                ));
                None
            }
        }
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    fn require(&self, name: &str, file: &str, diags: &mut Diagnostics) -> Option<usize> {
        let found = self.find(name);
        if found.is_none() {
            diags.push(diagnostic(
                file,
                1,
                name,
                format!(
                    "column \"{name}\" is missing (header: {})",
                    self.names.join(",")
                ),
                "add the column; see the placement file layout",
            ));
        }
        found
    }
}

fn csv_reader<R: Read>(reader: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(reader)
}

fn field_text(record: &csv::ByteRecord, column: usize) -> &str {
    record
        .get(column)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
        .trim()
}

fn line_of(record: &csv::ByteRecord) -> u64 {
    record.position().map(|p| p.line()).unwrap_or(0)
}

/// Read the next row; false at the end or on an unreadable row (reported).
fn next_record<R: Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    file: &str,
    diags: &mut Diagnostics,
) -> bool {
    match reader.read_byte_record(record) {
        Ok(more) => more,
        Err(e) => {
            diags.push(diagnostic(
                file,
                e.position().map(|p| p.line()).unwrap_or(0),
                "row",
                format!("unreadable row: {e}"),
                "check quoting and UTF-8",
            ));
            false
        }
    }
}

/// Remember `id`; false (with a diagnostic) when it was seen on an earlier line.
fn first_time(
    seen: &mut FxHashMap<String, u64>,
    id: &str,
    (file, line, field): (&str, u64, &str),
    hint: &str,
    diags: &mut Diagnostics,
) -> bool {
    match seen.insert(id.to_string(), line) {
        Some(first) => {
            diags.push(diagnostic(
                file,
                line,
                field,
                format!("\"{id}\" appears again (first on line {first})"),
                hint,
            ));
            false
        }
        None => true,
    }
}

fn check_id(id: &str, file: &str, line: u64, field: &str, diags: &mut Diagnostics) -> bool {
    if id.is_empty() {
        diags.push(diagnostic(
            file,
            line,
            field,
            "empty identifier".into(),
            "every row needs an identifier",
        ));
        return false;
    }
    true
}

/// Parse the households file.
pub fn parse_households<R: Read>(reader: R, file: &str) -> Result<Vec<HouseholdRow>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut reader = csv_reader(reader);
    let Some(header) = Header::read(&mut reader, file, &mut diags) else {
        return Err(diags);
    };
    let id_col = header.require("household_id", file, &mut diags);
    let size_col = header.require("size", file, &mut diags);
    let (Some(id_col), Some(size_col)) = (id_col, size_col) else {
        return Err(diags);
    };
    let tie_site_col = header.find("tie_site");
    let tie_household_col = header.find("tie_household");
    let tie_col = header.find("tie");
    let mut rows = Vec::new();
    let mut seen: FxHashMap<String, u64> = FxHashMap::default();
    let mut record = csv::ByteRecord::new();
    while next_record(&mut reader, &mut record, file, &mut diags) {
        let line = line_of(&record);
        let id = field_text(&record, id_col);
        if !check_id(id, file, line, "household_id", &mut diags) {
            continue;
        }
        if !first_time(
            &mut seen,
            id,
            (file, line, "household_id"),
            "each household appears once",
            &mut diags,
        ) {
            continue;
        }
        let size_text = field_text(&record, size_col);
        let size = match size_text.parse::<i64>() {
            Ok(s) if s >= 1 && s <= u32::MAX as i64 => s as u32,
            Ok(s) => {
                diags.push(diagnostic(
                    file,
                    line,
                    "size",
                    format!("{s} is below 1"),
                    "a household has at least one member",
                ));
                continue;
            }
            Err(_) => {
                diags.push(diagnostic(
                    file,
                    line,
                    "size",
                    format!("\"{size_text}\" is not a whole number"),
                    "give the number of members, e.g. 4",
                ));
                continue;
            }
        };
        let optional = |col: Option<usize>| {
            col.map(|c| field_text(&record, c).to_string())
                .filter(|s| !s.is_empty())
        };
        let tie_text = optional(tie_col).unwrap_or_default();
        let tie_strength = match tie_text.to_ascii_lowercase().as_str() {
            "" | "hard" => TieStrength::Hard,
            "soft" => TieStrength::Soft,
            other => {
                diags.push(diagnostic(
                    file,
                    line,
                    "tie",
                    format!("\"{other}\" is not a tie strength"),
                    "use hard or soft",
                ));
                continue;
            }
        };
        rows.push(HouseholdRow {
            household_id: id.to_string(),
            size_people: size,
            tie_site: optional(tie_site_col),
            tie_household: optional(tie_household_col),
            tie_strength,
        });
        if diags.is_full() {
            break;
        }
    }
    if rows.is_empty() && diags.is_empty() {
        diags.push(diagnostic(
            file,
            0,
            "household_id",
            "no households".into(),
            "the file has a header but no rows",
        ));
    }
    if diags.is_empty() {
        Ok(rows)
    } else {
        Err(diags)
    }
}

/// Parse the sites file.
pub fn parse_sites<R: Read>(reader: R, file: &str) -> Result<Vec<SiteRow>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut reader = csv_reader(reader);
    let Some(header) = Header::read(&mut reader, file, &mut diags) else {
        return Err(diags);
    };
    let id_col = header.require("site_id", file, &mut diags);
    let cap_col = header.require("capacity_people", file, &mut diags);
    let (Some(id_col), Some(cap_col)) = (id_col, cap_col) else {
        return Err(diags);
    };
    let mut rows = Vec::new();
    let mut seen: FxHashMap<String, u64> = FxHashMap::default();
    let mut record = csv::ByteRecord::new();
    while next_record(&mut reader, &mut record, file, &mut diags) {
        let line = line_of(&record);
        let id = field_text(&record, id_col);
        if !check_id(id, file, line, "site_id", &mut diags) {
            continue;
        }
        if !first_time(
            &mut seen,
            id,
            (file, line, "site_id"),
            "each site appears once",
            &mut diags,
        ) {
            continue;
        }
        let text = field_text(&record, cap_col);
        match text.parse::<i64>() {
            Ok(c) if c >= 0 && c <= u32::MAX as i64 => rows.push(SiteRow {
                site_id: id.to_string(),
                capacity_people: c as u32,
            }),
            Ok(c) => diags.push(diagnostic(
                file,
                line,
                "capacity_people",
                format!("{c} is negative"),
                "capacities must be >= 0",
            )),
            Err(_) => diags.push(diagnostic(
                file,
                line,
                "capacity_people",
                format!("\"{text}\" is not a whole number"),
                "give the places in people, e.g. 120",
            )),
        }
        if diags.is_full() {
            break;
        }
    }
    if diags.is_empty() {
        Ok(rows)
    } else {
        Err(diags)
    }
}

/// Map from identifier to index, built once per file.
pub(crate) fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> FxHashMap<&'a str, u32> {
    let mut map = FxHashMap::default();
    for (i, id) in ids.enumerate() {
        map.insert(id, i as u32);
    }
    map
}

/// Parse the arcs file against known households and sites. Rows come back in file
/// order with the 1-based line each came from (for duplicate diagnostics).
pub fn parse_arcs<R: Read>(
    reader: R,
    file: &str,
    households: &[HouseholdRow],
    sites: &[SiteRow],
) -> Result<Vec<ArcRow>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut reader = csv_reader(reader);
    let Some(header) = Header::read(&mut reader, file, &mut diags) else {
        return Err(diags);
    };
    let h_col = header.require("household_id", file, &mut diags);
    let s_col = header.require("site_id", file, &mut diags);
    let score_col = header.require("score", file, &mut diags);
    let (Some(h_col), Some(s_col), Some(score_col)) = (h_col, s_col, score_col) else {
        return Err(diags);
    };
    let household_index = index_of(households.iter().map(|h| h.household_id.as_str()));
    let site_index = index_of(sites.iter().map(|s| s.site_id.as_str()));
    let mut arcs = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Arc files are usually grouped by household: remember the last one to skip a lookup.
    let mut last_household: Vec<u8> = Vec::new();
    let mut last_household_index: Option<u32> = None;
    while next_record(&mut reader, &mut record, file, &mut diags) {
        let h_bytes = trim_bytes(record.get(h_col).unwrap_or(b""));
        let household = if last_household_index.is_some() && h_bytes == last_household.as_slice() {
            last_household_index
        } else {
            let found = std::str::from_utf8(h_bytes)
                .ok()
                .and_then(|h| household_index.get(h).copied());
            last_household.clear();
            last_household.extend_from_slice(h_bytes);
            last_household_index = found;
            found
        };
        let s_bytes = trim_bytes(record.get(s_col).unwrap_or(b""));
        let site = std::str::from_utf8(s_bytes)
            .ok()
            .and_then(|s| site_index.get(s).copied());
        let score_bytes = trim_bytes(record.get(score_col).unwrap_or(b""));
        let score = std::str::from_utf8(score_bytes)
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite());
        match (household, site, score) {
            (Some(household), Some(site), Some(score)) => arcs.push(ArcRow {
                household,
                site,
                score,
                line: line_of(&record).min(u32::MAX as u64) as u32,
            }),
            _ => {
                let line = line_of(&record);
                if household.is_none() {
                    diags.push(diagnostic(
                        file,
                        line,
                        "household_id",
                        format!("unknown household \"{}\"", String::from_utf8_lossy(h_bytes)),
                        "every arc's household must be in the households file",
                    ));
                }
                if site.is_none() {
                    diags.push(diagnostic(
                        file,
                        line,
                        "site_id",
                        format!("unknown site \"{}\"", String::from_utf8_lossy(s_bytes)),
                        "every arc's site must be in the sites file",
                    ));
                }
                if score.is_none() {
                    diags.push(diagnostic(
                        file,
                        line,
                        "score",
                        format!(
                            "\"{}\" is not a finite number",
                            String::from_utf8_lossy(score_bytes)
                        ),
                        "give a decimal number such as 0.62",
                    ));
                }
                if diags.is_full() {
                    break;
                }
            }
        }
    }
    if diags.is_empty() {
        Ok(arcs)
    } else {
        Err(diags)
    }
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// Read the three files of an instance and check them together (duplicate arcs, ties).
pub fn read_instance<H: Read, S: Read, A: Read>(
    households: (H, &str),
    sites: (S, &str),
    arcs: (A, &str),
) -> Result<Instance, AllocationError> {
    let mut diags = Diagnostics::default();
    let household_rows = parse_households(households.0, households.1);
    let site_rows = parse_sites(sites.0, sites.1);
    let (household_rows, site_rows) = match (household_rows, site_rows) {
        (Ok(h), Ok(s)) => (h, s),
        (h, s) => {
            for d in h.err().iter().chain(s.err().iter()).flat_map(|d| d.iter()) {
                diags.push(d.clone());
            }
            return Err(AllocationError::InvalidInput(diags));
        }
    };
    let arc_rows = parse_arcs(arcs.0, arcs.1, &household_rows, &site_rows)
        .map_err(AllocationError::InvalidInput)?;
    Instance::new(household_rows, site_rows, arc_rows, (households.1, arcs.1))
}

/// Parse a plan (`household_id,site_id`, empty site = not placed) against an instance.
pub fn parse_plan<R: Read>(
    reader: R,
    file: &str,
    instance: &Instance,
) -> Result<Plan, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut reader = csv_reader(reader);
    let Some(header) = Header::read(&mut reader, file, &mut diags) else {
        return Err(diags);
    };
    let h_col = header.require("household_id", file, &mut diags);
    let s_col = header.require("site_id", file, &mut diags);
    let (Some(h_col), Some(s_col)) = (h_col, s_col) else {
        return Err(diags);
    };
    let household_index = index_of(instance.households.iter().map(|h| h.household_id.as_str()));
    let site_index = index_of(instance.sites.iter().map(|s| s.site_id.as_str()));
    let mut site_of = vec![None; instance.households.len()];
    let mut seen = vec![0u64; instance.households.len()];
    let mut record = csv::ByteRecord::new();
    while let Ok(true) = reader.read_byte_record(&mut record) {
        let line = line_of(&record);
        let h = field_text(&record, h_col);
        let s = field_text(&record, s_col);
        let Some(&hi) = household_index.get(h) else {
            diags.push(diagnostic(
                file,
                line,
                "household_id",
                format!("unknown household \"{h}\""),
                "the plan must use the instance's households",
            ));
            continue;
        };
        if seen[hi as usize] > 0 {
            diags.push(diagnostic(
                file,
                line,
                "household_id",
                format!(
                    "\"{h}\" appears again (first on line {})",
                    seen[hi as usize]
                ),
                "a household is placed once",
            ));
            continue;
        }
        seen[hi as usize] = line;
        if s.is_empty() {
            continue;
        }
        match site_index.get(s) {
            Some(&si) => site_of[hi as usize] = Some(si),
            None => diags.push(diagnostic(
                file,
                line,
                "site_id",
                format!("unknown site \"{s}\""),
                "the plan must use the instance's sites",
            )),
        }
    }
    if diags.is_empty() {
        Ok(Plan { site_of })
    } else {
        Err(diags)
    }
}

/// Write a plan as `household_id,site_id` in household order (empty site = not placed).
pub fn write_plan(instance: &Instance, plan: &Plan) -> String {
    let mut out = String::with_capacity(instance.households.len() * 16);
    out.push_str("household_id,site_id\n");
    for (h, site) in instance.households.iter().zip(&plan.site_of) {
        out.push_str(&h.household_id);
        out.push(',');
        if let Some(s) = site {
            out.push_str(&instance.sites[*s as usize].site_id);
        }
        out.push('\n');
    }
    out
}
