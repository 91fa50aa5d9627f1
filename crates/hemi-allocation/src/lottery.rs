//! The appointment lottery (issue 15, deliverable 1): households drawn whole for a day's
//! places at ports of entry, a share to the longest-waiting and the rest at random with
//! weights, publicly verifiable from published files alone.
//!
//! Verifiability, step by step (VERIFY.md gives the standalone procedure):
//! 1. Before the draw the system publishes the *commitment*: SHA-256 (FIPS 180-4) of the
//!    bytes of `policy.txt` followed by the bytes of `registrations.csv`, both canonical
//!    texts defined by [`canonical_policy`] and [`canonical_registrations`] (fixed field
//!    order, sorted, UTF-8, LF line ends). The policy's first lines carry the algorithm
//!    version, so a change of algorithm changes the commitment.
//! 2. The seed is `SHA-256("hemi-lottery-seed\n" + commitment_hex + "\n" + public_value)`,
//!    where the public value is declared before registration closes and fixed after it
//!    (for example the official result of a national lottery on the closing day). The
//!    server's own randomness is never used.
//! 3. Each household's random key is the smallest of `weight` ticket hashes
//!    `SHA-256(seed_hex + ":" + household_id + ":" + t)`, `t = 0..weight`, compared as
//!    256-bit big-endian numbers. Sorting by that key is weighted sampling without
//!    replacement with probabilities in proportion to the weights: the minimum of `w`
//!    uniform variates orders exactly like an exponential clock of rate `w`, which is the
//!    Efraimidis–Spirakis algorithm A-ES (Efraimidis & Spirakis 2006, "Weighted random
//!    sampling with a reservoir", Inf. Process. Lett. 97(5)), done in integers so every
//!    language gets the same order bit for bit (no floating-point logarithms or powers).
//! 4. The draw: the longest-waiting pass goes through households by registration date
//!    (earliest first; same day by key) and gives each its first preferred port that still
//!    has room in that port's longest-waiting share; then the random pass goes through the
//!    households not yet chosen by key and gives each its first preferred port with room
//!    in the rest (including longest-waiting places left unused). A household is drawn
//!    whole or not at all: one that does not fit any of its ports is skipped and stays in
//!    the pool, and the pass goes on to the next household, so smaller households can
//!    still use places a large family could not.

use std::collections::BTreeMap;
use std::fmt;

use hemi_core::{Diagnostic, Diagnostics};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::date::Date;
use crate::AllocationError;

/// The algorithm this module implements; part of every commitment.
pub const ALGORITHM_VERSION: &str = "hemi-lottery-v1";

/// Sex as registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
pub enum Sex {
    /// Female.
    F,
    /// Male.
    M,
    /// Another or not stated.
    X,
}

/// One member of a registered household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// ISO 3166 alpha-3 nationality.
    pub nationality: String,
    /// Sex.
    pub sex: Sex,
    /// Age in whole years.
    pub age_years: u8,
}

/// A registration: a household that asks for an appointment. Members stay private; only
/// the household's size enters the published list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// Pseudonymous identifier, `[A-Za-z0-9_-]{1,64}` (published).
    pub household_id: String,
    /// Day the household registered.
    pub registered_on: Date,
    /// Members, at least one.
    pub members: Vec<Member>,
    /// Ports of entry in order of preference (codes `[A-Z0-9]{2,8}`).
    pub preferred_ports: Vec<String>,
    /// Vulnerability flags (`[a-z0-9_]{1,32}`), e.g. `medical`, `unaccompanied_child`.
    pub vulnerability_flags: Vec<String>,
}

/// What the draw uses of a registration, exactly what is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicRegistration {
    /// Pseudonymous identifier.
    pub household_id: String,
    /// Day of registration.
    pub registered_on: Date,
    /// Members.
    pub people: u32,
    /// Ports in order of preference.
    pub preferred_ports: Vec<String>,
    /// Vulnerability flags, sorted.
    pub flags: Vec<String>,
}

/// Places at one port on the draw day, in people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortCapacity {
    /// Port code.
    pub port: String,
    /// Places in people.
    pub people: u32,
}

/// The rules of one draw, published with the commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawPolicy {
    /// Algorithm version (must be [`ALGORITHM_VERSION`]).
    pub algorithm_version: String,
    /// Day of the appointments.
    pub draw_date: Date,
    /// Last day a registration could join this draw.
    pub registration_closed_on: Date,
    /// Share of each port's places for the longest-waiting, in thousandths (0–1000).
    pub longest_waiting_share_permille: u16,
    /// Weight of a household without weighted flags (1–20).
    pub default_weight: u32,
    /// Weight per vulnerability flag (1–20); a household's weight is the largest weight of
    /// its flags, or `default_weight` when none of its flags has one.
    pub flag_weights: BTreeMap<String, u32>,
    /// Places per port on the draw day.
    pub capacities: Vec<PortCapacity>,
}

/// Which pass chose a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The longest-waiting share.
    LongestWaiting,
    /// The weighted random draw.
    Random,
}

impl Phase {
    /// Name as written in `result.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::LongestWaiting => "longest_waiting",
            Phase::Random => "random",
        }
    }
}

/// One drawn household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// 1-based order of selection over both passes.
    pub order: u32,
    /// The household.
    pub household_id: String,
    /// Its appointment port.
    pub port: String,
    /// The pass that chose it.
    pub phase: Phase,
}

