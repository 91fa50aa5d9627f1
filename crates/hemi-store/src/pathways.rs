//! The legal-pathways repository: Safe Mobility Office applications (households and
//! members), screening interviews, referrals and their outcomes, the caps ledger and
//! possible duplicates. SQL only: eligibility, the caps arithmetic and what an outcome
//! may follow are decided in `hemi-pathways` and applied by `hemi_app::pathways`.
//!
//! The caps are safe under concurrency by construction: a reservation is one
//! conditional `UPDATE ... WHERE places left >= asked` per bucket, so two transactions
//! racing for the last place cannot both succeed (PostgreSQL re-checks the condition on
//! the row the first one committed; SQLite runs one writer at a time). One active
//! referral per person and program is a unique column, `active_key`.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, Store, Tx};

/// A household's application.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationRow {
    /// Id.
    pub application_id: String,
    /// Office that received it.
    pub office: String,
    /// Day received (YYYY-MM-DD).
    pub received_on: String,
    /// Day withdrawn.
    pub withdrawn_on: Option<String>,
    /// Recording time, Unix seconds.
    pub recorded_at: i64,
}

/// A member of a household.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemberRow {
    /// Person id.
    pub person_id: String,
    /// Household.
    pub application_id: String,
    /// Order in the household, from 0 (the principal applicant).
    pub position: i64,
    /// Given names.
    pub given_names: String,
    /// Family names.
    pub family_names: String,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// `female` or `male`.
    pub sex: String,
    /// ISO3.
    pub nationality: String,
    /// Relationship to the principal.
    pub relationship: String,
    /// Facts known at intake, JSON.
    pub facts: String,
}

/// A screening interview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InterviewRow {
    /// Id (0 before insertion).
    pub id: i64,
    /// Household.
    pub application_id: String,
    /// Person.
    pub person_id: String,
    /// Day held.
    pub held_on: String,
    /// Who interviewed.
    pub interviewer: String,
    /// Every fact after the interview, JSON.
    pub facts: String,
    /// Notes.
    pub notes: String,
    /// Program → verdict on the day, JSON.
    pub verdicts: String,
    /// Recording time.
    pub recorded_at: i64,
}

/// A referral.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReferralRow {
    /// Id (0 before insertion).
    pub id: i64,
    /// Household.
    pub application_id: String,
    /// Person.
    pub person_id: String,
    /// Program key.
    pub program: String,
    /// Day referred.
    pub referred_on: String,
    /// Places held.
    pub places: i64,
    /// `pending`, `approved`, `denied`, `withdrawn` or `travelled`.
    pub state: String,
    /// Who referred.
    pub referred_by: String,
    /// Recording time.
    pub recorded_at: i64,
}

/// An outcome of a referral.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutcomeRow {
    /// Referral.
    pub referral_id: i64,
    /// `approved`, `denied`, `withdrawn`, `travelled`.
    pub kind: String,
    /// Day.
    pub on_date: String,
    /// Why.
    pub reason: String,
    /// Recording time.
    pub recorded_at: i64,
}

/// Running totals of one cap pool in one period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BucketRow {
    /// Cap pool key.
    pub pool: String,
    /// Period label.
    pub period: String,
    /// The cap's own limit.
    pub limit_places: i64,
    /// Places added by raises.
    pub raised_places: i64,
    /// Held by active referrals.
    pub reserved_places: i64,
    /// Consumed.
    pub used_places: i64,
    /// Given back.
    pub released_places: i64,
}

/// One movement of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerRow {
    /// Cap pool key.
    pub pool: String,
    /// Period label.
    pub period: String,
    /// Program charged.
    pub program: String,
    /// Referral, for reserve/use/release.
    pub referral_id: Option<i64>,
    /// `reserve`, `use`, `release` or `raise`.
    pub movement: String,
    /// Places.
    pub places: i64,
    /// Day.
    pub on_date: String,
    /// Why (raises).
    pub reason: String,
    /// Recording time.
    pub recorded_at: i64,
}

