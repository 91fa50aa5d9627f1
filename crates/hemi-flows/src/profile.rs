//! Source profiles: one TOML file per publisher format says how to read that format.
//!
//! Adding a publisher means adding a profile file, not Rust code. A profile names the
//! columns it expects (so a renamed column is caught), which column is the period and
//! at what granularity, which are dimensions, which hold values, the non-ISO codes the
//! publisher uses, recodes with their reasons, which rows form which additive breakdown,
//! and how duplicate keys combine.

use std::collections::BTreeMap;

use hemi_core::Granularity;
use serde::Deserialize;

/// What a profile loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    /// Rows become observations of series.
    #[default]
    Observations,
    /// The reference country table (codes, names, regions).
    Countries,
}

/// Who publishes the table and under what terms.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceInfo {
    /// Publishing agency.
    pub publisher: String,
    /// Title of the table.
    pub table: String,
    /// Licence or terms of use.
    pub licence: String,
    /// Where the original is published.
    pub link: String,
}

/// How to recognise a file of this format.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recognise {
    /// File-name pattern; `*` matches any run of characters.
    pub file_name: String,
    /// The exact header, in order.
    pub header: Vec<String>,
}

/// Where the reporting country comes from: a constant or a column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingSpec {
    /// Every row is reported by this country.
    pub country: Option<String>,
    /// Each row names its reporting country in this column.
    pub column: Option<String>,
}

/// Period granularity a profile accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodGranularity {
    /// Only `YYYY-MM`.
    Month,
    /// Only `YYYY`.
    Year,
    /// Either, each kept as published (Panama: annual to 2019, monthly from 2020).
    Mixed,
}

/// The period column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodSpec {
    /// Column name.
    pub column: String,
    /// Accepted granularity.
    pub granularity: PeriodGranularity,
}

/// What a value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// A whole number of people or events, never negative.
    #[default]
    Count,
    /// Any finite number (rates, indices, money).
    Number,
}

impl ValueKind {
    /// Name stored with the series.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Count => "count",
            ValueKind::Number => "number",
        }
    }
}

/// What an empty value cell means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Empty {
    /// An error: the publisher must say 0 if it means 0.
    #[default]
    Error,
    /// Not published for that key; the row adds nothing for this value.
    Skip,
}

/// One value column and the measure it feeds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    /// Column name.
    pub column: String,
    /// Measure name (`darien_transits`, `encounters`, ...).
    pub measure: String,
    /// Count or number.
    #[serde(default)]
    pub kind: ValueKind,
    /// What an empty cell means.
    #[serde(default)]
    pub empty: Empty,
}

/// Which code list a dimension's values must belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeList {
    /// ISO 3166 alpha-3 plus the profile's declared extra codes.
    Country,
}

/// One dimension column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    /// Column name in the file.
    pub column: String,
    /// Dimension name in Hemisphere (defaults to the column name).
    pub name: Option<String>,
    /// Code list the values must belong to.
    pub codes: Option<CodeList>,
    /// `nationality` marks the dimension that holds the people's nationality or origin.
    pub role: Option<String>,
    /// Whether an empty cell is allowed (the dimension is then absent from the key).
    #[serde(default)]
    pub optional: bool,
}

impl DimensionSpec {
    /// The dimension's name in series keys.
    pub fn dim_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.column)
    }

    /// True for the nationality dimension.
    pub fn is_nationality(&self) -> bool {
        self.role.as_deref() == Some("nationality")
    }
}

/// One rule choosing a row's breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakdownRule {
    /// The rule applies when this column is not empty.
    pub when_nonempty: String,
    /// Breakdown name for matching rows.
    pub name: String,
}

/// Which additive breakdown each row belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakdownSpec {
    /// Breakdown of rows no rule matches.
    pub default: String,
    /// Rules tried in order.
    #[serde(default)]
    pub rules: Vec<BreakdownRule>,
}

/// A publisher code replaced by another, with the reason shown in every import report.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recode {
    /// Column the recode applies to.
    pub column: String,
    /// Code as published.
    pub from: String,
    /// Code stored.
    pub to: String,
    /// Why: the evidence, so a reader can disagree.
    pub reason: String,
}

/// How rows with the same key in one file combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// A duplicate key is an error.
    #[default]
    Error,
    /// Values add up (the publisher lists parts separately, e.g. territories mapped to one
    /// code); every combined key is listed in the import report.
    Sum,
    /// Rows are individual records (incidents, disasters) that the profile aggregates
    /// into counts per key; summing is the point, so keys are not listed one by one.
    Aggregate,
}

