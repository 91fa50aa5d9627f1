//! The migrant registry repository: person records as encrypted envelopes with their
//! blind-index terms, key checks, the linkage model, permits with their history, and the
//! review queue. SQL only: encryption, linkage and the permit lifecycle are decided in
//! `hemi-registry` and applied by `hemi_app::registry`, which writes through a [`Tx`] so
//! each change and its audit entry commit together. No plaintext personal value reaches
//! this crate.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Result, Store, Tx};

/// A stored person record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// Record id.
    pub person_id: String,
    /// The person (cluster) this record belongs to.
    pub cluster_id: String,
    /// Registering office ('' for none).
    pub office: String,
    /// Encrypted personal fields (an AEAD envelope).
    pub record: String,
    /// Key id of the envelope.
    pub key_id: String,
    /// Who registered it.
    pub registered_by: String,
    /// When, Unix seconds.
    pub registered_at: i64,
}

const PERSON_COLUMNS: &str =
    "person_id, cluster_id, office, record, key_id, registered_by, registered_at";

fn person_from_row(r: &AnyRow) -> PersonRow {
    PersonRow {
        person_id: r.get(0),
        cluster_id: r.get(1),
        office: r.get(2),
        record: r.get(3),
        key_id: r.get(4),
        registered_by: r.get(5),
        registered_at: r.get(6),
    }
}

/// A blind-index term: (kind, hex HMAC).
pub type BlindTerm = (String, String);

/// A stored permit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitRow {
    /// Permit id.
    pub permit_id: String,
    /// Holder's record id.
    pub person_id: String,
    /// Program id.
    pub program_id: String,
    /// Nationality code for statistics (`UNK` when not recorded).
    pub nationality: String,
    /// Current state.
    pub state: String,
    /// End of validity (`YYYY-MM-DD`) once issued.
    pub valid_until: Option<String>,
    /// JSON history of transitions.
    pub history: String,
    /// Created, Unix seconds.
    pub created_at: i64,
    /// Last changed, Unix seconds.
    pub updated_at: i64,
}

const PERMIT_COLUMNS: &str = "permit_id, person_id, program_id, nationality, state, valid_until, history, created_at, updated_at";

fn permit_from_row(r: &AnyRow) -> PermitRow {
    PermitRow {
        permit_id: r.get(0),
        person_id: r.get(1),
        program_id: r.get(2),
        nationality: r.get(3),
        state: r.get(4),
        valid_until: r.get(5),
        history: r.get(6),
        created_at: r.get(7),
        updated_at: r.get(8),
    }
}

/// A pair in the review queue.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    /// Id.
    pub id: i64,
    /// One record.
    pub record_a: String,
    /// The other.
    pub record_b: String,
    /// Why it is queued (`grey_zone`, ...).
    pub reason: String,
    /// Match probability.
    pub match_probability: f64,
    /// JSON field-by-field explanation.
    pub explanation: String,
    /// Queued, Unix seconds.
    pub created_at: i64,
    /// `same_person` or `different_people`; `None` while open.
    pub decision: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<i64>,
    /// Why.
    pub decision_reason: Option<String>,
}

const REVIEW_COLUMNS: &str = "id, record_a, record_b, reason, match_probability, explanation, created_at, decision, decided_by, decided_at, decision_reason";

fn review_from_row(r: &AnyRow) -> ReviewRow {
    ReviewRow {
        id: r.get(0),
        record_a: r.get(1),
        record_b: r.get(2),
        reason: r.get(3),
        match_probability: r.get(4),
        explanation: r.get(5),
        created_at: r.get(6),
        decision: r.get(7),
        decided_by: r.get(8),
        decided_at: r.get(9),
        decision_reason: r.get(10),
    }
}

/// A review item to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview<'a> {
    /// One record.
    pub record_a: &'a str,
    /// The other.
    pub record_b: &'a str,
    /// Why.
    pub reason: &'a str,
    /// Match probability.
    pub match_probability: f64,
    /// JSON explanation.
    pub explanation: &'a str,
}

/// A stored key check: `(key id, kind, encrypted check value)`.
pub type KeyCheckRow = (String, String, String);

/// `$first, $first+1, ...` for an IN list.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn person_on<'e>(
    e: impl Executor<'e, Database = Any>,
    person_id: &str,
) -> Result<Option<PersonRow>> {
    let row = sqlx::query(&format!(
        "SELECT {PERSON_COLUMNS} FROM registry_person WHERE person_id = $1"
    ))
    .bind(person_id)
    .fetch_optional(e)
    .await?;
    Ok(row.as_ref().map(person_from_row))
}

