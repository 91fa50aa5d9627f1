//! The program catalogue: legal pathways as data (`pathways/catalogue.toml` and
//! `pathways/programs/*.toml`), parsed with `file:line` diagnostics.
//!
//! Every value that comes from law or an announcement carries a [`Citation`] whose
//! `confirmed` flag says whether the value was checked against the cited text when the
//! file was written. A changed catalogue is a new version: the `version` and
//! `effective_from` in `catalogue.toml` name it and [`Catalogue::digest`] identifies
//! its exact content, so the store can keep every version and refuse a silent edit.

use std::collections::{BTreeMap, BTreeSet};

use hemi_core::{CountryCodes, Diagnostic, Diagnostics};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::date::Date;
use crate::facts::FactKind;

/// A source for a value: a Federal Register notice, a CFR section, an IRCC page, a DOF notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The citation as lawyers write it, e.g. `88 FR 1266 (2023-01-09)`.
    pub citation: String,
    /// Title of the document.
    #[serde(default)]
    pub title: Option<String>,
    /// Where the public can read it.
    #[serde(default)]
    pub url: Option<String>,
    /// Whether the value was checked against this source when the file was written.
    pub confirmed: bool,
    /// Anything a reader should know (what was not confirmed, how a range was read).
    #[serde(default)]
    pub note: Option<String>,
}

/// A fact rules may read, declared once for the whole catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactDecl {
    /// Name used in CEL expressions.
    pub name: String,
    /// Its kind.
    pub kind: FactKind,
    /// What it means and how a caseworker records it.
    pub description: String,
}

/// What kind of pathway a program is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramKind {
    /// Temporary work visa or permit.
    Labour,
    /// Parole with a supporter (CHNV).
    SponsorshipParole,
    /// Family reunification parole.
    FamilyReunification,
    /// Refugee resettlement.
    RefugeeResettlement,
    /// Humanitarian permanent residence or protection.
    Humanitarian,
    /// Border worker card.
    BorderWorker,
    /// A referral service that routes people to other programs (Safe Mobility).
    Referral,
}

/// Where a person may apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOfApplication {
    /// ISO3 of the country where one applies, or `*` for anywhere (online).
    pub country: String,
    /// How: office, portal, consulate.
    pub how: String,
}

/// How a cap's period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapPeriod {
    /// One number for the program's whole life (or the `from`–`until` window).
    Total,
    /// US federal fiscal year, October to September (`FY2024`).
    UsFiscalYear,
    /// The first half of a US fiscal year only, October–March (`FY2024-H1`); dates in
    /// April–September are outside this cap (INA 214(g)(10) limits only the first half).
    UsFiscalFirstHalf,
    /// Calendar year (`2024`).
    CalendarYear,
    /// Calendar month (`2023-05`).
    Month,
}

/// A numerical limit on places, owned by one program or shared by several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapPool {
    /// Stable key, unique in the catalogue.
    pub key: String,
    /// Programs whose referrals count against it.
    pub programs: Vec<String>,
    /// Period the number applies to.
    pub period: CapPeriod,
    /// Places per period.
    pub places: u64,
    /// Only people of these nationalities count (empty: everyone).
    #[serde(default)]
    pub nationalities: Vec<String>,
    /// First day the cap applies, if limited.
    #[serde(default)]
    pub from: Option<Date>,
    /// Last day the cap applies, if limited.
    #[serde(default)]
    pub until: Option<Date>,
    /// What the places count (visas, travel authorisations, principal applicants).
    pub unit: String,
    /// Where the number comes from.
    pub source: Citation,
}

/// One step of processing, with its typical duration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What happens.
    pub name: String,
    /// Typical duration in days.
    pub typical_days: u32,
    /// Where the duration comes from.
    pub source: Citation,
}

/// An L.A. Process commitment, identified as the declaration identifies it today.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommitmentRef {
    /// Owner state (ISO3).
    pub owner: String,
    /// Commitment title, exactly as in `governance/declaration.toml`.
    pub title: String,
}

/// What the program delivers on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Serves {
    /// The commitment whose progress this program's used places are.
    #[serde(default)]
    pub commitment: Option<CommitmentRef>,
    /// The declaration deliverable key (`P2-D8`).
    #[serde(default)]
    pub deliverable: Option<String>,
}

