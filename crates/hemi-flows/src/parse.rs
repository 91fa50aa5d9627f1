//! Streaming a publisher's table through its profile into validated observations.
//!
//! The file is read row by row (never whole), so memory grows with the number of
//! distinct observations, not with the file. Every problem is collected with its line
//! and column, so one run tells the officer everything that is wrong with a file.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use hemi_core::{CountryCodes, Diagnostic, Diagnostics, Period};
use sha2::{Digest, Sha256};

use crate::header::{check_is_csv, decode_header, escape_bytes};
use crate::profile::{
    header_differences, CodeList, Combine, Empty, PeriodGranularity, Profile, ValueKind,
};
use crate::series::SeriesKey;

/// Longest cell accepted, in bytes. Real cells are short codes and numbers; a longer
/// one means a broken quote or a binary file, and stopping early bounds memory.
pub const MAX_FIELD_BYTES: usize = 4096;

/// Most distinct observations accepted from one file. The largest bundled table has
/// about 200,000; ten million leaves room for growth while bounding memory (~1 GiB).
pub const MAX_OBSERVATIONS: usize = 10_000_000;

/// Key whose rows were combined because the profile declares `duplicates = "sum"`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CombinedKey {
    /// The series.
    pub series: SeriesKey,
    /// The period.
    pub period: Period,
    /// Lines of every row combined.
    pub lines: Vec<u64>,
    /// Resulting value.
    pub value: f64,
}

/// How often a recode was applied in one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecodeCount {
    /// Column.
    pub column: String,
    /// Published code.
    pub from: String,
    /// Stored code.
    pub to: String,
    /// The profile's reason.
    pub reason: String,
    /// Rows recoded.
    pub rows: u64,
}

/// A validated table, ready to be compared with the stored vintage.
#[derive(Debug, Clone, Default)]
pub struct ParsedTable {
    /// Profile used.
    pub profile: String,
    /// File name as given.
    pub file_name: String,
    /// SHA-256 of the bytes read, hex.
    pub sha256: String,
    /// Bytes read.
    pub bytes: u64,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Distinct series, indexed by the first element of each observation key.
    pub series: Vec<SeriesKey>,
    /// Value kind per series index.
    pub value_kinds: Vec<&'static str>,
    /// Observations: (series index, period) → value.
    pub observations: HashMap<(usize, Period), f64>,
    /// Keys combined from several rows.
    pub combined: Vec<CombinedKey>,
    /// Recodes applied.
    pub recodes: Vec<RecodeCount>,
    /// Rows whose value cell was empty and skipped as the profile allows.
    pub skipped_empty: u64,
}

/// Reader wrapper that hashes and counts what passes through.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Where each role's column sits in the header.
struct Layout {
    period: usize,
    reporting: Option<usize>,
    values: Vec<usize>,
    dims: Vec<usize>,
    breakdown_rules: Vec<(usize, String)>,
    /// Recode table: column index → (from → (to, recode index)).
    recodes: HashMap<usize, HashMap<String, (String, usize)>>,
}

/// Parse `input` with `profile`. Either every row is valid and the table is returned, or
/// every problem found is returned and nothing should be stored.
pub fn parse_table(
    profile: &Profile,
    file_name: &str,
    input: impl Read,
    codes: &CountryCodes,
) -> Result<ParsedTable, Diagnostics> {
    parse_table_with_limit(profile, file_name, input, codes, MAX_OBSERVATIONS)
}