/// The outcome of a draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawResult {
    /// Commitment (hex SHA-256) of policy and registrations.
    pub commitment: String,
    /// The public value the seed came from.
    pub public_value: String,
    /// Seed (hex SHA-256).
    pub seed: String,
    /// Drawn households in order.
    pub selections: Vec<Selection>,
    /// Places left unused per port (no registered household fitted them).
    pub unused_people: Vec<PortCapacity>,
}

fn diag(file: &str, line: u64, field: &str, message: String, hint: &str) -> Diagnostic {
    Diagnostic {
        file: file.into(),
        line,
        field: field.into(),
        message,
        hint: hint.into(),
    }
}

fn valid_household_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

fn valid_port(s: &str) -> bool {
    (2..=8).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn valid_flag(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

impl Registration {
    /// The published part of a registration.
    pub fn public(&self) -> PublicRegistration {
        let mut flags = self.vulnerability_flags.clone();
        flags.sort();
        flags.dedup();
        PublicRegistration {
            household_id: self.household_id.clone(),
            registered_on: self.registered_on,
            people: self.members.len() as u32,
            preferred_ports: self.preferred_ports.clone(),
            flags,
        }
    }
}

/// Parse the private registrations file
/// `household_id,registered_on,members,preferred_ports,flags`, where `members` is
/// `NAT:SEX:AGE` separated by `;` (e.g. `VEN:F:34;VEN:M:36;VEN:F:4`), ports and flags are
/// separated by `;`. A registration without members is refused.
pub fn parse_registrations(text: &str, file: &str) -> Result<Vec<Registration>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            diags.push(diag(
                file,
                1,
                "header",
                format!("unreadable header: {e}"),
                "first line names the columns",
            ));
            return Err(diags);
        }
    };
    let col = |name: &str, diags: &mut Diagnostics| {
        let c = headers.iter().position(|h| h == name);
        if c.is_none() {
            diags.push(diag(
                file,
                1,
                name,
                format!("column \"{name}\" is missing"),
                "columns: household_id,registered_on,members,preferred_ports,flags",
            ));
        }
        c
    };
    let (Some(c_id), Some(c_date), Some(c_members), Some(c_ports)) = (
        col("household_id", &mut diags),
        col("registered_on", &mut diags),
        col("members", &mut diags),
        col("preferred_ports", &mut diags),
    ) else {
        return Err(diags);
    };
    let c_flags = headers.iter().position(|h| h == "flags");
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                diags.push(diag(
                    file,
                    e.position().map(|p| p.line()).unwrap_or(0),
                    "row",
                    format!("unreadable row: {e}"),
                    "check quoting",
                ));
                break;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: usize| record.get(c).unwrap_or("").trim();
        let before = diags.total();
        let id = get(c_id);
        if !valid_household_id(id) {
            diags.push(diag(
                file,
                line,
                "household_id",
                format!("\"{id}\" is not a valid identifier"),
                "use 1–64 letters, digits, _ or -",
            ));
        } else if let Some(first) = seen.insert(id.to_string(), line) {
            diags.push(diag(
                file,
                line,
                "household_id",
                format!("\"{id}\" appears again (first on line {first})"),
                "register a household once",
            ));
        }
        let date_text = get(c_date);
        let registered_on = Date::parse(date_text);
        if registered_on.is_none() {
            diags.push(diag(
                file,
                line,
                "registered_on",
                format!("\"{date_text}\" is not a date"),
                "write YYYY-MM-DD",
            ));
        }
        let mut members = Vec::new();
        let members_text = get(c_members);
        if members_text.is_empty() {
            diags.push(diag(
                file,
                line,
                "members",
                "registration without members".into(),
                "list every member as NAT:SEX:AGE separated by ;",
            ));
        }
        for m in members_text.split(';').filter(|m| !m.trim().is_empty()) {
            let parts: Vec<&str> = m.trim().split(':').collect();
            let parsed = (parts.len() == 3)
                .then(|| {
                    let nat = parts[0].to_ascii_uppercase();
                    let sex = match parts[1] {
                        "F" | "f" => Some(Sex::F),
                        "M" | "m" => Some(Sex::M),
                        "X" | "x" => Some(Sex::X),
                        _ => None,
                    }?;
                    let age = parts[2].parse::<u8>().ok().filter(|a| *a <= 120)?;
                    (nat.len() == 3 && nat.bytes().all(|c| c.is_ascii_uppercase())).then_some(
                        Member {
                            nationality: nat,
                            sex,
                            age_years: age,
                        },
                    )
                })
                .flatten();
            match parsed {
                Some(member) => members.push(member),
                None => diags.push(diag(
                    file,
                    line,
                    "members",
                    format!("\"{m}\" is not NAT:SEX:AGE"),
                    "e.g. VEN:F:34 (ISO alpha-3, F/M/X, age 0–120)",
                )),
            }
        }
        let ports: Vec<String> = get(c_ports)
            .split(';')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        if ports.is_empty() {
            diags.push(diag(
                file,
                line,
                "preferred_ports",
                "no port given".into(),
                "list at least one port code",
            ));
        }
        for (i, p) in ports.iter().enumerate() {
            if !valid_port(p) {
                diags.push(diag(
                    file,
                    line,
                    "preferred_ports",
                    format!("\"{p}\" is not a port code"),
                    "use 2–8 capital letters or digits",
                ));
            } else if ports[..i].contains(p) {
                diags.push(diag(
                    file,
                    line,
                    "preferred_ports",
                    format!("\"{p}\" is listed twice"),
                    "list each port once",
                ));
            }
        }
        let flags: Vec<String> = c_flags
            .map(|c| {
                get(c)
                    .split(';')
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for f in &flags {
            if !valid_flag(f) {
                diags.push(diag(
                    file,
                    line,
                    "flags",
                    format!("\"{f}\" is not a flag name"),
                    "use lower-case letters, digits and _",
                ));
            }
        }
        if diags.total() == before {
            out.push(Registration {
                household_id: id.to_string(),
                registered_on: registered_on.expect("checked"),
                members,
                preferred_ports: ports,
                vulnerability_flags: flags,
            });
        }
        if diags.is_full() {
            break;
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// Check a policy: version, share, weights, capacities (unique ports).
pub fn check_policy(policy: &DrawPolicy) -> Result<(), AllocationError> {
    let bad = |field: &str, value: String, message: &str| {
        Err(AllocationError::Parameter {
            field: field.into(),
            value,
            message: message.into(),
        })
    };
    if policy.algorithm_version != ALGORITHM_VERSION {
        return bad(
            "algorithm_version",
            policy.algorithm_version.clone(),
            &format!("this build implements {ALGORITHM_VERSION}"),
        );
    }
    if policy.longest_waiting_share_permille > 1000 {
        return bad(
            "longest_waiting_share_permille",
            policy.longest_waiting_share_permille.to_string(),
            "must be 0–1000",
        );
    }
    if !(1..=20).contains(&policy.default_weight) {
        return bad(
            "default_weight",
            policy.default_weight.to_string(),
            "weights are 1–20",
        );
    }
    for (flag, w) in &policy.flag_weights {
        if !valid_flag(flag) {
            return bad(
                "flag_weight",
                flag.clone(),
                "flag names are lower-case letters, digits and _",
            );
        }
        if !(1..=20).contains(w) {
            return bad("flag_weight", format!("{flag}:{w}"), "weights are 1–20");
        }
    }
    if policy.registration_closed_on > policy.draw_date {
        return bad(
            "registration_closed_on",
            policy.registration_closed_on.to_string(),
            "registration must close on or before the draw date",
        );
    }
    let mut ports: Vec<&str> = policy.capacities.iter().map(|c| c.port.as_str()).collect();
    ports.sort();
    for w in ports.windows(2) {
        if w[0] == w[1] {
            return bad("capacity", w[0].to_string(), "each port once");
        }
    }
    for c in &policy.capacities {
        if !valid_port(&c.port) {
            return bad(
                "capacity",
                c.port.clone(),
                "port codes are 2–8 capital letters or digits",
            );
        }
    }
    Ok(())
}

/// The canonical policy text (`policy.txt`): key=value lines in this fixed order, flag
/// weights sorted by flag, capacities sorted by port, LF after every line.
pub fn canonical_policy(policy: &DrawPolicy) -> String {
    let mut out = String::new();
    out.push_str("hemi-lottery-policy\n");
    out.push_str(&format!("algorithm_version={}\n", policy.algorithm_version));
    out.push_str(&format!("draw_date={}\n", policy.draw_date));
    out.push_str(&format!(
        "registration_closed_on={}\n",
        policy.registration_closed_on
    ));
    out.push_str(&format!(
        "longest_waiting_share_permille={}\n",
        policy.longest_waiting_share_permille
    ));
    out.push_str(&format!("default_weight={}\n", policy.default_weight));
    for (flag, w) in &policy.flag_weights {
        out.push_str(&format!("flag_weight={flag}:{w}\n"));
    }
    let mut caps = policy.capacities.clone();
    caps.sort_by(|a, b| a.port.cmp(&b.port));
    for c in caps {
        out.push_str(&format!("capacity={}:{}\n", c.port, c.people));
    }
    out
}

/// Parse `policy.txt` (the canonical text; any other text is refused, so the bytes hashed
/// are the bytes read).
pub fn parse_policy(text: &str, file: &str) -> Result<DrawPolicy, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut lines = text.split_terminator('\n').enumerate();
    let mut policy = DrawPolicy {
        algorithm_version: String::new(),
        draw_date: Date::from_ymd(1970, 1, 1).expect("valid"),
        registration_closed_on: Date::from_ymd(1970, 1, 1).expect("valid"),
        longest_waiting_share_permille: 0,
        default_weight: 1,
        flag_weights: BTreeMap::new(),
        capacities: Vec::new(),
    };
    match lines.next() {
        Some((_, "hemi-lottery-policy")) => {}
        _ => {
            diags.push(diag(
                file,
                1,
                "header",
                "first line must be \"hemi-lottery-policy\"".into(),
                "publish the policy file as written by the system",
            ));
            return Err(diags);
        }
    }
    let mut seen_keys = Vec::new();
    for (i, line) in lines {
        let n = i as u64 + 1;
        let Some((key, value)) = line.split_once('=') else {
            diags.push(diag(
                file,
                n,
                "line",
                format!("\"{line}\" is not key=value"),
                "one setting per line",
            ));
            continue;
        };
        let date = |diags: &mut Diagnostics| {
            Date::parse(value).or_else(|| {
                diags.push(diag(
                    file,
                    n,
                    key,
                    format!("\"{value}\" is not a date"),
                    "YYYY-MM-DD",
                ));
                None
            })
        };
        match key {
            "algorithm_version" => policy.algorithm_version = value.to_string(),
            "draw_date" => policy.draw_date = date(&mut diags).unwrap_or(policy.draw_date),
            "registration_closed_on" => {
                policy.registration_closed_on =
                    date(&mut diags).unwrap_or(policy.registration_closed_on)
            }
            "longest_waiting_share_permille" => match value.parse() {
                Ok(v) => policy.longest_waiting_share_permille = v,
                Err(_) => diags.push(diag(
                    file,
                    n,
                    key,
                    format!("\"{value}\" is not a whole number"),
                    "0–1000",
                )),
            },
            "default_weight" => match value.parse() {
                Ok(v) => policy.default_weight = v,
                Err(_) => diags.push(diag(
                    file,
                    n,
                    key,
                    format!("\"{value}\" is not a whole number"),
                    "1–20",
                )),
            },
            "flag_weight" | "capacity" => {
                let parsed = value
                    .split_once(':')
                    .and_then(|(a, b)| b.parse::<u32>().ok().map(|b| (a.to_string(), b)));
                match (key, parsed) {
                    ("flag_weight", Some((flag, w))) => {
                        policy.flag_weights.insert(flag, w);
                    }
                    ("capacity", Some((port, people))) => {
                        policy.capacities.push(PortCapacity { port, people })
                    }
                    _ => diags.push(diag(
                        file,
                        n,
                        key,
                        format!("\"{value}\" is not NAME:NUMBER"),
                        "e.g. capacity=SYS:400 (a capacity below zero is refused)",
                    )),
                }
            }
            other => diags.push(diag(
                file,
                n,
                other,
                format!("unknown setting \"{other}\""),
                "see VERIFY.md for the policy file",
            )),
        }
        if key != "flag_weight" && key != "capacity" {
            if seen_keys.contains(&key) {
                diags.push(diag(
                    file,
                    n,
                    key,
                    "setting given twice".into(),
                    "each setting once",
                ));
            }
            seen_keys.push(key);
        }
    }
    if diags.is_empty() {
        if let Err(e) = check_policy(&policy) {
            diags.push(diag(file, 0, "policy", e.to_string(), "fix the policy"));
        } else if canonical_policy(&policy) != text {
            diags.push(diag(
                file,
                0,
                "policy",
                "the text is not in canonical form (order, sorting or line ends differ)".into(),
                "publish the file exactly as the system wrote it",
            ));
        }
    }
    if diags.is_empty() {
        Ok(policy)
    } else {
        Err(diags)
    }
}

/// The canonical registrations text (`registrations.csv`): the header
/// `household_id,registered_on,people,preferred_ports,flags`, then one line per household
/// sorted by `household_id` (byte order); ports in preference order and sorted flags are
/// joined by `;`; LF after every line. Members stay private.
pub fn canonical_registrations(registrations: &[PublicRegistration]) -> String {
    let mut sorted: Vec<&PublicRegistration> = registrations.iter().collect();
    sorted.sort_by(|a, b| a.household_id.as_bytes().cmp(b.household_id.as_bytes()));
    let mut out = String::with_capacity(registrations.len() * 48 + 64);
    out.push_str("household_id,registered_on,people,preferred_ports,flags\n");
    for r in sorted {
        out.push_str(&r.household_id);
        out.push(',');
        r.registered_on.push_to(&mut out);
        out.push(',');
        push_number(&mut out, r.people);
        out.push(',');
        push_joined(&mut out, &r.preferred_ports);
        out.push(',');
        push_joined(&mut out, &r.flags);
        out.push('\n');
    }
    out
}

fn push_number(out: &mut String, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

fn push_joined(out: &mut String, items: &[String]) {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push(';');
        }
        out.push_str(item);
    }
}

/// Parse `registrations.csv` (canonical text only).
pub fn parse_published_registrations(
    text: &str,
    file: &str,
) -> Result<Vec<PublicRegistration>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut out = Vec::new();
    let mut lines = text.split_terminator('\n').enumerate();
    if lines.next().map(|l| l.1) != Some("household_id,registered_on,people,preferred_ports,flags")
    {
        diags.push(diag(
            file,
            1,
            "header",
            "header must be household_id,registered_on,people,preferred_ports,flags".into(),
            "publish the file exactly as the system wrote it",
        ));
        return Err(diags);
    }
    let mut previous: Option<String> = None;
    for (i, line) in lines {
        let n = i as u64 + 1;
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 5 {
            diags.push(diag(
                file,
                n,
                "line",
                format!("{} fields, 5 expected", fields.len()),
                "household_id,registered_on,people,preferred_ports,flags",
            ));
            continue;
        }
        let id = fields[0];
        if !valid_household_id(id) {
            diags.push(diag(
                file,
                n,
                "household_id",
                format!("\"{id}\" is not a valid identifier"),
                "1–64 letters, digits, _ or -",
            ));
        }
        if let Some(p) = &previous {
            if p.as_bytes() >= id.as_bytes() {
                diags.push(diag(
                    file,
                    n,
                    "household_id",
                    format!("\"{id}\" is not after \"{p}\""),
                    "lines are sorted by household_id, each once",
                ));
            }
        }
        previous = Some(id.to_string());
        let date = Date::parse(fields[1]);
        if date.is_none() {
            diags.push(diag(
                file,
                n,
                "registered_on",
                format!("\"{}\" is not a date", fields[1]),
                "YYYY-MM-DD",
            ));
        }
        let people = fields[2].parse::<u32>().ok().filter(|p| *p >= 1);
        if people.is_none() {
            diags.push(diag(
                file,
                n,
                "people",
                format!("\"{}\" is not a count of at least 1", fields[2]),
                "a household has at least one member",
            ));
        }
        let ports: Vec<String> = fields[3]
            .split(';')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect();
        if ports.is_empty() || ports.iter().any(|p| !valid_port(p)) {
            diags.push(diag(
                file,
                n,
                "preferred_ports",
                format!("\"{}\" is not a list of port codes", fields[3]),
                "codes joined by ;",
            ));
        }
        let flags: Vec<String> = fields[4]
            .split(';')
            .filter(|f| !f.is_empty())
            .map(String::from)
            .collect();
        if flags.iter().any(|f| !valid_flag(f)) || flags.windows(2).any(|w| w[0] >= w[1]) {
            diags.push(diag(
                file,
                n,
                "flags",
                format!("\"{}\" is not a sorted list of flags", fields[4]),
                "flags sorted, joined by ;",
            ));
        }
        if let (Some(date), Some(people)) = (date, people) {
            out.push(PublicRegistration {
                household_id: id.to_string(),
                registered_on: date,
                people,
                preferred_ports: ports,
                flags,
            });
        }
        if diags.is_full() {
            break;
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// Commitment from the two canonical texts.
pub fn commitment_of_texts(policy_text: &str, registrations_text: &str) -> String {
    sha256_hex(&[policy_text.as_bytes(), registrations_text.as_bytes()])
}

/// Commitment of a registration list and policy: hex SHA-256 of `policy.txt` then
/// `registrations.csv`.
pub fn commitment(registrations: &[PublicRegistration], policy: &DrawPolicy) -> String {
    commitment_of_texts(
        &canonical_policy(policy),
        &canonical_registrations(registrations),
    )
}

/// Seed: hex SHA-256 of `"hemi-lottery-seed\n" + commitment + "\n" + public_value`.
pub fn seed(commitment: &str, public_value: &str) -> String {
    sha256_hex(&[
        b"hemi-lottery-seed\n",
        commitment.as_bytes(),
        b"\n",
        public_value.as_bytes(),
    ])
}

/// Weight of a household under the policy.
pub fn weight_of(flags: &[String], policy: &DrawPolicy) -> u32 {
    flags
        .iter()
        .filter_map(|f| policy.flag_weights.get(f).copied())
        .max()
        .unwrap_or(policy.default_weight)
}

/// A household's random key: the smallest of its ticket hashes (32 bytes, big-endian).
pub fn household_key(seed_hex: &str, household_id: &str, weight: u32) -> [u8; 32] {
    let mut best = [0xffu8; 32];
    let mut prefix = Sha256::new();
    prefix.update(seed_hex.as_bytes());
    prefix.update(b":");
    prefix.update(household_id.as_bytes());
    prefix.update(b":");
    let mut digits = String::with_capacity(4);
    for t in 0..weight.max(1) {
        let mut h = prefix.clone();
        digits.clear();
        push_number(&mut digits, t);
        h.update(digits.as_bytes());
        let digest: [u8; 32] = h.finalize().into();
        if digest < best {
            best = digest;
        }
    }
    best
}

/// Run the draw on a published list. Registrations after `registration_closed_on` are
/// refused (they belong to a later draw), as are duplicate ids.
pub fn draw(
    registrations: &[PublicRegistration],
    policy: &DrawPolicy,
    public_value: &str,
) -> Result<DrawResult, AllocationError> {
    check_policy(policy)?;
    let mut diags = Diagnostics::default();
    for (i, r) in registrations.iter().enumerate() {
        if r.registered_on > policy.registration_closed_on {
            diags.push(diag(
                "registrations",
                i as u64 + 2,
                "registered_on",
                format!(
                    "{} registered on {}, after the list closed on {}",
                    r.household_id, r.registered_on, policy.registration_closed_on
                ),
                "move it to the next draw",
            ));
        }
        if r.people == 0 {
            diags.push(diag(
                "registrations",
                i as u64 + 2,
                "people",
                format!("{} has no members", r.household_id),
                "a registration needs at least one member",
            ));
        }
    }
    let mut ids: Vec<&str> = registrations
        .iter()
        .map(|r| r.household_id.as_str())
        .collect();
    ids.sort_unstable();
    for w in ids.windows(2) {
        if w[0] == w[1] {
            diags.push(diag(
                "registrations",
                0,
                "household_id",
                format!("\"{}\" appears twice", w[0]),
                "register a household once",
            ));
        }
    }
    if !diags.is_empty() {
        return Err(AllocationError::InvalidInput(diags));
    }
    let commitment = commitment(registrations, policy);
    let seed = seed(&commitment, public_value);
    Ok(run_with_seed(
        registrations,
        policy,
        commitment,
        public_value,
        seed,
    ))
}

fn run_with_seed(
    registrations: &[PublicRegistration],
    policy: &DrawPolicy,
    commitment: String,
    public_value: &str,
    seed: String,
) -> DrawResult {
    let keys: Vec<[u8; 32]> = registrations
        .iter()
        .map(|r| household_key(&seed, &r.household_id, weight_of(&r.flags, policy)))
        .collect();
    // Few ports: a linear search beats a map.
    let port_of = |p: &str| policy.capacities.iter().position(|c| c.port == p);
    let mut remaining: Vec<u64> = policy.capacities.iter().map(|c| c.people as u64).collect();
    let mut remaining_lw: Vec<u64> = policy
        .capacities
        .iter()
        .map(|c| c.people as u64 * policy.longest_waiting_share_permille as u64 / 1000)
        .collect();
    let ports_of: Vec<Vec<usize>> = registrations
        .iter()
        .map(|r| {
            r.preferred_ports
                .iter()
                .filter_map(|p| port_of(p))
                .collect()
        })
        .collect();
    let mut chosen = vec![false; registrations.len()];
    let mut selections: Vec<Selection> = Vec::new();
    let select = |i: usize, p: usize, phase: Phase, selections: &mut Vec<Selection>| {
        selections.push(Selection {
            order: selections.len() as u32 + 1,
            household_id: registrations[i].household_id.clone(),
            port: policy.capacities[p].port.clone(),
            phase,
        });
    };
    // Longest-waiting pass: earliest registration first, same day by key.
    let mut by_wait: Vec<usize> = (0..registrations.len()).collect();
    by_wait.sort_unstable_by(|&a, &b| {
        registrations[a]
            .registered_on
            .cmp(&registrations[b].registered_on)
            .then_with(|| keys[a].cmp(&keys[b]))
    });
    let mut left: u64 = remaining_lw.iter().sum();
    for &i in &by_wait {
        if left == 0 {
            break;
        }
        let size = registrations[i].people as u64;
        if let Some(&p) = ports_of[i].iter().find(|&&p| remaining_lw[p] >= size) {
            remaining_lw[p] -= size;
            remaining[p] -= size;
            left -= size;
            chosen[i] = true;
            select(i, p, Phase::LongestWaiting, &mut selections);
        }
    }
    // Random pass over the rest, by key; unused longest-waiting places are included.
    let mut by_key: Vec<usize> = (0..registrations.len()).collect();
    by_key.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut left: u64 = remaining.iter().sum();
    for &i in &by_key {
        if left == 0 {
            break;
        }
        if chosen[i] {
            continue;
        }
        let size = registrations[i].people as u64;
        if let Some(&p) = ports_of[i].iter().find(|&&p| remaining[p] >= size) {
            remaining[p] -= size;
            left -= size;
            chosen[i] = true;
            select(i, p, Phase::Random, &mut selections);
        }
    }
    let rest = remaining;
    let unused_people = policy
        .capacities
        .iter()
        .zip(&rest)
        .map(|(c, &r)| PortCapacity {
            port: c.port.clone(),
            people: r as u32,
        })
        .collect();
    DrawResult {
        commitment,
        public_value: public_value.to_string(),
        seed,
        selections,
        unused_people,
    }
}

/// `result.csv`: `order,household_id,port,phase`, LF line ends.
pub fn result_csv(result: &DrawResult) -> String {
    let mut out = String::from("order,household_id,port,phase\n");
    for s in &result.selections {
        out.push_str(&format!(
            "{},{},{},{}\n",
            s.order,
            s.household_id,
            s.port,
            s.phase.as_str()
        ));
    }
    out
}

/// Parse `result.csv`.
pub fn parse_result(text: &str, file: &str) -> Result<Vec<Selection>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut out = Vec::new();
    let mut lines = text.split_terminator('\n').enumerate();
    if lines.next().map(|l| l.1) != Some("order,household_id,port,phase") {
        diags.push(diag(
            file,
            1,
            "header",
            "header must be order,household_id,port,phase".into(),
            "publish the file as written",
        ));
        return Err(diags);
    }
    for (i, line) in lines {
        let n = i as u64 + 1;
        let f: Vec<&str> = line.split(',').collect();
        let phase = match f.get(3) {
            Some(&"longest_waiting") => Some(Phase::LongestWaiting),
            Some(&"random") => Some(Phase::Random),
            _ => None,
        };
        match (f.len(), f[0].parse::<u32>(), phase) {
            (4, Ok(order), Some(phase)) => out.push(Selection {
                order,
                household_id: f[1].into(),
                port: f[2].into(),
                phase,
            }),
            _ => diags.push(diag(
                file,
                n,
                "line",
                format!("\"{line}\" is not order,household_id,port,phase"),
                "e.g. 1,H000017,SYS,longest_waiting",
            )),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// How a registration list differs from the committed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegistrationChange {
    /// The same household with a different line.
    Changed {
        /// Household.
        household_id: String,
        /// Line as committed.
        committed: String,
        /// Line as published.
        published: String,
    },
    /// A household in the published list that was not committed.
    Added {
        /// Household.
        household_id: String,
    },
    /// A committed household missing from the published list.
    Removed {
        /// Household.
        household_id: String,
    },
    /// The policy text differs (first differing line).
    Policy {
        /// Line as committed.
        committed: String,
        /// Line as published.
        published: String,
    },
}

/// The first difference found by verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// The published files do not hash to the published commitment.
    Commitment {
        /// Commitment published before the draw.
        published: String,
        /// Commitment of the files as published now.
        recomputed: String,
        /// The first changed registration, when the committed list is at hand.
        first_change: Option<RegistrationChange>,
    },
    /// The re-run chose differently at this position.
    Selection {
        /// 1-based position.
        order: u32,
        /// What the re-run chose (None: the re-run chose no more households).
        expected: Option<Selection>,
        /// What was published (None: the published result stops early).
        published: Option<Selection>,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Commitment {
                published,
                recomputed,
                first_change,
            } => {
                write!(f, "the files hash to {recomputed}, not the published commitment {published}: the list or policy changed after the commitment")?;
                match first_change {
                    Some(RegistrationChange::Changed { household_id, committed, published }) => write!(f, "; first change: household {household_id} was \"{committed}\", now \"{published}\""),
                    Some(RegistrationChange::Added { household_id }) => write!(f, "; first change: household {household_id} was added"),
                    Some(RegistrationChange::Removed { household_id }) => write!(f, "; first change: household {household_id} was removed"),
                    Some(RegistrationChange::Policy { committed, published }) => write!(f, "; first change: policy line \"{committed}\" is now \"{published}\""),
                    None => Ok(()),
                }
            }
            Difference::Selection {
                order,
                expected,
                published,
            } => {
                let show = |s: &Option<Selection>| {
                    s.as_ref().map_or("nothing".to_string(), |s| {
                        format!("{} at {} ({})", s.household_id, s.port, s.phase.as_str())
                    })
                };
                write!(
                    f,
                    "selection {order}: the re-run draws {}, the published result has {}",
                    show(expected),
                    show(published)
                )
            }
        }
    }
}

/// The first registration (by id) that differs between two canonical lists.
pub fn first_changed_registration(committed: &str, published: &str) -> Option<RegistrationChange> {
    let rows = |t: &str| -> Vec<(String, String)> {
        t.split_terminator('\n')
            .skip(1)
            .map(|l| (l.split(',').next().unwrap_or("").to_string(), l.to_string()))
            .collect()
    };
    let (a, b) = (rows(committed), rows(published));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                if x.1 != y.1 {
                    return Some(RegistrationChange::Changed {
                        household_id: x.0.clone(),
                        committed: x.1.clone(),
                        published: y.1.clone(),
                    });
                }
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.0.as_bytes() < y.0.as_bytes() => {
                return Some(RegistrationChange::Removed {
                    household_id: x.0.clone(),
                })
            }
            (Some(_), Some(y)) => {
                return Some(RegistrationChange::Added {
                    household_id: y.0.clone(),
                })
            }
            (Some(x), None) => {
                return Some(RegistrationChange::Removed {
                    household_id: x.0.clone(),
                })
            }
            (None, Some(y)) => {
                return Some(RegistrationChange::Added {
                    household_id: y.0.clone(),
                })
            }
            (None, None) => break,
        }
    }
    None
}