/// Records with any of `terms`, with the number of terms each matched, most first.
async fn persons_with_terms_on<'e>(
    e: impl Executor<'e, Database = Any>,
    terms: &[BlindTerm],
    limit: i64,
) -> Result<Vec<(PersonRow, i64)>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    // Terms are hex HMACs, unique across kinds (the kind is inside the HMAC input), so
    // matching the term alone is exact; the kind column is kept for rotation and counts.
    let sql = format!(
        "SELECT p.person_id, p.cluster_id, p.office, p.record, p.key_id, p.registered_by, p.registered_at, m.hits \
         FROM registry_person p JOIN ( \
           SELECT person_id, COUNT(*) AS hits FROM registry_blind_index WHERE term IN ({}) GROUP BY person_id \
         ) m ON m.person_id = p.person_id \
         ORDER BY m.hits DESC, p.person_id LIMIT ${}",
        placeholders(1, terms.len()),
        terms.len() + 1
    );
    let mut query = sqlx::query(&sql);
    for (_, term) in terms {
        query = query.bind(term);
    }
    let rows = query.bind(limit).fetch_all(e).await?;
    Ok(rows
        .iter()
        .map(|r| (person_from_row(r), r.get::<i64, _>(7)))
        .collect())
}

impl Tx {
    /// Every key check.
    pub async fn registry_key_checks(&mut self) -> Result<Vec<KeyCheckRow>> {
        let rows =
            sqlx::query("SELECT key_id, kind, check_value FROM registry_key_check ORDER BY key_id")
                .fetch_all(self.conn())
                .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    /// Record a key's check value.
    pub async fn insert_registry_key_check(
        &mut self,
        key_id: &str,
        kind: &str,
        check_value: &str,
        at: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO registry_key_check (key_id, kind, check_value, created_at) VALUES ($1, $2, $3, $4)")
            .bind(key_id)
            .bind(kind)
            .bind(check_value)
            .bind(at)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The newest linkage model (JSON).
    pub async fn latest_registry_model(&mut self) -> Result<Option<String>> {
        let row = sqlx::query("SELECT model FROM registry_model ORDER BY id DESC LIMIT 1")
            .fetch_optional(self.conn())
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Store a linkage model.
    pub async fn insert_registry_model(
        &mut self,
        model: &str,
        trained_on: &str,
        at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO registry_model (model, trained_on, trained_at) VALUES ($1, $2, $3)",
        )
        .bind(model)
        .bind(trained_on)
        .bind(at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A person record, read inside the transaction.
    pub async fn registry_person(&mut self, person_id: &str) -> Result<Option<PersonRow>> {
        person_on(self.conn(), person_id).await
    }

    /// Candidate records for linkage: those sharing a blind-index term.
    pub async fn registry_persons_with_terms(
        &mut self,
        terms: &[BlindTerm],
        limit: i64,
    ) -> Result<Vec<(PersonRow, i64)>> {
        persons_with_terms_on(self.conn(), terms, limit).await
    }

    /// Insert a person record with its blind-index terms.
    pub async fn insert_registry_person(
        &mut self,
        person: &PersonRow,
        terms: &[BlindTerm],
    ) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO registry_person ({PERSON_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(&person.person_id)
        .bind(&person.cluster_id)
        .bind(&person.office)
        .bind(&person.record)
        .bind(&person.key_id)
        .bind(&person.registered_by)
        .bind(person.registered_at)
        .execute(self.conn())
        .await?;
        let mut seen = std::collections::BTreeSet::new();
        for (kind, term) in terms {
            if !seen.insert((kind, term)) {
                continue;
            }
            sqlx::query(
                "INSERT INTO registry_blind_index (person_id, kind, term) VALUES ($1, $2, $3)",
            )
            .bind(&person.person_id)
            .bind(kind)
            .bind(term)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Move every record of cluster `from` into cluster `to` (a confirmed duplicate).
    pub async fn merge_registry_clusters(&mut self, from: &str, to: &str) -> Result<u64> {
        let done = sqlx::query("UPDATE registry_person SET cluster_id = $1 WHERE cluster_id = $2")
            .bind(to)
            .bind(from)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected())
    }

    /// Queue a pair for review; a pair already queued (or decided) is left as it is.
    pub async fn insert_registry_review(
        &mut self,
        review: &NewReview<'_>,
        at: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO registry_review (record_a, record_b, reason, match_probability, explanation, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (record_a, record_b) DO NOTHING",
        )
        .bind(review.record_a)
        .bind(review.record_b)
        .bind(review.reason)
        .bind(review.match_probability)
        .bind(review.explanation)
        .bind(at)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A review item, read inside the transaction.
    pub async fn registry_review(&mut self, id: i64) -> Result<Option<ReviewRow>> {
        let row = sqlx::query(&format!(
            "SELECT {REVIEW_COLUMNS} FROM registry_review WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.as_ref().map(review_from_row))
    }

    /// Every decided pair (`record_a`, `record_b`, same person?).
    pub async fn registry_decisions(&mut self) -> Result<Vec<(String, String, bool)>> {
        let rows = sqlx::query("SELECT record_a, record_b, decision FROM registry_review WHERE decision IS NOT NULL ORDER BY id")
            .fetch_all(self.conn())
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get::<String, _>(2) == "same_person"))
            .collect())
    }

    /// Record a caseworker's decision on an open item; false when it was already decided.
    pub async fn decide_registry_review(
        &mut self,
        id: i64,
        decision: &str,
        by: &str,
        at: i64,
        reason: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE registry_review SET decision = $1, decided_by = $2, decided_at = $3, decision_reason = $4 \
             WHERE id = $5 AND decision IS NULL",
        )
        .bind(decision)
        .bind(by)
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Insert a permit.
    pub async fn insert_registry_permit(&mut self, p: &PermitRow) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO registry_permit ({PERMIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&p.permit_id)
        .bind(&p.person_id)
        .bind(&p.program_id)
        .bind(&p.nationality)
        .bind(&p.state)
        .bind(p.valid_until.clone())
        .bind(&p.history)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A permit, read inside the transaction.
    pub async fn registry_permit(&mut self, permit_id: &str) -> Result<Option<PermitRow>> {
        let row = sqlx::query(&format!(
            "SELECT {PERMIT_COLUMNS} FROM registry_permit WHERE permit_id = $1"
        ))
        .bind(permit_id)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.as_ref().map(permit_from_row))
    }

    /// Write a permit's new state and history, only if its state is still `expected_state`
    /// (two officers moving one permit at once: the second is refused).
    pub async fn update_registry_permit(
        &mut self,
        p: &PermitRow,
        expected_state: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE registry_permit SET state = $1, valid_until = $2, history = $3, updated_at = $4 \
             WHERE permit_id = $5 AND state = $6",
        )
        .bind(&p.state)
        .bind(p.valid_until.clone())
        .bind(&p.history)
        .bind(p.updated_at)
        .bind(&p.permit_id)
        .bind(expected_state)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// A person record.
    pub async fn registry_person(&self, person_id: &str) -> Result<Option<PersonRow>> {
        person_on(self.pool(), person_id).await
    }

    /// Records sharing blind-index terms with a search, most terms matched first.
    pub async fn registry_persons_with_terms(
        &self,
        terms: &[BlindTerm],
        limit: i64,
    ) -> Result<Vec<(PersonRow, i64)>> {
        persons_with_terms_on(self.pool(), terms, limit).await
    }

    /// Records of one cluster (person), oldest first.
    pub async fn registry_cluster(&self, cluster_id: &str) -> Result<Vec<PersonRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM registry_person WHERE cluster_id = $1 ORDER BY registered_at, person_id"
        ))
        .bind(cluster_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(person_from_row).collect())
    }

    /// Number of records and of persons (clusters).
    pub async fn registry_counts(&self) -> Result<(i64, i64)> {
        let row = sqlx::query("SELECT COUNT(*), COUNT(DISTINCT cluster_id) FROM registry_person")
            .fetch_one(self.pool())
            .await?;
        Ok((row.get(0), row.get(1)))
    }

    /// Permits of a person's records.
    pub async fn registry_permits_of(&self, person_ids: &[String]) -> Result<Vec<PermitRow>> {
        if person_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {PERMIT_COLUMNS} FROM registry_permit WHERE person_id IN ({}) ORDER BY created_at, permit_id",
            placeholders(1, person_ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in person_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows.iter().map(permit_from_row).collect())
    }

    /// A permit.
    pub async fn registry_permit(&self, permit_id: &str) -> Result<Option<PermitRow>> {
        let row = sqlx::query(&format!(
            "SELECT {PERMIT_COLUMNS} FROM registry_permit WHERE permit_id = $1"
        ))
        .bind(permit_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(permit_from_row))
    }

    /// Every permit (for statistics: states, months and nationalities only are read).
    pub async fn registry_permits(&self) -> Result<Vec<PermitRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {PERMIT_COLUMNS} FROM registry_permit ORDER BY permit_id"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(permit_from_row).collect())
    }

    /// Review items, open ones (oldest first) or all (newest first).
    pub async fn registry_reviews(&self, open_only: bool, limit: i64) -> Result<Vec<ReviewRow>> {
        let sql = if open_only {
            format!("SELECT {REVIEW_COLUMNS} FROM registry_review WHERE decision IS NULL ORDER BY id LIMIT $1")
        } else {
            format!("SELECT {REVIEW_COLUMNS} FROM registry_review ORDER BY id DESC LIMIT $1")
        };
        let rows = sqlx::query(&sql).bind(limit).fetch_all(self.pool()).await?;
        Ok(rows.iter().map(review_from_row).collect())
    }

    /// A review item.
    pub async fn registry_review(&self, id: i64) -> Result<Option<ReviewRow>> {
        let row = sqlx::query(&format!(
            "SELECT {REVIEW_COLUMNS} FROM registry_review WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(review_from_row))
    }
}
