//! Registering, searching and reading person records. A record is validated by the
//! domain (`Person::validate`: dates, nationality codes, check digits), linked against
//! the stored records that share a blind-index term with it (the same candidates the
//! blocking rules would pair), encrypted, and written with its index terms, any review
//! items and an audit entry in one transaction. Every read of a record is audited.

use hemi_core::roles::groups;
use hemi_core::{CountryCodes, Diagnostic, Iso3};
use hemi_registry::crypto::BlindIndexKind;
use hemi_registry::date::{Date, PartialDate};
use hemi_registry::documents::{Document, DocumentType};
use hemi_registry::linkage::{LinkRecord, LinkSession, NoProgress, ReviewDecision, Settings};
use hemi_registry::person::{Contact, HouseholdLink, Person, PersonName, Sex};
use hemi_store::registry::{BlindTerm, PersonRow};

use super::keys::RegistryKeys;
use super::{random_id, require, review_reason_text, LINKAGE_SEED};
use crate::{Actor, App, AppError, Problems, Result};

/// Most stored records a new registration is compared with.
const MAX_CANDIDATES: i64 = 2_000;
/// Most records a search returns.
pub const MAX_SEARCH_RESULTS: usize = 50;

/// What an officer types to register a person. Empty means not recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PersonInput {
    /// First given name (a compound one may be written whole: "Marie Carmel").
    pub given_name: String,
    /// Other given names.
    pub second_given_name: String,
    /// First surname.
    pub first_surname: String,
    /// Second surname.
    pub second_surname: String,
    /// F, M or X.
    pub sex: String,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub date_of_birth: String,
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    /// passport, cedula, ... (see `DocumentType`).
    pub document_type: String,
    /// Document number.
    pub document_number: String,
    /// Issuing country (ISO3); the nationality when empty.
    pub document_issuer: String,
    /// Phone.
    pub phone: String,
    /// Municipality of residence.
    pub municipality: String,
    /// Household registration id shared by the members of one family.
    pub household_id: String,
    /// Relationship to the head of household.
    pub relationship: String,
    /// Registering office (command line only: a web officer's office is their account's).
    pub office: String,
}

fn problem(field: &str, message: impl Into<String>, hint: &str) -> Diagnostic {
    Diagnostic {
        file: String::new(),
        line: 0,
        field: field.into(),
        message: message.into(),
        hint: hint.into(),
    }
}

impl PersonInput {
    /// The domain record, or every problem with the input.
    pub fn to_person(&self, person_id: &str, today: Date) -> std::result::Result<Person, Problems> {
        let mut problems = Vec::new();
        let codes = CountryCodes::bundled();
        let iso = |field: &str, text: &str, problems: &mut Vec<Diagnostic>| -> Option<Iso3> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            match Iso3::parse(&t.to_ascii_uppercase()) {
                Ok(code) if codes.is_iso(code.as_str()) => Some(code),
                _ => {
                    problems.push(problem(
                        field,
                        format!("{t:?} is not an ISO 3166-1 alpha-3 code"),
                        "use a code such as VEN, HTI, COL, CHN",
                    ));
                    None
                }
            }
        };
        let nationality = iso("nationality", &self.nationality, &mut problems);
        let issuer = iso("document_issuer", &self.document_issuer, &mut problems).or(nationality);
        let sex = match self.sex.trim() {
            "" => None,
            s => match Sex::parse(s) {
                Some(sex) => Some(sex),
                None => {
                    problems.push(problem(
                        "sex",
                        format!("{s:?} is not a sex"),
                        "write F, M or X",
                    ));
                    None
                }
            },
        };
        let date_of_birth = match self.date_of_birth.trim() {
            "" => None,
            d => match PartialDate::parse(d) {
                Ok(date) => Some(date),
                Err(e) => {
                    problems.push(problem(
                        "date_of_birth",
                        e.to_string(),
                        "write YYYY, YYYY-MM or YYYY-MM-DD, or leave it empty",
                    ));
                    None
                }
            },
        };
        let mut documents = Vec::new();
        match (self.document_type.trim(), self.document_number.trim()) {
            ("", "") => {}
            (_, "") => problems.push(problem(
                "document_number",
                "a document type without a number",
                "enter the number or leave the type empty",
            )),
            (kind, number) => documents.push(Document {
                document_type: DocumentType::parse(if kind.is_empty() { "other" } else { kind }),
                number: number.to_owned(),
                issuer,
                mrz_check_digit: None,
            }),
        }
        let given_names: Vec<String> = [&self.given_name, &self.second_given_name]
            .iter()
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect();
        let household = (!self.household_id.trim().is_empty()).then(|| HouseholdLink {
            household_id: self.household_id.trim().to_owned(),
            relationship: self.relationship.trim().to_owned(),
        });
        let person = Person {
            person_id: person_id.to_owned(),
            name: PersonName {
                given_names,
                first_surname: self.first_surname.trim().to_owned(),
                second_surname: self.second_surname.trim().to_owned(),
                original_script: None,
            },
            sex,
            date_of_birth,
            nationalities: nationality.into_iter().collect(),
            documents,
            household,
            contact: Contact {
                phone: self.phone.trim().to_owned(),
                email: String::new(),
                address: String::new(),
                municipality: self.municipality.trim().to_owned(),
            },
            biometrics: Vec::new(),
            registration_date: Some(today),
        };
        // The domain's checks (names, dates against today, check digits) on top.
        for d in person.validate(&codes, today, "", 0).iter() {
            if !problems.iter().any(|p| p.field == d.field) {
                problems.push(d.clone());
            }
        }
        if problems.is_empty() {
            Ok(person)
        } else {
            Err(Problems {
                diagnostics: problems,
                ..Problems::default()
            })
        }
    }
}