/// A possible duplicate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DuplicateRow {
    /// Id (0 before insertion).
    pub id: i64,
    /// Earlier record's application.
    pub first_application: String,
    /// Earlier record's person.
    pub first_person: String,
    /// Later record's application.
    pub second_application: String,
    /// Later record's person.
    pub second_person: String,
    /// `exact` or `fuzzy`.
    pub likeness: String,
    /// Name similarity, 0–1.
    pub similarity: f64,
    /// `open`, `same_person`, `different_people`.
    pub status: String,
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation() || {
                let m = d.message().to_ascii_lowercase();
                m.contains("unique") || m.contains("duplicate key")
            }
        }
        _ => false,
    }
}

const APPLICATION_COLUMNS: &str = "application_id, office, received_on, withdrawn_on, recorded_at";

fn application_from_row(r: &AnyRow) -> ApplicationRow {
    ApplicationRow {
        application_id: r.get(0),
        office: r.get(1),
        received_on: r.get(2),
        withdrawn_on: r.get(3),
        recorded_at: r.get(4),
    }
}

const MEMBER_COLUMNS: &str = "person_id, application_id, position, given_names, family_names, date_of_birth, sex, nationality, relationship, facts";

fn member_from_row(r: &AnyRow) -> MemberRow {
    MemberRow {
        person_id: r.get(0),
        application_id: r.get(1),
        position: r.get(2),
        given_names: r.get(3),
        family_names: r.get(4),
        date_of_birth: r.get(5),
        sex: r.get(6),
        nationality: r.get(7),
        relationship: r.get(8),
        facts: r.get(9),
    }
}

const INTERVIEW_COLUMNS: &str =
    "id, application_id, person_id, held_on, interviewer, facts, notes, verdicts, recorded_at";

fn interview_from_row(r: &AnyRow) -> InterviewRow {
    InterviewRow {
        id: r.get(0),
        application_id: r.get(1),
        person_id: r.get(2),
        held_on: r.get(3),
        interviewer: r.get(4),
        facts: r.get(5),
        notes: r.get(6),
        verdicts: r.get(7),
        recorded_at: r.get(8),
    }
}

const REFERRAL_COLUMNS: &str =
    "id, application_id, person_id, program, referred_on, places, state, referred_by, recorded_at";

fn referral_from_row(r: &AnyRow) -> ReferralRow {
    ReferralRow {
        id: r.get(0),
        application_id: r.get(1),
        person_id: r.get(2),
        program: r.get(3),
        referred_on: r.get(4),
        places: r.get(5),
        state: r.get(6),
        referred_by: r.get(7),
        recorded_at: r.get(8),
    }
}

const BUCKET_COLUMNS: &str =
    "pool, period, limit_places, raised_places, reserved_places, used_places, released_places";

fn bucket_from_row(r: &AnyRow) -> BucketRow {
    BucketRow {
        pool: r.get(0),
        period: r.get(1),
        limit_places: r.get(2),
        raised_places: r.get(3),
        reserved_places: r.get(4),
        used_places: r.get(5),
        released_places: r.get(6),
    }
}

const LEDGER_COLUMNS: &str =
    "pool, period, program, referral_id, movement, places, on_date, reason, recorded_at";

fn ledger_from_row(r: &AnyRow) -> LedgerRow {
    LedgerRow {
        pool: r.get(0),
        period: r.get(1),
        program: r.get(2),
        referral_id: r.get(3),
        movement: r.get(4),
        places: r.get(5),
        on_date: r.get(6),
        reason: r.get(7),
        recorded_at: r.get(8),
    }
}

const DUPLICATE_COLUMNS: &str = "id, first_application, first_person, second_application, second_person, likeness, similarity, status";

fn duplicate_from_row(r: &AnyRow) -> DuplicateRow {
    DuplicateRow {
        id: r.get(0),
        first_application: r.get(1),
        first_person: r.get(2),
        second_application: r.get(3),
        second_person: r.get(4),
        likeness: r.get(5),
        similarity: r.get(6),
        status: r.get(7),
    }
}