/// The files published for one draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedDraw {
    /// `policy.txt`.
    pub policy_text: String,
    /// `registrations.csv`.
    pub registrations_text: String,
    /// `commitment.txt` (hex, published before the draw).
    pub commitment: String,
    /// `public_value.txt`.
    pub public_value: String,
    /// `result.csv`.
    pub result_text: String,
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    /// The commitment, matching the files.
    pub commitment: String,
    /// The seed derived from it and the public value.
    pub seed: String,
    /// Households drawn (all matching the re-run).
    pub selections: usize,
}

/// Verify a published draw: the files hash to the commitment, and a re-run from the seed
/// gives the published winners bit for bit. `committed` is the pair of canonical texts
/// stored at commitment time (policy, registrations), when available, so a changed list
/// names its first changed registration. Returns the FIRST difference.
pub fn verify(
    published: &PublishedDraw,
    committed: Option<(&str, &str)>,
) -> Result<Verified, AllocationError> {
    let recomputed = commitment_of_texts(&published.policy_text, &published.registrations_text);
    // With the committed texts at hand, the commitment that counts is theirs: a list
    // changed together with its published commitment still fails.
    let published_commitment = match committed {
        Some((policy, regs)) => commitment_of_texts(policy, regs),
        None => published.commitment.trim().to_ascii_lowercase(),
    };
    if recomputed != published_commitment {
        let first_change = committed.and_then(|(policy, regs)| {
            if policy != published.policy_text {
                let (a, b): (Vec<&str>, Vec<&str>) = (
                    policy.lines().collect(),
                    published.policy_text.lines().collect(),
                );
                let k = a
                    .iter()
                    .zip(&b)
                    .position(|(x, y)| x != y)
                    .unwrap_or(a.len().min(b.len()));
                Some(RegistrationChange::Policy {
                    committed: a.get(k).unwrap_or(&"").to_string(),
                    published: b.get(k).unwrap_or(&"").to_string(),
                })
            } else {
                first_changed_registration(regs, &published.registrations_text)
            }
        });
        return Err(AllocationError::Verification(Box::new(
            Difference::Commitment {
                published: published_commitment,
                recomputed,
                first_change,
            },
        )));
    }
    let policy = parse_policy(&published.policy_text, "policy.txt")
        .map_err(AllocationError::InvalidInput)?;
    let registrations =
        parse_published_registrations(&published.registrations_text, "registrations.csv")
            .map_err(AllocationError::InvalidInput)?;
    let result_rows = parse_result(&published.result_text, "result.csv")
        .map_err(AllocationError::InvalidInput)?;
    // `public_value.txt` ends with one LF, which is not part of the value.
    let public_value = published
        .public_value
        .strip_suffix('\n')
        .unwrap_or(&published.public_value);
    let rerun = draw(&registrations, &policy, public_value)?;
    let n = rerun.selections.len().max(result_rows.len());
    for k in 0..n {
        let (e, p) = (rerun.selections.get(k), result_rows.get(k));
        if e != p {
            return Err(AllocationError::Verification(Box::new(
                Difference::Selection {
                    order: k as u32 + 1,
                    expected: e.cloned(),
                    published: p.cloned(),
                },
            )));
        }
    }
    Ok(Verified {
        commitment: rerun.commitment,
        seed: rerun.seed,
        selections: rerun.selections.len(),
    })
}