/// A source profile, as written in its TOML file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Unique profile name; also the source name in the database.
    pub name: String,
    /// What the profile loads.
    #[serde(default)]
    pub kind: ProfileKind,
    /// Publisher and terms.
    pub source: SourceInfo,
    /// How to recognise a file.
    #[serde(rename = "match")]
    pub recognise: Recognise,
    /// Reporting country.
    pub reporting: Option<ReportingSpec>,
    /// Period column.
    pub period: Option<PeriodSpec>,
    /// Value columns.
    #[serde(default)]
    pub values: Vec<ValueSpec>,
    /// Dimension columns.
    #[serde(default)]
    pub dimensions: Vec<DimensionSpec>,
    /// Columns read but not stored, each listed so a new column is noticed.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Additive breakdowns.
    pub breakdown: Option<BreakdownSpec>,
    /// Non-ISO codes only this publisher uses, with their meaning.
    #[serde(default)]
    pub extra_codes: BTreeMap<String, String>,
    /// Non-ISO codes publishers share (`profiles/shared_codes.toml`), given to every
    /// profile of a set by [`ProfileSet::from_files`]; the profile's own meaning wins.
    #[serde(skip)]
    pub shared_codes: BTreeMap<String, String>,
    /// Recodes applied before validation.
    #[serde(default)]
    pub recode: Vec<Recode>,
    /// How duplicate keys combine.
    #[serde(default)]
    pub duplicates: Combine,
}

/// A profile file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message} — {hint}")]
pub struct ProfileError {
    /// Profile file name.
    pub file: String,
    /// 1-based line, 0 when not known.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Profile {
    /// Parse and check a profile file.
    pub fn from_toml(file: &str, text: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start].lines().count().max(1))
                .unwrap_or(0);
            ProfileError {
                file: file.to_owned(),
                line,
                message: e.message().to_owned(),
                hint: "see profiles/README.md for the profile format".into(),
            }
        })?;
        profile.check().map_err(|(message, hint)| ProfileError {
            file: file.to_owned(),
            line: 0,
            message,
            hint,
        })?;
        Ok(profile)
    }

    /// Granularity of the period column.
    pub fn granularity(&self) -> Option<Granularity> {
        match self.period.as_ref()?.granularity {
            PeriodGranularity::Month => Some(Granularity::Month),
            PeriodGranularity::Year => Some(Granularity::Year),
            PeriodGranularity::Mixed => None,
        }
    }

    /// Every column the profile uses, so the header can be checked against it.
    fn used_columns(&self) -> Vec<&str> {
        let mut used: Vec<&str> = Vec::new();
        if let Some(r) = &self.reporting {
            used.extend(r.column.as_deref());
        }
        if let Some(p) = &self.period {
            used.push(&p.column);
        }
        used.extend(self.values.iter().map(|v| v.column.as_str()));
        used.extend(self.dimensions.iter().map(|d| d.column.as_str()));
        used.extend(self.ignore.iter().map(String::as_str));
        used
    }

    fn check(&self) -> Result<(), (String, String)> {
        if self.kind == ProfileKind::Countries {
            return Ok(());
        }
        let Some(reporting) = &self.reporting else {
            return Err((
                "missing [reporting]".into(),
                "add `country = \"PAN\"` or `column = \"...\"`".into(),
            ));
        };
        if reporting.country.is_some() == reporting.column.is_some() {
            return Err((
                "[reporting] needs exactly one of `country` and `column`".into(),
                "a table is reported by one country, or names it per row".into(),
            ));
        }
        if self.period.is_none() {
            return Err((
                "missing [period]".into(),
                "name the period column and its granularity".into(),
            ));
        }
        if self.values.is_empty() {
            return Err((
                "no [[values]]".into(),
                "name at least one value column and its measure".into(),
            ));
        }
        if self.breakdown.is_none() {
            return Err((
                "missing [breakdown]".into(),
                "give at least `default = \"total\"`".into(),
            ));
        }
        let used = self.used_columns();
        for column in &used {
            if !self.recognise.header.iter().any(|h| h == column) {
                return Err((
                    format!("column {column:?} is used but not in match.header"),
                    "list every column of the file in match.header".into(),
                ));
            }
        }
        for column in &self.recognise.header {
            match used.iter().filter(|u| *u == column).count() {
                0 => {
                    return Err((
                        format!("header column {column:?} is not used"),
                        "make it a dimension or value, or list it under `ignore`".into(),
                    ))
                }
                1 => {}
                _ => {
                    return Err((
                        format!("column {column:?} is used twice"),
                        "use each column once".into(),
                    ))
                }
            }
        }
        if self
            .dimensions
            .iter()
            .filter(|d| d.is_nationality())
            .count()
            > 1
        {
            return Err((
                "more than one dimension has role = \"nationality\"".into(),
                "mark one".into(),
            ));
        }
        for recode in &self.recode {
            if !self.recognise.header.contains(&recode.column) {
                return Err((
                    format!("recode column {:?} is not in the header", recode.column),
                    "fix the name".into(),
                ));
            }
            if recode.reason.trim().is_empty() {
                return Err((
                    "a recode has no reason".into(),
                    "state the evidence for the recode".into(),
                ));
            }
        }
        Ok(())
    }

    /// Whether a file name fits the profile's pattern.
    pub fn matches_file_name(&self, file_name: &str) -> bool {
        glob_match(&self.recognise.file_name, file_name)
    }
}