impl Tx {
    /// Add an application; `false` when its id is taken (nothing written).
    pub async fn insert_pathways_application(&mut self, a: &ApplicationRow) -> Result<bool> {
        let result = sqlx::query(&format!(
            "INSERT INTO pathways_application ({APPLICATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
        ))
        .bind(&a.application_id)
        .bind(&a.office)
        .bind(&a.received_on)
        .bind(a.withdrawn_on.clone())
        .bind(a.recorded_at)
        .execute(self.conn())
        .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Add a member; `false` when the person id is taken.
    pub async fn insert_pathways_member(&mut self, m: &MemberRow) -> Result<bool> {
        let result = sqlx::query(&format!(
            "INSERT INTO pathways_member ({MEMBER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&m.person_id)
        .bind(&m.application_id)
        .bind(m.position)
        .bind(&m.given_names)
        .bind(&m.family_names)
        .bind(m.date_of_birth.clone())
        .bind(&m.sex)
        .bind(&m.nationality)
        .bind(&m.relationship)
        .bind(&m.facts)
        .execute(self.conn())
        .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Record an interview; returns its id.
    pub async fn insert_pathways_interview(&mut self, i: &InterviewRow) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO pathways_interview (application_id, person_id, held_on, interviewer, facts, notes, verdicts, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&i.application_id)
        .bind(&i.person_id)
        .bind(&i.held_on)
        .bind(&i.interviewer)
        .bind(&i.facts)
        .bind(&i.notes)
        .bind(&i.verdicts)
        .bind(i.recorded_at)
        .fetch_one(self.conn())
        .await?;
        Ok(row.get(0))
    }

    /// Record a referral as active; `None` when the person already has an active
    /// referral to the program (the unique `active_key`), nothing written.
    pub async fn insert_pathways_referral(&mut self, r: &ReferralRow) -> Result<Option<i64>> {
        let result = sqlx::query(
            "INSERT INTO pathways_referral (application_id, person_id, program, referred_on, places, state, active_key, referred_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&r.application_id)
        .bind(&r.person_id)
        .bind(&r.program)
        .bind(&r.referred_on)
        .bind(r.places)
        .bind(&r.state)
        .bind(format!("{}|{}", r.person_id, r.program))
        .bind(&r.referred_by)
        .bind(r.recorded_at)
        .fetch_one(self.conn())
        .await;
        match result {
            Ok(row) => Ok(Some(row.get(0))),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A referral read inside the transaction (to decide an outcome on current state).
    pub async fn pathways_referral(&mut self, id: i64) -> Result<Option<ReferralRow>> {
        let row = sqlx::query(&format!(
            "SELECT {REFERRAL_COLUMNS} FROM pathways_referral WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.as_ref().map(referral_from_row))
    }

    /// Move a referral to `state` if it is still in `from` (so two officers recording
    /// outcomes at once cannot both succeed); an inactive state frees `active_key`.
    /// Returns whether it moved.
    pub async fn set_pathways_referral_state(
        &mut self,
        id: i64,
        from: &str,
        state: &str,
        active: bool,
    ) -> Result<bool> {
        let sql = if active {
            "UPDATE pathways_referral SET state = $1 WHERE id = $2 AND state = $3"
        } else {
            "UPDATE pathways_referral SET state = $1, active_key = NULL WHERE id = $2 AND state = $3"
        };
        let done = sqlx::query(sql)
            .bind(state)
            .bind(id)
            .bind(from)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Record an outcome.
    pub async fn insert_pathways_outcome(&mut self, o: &OutcomeRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO pathways_outcome (referral_id, kind, on_date, reason, recorded_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(o.referral_id)
        .bind(&o.kind)
        .bind(&o.on_date)
        .bind(&o.reason)
        .bind(o.recorded_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    async fn ensure_bucket(&mut self, pool: &str, period: &str, limit: i64) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO pathways_cap_bucket ({BUCKET_COLUMNS}) VALUES ($1, $2, $3, 0, 0, 0, 0) \
             ON CONFLICT (pool, period) DO NOTHING"
        ))
        .bind(pool)
        .bind(period)
        .bind(limit)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Reserve `places` in a bucket (created with `limit` if new) if that many are
    /// left, in one conditional statement. Returns whether they were reserved.
    pub async fn reserve_cap_places(
        &mut self,
        pool: &str,
        period: &str,
        limit: i64,
        places: i64,
    ) -> Result<bool> {
        self.ensure_bucket(pool, period, limit).await?;
        let done = sqlx::query(
            "UPDATE pathways_cap_bucket SET reserved_places = reserved_places + $1 \
             WHERE pool = $2 AND period = $3 \
             AND limit_places + raised_places - reserved_places - used_places >= $4",
        )
        .bind(places)
        .bind(pool)
        .bind(period)
        .bind(places)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Turn reserved places into used ones (`used = true`) or give them back; only if
    /// that many are reserved. Returns whether it happened.
    pub async fn settle_cap_places(
        &mut self,
        pool: &str,
        period: &str,
        places: i64,
        used: bool,
    ) -> Result<bool> {
        let sql = if used {
            "UPDATE pathways_cap_bucket SET reserved_places = reserved_places - $1, used_places = used_places + $2 \
             WHERE pool = $3 AND period = $4 AND reserved_places >= $5"
        } else {
            "UPDATE pathways_cap_bucket SET reserved_places = reserved_places - $1, released_places = released_places + $2 \
             WHERE pool = $3 AND period = $4 AND reserved_places >= $5"
        };
        let done = sqlx::query(sql)
            .bind(places)
            .bind(places)
            .bind(pool)
            .bind(period)
            .bind(places)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Raise a cap (emergency capacity), creating the bucket with `limit` if new.
    pub async fn raise_cap_places(
        &mut self,
        pool: &str,
        period: &str,
        limit: i64,
        places: i64,
    ) -> Result<()> {
        self.ensure_bucket(pool, period, limit).await?;
        sqlx::query(
            "UPDATE pathways_cap_bucket SET raised_places = raised_places + $1 WHERE pool = $2 AND period = $3",
        )
        .bind(places)
        .bind(pool)
        .bind(period)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Append a ledger line.
    pub async fn insert_ledger_line(&mut self, l: &LedgerRow) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO pathways_ledger ({LEDGER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&l.pool)
        .bind(&l.period)
        .bind(&l.program)
        .bind(l.referral_id)
        .bind(&l.movement)
        .bind(l.places)
        .bind(&l.on_date)
        .bind(&l.reason)
        .bind(l.recorded_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The ledger lines of one referral, in order.
    pub async fn referral_ledger(&mut self, referral_id: i64) -> Result<Vec<LedgerRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {LEDGER_COLUMNS} FROM pathways_ledger WHERE referral_id = $1 ORDER BY id"
        ))
        .bind(referral_id)
        .fetch_all(self.conn())
        .await?;
        Ok(rows.iter().map(ledger_from_row).collect())
    }

    /// Flag a possible duplicate; `false` when the pair is already flagged.
    pub async fn insert_pathways_duplicate(&mut self, d: &DuplicateRow, at: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO pathways_duplicate (first_application, first_person, second_application, second_person, likeness, similarity, status, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (first_person, second_person) DO NOTHING",
        )
        .bind(&d.first_application)
        .bind(&d.first_person)
        .bind(&d.second_application)
        .bind(&d.second_person)
        .bind(&d.likeness)
        .bind(d.similarity)
        .bind(&d.status)
        .bind(at)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// Applications, of one office when given, oldest first.
    pub async fn pathways_applications(&self, office: Option<&str>) -> Result<Vec<ApplicationRow>> {
        let rows = match office {
            Some(o) => {
                sqlx::query(&format!(
                    "SELECT {APPLICATION_COLUMNS} FROM pathways_application WHERE office = $1 ORDER BY received_on, application_id"
                ))
                .bind(o)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {APPLICATION_COLUMNS} FROM pathways_application ORDER BY received_on, application_id"
                ))
                .fetch_all(self.pool())
                .await?
            }
        };
        Ok(rows.iter().map(application_from_row).collect())
    }

    /// One application.
    pub async fn pathways_application(&self, id: &str) -> Result<Option<ApplicationRow>> {
        let row = sqlx::query(&format!(
            "SELECT {APPLICATION_COLUMNS} FROM pathways_application WHERE application_id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(application_from_row))
    }

    /// Ids of every application (to suggest a close one).
    pub async fn pathways_application_ids(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT application_id FROM pathways_application")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// The rows `one` selects for an application (bound as `$1`), or those `all`
    /// selects when no application is named.
    async fn rows_of_application(
        &self,
        application_id: Option<&str>,
        one: &str,
        all: &str,
    ) -> Result<Vec<AnyRow>> {
        Ok(match application_id {
            Some(a) => sqlx::query(one).bind(a).fetch_all(self.pool()).await?,
            None => sqlx::query(all).fetch_all(self.pool()).await?,
        })
    }

    /// Members of one application (all when `None`), in household order.
    pub async fn pathways_members(&self, application_id: Option<&str>) -> Result<Vec<MemberRow>> {
        let rows = self
            .rows_of_application(
                application_id,
                &format!("SELECT {MEMBER_COLUMNS} FROM pathways_member WHERE application_id = $1 ORDER BY position"),
                &format!("SELECT {MEMBER_COLUMNS} FROM pathways_member ORDER BY application_id, position"),
            )
            .await?;
        Ok(rows.iter().map(member_from_row).collect())
    }

    /// Interviews of one application (all when `None`), in order.
    pub async fn pathways_interviews(
        &self,
        application_id: Option<&str>,
    ) -> Result<Vec<InterviewRow>> {
        let rows = self
            .rows_of_application(
                application_id,
                &format!("SELECT {INTERVIEW_COLUMNS} FROM pathways_interview WHERE application_id = $1 ORDER BY id"),
                &format!("SELECT {INTERVIEW_COLUMNS} FROM pathways_interview ORDER BY id"),
            )
            .await?;
        Ok(rows.iter().map(interview_from_row).collect())
    }

    /// Referrals of one application (all when `None`), in order.
    pub async fn pathways_referrals(
        &self,
        application_id: Option<&str>,
    ) -> Result<Vec<ReferralRow>> {
        let rows = self
            .rows_of_application(
                application_id,
                &format!("SELECT {REFERRAL_COLUMNS} FROM pathways_referral WHERE application_id = $1 ORDER BY id"),
                &format!("SELECT {REFERRAL_COLUMNS} FROM pathways_referral ORDER BY id"),
            )
            .await?;
        Ok(rows.iter().map(referral_from_row).collect())
    }

    /// Outcomes of the referrals of one application (all when `None`), in order.
    pub async fn pathways_outcomes(&self, application_id: Option<&str>) -> Result<Vec<OutcomeRow>> {
        let columns = "o.referral_id, o.kind, o.on_date, o.reason, o.recorded_at";
        let rows = self
            .rows_of_application(
                application_id,
                &format!("SELECT {columns} FROM pathways_outcome o JOIN pathways_referral r ON r.id = o.referral_id \
                     WHERE r.application_id = $1 ORDER BY o.id"),
                &format!("SELECT {columns} FROM pathways_outcome o ORDER BY o.id"),
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| OutcomeRow {
                referral_id: r.get(0),
                kind: r.get(1),
                on_date: r.get(2),
                reason: r.get(3),
                recorded_at: r.get(4),
            })
            .collect())
    }

    /// Every cap bucket with its totals.
    pub async fn cap_buckets(&self) -> Result<Vec<BucketRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {BUCKET_COLUMNS} FROM pathways_cap_bucket ORDER BY pool, period"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(bucket_from_row).collect())
    }

    /// The whole ledger, in order.
    pub async fn cap_ledger(&self) -> Result<Vec<LedgerRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {LEDGER_COLUMNS} FROM pathways_ledger ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(ledger_from_row).collect())
    }

    /// Possible duplicates, newest first.
    pub async fn pathways_duplicates(&self) -> Result<Vec<DuplicateRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {DUPLICATE_COLUMNS} FROM pathways_duplicate ORDER BY id DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(duplicate_from_row).collect())
    }
}
