//! The Safe Mobility Office workflow over the store: applications (households), screening
//! interviews, eligibility across programs, referrals that reserve places in the caps
//! ledger, outcomes, queues per office, duplicates, and the catalogue with the places
//! left. Every decision on a person writes its audit entry in the same transaction.
//!
//! A pathways officer works on their own office's cases only; administrators and
//! command-line operators on every office.

use std::collections::{BTreeMap, BTreeSet};

use hemi_core::roles::groups;
use hemi_pathways::caps::{self, BucketKey, BucketTotals, LedgerEntry, Movement};
use hemi_pathways::cases::{self as domain, Application, Interview, Member, Outcome, OutcomeKind};
use hemi_pathways::eligibility::Eligibility;
use hemi_pathways::{Date, FactValue, Facts, Verdict};
use hemi_store::pathways::{
    ApplicationRow, BucketRow, DuplicateRow, InterviewRow, LedgerRow, MemberRow, OutcomeRow,
    ReferralRow,
};

use super::{domain_error, verdict_label, Pathways};
use crate::{Actor, App, AppError, Problems, Result};

/// Jaro–Winkler similarity from which two names with the same date of birth are
/// flagged as a possible duplicate.
pub const DUPLICATE_NAME_SIMILARITY: f64 = 0.92;

/// A member of a new application.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMember {
    /// Person id; made from the application id when `None`.
    pub person_id: Option<String>,
    /// Given names.
    pub given_names: String,
    /// Family names.
    pub family_names: String,
    /// Date of birth, if known.
    pub date_of_birth: Option<Date>,
    /// Relationship to the principal (`principal` for the first).
    pub relationship: String,
    /// Facts known at intake (nationality and sex among them).
    pub facts: Facts,
}

/// A new application: a household at an office.
#[derive(Debug, Clone, PartialEq)]
pub struct NewApplication {
    /// Id; made from the office and a random suffix when `None`.
    pub application_id: Option<String>,
    /// Office.
    pub office: String,
    /// Day received.
    pub received_on: Date,
    /// The household, principal first.
    pub members: Vec<NewMember>,
}

/// What an intake recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApplyReport {
    /// Applications recorded.
    pub applications: Vec<String>,
    /// People recorded.
    pub people: usize,
    /// Possible duplicates flagged for a caseworker.
    pub duplicates: Vec<DuplicateRow>,
}

/// A member with what is known about them now and their eligibility.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MemberView {
    /// The stored member.
    pub member: MemberRow,
    /// Current facts (the latest interview's, else intake's).
    pub facts: BTreeMap<String, String>,
    /// Every program's decision on the view's date.
    pub eligibility: Vec<Eligibility>,
}

/// A referral with its outcomes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReferralView {
    /// The referral.
    pub referral: ReferralRow,
    /// Outcomes in order.
    pub outcomes: Vec<OutcomeRow>,
}

/// One application as the officer's page shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CaseView {
    /// The application.
    pub application: ApplicationRow,
    /// Date eligibility was computed for.
    pub as_of: String,
    /// Members.
    pub members: Vec<MemberView>,
    /// Interviews.
    pub interviews: Vec<InterviewRow>,
    /// Referrals.
    pub referrals: Vec<ReferralView>,
    /// Possible duplicates involving its members.
    pub duplicates: Vec<DuplicateRow>,
}

/// One cap as it stands on a day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CapView {
    /// Cap pool key.
    pub pool: String,
    /// What is counted.
    pub unit: String,
    /// Period label on the day (`FY2024`, `2023-05`, `total`); empty when the cap is
    /// not in force that day.
    pub period: String,
    /// Programs sharing it.
    pub programs: Vec<String>,
    /// Only these nationalities count (empty: all).
    pub nationalities: Vec<String>,
    /// Limit including raises.
    pub capacity_places: i64,
    /// Reserved by active referrals.
    pub reserved_places: i64,
    /// Used.
    pub used_places: i64,
    /// Left.
    pub remaining_places: i64,
}

/// A program with its caps on a day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgramView {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Operating state (ISO3).
    pub operating_state: String,
    /// Kind (`labour`, `sponsorship_parole`, ...).
    pub kind: String,
    /// For the public.
    pub summary: String,
    /// Takes applications on the day.
    pub open: bool,
    /// Closed from this day.
    pub closed_on: Option<String>,
    /// Who may apply (informative; the rules decide).
    pub eligible_nationalities: Vec<String>,
    /// Where and how to apply: (country or `*`, how).
    pub places_of_application: Vec<(String, String)>,
    /// Typical days from application to decision (our estimates unless cited).
    pub typical_days: u32,
    /// The L.A. Process commitment it serves, as `OWNER: title`.
    pub serves: Option<String>,
    /// Legal basis, first citation.
    pub legal_basis: String,
    /// Caps.
    pub caps: Vec<CapView>,
}

/// Progress of a commitment from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommitmentLedgerProgress {
    /// Owner.
    pub owner: String,
    /// Title.
    pub title: String,
    /// Programs serving it.
    pub programs: Vec<String>,
    /// Places used.
    pub used_places: u64,
    /// Places reserved.
    pub reserved_places: u64,
}