/// [`parse_table`] with another bound on distinct observations (for tests and for
/// nodes that want a tighter one).
pub fn parse_table_with_limit(
    profile: &Profile,
    file_name: &str,
    input: impl Read,
    codes: &CountryCodes,
    max_observations: usize,
) -> Result<ParsedTable, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let problem = |line: u64, field: &str, message: String, hint: &str| Diagnostic {
        file: file_name.to_owned(),
        line,
        field: field.to_owned(),
        message,
        hint: hint.to_owned(),
    };
    let mut hashing = HashingReader {
        inner: input,
        hasher: Sha256::new(),
        bytes: 0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&mut hashing);

    let mut record = csv::ByteRecord::new();
    let header = match reader.read_byte_record(&mut record) {
        Ok(true) => {
            // The header is the file's first bytes: a spreadsheet or UTF-16 file is
            // named as such instead of failing as a strange header.
            let first = record.as_slice();
            if let Err(d) =
                check_is_csv(file_name, first).and_then(|()| decode_header(file_name, &record))
            {
                diagnostics.push(d);
                return Err(diagnostics);
            }
            decode_header(file_name, &record).expect("checked above")
        }
        Ok(false) => {
            diagnostics.push(problem(
                0,
                "file",
                "the file is empty".into(),
                "export the table again with its header and rows",
            ));
            return Err(diagnostics);
        }
        Err(e) => {
            diagnostics.push(problem(
                1,
                "header",
                e.to_string(),
                "check the file is a CSV table",
            ));
            return Err(diagnostics);
        }
    };
    if header != profile.recognise.header {
        diagnostics.push(problem(
            1,
            "header",
            header_differences(&profile.recognise.header, &header),
            &format!(
                "profile {} expects the header {}",
                profile.name,
                profile.recognise.header.join(",")
            ),
        ));
        return Err(diagnostics);
    }
    let layout = layout(profile, &header);
    let code_ok = |code: &str| {
        codes.is_iso(code)
            || profile.extra_codes.contains_key(code)
            || profile.shared_codes.contains_key(code)
    };
    let fixed_reporting = profile.reporting.as_ref().and_then(|r| r.country.clone());
    let granularity = profile
        .period
        .as_ref()
        .map(|p| p.granularity)
        .unwrap_or(PeriodGranularity::Mixed);
    let breakdown_default = profile
        .breakdown
        .as_ref()
        .map(|b| b.default.clone())
        .unwrap_or_default();

    let mut table = ParsedTable {
        profile: profile.name.clone(),
        file_name: file_name.to_owned(),
        ..Default::default()
    };
    let mut series_index: HashMap<SeriesKey, usize> = HashMap::new();
    let mut first_line: HashMap<(usize, Period), u64> = HashMap::new();
    let mut combined: BTreeMap<(usize, Period), Vec<u64>> = BTreeMap::new();
    let mut recode_rows = vec![0u64; profile.recode.len()];
    let mut fields: Vec<String> = Vec::with_capacity(header.len());

    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                diagnostics.push(problem(
                    line,
                    "row",
                    e.to_string(),
                    "check quoting in this row",
                ));
                break;
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        table.rows_read += 1;
        if record.len() != header.len() {
            diagnostics.push(problem(
                line,
                "row",
                format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    header.len()
                ),
                "every row needs one value per column; quote cells that contain commas",
            ));
            continue;
        }
        fields.clear();
        let mut row_ok = true;
        for (i, raw) in record.iter().enumerate() {
            if raw.len() > MAX_FIELD_BYTES {
                diagnostics.push(problem(
                    line,
                    &header[i],
                    format!(
                        "cell is {} bytes long, over the limit of {MAX_FIELD_BYTES}",
                        raw.len()
                    ),
                    "check for an unclosed quote",
                ));
                row_ok = false;
                fields.push(String::new());
                continue;
            }
            match std::str::from_utf8(raw) {
                Ok(text) => {
                    let text = text.trim();
                    let text = match layout.recodes.get(&i).and_then(|m| m.get(text)) {
                        Some((to, k)) => {
                            recode_rows[*k] += 1;
                            to.as_str()
                        }
                        None => text,
                    };
                    fields.push(text.to_owned());
                }
                Err(_) => {
                    diagnostics.push(problem(
                        line,
                        &header[i],
                        format!("bytes {} are not valid UTF-8", escape_bytes(raw)),
                        "save the file as UTF-8 (CSV UTF-8), not Latin-1 or Windows-1252",
                    ));
                    row_ok = false;
                    fields.push(String::new());
                }
            }
        }
        if !row_ok {
            if diagnostics.is_full() {
                break;
            }
            continue;
        }

        let period_text = &fields[layout.period];
        let period_column = &header[layout.period];
        let period = match granularity {
            PeriodGranularity::Month => {
                Period::parse_as(period_text, hemi_core::Granularity::Month)
            }
            PeriodGranularity::Year => Period::parse_as(period_text, hemi_core::Granularity::Year),
            PeriodGranularity::Mixed => period_text.parse(),
        };
        let period = match period {
            Ok(p) => Some(p),
            Err(e) => {
                diagnostics.push(problem(
                    line,
                    period_column,
                    e.to_string(),
                    "fix the period or the profile's granularity",
                ));
                None
            }
        };

        let reporting = match (&fixed_reporting, layout.reporting) {
            (Some(country), _) => Some(country.clone()),
            (None, Some(i)) => {
                let code = &fields[i];
                if code_ok(code) {
                    Some(code.clone())
                } else {
                    diagnostics.push(unknown_code(file_name, line, &header[i], code));
                    None
                }
            }
            (None, None) => None,
        };

        let mut dims: Vec<(&str, &str)> = Vec::with_capacity(layout.dims.len());
        let mut nationality = None;
        let mut dims_ok = true;
        for (spec, &i) in profile.dimensions.iter().zip(&layout.dims) {
            let value = fields[i].as_str();
            if value.is_empty() {
                if !spec.optional {
                    diagnostics.push(problem(
                        line,
                        &header[i],
                        "is empty".into(),
                        "fill it in, or mark the dimension `optional = true` in the profile",
                    ));
                    dims_ok = false;
                }
                continue;
            }
            if spec.codes == Some(CodeList::Country) && !code_ok(value) {
                diagnostics.push(unknown_code(file_name, line, &header[i], value));
                dims_ok = false;
                continue;
            }
            if spec.is_nationality() {
                nationality = Some(value.to_owned());
            }
            dims.push((spec.dim_name(), value));
        }
        dims.sort_unstable();
        let dims_text = dims
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";");
        let breakdown = layout
            .breakdown_rules
            .iter()
            .find(|(i, _)| !fields[*i].is_empty())
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| breakdown_default.clone());

        for (spec, &i) in profile.values.iter().zip(&layout.values) {
            let text = fields[i].as_str();
            let value = if text.is_empty() {
                match spec.empty {
                    Empty::Skip => {
                        table.skipped_empty += 1;
                        continue;
                    }
                    Empty::Error => {
                        diagnostics.push(problem(
                            line,
                            &header[i],
                            "is empty".into(),
                            "write 0 if there were none",
                        ));
                        continue;
                    }
                }
            } else {
                match parse_value(text, spec.kind) {
                    Ok(v) => v,
                    Err((message, hint)) => {
                        diagnostics.push(problem(line, &header[i], message, hint));
                        continue;
                    }
                }
            };
            let (Some(period), Some(reporting), true) = (period, &reporting, dims_ok) else {
                continue;
            };
            let key = SeriesKey {
                reporting: reporting.clone(),
                measure: spec.measure.clone(),
                breakdown: breakdown.clone(),
                nationality: nationality.clone(),
                dims: dims_text.clone(),
            };
            let next = series_index.len();
            let index = *series_index.entry(key.clone()).or_insert_with(|| {
                table.series.push(key);
                table.value_kinds.push(spec.kind.as_str());
                next
            });
            let distinct = table.observations.len();
            match table.observations.entry((index, period)) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    if distinct >= max_observations {
                        diagnostics.push(problem(
                            line,
                            "file",
                            format!("more than {max_observations} distinct observations"),
                            "split the file by year and import the parts",
                        ));
                        return Err(diagnostics);
                    }
                    slot.insert(value);
                    first_line.insert((index, period), line);
                }
                std::collections::hash_map::Entry::Occupied(mut slot) => {
                    let first = first_line[&(index, period)];
                    match profile.duplicates {
                        Combine::Sum => {
                            *slot.get_mut() += value;
                            combined.entry((index, period)).or_insert_with(|| vec![first]).push(line);
                        }
                        Combine::Aggregate => *slot.get_mut() += value,
                        Combine::Error => diagnostics.push(problem(
                            line,
                            "row",
                            format!("duplicate of line {first}: {} {period}", table.series[index]),
                            "remove one of the rows, or declare `duplicates = \"sum\"` in the profile if the publisher lists parts separately",
                        )),
                    }
                }
            }
        }
        if diagnostics.is_full() {
            break;
        }
    }

    if table.rows_read == 0 && diagnostics.is_empty() {
        diagnostics.push(problem(
            2,
            "file",
            "has a header but no rows".into(),
            "export the table with its data rows",
        ));
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    drop(reader);
    table.sha256 = hex::encode(hashing.hasher.finalize());
    table.bytes = hashing.bytes;
    table.combined = combined
        .into_iter()
        .map(|((index, period), lines)| CombinedKey {
            series: table.series[index].clone(),
            period,
            lines,
            value: table.observations[&(index, period)],
        })
        .collect();
    table.recodes = profile
        .recode
        .iter()
        .zip(recode_rows)
        .map(|(r, rows)| RecodeCount {
            column: r.column.clone(),
            from: r.from.clone(),
            to: r.to.clone(),
            reason: r.reason.clone(),
            rows,
        })
        .collect();
    Ok(table)
}