/// An eligibility rule: a CEL expression over facts, with reasons in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Key, unique within the program.
    pub key: String,
    /// CEL expression that must be true.
    pub expression: String,
    /// The facts it reads (derived from the expression, checked against the declarations).
    pub reads: Vec<String>,
    /// Told to the applicant when the rule holds.
    pub pass: String,
    /// Told to the applicant when it does not.
    pub fail: String,
    /// Where the requirement comes from.
    pub source: String,
    /// Line of the expression in its file.
    pub line: u64,
}

/// One legal pathway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// Stable key (`us-chnv-cuba`).
    pub key: String,
    /// Name in plain words.
    pub name: String,
    /// State that runs it (ISO3).
    pub operating_state: String,
    /// Kind of pathway.
    pub kind: ProgramKind,
    /// A paragraph for the public catalogue.
    pub summary: String,
    /// First day applications were taken.
    pub open_from: Option<Date>,
    /// Day the program stopped taking applications, if it did.
    pub closed_on: Option<Date>,
    /// Where the closure was announced.
    pub closure: Option<Citation>,
    /// Statutes, regulations and notices it rests on.
    pub legal_basis: Vec<Citation>,
    /// Nationalities that may apply (empty: any).
    pub eligible_nationalities: Vec<String>,
    /// Where people apply.
    pub places_of_application: Vec<PlaceOfApplication>,
    /// Processing steps in order.
    pub steps: Vec<Step>,
    /// What it delivers on in the L.A. Process.
    pub serves: Serves,
    /// Eligibility rules; all must hold.
    pub rules: Vec<Rule>,
    /// File it was read from.
    pub file: String,
}

impl Program {
    /// Whether the program takes applications on `on`.
    pub fn is_open_on(&self, on: Date) -> bool {
        self.open_from.is_none_or(|from| from <= on)
            && self.closed_on.is_none_or(|closed| on < closed)
    }

    /// Sum of typical step durations, in days.
    pub fn typical_total_days(&self) -> u32 {
        self.steps.iter().map(|s| s.typical_days).sum()
    }
}

/// The whole catalogue at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Version number; a changed catalogue must carry a higher one.
    pub version: u32,
    /// Day this version takes effect.
    pub effective_from: Date,
    /// SHA-256 of the files (names and bytes, in name order), hex.
    pub digest: String,
    /// Declared facts.
    pub facts: Vec<FactDecl>,
    /// Programs, in file name order.
    pub programs: Vec<Program>,
    /// Every cap, shared or owned by one program.
    pub caps: Vec<CapPool>,
}

impl Catalogue {
    /// A program by key.
    pub fn program(&self, key: &str) -> Option<&Program> {
        self.programs.iter().find(|p| p.key == key)
    }

    /// Caps that a referral to `program` counts against.
    pub fn caps_of<'a, 'b>(
        &'a self,
        program: &'b str,
    ) -> impl Iterator<Item = &'a CapPool> + use<'a, 'b> {
        self.caps
            .iter()
            .filter(move |c| c.programs.iter().any(|p| p == program))
    }

    /// Programs serving a commitment (owner + title).
    pub fn programs_serving(&self, commitment: &CommitmentRef) -> Vec<&Program> {
        self.programs
            .iter()
            .filter(|p| p.serves.commitment.as_ref() == Some(commitment))
            .collect()
    }

    /// A declared fact.
    pub fn fact(&self, name: &str) -> Option<&FactDecl> {
        self.facts.iter().find(|f| f.name == name)
    }
}