/// A record as an officer reads it (decrypted).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonView {
    /// Record id.
    pub person_id: String,
    /// The person (cluster) it belongs to.
    pub cluster_id: String,
    /// Registering office.
    pub office: String,
    /// Who registered it.
    pub registered_by: String,
    /// When (Unix seconds).
    pub registered_at: i64,
    /// The name as one line.
    pub display_name: String,
    /// The personal fields.
    pub person: Person,
}

/// A registration's outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Registered {
    /// New record id.
    pub person_id: String,
    /// Its person: an existing one when the record is a sure match.
    pub cluster_id: String,
    /// True when it joined an existing person.
    pub matched_existing: bool,
    /// Records it was compared with.
    pub candidates: usize,
    /// Pairs queued for a caseworker (other record id, probability, reason).
    pub queued_for_review: Vec<(String, f64, String)>,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchHit {
    /// Record id.
    pub person_id: String,
    /// Its person.
    pub cluster_id: String,
    /// Name.
    pub display_name: String,
    /// Date of birth as recorded.
    pub date_of_birth: String,
    /// First nationality.
    pub nationality: String,
    /// Office.
    pub office: String,
    /// Similarity of the name to the query, 0 to 1.
    pub score: f64,
}

/// A record with the rest of its person and the permits.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonRecord {
    /// The record asked for.
    pub record: PersonView,
    /// Other records of the same person (ids only).
    pub same_person: Vec<String>,
    /// Permits of every record of the person.
    pub permits: Vec<super::permits::PermitView>,
}

pub(crate) fn context(person_id: &str) -> String {
    format!("registry_person:{person_id}")
}

/// Blind-index terms of a record.
fn terms_of(keys: &RegistryKeys, person: &Person) -> Vec<BlindTerm> {
    let index = keys.index();
    let name = person.name.display();
    let mut terms = Vec::new();
    let mut push = |kind: BlindIndexKind, values: Vec<String>| {
        let label = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        for v in values {
            terms.push((label.clone(), v));
        }
    };
    push(
        BlindIndexKind::ExactName,
        index.search_terms(BlindIndexKind::ExactName, &name),
    );
    push(
        BlindIndexKind::PhoneticName,
        index.search_terms(BlindIndexKind::PhoneticName, &name),
    );
    if let Some(d) = person.date_of_birth {
        push(
            BlindIndexKind::DateOfBirth,
            index.search_terms(BlindIndexKind::DateOfBirth, &d.to_string()),
        );
    }
    for doc in &person.documents {
        push(
            BlindIndexKind::DocumentNumber,
            index.search_terms(BlindIndexKind::DocumentNumber, &doc.number),
        );
    }
    push(
        BlindIndexKind::Phone,
        index.search_terms(BlindIndexKind::Phone, &person.contact.phone),
    );
    terms
}

pub(crate) fn in_scope(actor: &Actor, office: &str) -> bool {
    match actor.office() {
        Some(mine) if actor.role().is_office_scoped() => mine == office,
        _ => true,
    }
}

pub(crate) fn decrypt_row(keys: &RegistryKeys, row: &PersonRow) -> Result<PersonView> {
    let json = keys.decrypt(&row.record, &context(&row.person_id))?;
    let person: Person = serde_json::from_str(&json)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a registry record is unreadable: {e}")))?;
    Ok(PersonView {
        person_id: row.person_id.clone(),
        cluster_id: row.cluster_id.clone(),
        office: row.office.clone(),
        registered_by: row.registered_by.clone(),
        registered_at: row.registered_at,
        display_name: person.name.display(),
        person,
    })
}