/// Wait bands for publication, in days waited at the draw date: `[min, max]`.
pub const WAIT_BANDS_DAYS: [(i32, i32); 7] = [
    (0, 6),
    (7, 13),
    (14, 29),
    (30, 59),
    (60, 89),
    (90, 179),
    (180, i32::MAX),
];

/// Counts of one group in a draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCount {
    /// Group label (nationality code, or wait band such as `30-59`).
    pub group: String,
    /// Households registered.
    pub households_registered: u64,
    /// People registered.
    pub people_registered: u64,
    /// Households drawn.
    pub households_selected: u64,
    /// People drawn.
    pub people_selected: u64,
    /// Share of the group's households drawn in this draw.
    pub selection_rate: f64,
    /// Probability of selection estimated over re-draws with independent seeds, when
    /// asked for (see [`statistics`]).
    pub selection_probability: Option<f64>,
}

/// What is published per draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawStatistics {
    /// By nationality of the first member (principal applicant).
    pub by_nationality: Vec<GroupCount>,
    /// By wait band.
    pub by_wait_band: Vec<GroupCount>,
}

fn band_label(days: i32) -> String {
    let (lo, hi) = WAIT_BANDS_DAYS
        .iter()
        .copied()
        .find(|(lo, hi)| days >= *lo && days <= *hi)
        .unwrap_or((0, 0));
    if hi == i32::MAX {
        format!("{lo}+")
    } else {
        format!("{lo}-{hi}")
    }
}