fn unknown_code(file: &str, line: u64, field: &str, code: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line,
        field: field.to_owned(),
        message: format!("{code:?} is not an ISO 3166 alpha-3 code"),
        hint:
            "use the ISO code; a code only this publisher uses goes under [extra_codes] in its profile, one that publishers share in profiles/shared_codes.toml (in a directory given with --profiles-dir)"
                .into(),
    }
}

fn parse_value(text: &str, kind: ValueKind) -> Result<f64, (String, &'static str)> {
    match kind {
        ValueKind::Count => match text.parse::<i64>() {
            Ok(n) if n < 0 => Err((format!("{n} is negative"), "counts must be >= 0")),
            Ok(n) => Ok(n as f64),
            Err(_) => match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Err((
                    format!("{text} is not a whole number"),
                    "counts are whole numbers of people or events",
                )),
                _ => Err((
                    format!("{text:?} is not a number"),
                    "write digits only, without thousands separators",
                )),
            },
        },
        ValueKind::Number => match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err((
                format!("{text:?} is not a number"),
                "write a decimal number with a point, e.g. 12.5",
            )),
        },
    }
}

fn layout(profile: &Profile, header: &[String]) -> Layout {
    // The profile was checked against this exact header, so every lookup succeeds.
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .expect("profile checked against header")
    };
    let mut recodes: HashMap<usize, HashMap<String, (String, usize)>> = HashMap::new();
    for (k, r) in profile.recode.iter().enumerate() {
        recodes
            .entry(at(&r.column))
            .or_default()
            .insert(r.from.clone(), (r.to.clone(), k));
    }
    Layout {
        period: at(&profile.period.as_ref().expect("checked").column),
        reporting: profile
            .reporting
            .as_ref()
            .and_then(|r| r.column.as_deref())
            .map(at),
        values: profile.values.iter().map(|v| at(&v.column)).collect(),
        dims: profile.dimensions.iter().map(|d| at(&d.column)).collect(),
        breakdown_rules: profile
            .breakdown
            .iter()
            .flat_map(|b| &b.rules)
            .map(|r| (at(&r.when_nonempty), r.name.clone()))
            .collect(),
        recodes,
    }
}