fn linkage_error(e: hemi_registry::RegistryError) -> AppError {
    AppError::Internal(anyhow::anyhow!("linkage failed: {e}"))
}

impl App {
    /// Register a person: validate, link against the records sharing an index term
    /// (a sure match joins that person, a grey-zone pair goes to review with its
    /// explanation), encrypt, store, audit.
    pub async fn register_person(&self, input: &PersonInput, actor: &Actor) -> Result<Registered> {
        require(actor, groups::REGISTRY, "register people")?;
        let keys = self.registry_keys()?;
        let today = hemi_registry::date::Timestamp(actor.at).date();
        let person_id = random_id("P");
        let person = input
            .to_person(&person_id, today)
            .map_err(AppError::Invalid)?;
        let office = match actor.office() {
            Some(o) => o.to_owned(),
            None => input.office.trim().to_owned(),
        };
        let model = self.registry_model().await?;
        let mut tx = self.store().begin().await?;
        keys.verify(&mut tx, actor.at).await?;
        let terms = terms_of(&keys, &person);
        let candidate_rows = tx
            .registry_persons_with_terms(&terms, MAX_CANDIDATES)
            .await?;
        let mut candidates = Vec::with_capacity(candidate_rows.len());
        let mut clusters = Vec::with_capacity(candidate_rows.len());
        for (row, _) in &candidate_rows {
            let view = decrypt_row(&keys, row)?;
            candidates.push(LinkRecord::from_person(&view.person));
            clusters.push(row.cluster_id.clone());
        }
        let candidate_ids: std::collections::HashSet<String> =
            candidates.iter().map(|r| r.record_id.clone()).collect();
        let decisions: Vec<ReviewDecision> = tx
            .registry_decisions()
            .await?
            .into_iter()
            .filter(|(a, b, _)| candidate_ids.contains(a) || candidate_ids.contains(b))
            .map(|(record_a, record_b, same_person)| ReviewDecision {
                record_a,
                record_b,
                same_person,
            })
            .collect();
        let new_record = LinkRecord::from_person(&person);
        let output = tokio::task::spawn_blocking(move || {
            let settings = Settings::registry(LINKAGE_SEED);
            let mut session = LinkSession::resume(&candidates, &clusters, model, &settings)
                .map_err(linkage_error)?;
            session
                .add_records(&[new_record], &decisions, &NoProgress)
                .map_err(linkage_error)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("linkage failed: {e}")))??;
        let cluster_id = output
            .clusters
            .first()
            .map(|c| c.cluster_id.clone())
            .unwrap_or_else(|| person_id.clone());
        let plaintext = serde_json::to_string(&person)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot serialise a record: {e}")))?;
        let row = PersonRow {
            person_id: person_id.clone(),
            cluster_id: cluster_id.clone(),
            office: office.clone(),
            record: keys.encrypt(&plaintext, &context(&person_id)),
            key_id: keys.ring().current().id().to_owned(),
            registered_by: actor.label(),
            registered_at: actor.at,
        };
        tx.insert_registry_person(&row, &terms).await?;
        let mut queued = Vec::new();
        for item in &output.review {
            let (a, b) = if item.record_a <= item.record_b {
                (&item.record_a, &item.record_b)
            } else {
                (&item.record_b, &item.record_a)
            };
            let explanation =
                serde_json::to_string(&item.explanation).unwrap_or_else(|_| "{}".into());
            let reason = review_reason_text(&item.reason);
            let added = tx
                .insert_registry_review(
                    &hemi_store::registry::NewReview {
                        record_a: a,
                        record_b: b,
                        reason: &reason,
                        match_probability: item.match_probability,
                        explanation: &explanation,
                    },
                    actor.at,
                )
                .await?;
            if added {
                let other = if *a == person_id { b } else { a };
                queued.push((other.clone(), item.match_probability, reason));
            }
        }
        let matched_existing = cluster_id != person_id;
        tx.audit(&actor.audit(
            "registry_person_registered",
            &person_id,
            format!(
                "person {cluster_id}{}; office {:?}; compared with {} records; {} pairs queued for review",
                if matched_existing { " (existing)" } else { " (new)" },
                office,
                candidate_rows.len(),
                queued.len()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(Registered {
            person_id,
            cluster_id,
            matched_existing,
            candidates: candidate_rows.len(),
            queued_for_review: queued,
        })
    }

    /// Search by name, fuzzily: records sharing a sound-alike name part with the query,
    /// ranked by how close the whole name is. The query itself is not logged; the
    /// records shown are audited as read.
    pub async fn search_persons(&self, query: &str, actor: &Actor) -> Result<Vec<SearchHit>> {
        require(actor, groups::REGISTRY, "search the registry")?;
        let query = query.trim();
        if query.chars().count() < 2 {
            return Err(AppError::invalid(
                "query",
                "is too short",
                "type at least two letters of a name",
            ));
        }
        let keys = self.registry_keys()?;
        let index = keys.index();
        let mut terms: Vec<BlindTerm> = Vec::new();
        for kind in [BlindIndexKind::ExactName, BlindIndexKind::PhoneticName] {
            for t in index.search_terms(kind, query) {
                terms.push((String::new(), t));
            }
        }
        if terms.is_empty() {
            return Err(AppError::invalid(
                "query",
                "has no letters to search by",
                "type a name",
            ));
        }
        // The keys are checked before any record is decrypted.
        let mut tx = self.store().begin().await?;
        keys.verify(&mut tx, actor.at).await?;
        let rows = self
            .store()
            .registry_persons_with_terms(&terms, 500)
            .await?;
        let folded_query = hemi_registry::text::fold(query);
        let mut hits = Vec::new();
        for (row, _) in rows.iter().filter(|(r, _)| in_scope(actor, &r.office)) {
            let view = decrypt_row(&keys, row)?;
            let score = strsim::jaro_winkler(
                &folded_query,
                &hemi_registry::text::fold(&view.display_name),
            )
            .max(token_score(&folded_query, &view.display_name));
            hits.push(SearchHit {
                person_id: row.person_id.clone(),
                cluster_id: row.cluster_id.clone(),
                display_name: view.display_name.clone(),
                date_of_birth: view
                    .person
                    .date_of_birth
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                nationality: view
                    .person
                    .nationalities
                    .first()
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default(),
                office: row.office.clone(),
                score: (score * 1000.0).round() / 1000.0,
            });
        }
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.person_id.cmp(&b.person_id))
        });
        hits.truncate(MAX_SEARCH_RESULTS);
        let ids: Vec<&str> = hits.iter().map(|h| h.person_id.as_str()).collect();
        tx.audit(&actor.audit(
            "registry_search",
            &format!("{} records", hits.len()),
            format!("records shown: {}", ids.join(" ")),
        ))
        .await?;
        tx.commit().await?;
        Ok(hits)
    }