/// `*` wildcard match; no crate needed for a single wildcard character.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// Why no profile could be chosen for a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// The file name fits a profile but the header does not.
    #[error("header does not match profile {profile}: {differences} — fix the header, or pass --profile if this is another format")]
    HeaderMismatch {
        /// Profile whose file name matched.
        profile: String,
        /// Missing and unexpected columns.
        differences: String,
    },
    /// Nothing fits.
    #[error("no profile recognises this file (header: {header}) — pass --profile NAME if it is a known format; for a new format write a profile (profiles/README.md) in a directory given to hemi with --profiles-dir (on the web, send the file and its description to the node's administrator, who adds the profile)")]
    NoMatch {
        /// The file's header.
        header: String,
    },
    /// Several profiles fit.
    #[error("several profiles fit this header ({candidates}) — rename the file like one of them or pass --profile NAME")]
    Ambiguous {
        /// Profile names.
        candidates: String,
    },
    /// `--profile` named an unknown profile.
    #[error("no profile named {0:?} — run `hemi profiles` to list them")]
    Unknown(String),
}

/// All profiles known to a node.
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    profiles: Vec<Profile>,
}

impl DetectError {
    /// The message without its hint, and the hint, for `file:line: field: message — hint`.
    pub fn message_and_hint(&self) -> (String, String) {
        let text = self.to_string();
        match text.split_once(" — ") {
            Some((m, h)) => (m.to_owned(), h.to_owned()),
            None => (text, String::new()),
        }
    }
}

impl ProfileSet {
    /// Parse profile files given as (file name, text). Later files with the same name
    /// replace earlier ones, so a node can override a bundled profile.
    ///
    /// A file named `shared_codes.toml` is not a profile: it declares the codes beyond
    /// ISO 3166 that publishers share (`OOO`, `STL`, `XKX`, ...), once for every profile,
    /// so a publisher's next table that uses one of them imports. A later such file
    /// replaces an earlier one.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<ProfileSet, ProfileError> {
        let mut set = ProfileSet::default();
        let mut shared = BTreeMap::new();
        for (file, text) in files {
            if is_shared_codes_file(file) {
                shared = parse_shared_codes(file, text)?;
                continue;
            }
            let profile = Profile::from_toml(file, text)?;
            set.profiles.retain(|p| p.name != profile.name);
            set.profiles.push(profile);
        }
        for profile in &mut set.profiles {
            profile.shared_codes = shared.clone();
        }
        set.profiles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(set)
    }

    /// All profiles, by name.
    pub fn all(&self) -> &[Profile] {
        &self.profiles
    }

    /// A profile by name.
    pub fn get(&self, name: &str) -> Result<&Profile, DetectError> {
        self.profiles
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| DetectError::Unknown(name.to_owned()))
    }

    /// Choose the profile for a file from its name and header. The header must match
    /// exactly. The file name breaks ties between formats that share a header, and a
    /// file named like one format but shaped like another is refused: its name is a
    /// claim about its content, and a renamed column must not silently select another
    /// publisher's profile.
    pub fn detect(&self, file_name: &str, header: &[String]) -> Result<&Profile, DetectError> {
        let by_header: Vec<&Profile> = self
            .profiles
            .iter()
            .filter(|p| p.recognise.header == header)
            .collect();
        let by_name: Vec<&Profile> = self
            .profiles
            .iter()
            .filter(|p| p.matches_file_name(file_name))
            .collect();
        let both: Vec<&Profile> = by_header
            .iter()
            .copied()
            .filter(|p| by_name.contains(p))
            .collect();
        if both.len() == 1 {
            return Ok(both[0]);
        }
        if let Some(profile) = by_name.first().filter(|_| both.is_empty()) {
            return Err(DetectError::HeaderMismatch {
                profile: profile.name.clone(),
                differences: header_differences(&profile.recognise.header, header),
            });
        }
        match by_header.as_slice() {
            [only] => Ok(only),
            [] => Err(DetectError::NoMatch {
                header: header.join(","),
            }),
            several => {
                let names: Vec<&str> = several.iter().map(|p| p.name.as_str()).collect();
                Err(DetectError::Ambiguous {
                    candidates: names.join(", "),
                })
            }
        }
    }
}