// ---- raw file shapes ---------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogueFile {
    version: u32,
    effective_from: Date,
    #[serde(default)]
    fact: Vec<FactDecl>,
    #[serde(default)]
    shared_cap: Vec<RawCap>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCap {
    key: Spanned<String>,
    #[serde(default)]
    programs: Vec<Spanned<String>>,
    period: CapPeriod,
    places: u64,
    #[serde(default)]
    nationalities: Vec<Spanned<String>>,
    #[serde(default)]
    from: Option<Date>,
    #[serde(default)]
    until: Option<Date>,
    unit: String,
    source: Citation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProgram {
    key: Spanned<String>,
    name: String,
    operating_state: Spanned<String>,
    kind: ProgramKind,
    summary: String,
    #[serde(default)]
    open_from: Option<Date>,
    #[serde(default)]
    closed_on: Option<Date>,
    #[serde(default)]
    closure: Option<Citation>,
    legal_basis: Vec<Citation>,
    #[serde(default)]
    eligible_nationalities: Vec<Spanned<String>>,
    #[serde(default)]
    places_of_application: Vec<PlaceOfApplication>,
    #[serde(default)]
    steps: Vec<Step>,
    #[serde(default)]
    serves: Serves,
    #[serde(default)]
    caps: Vec<RawCap>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    key: String,
    expression: Spanned<String>,
    pass: String,
    fail: String,
    source: String,
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
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

/// Names bound by CEL macros (`list.exists(r, ...)`), which are not facts.
fn macro_variables(expression: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for marker in [".exists(", ".all(", ".exists_one(", ".map(", ".filter("] {
        let mut rest = expression;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

/// What a compiled expression reads, or the diagnostic for it.
pub(crate) struct CheckedExpression {
    pub reads: Vec<String>,
}

/// Compile one rule expression and check its identifiers against the declared facts.
/// `Err` carries (line offset within the expression, column, message).
pub(crate) fn check_expression(
    expression: &str,
    facts: &BTreeMap<String, FactKind>,
) -> Result<CheckedExpression, (u64, u64, String)> {
    let program = cel::Program::compile(expression).map_err(|errors| {
        let first = errors.errors.first();
        let (line, column) = first
            .map(|e| (e.pos.0.max(1) as u64, e.pos.1.max(0) as u64 + 1))
            .unwrap_or((1, 1));
        let message = first
            .map(|e| e.msg.clone())
            .unwrap_or_else(|| errors.to_string());
        (line, column, message)
    })?;
    let bound = macro_variables(expression);
    let mut reads = Vec::new();
    let mut unknown = Vec::new();
    let references = program.references();
    let mut names: Vec<&str> = references.variables();
    names.sort_unstable();
    for name in names {
        if facts.contains_key(name) {
            reads.push(name.to_owned());
        } else if !bound.contains(name) {
            unknown.push(name.to_owned());
        }
    }
    if !unknown.is_empty() {
        let column = expression.find(unknown[0].as_str()).unwrap_or(0) as u64 + 1;
        return Err((
            1,
            column,
            format!("reads {} which is not a declared fact", unknown.join(", ")),
        ));
    }
    Ok(CheckedExpression { reads })
}

/// Parse the catalogue from `(file name, text)` pairs: exactly one `catalogue.toml`
/// (matched by its base name) and any number of program files. Every problem is
/// reported with its file and line; nothing is returned unless all files are clean.
pub fn parse_catalogue(files: &[(&str, &str)]) -> Result<Catalogue, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let codes = CountryCodes::bundled();
    let mut files: Vec<(&str, &str)> = files.to_vec();
    files.sort_by(|a, b| a.0.cmp(b.0));

    let mut hasher = Sha256::new();
    for (name, text) in &files {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    let digest = hex::encode(hasher.finalize());

    let is_head = |name: &str| name.rsplit(['/', '\\']).next() == Some("catalogue.toml");
    let heads: Vec<&(&str, &str)> = files.iter().filter(|(n, _)| is_head(n)).collect();
    if heads.len() != 1 {
        diagnostics.push(diag(
            "catalogue.toml",
            0,
            "file",
            format!("found {} catalogue.toml files", heads.len()),
            "pass exactly one catalogue.toml with version, effective_from and the facts",
        ));
        return Err(diagnostics);
    }
    let (head_name, head_text) = *heads[0];
    let head: RawCatalogueFile = match toml::from_str(head_text) {
        Ok(h) => h,
        Err(e) => {
            let line = e.span().map(|s| line_of(head_text, s.start)).unwrap_or(0);
            diagnostics.push(diag(
                head_name,
                line,
                "toml",
                e.message().to_owned(),
                "see pathways/README.md for the format",
            ));
            return Err(diagnostics);
        }
    };
    let mut fact_kinds = BTreeMap::new();
    for f in &head.fact {
        if fact_kinds.insert(f.name.clone(), f.kind).is_some() {
            diagnostics.push(diag(
                head_name,
                0,
                "fact",
                format!("fact {:?} is declared twice", f.name),
                "keep one declaration",
            ));
        }
    }

    let mut caps: Vec<(String, u64, CapPool)> = Vec::new();
    let check_cap = |raw: RawCap,
                     file: &str,
                     text: &str,
                     owner: Option<&str>,
                     diagnostics: &mut Diagnostics|
     -> Option<(String, u64, CapPool)> {
        let line = line_of(text, raw.key.span().start);
        let mut ok = true;
        for n in &raw.nationalities {
            if !codes.is_iso(n.get_ref()) {
                ok = false;
                diagnostics.push(diag(
                    file,
                    line_of(text, n.span().start),
                    "nationalities",
                    format!("{:?} is not an ISO 3166 alpha-3 code", n.get_ref()),
                    "use codes such as HTI, VEN, GTM",
                ));
            }
        }
        if let (Some(from), Some(until)) = (raw.from, raw.until) {
            if until < from {
                ok = false;
                diagnostics.push(diag(
                    file,
                    line,
                    "until",
                    format!("cap ends {until} before it starts {from}"),
                    "until must be on or after from",
                ));
            }
        }
        let mut programs: Vec<String> = raw.programs.iter().map(|p| p.get_ref().clone()).collect();
        if let Some(owner) = owner {
            if !programs.iter().any(|p| p == owner) {
                programs.insert(0, owner.to_owned());
            }
        } else if programs.is_empty() {
            ok = false;
            diagnostics.push(diag(
                file,
                line,
                "programs",
                format!("shared cap {:?} lists no programs", raw.key.get_ref()),
                "list the program keys that share it",
            ));
        }
        ok.then(|| {
            (
                file.to_owned(),
                line,
                CapPool {
                    key: raw.key.into_inner(),
                    programs,
                    period: raw.period,
                    places: raw.places,
                    nationalities: raw
                        .nationalities
                        .into_iter()
                        .map(|n| n.into_inner())
                        .collect(),
                    from: raw.from,
                    until: raw.until,
                    unit: raw.unit,
                    source: raw.source,
                },
            )
        })
    };
    for raw in head.shared_cap {
        if let Some(cap) = check_cap(raw, head_name, head_text, None, &mut diagnostics) {
            caps.push(cap);
        }
    }

    let mut programs: Vec<Program> = Vec::new();
    for (file, text) in files.iter().filter(|(n, _)| !is_head(n)) {
        let raw: RawProgram = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
                diagnostics.push(diag(
                    file,
                    line,
                    "toml",
                    e.message().to_owned(),
                    "see pathways/README.md for the program format",
                ));
                continue;
            }
        };
        let key_line = line_of(text, raw.key.span().start);
        let key = raw.key.get_ref().clone();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            diagnostics.push(diag(
                file,
                key_line,
                "key",
                format!("{key:?} is not a program key"),
                "use lower-case letters, digits and dashes, e.g. us-chnv-cuba",
            ));
        }
        if programs.iter().any(|p| p.key == key) {
            diagnostics.push(diag(
                file,
                key_line,
                "key",
                format!("program {key:?} is defined twice"),
                "each program key appears in one file",
            ));
        }
        if !codes.is_iso(raw.operating_state.get_ref()) {
            diagnostics.push(diag(
                file,
                line_of(text, raw.operating_state.span().start),
                "operating_state",
                format!(
                    "{:?} is not an ISO 3166 alpha-3 code",
                    raw.operating_state.get_ref()
                ),
                "use USA, CAN, MEX, ...",
            ));
        }
        for n in &raw.eligible_nationalities {
            if !codes.is_iso(n.get_ref()) {
                diagnostics.push(diag(
                    file,
                    line_of(text, n.span().start),
                    "eligible_nationalities",
                    format!("{:?} is not an ISO 3166 alpha-3 code", n.get_ref()),
                    "use codes such as HTI, VEN, GTM",
                ));
            }
        }
        for place in &raw.places_of_application {
            if place.country != "*" && !codes.is_iso(&place.country) {
                diagnostics.push(diag(
                    file,
                    key_line,
                    "places_of_application",
                    format!("{:?} is not an ISO 3166 alpha-3 code or *", place.country),
                    "use * for online or anywhere",
                ));
            }
        }
        if let (Some(from), Some(closed)) = (raw.open_from, raw.closed_on) {
            if closed < from {
                diagnostics.push(diag(
                    file,
                    key_line,
                    "closed_on",
                    format!("closed on {closed} before it opened on {from}"),
                    "closed_on must be after open_from",
                ));
            }
        }
        if raw.legal_basis.is_empty() {
            diagnostics.push(diag(
                file,
                key_line,
                "legal_basis",
                "no legal basis is cited".to_owned(),
                "cite the statute, regulation or notice the program rests on",
            ));
        }
        let mut rules = Vec::new();
        let mut rule_keys = BTreeSet::new();
        for raw_rule in raw.rules {
            let line = line_of(text, raw_rule.expression.span().start);
            if !rule_keys.insert(raw_rule.key.clone()) {
                diagnostics.push(diag(
                    file,
                    line,
                    "rules.key",
                    format!("rule key {:?} is used twice in {key}", raw_rule.key),
                    "give each rule its own key",
                ));
            }
            let expression = raw_rule.expression.get_ref();
            match check_expression(expression, &fact_kinds) {
                Ok(checked) => rules.push(Rule {
                    key: raw_rule.key,
                    expression: expression.clone(),
                    reads: checked.reads,
                    pass: raw_rule.pass,
                    fail: raw_rule.fail,
                    source: raw_rule.source,
                    line,
                }),
                Err((line_in_expression, column, message)) => diagnostics.push(diag(
                    file,
                    line + line_in_expression - 1,
                    &format!("rules.{}.expression", raw_rule.key),
                    format!("CEL at line {line_in_expression}, column {column} of {expression:?}: {message}"),
                    "fix the expression; facts are declared in catalogue.toml",
                )),
            }
        }
        for raw_cap in raw.caps {
            if let Some(cap) = check_cap(raw_cap, file, text, Some(&key), &mut diagnostics) {
                caps.push(cap);
            }
        }
        programs.push(Program {
            key,
            name: raw.name,
            operating_state: raw.operating_state.into_inner(),
            kind: raw.kind,
            summary: raw.summary,
            open_from: raw.open_from,
            closed_on: raw.closed_on,
            closure: raw.closure,
            legal_basis: raw.legal_basis,
            eligible_nationalities: raw
                .eligible_nationalities
                .into_iter()
                .map(|n| n.into_inner())
                .collect(),
            places_of_application: raw.places_of_application,
            steps: raw.steps,
            serves: raw.serves,
            rules,
            file: (*file).to_owned(),
        });
    }

    let program_keys: BTreeSet<&str> = programs.iter().map(|p| p.key.as_str()).collect();
    let mut cap_keys = BTreeSet::new();
    for (file, line, cap) in &caps {
        if !cap_keys.insert(cap.key.as_str()) {
            diagnostics.push(diag(
                file,
                *line,
                "caps.key",
                format!("cap key {:?} is used twice", cap.key),
                "cap keys are unique across the catalogue",
            ));
        }
        for p in &cap.programs {
            if !program_keys.contains(p.as_str()) {
                diagnostics.push(diag(
                    file,
                    *line,
                    "programs",
                    format!("cap {:?} names unknown program {p:?}", cap.key),
                    "use a key defined in pathways/programs/",
                ));
            }
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    Ok(Catalogue {
        version: head.version,
        effective_from: head.effective_from,
        digest,
        facts: head.fact,
        programs,
        caps: caps.into_iter().map(|(_, _, c)| c).collect(),
    })
}

/// Why a new catalogue version cannot replace the current one.
pub fn check_new_version(current: &Catalogue, new: &Catalogue) -> Result<(), String> {
    if new.digest == current.digest {
        return Err(format!(
            "catalogue version {} is unchanged",
            current.version
        ));
    }
    if new.version <= current.version {
        return Err(format!(
            "the catalogue changed but its version is {} (current {}); raise version in catalogue.toml",
            new.version, current.version
        ));
    }
    if new.effective_from < current.effective_from {
        return Err(format!(
            "version {} takes effect {} before the current version's {}",
            new.version, new.effective_from, current.effective_from
        ));
    }
    Ok(())
}