fn require_pathways_role(actor: &Actor) -> Result<()> {
    if groups::PATHWAYS.contains(&actor.role()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "pathways cases are for pathways officers".into(),
        ))
    }
}

/// The office an actor is limited to, if any.
fn scoped_office(actor: &Actor) -> Option<&str> {
    if actor.role().is_office_scoped() {
        // An office-scoped account without an office sees nothing.
        Some(actor.office().unwrap_or("\u{0}no office"))
    } else {
        None
    }
}

fn check_office(actor: &Actor, office: &str) -> Result<()> {
    match scoped_office(actor) {
        Some(own) if own != office => Err(AppError::Forbidden(format!(
            "this case belongs to office {office}; you work for {own}"
        ))),
        _ => Ok(()),
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn parse_facts(text: &str) -> Facts {
    serde_json::from_str(text).unwrap_or_default()
}

fn stored_date(text: &str) -> Result<Date> {
    Date::parse(text).map_err(|e| AppError::Internal(anyhow::anyhow!("stored date: {}", e.0)))
}

fn outcome_kind(text: &str) -> Option<OutcomeKind> {
    Some(match text {
        "approved" => OutcomeKind::Approved,
        "denied" => OutcomeKind::Denied,
        "withdrawn" => OutcomeKind::Withdrawn,
        "travelled" => OutcomeKind::Travelled,
        _ => return None,
    })
}

/// The stored name of an outcome.
pub fn outcome_name(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::Approved => "approved",
        OutcomeKind::Denied => "denied",
        OutcomeKind::Withdrawn => "withdrawn",
        OutcomeKind::Travelled => "travelled",
    }
}

/// Read an outcome as typed, or a field problem naming the choices.
pub fn parse_outcome(text: &str) -> Result<OutcomeKind> {
    outcome_kind(text.trim()).ok_or_else(|| {
        AppError::invalid(
            "outcome",
            format!("{text:?} is not an outcome"),
            "use approved, denied, withdrawn or travelled",
        )
    })
}

/// Check typed facts against the catalogue's declarations: an unknown name (with the
/// closest one) or a value of the wrong kind is a field problem.
pub fn check_facts(pathways: &Pathways, facts: &Facts) -> Result<()> {
    let names: Vec<&str> = pathways
        .catalogue()
        .facts
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let mut problems = Problems::default();
    for (name, value) in &facts.0 {
        match pathways.catalogue().fact(name) {
            None => problems.extend(Problems::field(
                "fact",
                format!("unknown fact {name:?}"),
                hemi_core::suggest::did_you_mean(
                    name,
                    &names,
                    "`hemi pathways catalogue --facts` lists the facts",
                ),
            )),
            Some(decl) if decl.kind != value.kind() => problems.extend(Problems::field(
                name,
                format!("{name} must be a {} ({})", decl.kind, decl.description),
                "",
            )),
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// Read `name=value` pairs typed by an officer as facts of their declared kinds.
pub fn facts_from_pairs(pathways: &Pathways, pairs: &[(String, String)]) -> Result<Facts> {
    let names: Vec<&str> = pathways
        .catalogue()
        .facts
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let mut facts = Facts::new();
    let mut problems = Problems::default();
    for (name, text) in pairs {
        let Some(decl) = pathways.catalogue().fact(name.trim()) else {
            problems.extend(Problems::field(
                "fact",
                format!("unknown fact {name:?}"),
                hemi_core::suggest::did_you_mean(
                    name,
                    &names,
                    "`hemi pathways catalogue --facts` lists the facts",
                ),
            ));
            continue;
        };
        match hemi_pathways::applicants::decode_fact(decl.kind, text) {
            Ok(Some(v)) => {
                facts.set(&decl.name, v);
            }
            Ok(None) => {}
            Err(m) => problems.extend(Problems::field(&decl.name, m, decl.description.clone())),
        }
    }
    if problems.is_empty() {
        Ok(facts)
    } else {
        Err(AppError::Invalid(problems))
    }
}

fn facts_as_text(facts: &Facts) -> BTreeMap<String, String> {
    facts
        .0
        .iter()
        .map(|(k, v)| (k.clone(), hemi_pathways::applicants::encode_fact(v)))
        .collect()
}

fn text_fact(facts: &Facts, name: &str) -> String {
    match facts.get(name) {
        Some(FactValue::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

fn random_suffix() -> String {
    use rand::Rng;
    let n: u32 = rand::thread_rng().gen();
    format!("{n:08X}")
}

fn ledger_entry(row: &LedgerRow) -> Option<LedgerEntry> {
    let movement = match row.movement.as_str() {
        "reserve" => Movement::Reserve,
        "use" => Movement::Use,
        "release" => Movement::Release,
        "raise" => Movement::Raise {
            reason: row.reason.clone(),
            event_id: None,
            task_key: None,
        },
        _ => return None,
    };
    Some(LedgerEntry {
        bucket: BucketKey {
            pool: row.pool.clone(),
            period: row.period.clone(),
        },
        program: row.program.clone(),
        referral_id: row.referral_id.map(|r| r.to_string()),
        movement,
        places: row.places.max(0) as u64,
        on: Date::parse(&row.on_date).ok()?,
    })
}

fn totals_of(row: &BucketRow) -> BucketTotals {
    BucketTotals {
        limit_places: row.limit_places.max(0) as u64,
        raised_places: row.raised_places.max(0) as u64,
        reserved_places: row.reserved_places.max(0) as u64,
        used_places: row.used_places.max(0) as u64,
        released_places: row.released_places.max(0) as u64,
    }
}

impl App {
    /// Every program with its caps and the places left on `on`, from the ledger.
    pub async fn pathways_programs(&self, on: Date) -> Result<Vec<ProgramView>> {
        let pathways = self.pathways()?;
        let buckets = self.store().cap_buckets().await?;
        let catalogue = pathways.catalogue();
        Ok(catalogue
            .programs
            .iter()
            .map(|p| {
                let caps = catalogue
                    .caps_of(&p.key)
                    .map(|cap| {
                        let in_window =
                            cap.from.is_none_or(|f| f <= on) && cap.until.is_none_or(|u| on <= u);
                        let period = in_window
                            .then(|| caps::period_label(cap.period, on))
                            .flatten()
                            .unwrap_or_default();
                        let totals = buckets
                            .iter()
                            .find(|b| b.pool == cap.key && b.period == period)
                            .map(totals_of)
                            .unwrap_or_else(|| BucketTotals::new(cap.places));
                        CapView {
                            pool: cap.key.clone(),
                            unit: cap.unit.clone(),
                            programs: cap.programs.clone(),
                            nationalities: cap.nationalities.clone(),
                            capacity_places: totals.capacity_places() as i64,
                            reserved_places: totals.reserved_places as i64,
                            used_places: totals.used_places as i64,
                            remaining_places: if period.is_empty() {
                                0
                            } else {
                                totals.remaining_places()
                            },
                            period,
                        }
                    })
                    .collect();
                ProgramView {
                    key: p.key.clone(),
                    name: p.name.clone(),
                    operating_state: p.operating_state.clone(),
                    kind: serde_json::to_value(p.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    summary: p.summary.clone(),
                    open: p.is_open_on(on),
                    closed_on: p.closed_on.map(|d| d.to_string()),
                    eligible_nationalities: p.eligible_nationalities.clone(),
                    places_of_application: p
                        .places_of_application
                        .iter()
                        .map(|a| (a.country.clone(), a.how.clone()))
                        .collect(),
                    typical_days: p.typical_total_days(),
                    serves: p
                        .serves
                        .commitment
                        .as_ref()
                        .map(|c| format!("{}: {}", c.owner, c.title)),
                    legal_basis: p
                        .legal_basis
                        .first()
                        .map(|c| c.citation.clone())
                        .unwrap_or_default(),
                    caps,
                }
            })
            .collect())
    }

    /// Record applications (households) in one transaction, flagging possible
    /// duplicates of people already recorded (or in the same intake) for a caseworker.
    /// Ids already taken, an unknown fact or a value of the wrong kind are refused and
    /// nothing is written.
    pub async fn pathways_apply(
        &self,
        applications: &[NewApplication],
        actor: &Actor,
    ) -> Result<ApplyReport> {
        require_pathways_role(actor)?;
        let pathways = self.pathways()?;
        let mut problems = Problems::default();
        for a in applications {
            check_office(actor, &a.office)?;
            if a.office.trim().is_empty() {
                problems.extend(Problems::field("office", "is empty", "name the office"));
            }
            if a.members.is_empty() {
                problems.extend(Problems::field(
                    "members",
                    "an application needs at least one person",
                    "",
                ));
            }
            for m in &a.members {
                if m.given_names.trim().is_empty() && m.family_names.trim().is_empty() {
                    problems.extend(Problems::field(
                        "given_names",
                        "a member needs a name",
                        "write the names as on the identity document",
                    ));
                }
                if let Err(AppError::Invalid(p)) = check_facts(&pathways, &m.facts) {
                    problems.extend(p);
                }
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let existing_members = self.store().pathways_members(None).await?;
        let existing_apps = self.store().pathways_applications(None).await?;
        let mut tx = self.store().begin().await?;
        let mut recorded = Vec::new();
        let mut new_apps: Vec<Application> = Vec::new();
        let mut new_people = BTreeSet::new();
        for a in applications {
            let application_id = a
                .application_id
                .clone()
                .unwrap_or_else(|| format!("{}-{}", a.office.trim(), random_suffix()));
            let inserted = tx
                .insert_pathways_application(&ApplicationRow {
                    application_id: application_id.clone(),
                    office: a.office.trim().to_owned(),
                    received_on: a.received_on.to_string(),
                    withdrawn_on: None,
                    recorded_at: actor.at,
                })
                .await?;
            if !inserted {
                return Err(AppError::invalid(
                    "application_id",
                    format!("application {application_id:?} is already recorded"),
                    "each application has its own id",
                ));
            }
            let mut members = Vec::new();
            for (k, m) in a.members.iter().enumerate() {
                let person_id = m
                    .person_id
                    .clone()
                    .unwrap_or_else(|| format!("{application_id}-{k}"));
                let row = MemberRow {
                    person_id: person_id.clone(),
                    application_id: application_id.clone(),
                    position: k as i64,
                    given_names: m.given_names.trim().to_owned(),
                    family_names: m.family_names.trim().to_owned(),
                    date_of_birth: m.date_of_birth.map(|d| d.to_string()),
                    sex: text_fact(&m.facts, "sex"),
                    nationality: text_fact(&m.facts, "nationality"),
                    relationship: if m.relationship.trim().is_empty() {
                        if k == 0 { "principal" } else { "member" }.to_owned()
                    } else {
                        m.relationship.trim().to_owned()
                    },
                    facts: json(&m.facts),
                };
                if !tx.insert_pathways_member(&row).await? {
                    return Err(AppError::invalid(
                        "person_id",
                        format!("person {person_id:?} is already recorded"),
                        "a person already known is screened again, not applied again",
                    ));
                }
                new_people.insert(person_id.clone());
                members.push(Member {
                    person_id,
                    given_names: row.given_names,
                    family_names: row.family_names,
                    date_of_birth: m.date_of_birth,
                    sex: row.sex,
                    nationality: row.nationality,
                    relationship: row.relationship,
                });
            }
            tx.audit(&actor.audit(
                "pathways_apply",
                &format!("application {application_id}"),
                format!(
                    "{} people at {} received {}",
                    members.len(),
                    a.office,
                    a.received_on
                ),
            ))
            .await?;
            new_apps.push(Application {
                application_id: application_id.clone(),
                office: a.office.clone(),
                received_on: a.received_on,
                members,
                withdrawn_on: None,
            });
            recorded.push(application_id);
        }
        // Duplicates: the new people against everyone recorded, on the blocking pool.
        let mut all = domain_applications(&existing_apps, &existing_members);
        all.extend(new_apps);
        let flags =
            super::blocking(move || Ok(domain::find_duplicates(&all, DUPLICATE_NAME_SIMILARITY)))
                .await?;
        let mut duplicates = Vec::new();
        for f in flags {
            if !new_people.contains(&f.first.1) && !new_people.contains(&f.second.1) {
                continue;
            }
            let (likeness, similarity) = match f.likeness {
                domain::Likeness::Exact => ("exact", 1.0),
                domain::Likeness::Fuzzy {
                    name_similarity, ..
                } => ("fuzzy", name_similarity),
            };
            let row = DuplicateRow {
                id: 0,
                first_application: f.first.0,
                first_person: f.first.1,
                second_application: f.second.0,
                second_person: f.second.1,
                likeness: likeness.into(),
                similarity,
                status: "open".into(),
            };
            if tx.insert_pathways_duplicate(&row, actor.at).await? {
                tx.audit(&actor.audit(
                    "pathways_duplicate_flagged",
                    &format!("person {}", row.second_person),
                    format!(
                        "{likeness} match with person {} of application {}",
                        row.first_person, row.first_application
                    ),
                ))
                .await?;
                duplicates.push(row);
            }
        }
        tx.commit().await?;
        Ok(ApplyReport {
            applications: recorded,
            people: new_people.len(),
            duplicates,
        })
    }

    async fn pathways_case_rows(
        &self,
        application_id: &str,
        actor: &Actor,
    ) -> Result<(ApplicationRow, Vec<MemberRow>, Vec<InterviewRow>)> {
        require_pathways_role(actor)?;
        let Some(application) = self.store().pathways_application(application_id).await? else {
            let ids = self.store().pathways_application_ids().await?;
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            return Err(AppError::not_found(
                "application",
                application_id,
                hemi_core::suggest::did_you_mean(
                    application_id,
                    &refs,
                    "`hemi pathways queue` lists the applications",
                ),
            ));
        };
        check_office(actor, &application.office)?;
        let members = self.store().pathways_members(Some(application_id)).await?;
        let interviews = self
            .store()
            .pathways_interviews(Some(application_id))
            .await?;
        Ok((application, members, interviews))
    }

    /// One application with its members' current facts and eligibility on `as_of`,
    /// interviews, referrals with outcomes and possible duplicates.
    pub async fn pathways_case(
        &self,
        application_id: &str,
        as_of: Date,
        actor: &Actor,
    ) -> Result<CaseView> {
        let pathways = self.pathways()?;
        let (application, members, interviews) =
            self.pathways_case_rows(application_id, actor).await?;
        let referrals = self
            .store()
            .pathways_referrals(Some(application_id))
            .await?;
        let outcomes = self.store().pathways_outcomes(Some(application_id)).await?;
        let people: BTreeSet<&str> = members.iter().map(|m| m.person_id.as_str()).collect();
        let duplicates = self
            .store()
            .pathways_duplicates()
            .await?
            .into_iter()
            .filter(|d| {
                people.contains(d.first_person.as_str())
                    || people.contains(d.second_person.as_str())
            })
            .collect();
        let members = members
            .into_iter()
            .map(|m| {
                let facts = current_facts(&m, &interviews);
                MemberView {
                    eligibility: pathways.screener().screen_explained(&facts, as_of),
                    facts: facts_as_text(&facts),
                    member: m,
                }
            })
            .collect();
        Ok(CaseView {
            application,
            as_of: as_of.to_string(),
            members,
            interviews,
            referrals: referrals
                .into_iter()
                .map(|r| ReferralView {
                    outcomes: outcomes
                        .iter()
                        .filter(|o| o.referral_id == r.id)
                        .cloned()
                        .collect(),
                    referral: r,
                })
                .collect(),
            duplicates,
        })
    }

    /// Record a screening interview of one member: the facts established (added to
    /// what was known), notes, and every program's verdict on the day. Returns the
    /// eligibility with reasons.
    pub async fn pathways_screen_case(
        &self,
        application_id: &str,
        person_id: &str,
        established: &Facts,
        held_on: Date,
        notes: &str,
        actor: &Actor,
    ) -> Result<Vec<Eligibility>> {
        let pathways = self.pathways()?;
        check_facts(&pathways, established)?;
        let (application, members, interviews) =
            self.pathways_case_rows(application_id, actor).await?;
        let member = find_member(&members, person_id)?;
        let received = stored_date(&application.received_on)?;
        if held_on < received {
            return Err(AppError::invalid(
                "held_on",
                format!(
                    "interview on {held_on} is before the application was received on {received}"
                ),
                "",
            ));
        }
        let mut facts = current_facts(member, &interviews);
        for (k, v) in &established.0 {
            facts.set(k, v.clone());
        }
        let eligibility = pathways.screener().screen_explained(&facts, held_on);
        let verdicts: BTreeMap<&str, &str> = eligibility
            .iter()
            .map(|e| (e.program.as_str(), verdict_label(e.verdict)))
            .collect();
        let eligible: Vec<&str> = eligibility
            .iter()
            .filter(|e| e.verdict == Verdict::Eligible)
            .map(|e| e.program.as_str())
            .collect();
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_pathways_interview(&InterviewRow {
                id: 0,
                application_id: application_id.to_owned(),
                person_id: person_id.to_owned(),
                held_on: held_on.to_string(),
                interviewer: actor.label(),
                facts: json(&facts),
                notes: notes.trim().to_owned(),
                verdicts: json(&verdicts),
                recorded_at: actor.at,
            })
            .await?;
        tx.audit(&actor.audit(
            "pathways_screening",
            &format!("person {person_id}"),
            format!(
                "interview {id} on {held_on}; {} facts established; eligible for {}",
                established.0.len(),
                if eligible.is_empty() {
                    "no program".to_owned()
                } else {
                    eligible.join(", ")
                }
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(eligibility)
    }

    /// Refer a member to a program on `on`, reserving `places` in every cap the
    /// referral counts against. Refused when the person is not eligible that day (with
    /// the reasons), already has an active referral to the program, or a cap has fewer
    /// places left — checked again in the writing transaction, so concurrent referrals
    /// never exceed a cap.
    pub async fn pathways_refer(
        &self,
        application_id: &str,
        person_id: &str,
        program: &str,
        on: Date,
        actor: &Actor,
    ) -> Result<ReferralRow> {
        let pathways = self.pathways()?;
        let (application, members, interviews) =
            self.pathways_case_rows(application_id, actor).await?;
        let member = find_member(&members, person_id)?;
        let program = pathways.program(program)?.key.clone();
        let facts = current_facts(member, &interviews);
        let eligibility = pathways
            .screener()
            .screen_program(&program, &facts, on)
            .map_err(domain_error)?;
        match eligibility.verdict {
            Verdict::Eligible => {}
            Verdict::NotEligible => {
                return Err(AppError::refused(
                    "program",
                    format!(
                        "{person_id} is not eligible for {program} on {on}: {}",
                        eligibility.reasons.join("; ")
                    ),
                    "only eligible people are referred",
                ))
            }
            Verdict::NeedsInformation => {
                return Err(AppError::refused(
                    "program",
                    format!(
                        "{person_id} cannot be referred to {program} yet: record {}",
                        eligibility.needs_information.join(", ")
                    ),
                    "record the missing facts in a screening interview",
                ))
            }
        }
        if on < stored_date(&application.received_on)? {
            return Err(AppError::invalid(
                "on",
                format!(
                    "referral on {on} is before the application was received on {}",
                    application.received_on
                ),
                "",
            ));
        }
        let existing = domain_referrals(
            &self
                .store()
                .pathways_referrals(Some(application_id))
                .await?,
            &self.store().pathways_outcomes(Some(application_id)).await?,
        );
        domain::check_new_referral(&existing, person_id, &program).map_err(domain_error)?;
        let buckets = self.store().cap_buckets().await?;
        let totals = |key: &BucketKey| {
            buckets
                .iter()
                .find(|b| b.pool == key.pool && b.period == key.period)
                .map(totals_of)
        };
        let plan = caps::plan_reservation(
            pathways.catalogue(),
            &program,
            &member.nationality,
            on,
            1,
            &totals,
        )
        .map_err(domain_error)?;
        let mut tx = self.store().begin().await?;
        let mut row = ReferralRow {
            id: 0,
            application_id: application_id.to_owned(),
            person_id: person_id.to_owned(),
            program: program.clone(),
            referred_on: on.to_string(),
            places: plan.places as i64,
            state: "pending".into(),
            referred_by: actor.label(),
            recorded_at: actor.at,
        };
        let Some(id) = tx.insert_pathways_referral(&row).await? else {
            return Err(AppError::refused(
                "program",
                format!("{person_id} already has an active referral to {program}"),
                "record its outcome first",
            ));
        };
        row.id = id;
        // Lock order: buckets sorted by (pool, period), as the plan lists them.
        for charge in &plan.charges {
            let reserved = tx
                .reserve_cap_places(
                    &charge.bucket.pool,
                    &charge.bucket.period,
                    charge.limit_places as i64,
                    plan.places as i64,
                )
                .await?;
            if !reserved {
                // Dropping the transaction rolls back the referral and earlier charges.
                return Err(AppError::refused(
                    "program",
                    format!(
                        "cap {:?} for {} is full: no place left for {person_id}",
                        charge.bucket.pool, charge.bucket.period
                    ),
                    "the referral was not recorded; another program may have places",
                ));
            }
            tx.insert_ledger_line(&LedgerRow {
                pool: charge.bucket.pool.clone(),
                period: charge.bucket.period.clone(),
                program: program.clone(),
                referral_id: Some(id),
                movement: "reserve".into(),
                places: plan.places as i64,
                on_date: on.to_string(),
                reason: String::new(),
                recorded_at: actor.at,
            })
            .await?;
        }
        let charged: Vec<String> = plan
            .charges
            .iter()
            .map(|c| format!("{} {}", c.bucket.pool, c.bucket.period))
            .collect();
        tx.audit(&actor.audit(
            "pathways_referral",
            &format!("person {person_id}"),
            format!(
                "referral {id} to {program} on {on}; places reserved in {}",
                if charged.is_empty() {
                    "no cap".to_owned()
                } else {
                    charged.join(", ")
                }
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Record what became of a referral. Travelling uses the reserved place; a denial
    /// or withdrawal releases it; an approval keeps it reserved.
    pub async fn pathways_outcome(
        &self,
        referral_id: i64,
        kind: OutcomeKind,
        on: Date,
        reason: &str,
        actor: &Actor,
    ) -> Result<ReferralRow> {
        require_pathways_role(actor)?;
        let Some(row) = self
            .store()
            .pathways_referrals(None)
            .await?
            .into_iter()
            .find(|r| r.id == referral_id)
        else {
            return Err(AppError::not_found(
                "referral",
                referral_id.to_string(),
                "the application's page and `hemi pathways show` list its referrals",
            ));
        };
        let (_application, _, _) = self.pathways_case_rows(&row.application_id, actor).await?;
        let outcomes = self
            .store()
            .pathways_outcomes(Some(&row.application_id))
            .await?;
        let mut referral = domain_referrals(std::slice::from_ref(&row), &outcomes)
            .pop()
            .expect("one referral in, one out");
        let movement = domain::record_outcome(
            &mut referral,
            Outcome {
                kind,
                on,
                reason: reason.trim().to_owned(),
            },
        )
        .map_err(domain_error)?;
        let state = outcome_name(kind);
        let mut tx = self.store().begin().await?;
        let active = matches!(kind, OutcomeKind::Approved);
        if !tx
            .set_pathways_referral_state(referral_id, &row.state, state, active)
            .await?
        {
            return Err(AppError::refused(
                "outcome",
                format!("referral {referral_id} changed while this outcome was recorded"),
                "reload and try again",
            ));
        }
        tx.insert_pathways_outcome(&OutcomeRow {
            referral_id,
            kind: state.into(),
            on_date: on.to_string(),
            reason: reason.trim().to_owned(),
            recorded_at: actor.at,
        })
        .await?;
        if let Some(used) = movement {
            for line in tx.referral_ledger(referral_id).await? {
                if line.movement != "reserve" {
                    continue;
                }
                if !tx
                    .settle_cap_places(&line.pool, &line.period, line.places, used)
                    .await?
                {
                    return Err(AppError::Internal(anyhow::anyhow!(
                        "cap {} {} holds fewer reserved places than referral {referral_id}",
                        line.pool,
                        line.period
                    )));
                }
                tx.insert_ledger_line(&LedgerRow {
                    movement: if used { "use" } else { "release" }.into(),
                    on_date: on.to_string(),
                    recorded_at: actor.at,
                    ..line
                })
                .await?;
            }
        }
        tx.audit(&actor.audit(
            "pathways_outcome",
            &format!("person {}", row.person_id),
            format!(
                "referral {referral_id} to {} {state} on {on}{}",
                row.program,
                if reason.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", reason.trim())
                }
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(ReferralRow {
            state: state.into(),
            ..row
        })
    }

    /// The queues of the offices (the actor's own when office-scoped; one office when
    /// named), with waiting times on `as_of`.
    pub async fn pathways_queue(
        &self,
        office: Option<&str>,
        as_of: Date,
        actor: &Actor,
    ) -> Result<Vec<domain::QueueView>> {
        require_pathways_role(actor)?;
        let office = match (scoped_office(actor), office) {
            (Some(own), Some(asked)) if own != asked => {
                return Err(AppError::Forbidden(format!(
                    "you work for office {own}, not {asked}"
                )))
            }
            (Some(own), _) => Some(own.to_owned()),
            (None, asked) => asked.map(str::to_owned),
        };
        let apps = self
            .store()
            .pathways_applications(office.as_deref())
            .await?;
        let members = self.store().pathways_members(None).await?;
        let interviews = self.store().pathways_interviews(None).await?;
        let referrals = self.store().pathways_referrals(None).await?;
        let outcomes = self.store().pathways_outcomes(None).await?;
        let applications = domain_applications(&apps, &members);
        let interviews: Vec<Interview> = interviews
            .iter()
            .filter_map(|i| {
                Some(Interview {
                    application_id: i.application_id.clone(),
                    person_id: i.person_id.clone(),
                    held_on: Date::parse(&i.held_on).ok()?,
                    interviewer: i.interviewer.clone(),
                    facts: Facts::new(),
                    notes: String::new(),
                })
            })
            .collect();
        let referrals = domain_referrals(&referrals, &outcomes);
        let offices: BTreeSet<String> = match &office {
            Some(o) => [o.clone()].into(),
            None => apps.iter().map(|a| a.office.clone()).collect(),
        };
        Ok(offices
            .iter()
            .map(|o| domain::queue(o, &applications, &interviews, &referrals, as_of))
            .collect())
    }

    /// Possible duplicates for a caseworker (the actor's office only when scoped).
    pub async fn pathways_duplicates(&self, actor: &Actor) -> Result<Vec<DuplicateRow>> {
        require_pathways_role(actor)?;
        let all = self.store().pathways_duplicates().await?;
        Ok(match scoped_office(actor) {
            None => all,
            Some(own) => {
                let apps: BTreeSet<String> = self
                    .store()
                    .pathways_applications(Some(own))
                    .await?
                    .into_iter()
                    .map(|a| a.application_id)
                    .collect();
                all.into_iter()
                    .filter(|d| {
                        apps.contains(&d.first_application) || apps.contains(&d.second_application)
                    })
                    .collect()
            }
        })
    }

    /// Progress of every L.A. Process commitment a program serves, from the ledger:
    /// places used and still reserved by the programs serving it.
    pub async fn pathways_commitment_progress(&self) -> Result<Vec<CommitmentLedgerProgress>> {
        let pathways = self.pathways()?;
        let entries: Vec<LedgerEntry> = self
            .store()
            .cap_ledger()
            .await?
            .iter()
            .filter_map(ledger_entry)
            .collect();
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let (from, until) = (
            Date::from_ymd(1900, 1, 1).expect("valid"),
            Date::from_ymd(9999, 12, 31).expect("valid"),
        );
        for p in &pathways.catalogue().programs {
            let Some(c) = &p.serves.commitment else {
                continue;
            };
            if !seen.insert((c.owner.clone(), c.title.clone())) {
                continue;
            }
            let progress =
                caps::commitment_progress(pathways.catalogue(), c, &entries, from, until);
            out.push(CommitmentLedgerProgress {
                owner: c.owner.clone(),
                title: c.title.clone(),
                programs: progress.programs,
                used_places: progress.used_places,
                reserved_places: progress.reserved_places,
            });
        }
        Ok(out)
    }

    /// Raise a cap for one period with a reason (emergency capacity opened by an
    /// early-warning event's playbook task), audited.
    #[allow(clippy::too_many_arguments)]
    pub async fn pathways_raise_cap(
        &self,
        pool: &str,
        period: &str,
        places: u64,
        reason: &str,
        event_id: Option<&str>,
        task_key: Option<&str>,
        on: Date,
        actor: &Actor,
    ) -> Result<()> {
        require_pathways_role(actor)?;
        let pathways = self.pathways()?;
        let raise = caps::CapRaise {
            pool: pool.to_owned(),
            period: period.to_owned(),
            places,
            reason: reason.to_owned(),
            event_id: event_id.map(str::to_owned),
            task_key: task_key.map(str::to_owned),
            on,
        };
        let entry = raise.to_entry(pathways.catalogue()).map_err(domain_error)?;
        let cap = pathways
            .catalogue()
            .caps
            .iter()
            .find(|c| c.key == pool)
            .expect("checked by to_entry");
        let mut tx = self.store().begin().await?;
        tx.raise_cap_places(pool, period, cap.places as i64, places as i64)
            .await?;
        tx.insert_ledger_line(&LedgerRow {
            pool: pool.to_owned(),
            period: period.to_owned(),
            program: entry.program.clone(),
            referral_id: None,
            movement: "raise".into(),
            places: places as i64,
            on_date: on.to_string(),
            reason: reason.trim().to_owned(),
            recorded_at: actor.at,
        })
        .await?;
        tx.audit(&actor.audit(
            "pathways_cap_raised",
            &format!("cap {pool} {period}"),
            format!(
                "+{places} places on {on}: {}{}",
                reason.trim(),
                event_id.map(|e| format!(" (event {e})")).unwrap_or_default()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn find_member<'m>(members: &'m [MemberRow], person_id: &str) -> Result<&'m MemberRow> {
    members
        .iter()
        .find(|m| m.person_id == person_id)
        .ok_or_else(|| {
            let ids: Vec<&str> = members.iter().map(|m| m.person_id.as_str()).collect();
            AppError::not_found(
                "person",
                person_id,
                hemi_core::suggest::did_you_mean(
                    person_id,
                    &ids,
                    "the application lists its members",
                ),
            )
        })
}

/// What is known about a member now: the latest interview's facts, else intake's.
fn current_facts(member: &MemberRow, interviews: &[InterviewRow]) -> Facts {
    interviews
        .iter()
        .rfind(|i| i.person_id == member.person_id)
        .map(|i| parse_facts(&i.facts))
        .unwrap_or_else(|| parse_facts(&member.facts))
}

fn domain_applications(apps: &[ApplicationRow], members: &[MemberRow]) -> Vec<Application> {
    let mut by_app: BTreeMap<&str, Vec<&MemberRow>> = BTreeMap::new();
    for m in members {
        by_app.entry(m.application_id.as_str()).or_default().push(m);
    }
    apps.iter()
        .filter_map(|a| {
            Some(Application {
                application_id: a.application_id.clone(),
                office: a.office.clone(),
                received_on: Date::parse(&a.received_on).ok()?,
                withdrawn_on: a.withdrawn_on.as_deref().and_then(|d| Date::parse(d).ok()),
                members: by_app
                    .get(a.application_id.as_str())
                    .map(|ms| {
                        ms.iter()
                            .map(|m| Member {
                                person_id: m.person_id.clone(),
                                given_names: m.given_names.clone(),
                                family_names: m.family_names.clone(),
                                date_of_birth: m
                                    .date_of_birth
                                    .as_deref()
                                    .and_then(|d| Date::parse(d).ok()),
                                sex: m.sex.clone(),
                                nationality: m.nationality.clone(),
                                relationship: m.relationship.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

fn domain_referrals(rows: &[ReferralRow], outcomes: &[OutcomeRow]) -> Vec<domain::Referral> {
    rows.iter()
        .map(|r| domain::Referral {
            referral_id: r.id.to_string(),
            application_id: r.application_id.clone(),
            person_id: r.person_id.clone(),
            program: r.program.clone(),
            referred_on: Date::parse(&r.referred_on)
                .unwrap_or_else(|_| Date::from_ymd(1970, 1, 1).expect("valid")),
            outcomes: outcomes
                .iter()
                .filter(|o| o.referral_id == r.id)
                .filter_map(|o| {
                    Some(Outcome {
                        kind: outcome_kind(&o.kind)?,
                        on: Date::parse(&o.on_date).ok()?,
                        reason: o.reason.clone(),
                    })
                })
                .collect(),
        })
        .collect()
}

/// Households read from an applicants file, as new applications.
pub fn applications_from_rows(
    rows: &[hemi_pathways::applicants::ApplicantRow],
) -> Vec<NewApplication> {
    hemi_pathways::applicants::households(rows)
        .into_iter()
        .map(|(a, facts)| NewApplication {
            application_id: Some(a.application_id),
            office: a.office,
            received_on: a.received_on,
            members: a
                .members
                .into_iter()
                .zip(facts)
                .map(|(m, facts)| NewMember {
                    person_id: Some(m.person_id),
                    given_names: m.given_names,
                    family_names: m.family_names,
                    date_of_birth: m.date_of_birth,
                    relationship: m.relationship,
                    facts,
                })
                .collect(),
        })
        .collect()
}

/// What the demo caseload loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoCaseload {
    /// Applications recorded.
    pub applications: usize,
    /// People recorded.
    pub people: usize,
    /// Interviews recorded.
    pub interviews: usize,
    /// Referrals made.
    pub referrals: usize,
}

impl App {
    /// A small synthetic caseload for the demo, so every pathways page has something:
    /// 60 people in households across the Safe Mobility Offices, a third of them
    /// interviewed, and the first eligible people referred. `None` when cases exist.
    pub async fn pathways_demo_caseload(
        &self,
        as_of: Date,
        actor: &Actor,
    ) -> Result<Option<DemoCaseload>> {
        if !self.store().pathways_applications(None).await?.is_empty() {
            return Ok(None);
        }
        let pathways = self.pathways()?;
        let synth = self.pathways_synth(60, 2024, as_of).await?;
        let rows = pathways.read_applicants("demo caseload", synth.csv.as_bytes())?;
        let applications = applications_from_rows(&rows);
        let report = self.pathways_apply(&applications, actor).await?;
        let mut interviews = 0;
        let mut referrals = 0;
        for (k, row) in rows.iter().enumerate().filter(|(k, _)| k % 3 == 0) {
            let held_on = as_of.add_days(-((k % 20) as i64)).max(row.received_on);
            let established = Facts::new().with(
                "documents",
                FactValue::List(vec!["passport".into(), "national_id".into()]),
            );
            let eligibility = self
                .pathways_screen_case(
                    &row.application_id,
                    &row.member.person_id,
                    &established,
                    held_on,
                    "demo interview",
                    actor,
                )
                .await?;
            interviews += 1;
            if referrals >= 6 {
                continue;
            }
            if let Some(e) = eligibility
                .iter()
                .find(|e| e.verdict == Verdict::Eligible && e.open)
            {
                if self
                    .pathways_refer(
                        &row.application_id,
                        &row.member.person_id,
                        &e.program,
                        held_on,
                        actor,
                    )
                    .await
                    .is_ok()
                {
                    referrals += 1;
                }
            }
        }
        Ok(Some(DemoCaseload {
            applications: report.applications.len(),
            people: report.people,
            interviews,
            referrals,
        }))
    }
}