/// Describe how a header differs from the expected one.
pub(crate) fn header_differences(expected: &[String], actual: &[String]) -> String {
    let missing: Vec<&str> = expected
        .iter()
        .filter(|c| !actual.contains(c))
        .map(String::as_str)
        .collect();
    let unexpected: Vec<&str> = actual
        .iter()
        .filter(|c| !expected.contains(c))
        .map(String::as_str)
        .collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing column {}", missing.join(", ")));
    }
    if !unexpected.is_empty() {
        parts.push(format!("unexpected column {}", unexpected.join(", ")));
    }
    if parts.is_empty() {
        parts.push(format!(
            "columns out of order; expected {}",
            expected.join(",")
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match(
            "panama_*_nationality*.csv",
            "panama_darien_transits_by_nationality.csv"
        ));
        assert!(glob_match("*.csv", "a.csv"));
        assert!(!glob_match("honduras_*.csv", "mexico_x.csv"));
        assert!(glob_match("exact.csv", "exact.csv"));
    }

    #[test]
    fn refuses_a_profile_that_ignores_a_header_column() {
        let text = r#"
name = "x"
[source]
publisher = "p"
table = "t"
licence = "l"
link = "https://example.org"
[match]
file_name = "x*.csv"
header = ["month", "count", "extra"]
[reporting]
country = "PAN"
[period]
column = "month"
granularity = "month"
[[values]]
column = "count"
measure = "m"
[breakdown]
default = "total"
"#;
        let err = Profile::from_toml("x.toml", text).unwrap_err();
        assert!(err.message.contains("\"extra\" is not used"), "{err}");
    }

    #[test]
    fn profile_syntax_error_names_the_line() {
        let err = Profile::from_toml("bad.toml", "name = \"x\"\n[source\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
    }
}

/// The shared-codes file's name, wherever it lives.
pub const SHARED_CODES_FILE: &str = "shared_codes.toml";

fn is_shared_codes_file(file: &str) -> bool {
    file.rsplit(['/', '\\']).next() == Some(SHARED_CODES_FILE)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharedCodes {
    codes: BTreeMap<String, String>,
}

/// `[codes]` of `shared_codes.toml`: three capital letters each, none an ISO 3166 code
/// (an ISO code needs no declaration, and declaring one would hide a mistake).
fn parse_shared_codes(file: &str, text: &str) -> Result<BTreeMap<String, String>, ProfileError> {
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(needle))
            .map_or(0, |i| i + 1)
    };
    let parsed: SharedCodes = toml::from_str(text).map_err(|e| ProfileError {
        file: file.to_owned(),
        line: e
            .span()
            .map(|s| text[..s.start].lines().count().max(1))
            .unwrap_or(0),
        message: e.message().to_owned(),
        hint: "the file holds one table, [codes], of CODE = \"meaning\" lines".into(),
    })?;
    for (code, meaning) in &parsed.codes {
        let problem = if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            Some(format!("{code:?} is not three capital letters"))
        } else if hemi_core::CountryCodes::bundled().is_iso(code) {
            Some(format!(
                "{code} is an ISO 3166 code and needs no declaration"
            ))
        } else if meaning.trim().is_empty() {
            Some(format!("{code} has no meaning"))
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(ProfileError {
                file: file.to_owned(),
                line: line_of(code),
                message,
                hint: "declare non-ISO codes as CODE = \"what publishers mean by it\"".into(),
            });
        }
    }
    Ok(parsed.codes)
}