/// Publication counts for a draw. With `simulations > 0` each band's and nationality's
/// probability of selection is estimated by re-running the draw with seeds
/// `SHA-256(seed + ":sim:" + k)` (deterministic, so the figures can be re-made);
/// `progress(done, total)` reports the re-runs.
pub fn statistics(
    registrations: &[Registration],
    policy: &DrawPolicy,
    result: &DrawResult,
    simulations: u32,
    progress: &dyn Fn(u64, u64),
) -> DrawStatistics {
    let public: Vec<PublicRegistration> = registrations.iter().map(|r| r.public()).collect();
    let nationality: Vec<String> = registrations
        .iter()
        .map(|r| {
            r.members
                .first()
                .map(|m| m.nationality.clone())
                .unwrap_or_default()
        })
        .collect();
    let band: Vec<String> = registrations
        .iter()
        .map(|r| band_label(policy.draw_date.days_since(r.registered_on)))
        .collect();
    let index: BTreeMap<&str, usize> = registrations
        .iter()
        .enumerate()
        .map(|(i, r)| (r.household_id.as_str(), i))
        .collect();
    let selected = |sel: &[Selection]| -> Vec<bool> {
        let mut v = vec![false; registrations.len()];
        for s in sel {
            if let Some(&i) = index.get(s.household_id.as_str()) {
                v[i] = true;
            }
        }
        v
    };
    let chosen = selected(&result.selections);
    let mut hits = vec![0u32; registrations.len()];
    for k in 0..simulations {
        let sim_seed = sha256_hex(&[result.seed.as_bytes(), b":sim:", k.to_string().as_bytes()]);
        let rerun = run_with_seed(&public, policy, String::new(), "", sim_seed);
        for (i, c) in selected(&rerun.selections).into_iter().enumerate() {
            hits[i] += c as u32;
        }
        progress(k as u64 + 1, simulations as u64);
    }
    let group = |labels: &[String]| -> Vec<GroupCount> {
        let mut map: BTreeMap<&str, (u64, u64, u64, u64, u64)> = BTreeMap::new();
        for (i, r) in registrations.iter().enumerate() {
            let e = map.entry(labels[i].as_str()).or_default();
            let people = r.members.len() as u64;
            e.0 += 1;
            e.1 += people;
            if chosen[i] {
                e.2 += 1;
                e.3 += people;
            }
            e.4 += hits[i] as u64;
        }
        map.into_iter()
            .map(|(g, (h, p, hs, ps, hit))| GroupCount {
                group: g.to_string(),
                households_registered: h,
                people_registered: p,
                households_selected: hs,
                people_selected: ps,
                selection_rate: hs as f64 / h.max(1) as f64,
                selection_probability: (simulations > 0)
                    .then(|| hit as f64 / (h.max(1) * simulations as u64) as f64),
            })
            .collect()
    };
    let mut by_wait_band = group(&band);
    by_wait_band.sort_by_key(|g| {
        g.group
            .split(['-', '+'])
            .next()
            .and_then(|s| s.parse::<i32>().ok())
            .unwrap_or(0)
    });
    DrawStatistics {
        by_nationality: group(&nationality),
        by_wait_band,
    }
}