    /// One record with the other records of its person and their permits; audited.
    pub async fn show_person(&self, person_id: &str, actor: &Actor) -> Result<PersonRecord> {
        require(actor, groups::REGISTRY, "read registry records")?;
        let keys = self.registry_keys()?;
        let person_id = person_id.trim();
        let row = self
            .store()
            .registry_person(person_id)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    "person",
                    person_id,
                    "`hemi registry search NAME` finds records",
                )
            })?;
        if !in_scope(actor, &row.office) {
            return Err(AppError::Forbidden(format!(
                "record {person_id} belongs to another office"
            )));
        }
        let mut tx = self.store().begin().await?;
        keys.verify(&mut tx, actor.at).await?;
        let record = decrypt_row(&keys, &row)?;
        let cluster = self.store().registry_cluster(&row.cluster_id).await?;
        let ids: Vec<String> = cluster.iter().map(|r| r.person_id.clone()).collect();
        let permits = self
            .store()
            .registry_permits_of(&ids)
            .await?
            .iter()
            .map(super::permits::PermitView::from_row)
            .collect::<Result<Vec<_>>>()?;
        tx.audit(&actor.audit(
            "registry_person_read",
            person_id,
            format!("person {}", row.cluster_id),
        ))
        .await?;
        tx.commit().await?;
        Ok(PersonRecord {
            record,
            same_person: ids.into_iter().filter(|id| id != person_id).collect(),
            permits,
        })
    }
}

/// Best similarity of any query word with any name word, averaged over query words:
/// "garcia" finds "José García López".
fn token_score(folded_query: &str, name: &str) -> f64 {
    let name_tokens = hemi_registry::text::tokens(name);
    let query_tokens = hemi_registry::text::tokens(folded_query);
    if query_tokens.is_empty() || name_tokens.is_empty() {
        return 0.0;
    }
    let total: f64 = query_tokens
        .iter()
        .map(|q| {
            name_tokens
                .iter()
                .map(|n| strsim::jaro_winkler(q, n))
                .fold(0.0, f64::max)
        })
        .sum();
    total / query_tokens.len() as f64
}
