//! Allocation rows: lottery registrations, draws with their committed and published
//! texts, placement instances and plans. Rules (what may be drawn, what a plan costs)
//! are `hemi-allocation`'s, called from `hemi-app`.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Result, Store, Tx};

/// A stored registration: the household's id, day and size, and the whole record as
/// JSON (members stay private).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    /// Pseudonymous household id.
    pub household_id: String,
    /// YYYY-MM-DD.
    pub registered_on: String,
    /// Members.
    pub people: i64,
    /// The registration as JSON.
    pub record: String,
}

/// A draw as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DrawRow {
    /// Id.
    pub id: i64,
    /// Day of the appointments.
    pub draw_date: String,
    /// Last day of registration counted.
    pub registration_closed_on: String,
    /// Canonical policy text committed to.
    #[serde(skip)]
    pub policy_text: String,
    /// Canonical registrations text committed to.
    #[serde(skip)]
    pub registrations_text: String,
    /// Hex SHA-256 of the two texts.
    pub commitment: String,
    /// Households in the list.
    pub households: i64,
    /// People in the list.
    pub people: i64,
    /// Where the public value comes from.
    pub public_value_source: String,
    /// Unix seconds.
    pub opened_at: i64,
    /// Who opened it.
    pub opened_by: String,
    /// The public value, once drawn.
    pub public_value: Option<String>,
    /// Seed derived from commitment and public value.
    pub seed: Option<String>,
    /// Published statistics (JSON).
    #[serde(skip)]
    pub statistics: Option<String>,
    /// Unix seconds.
    pub drawn_at: Option<i64>,
    /// Who ran it.
    pub drawn_by: Option<String>,
}

/// What opening a draw stores.
#[derive(Debug, Clone)]
pub struct NewDraw<'a> {
    /// Day of the appointments.
    pub draw_date: &'a str,
    /// Last day of registration counted.
    pub registration_closed_on: &'a str,
    /// Canonical policy text.
    pub policy_text: &'a str,
    /// Canonical registrations text.
    pub registrations_text: &'a str,
    /// Commitment.
    pub commitment: &'a str,
    /// Households in the list.
    pub households: i64,
    /// People in the list.
    pub people: i64,
    /// Where the public value will come from.
    pub public_value_source: &'a str,
}

/// A placement instance's summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InstanceRow {
    /// Id.
    pub id: i64,
    /// Name given.
    pub name: String,
    /// Households.
    pub households: i64,
    /// People in them.
    pub people: i64,
    /// Sites.
    pub sites: i64,
    /// Places in all sites.
    pub capacity_people: i64,
    /// Candidate pairs.
    pub arcs: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Who stored it.
    pub created_by: String,
}

/// An instance's three files.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceFiles {
    /// households.csv.
    pub households_csv: String,
    /// sites.csv.
    pub sites_csv: String,
    /// arcs.csv.
    pub arcs_csv: String,
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlanRow {
    /// Id.
    pub id: i64,
    /// The instance it places.
    pub instance_id: i64,
    /// household_id,site_id.
    #[serde(skip)]
    pub plan_csv: String,
    /// Prices per person by site (JSON array).
    #[serde(skip)]
    pub prices: String,
    /// Objective.
    pub objective: f64,
    /// Proved upper bound (solved plans).
    pub upper_bound: Option<f64>,
    /// Relative gap to the bound.
    pub relative_gap: Option<f64>,
    /// Households placed.
    pub households_placed: i64,
    /// Households not placed.
    pub households_unplaced: i64,
    /// Capacities and hard ties hold.
    pub feasible: bool,
    /// The plan an override changed.
    pub based_on: Option<i64>,
    /// The household an override moved.
    pub household_id: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Who.
    pub created_by: String,
}

const DRAW_COLUMNS: &str = "id, draw_date, registration_closed_on, policy_text, registrations_text, commitment, households, people, public_value_source, opened_at, opened_by, public_value, seed, statistics, drawn_at, drawn_by";

fn draw_row(r: &AnyRow) -> DrawRow {
    DrawRow {
        id: r.get(0),
        draw_date: r.get(1),
        registration_closed_on: r.get(2),
        policy_text: r.get(3),
        registrations_text: r.get(4),
        commitment: r.get(5),
        households: r.get(6),
        people: r.get(7),
        public_value_source: r.get(8),
        opened_at: r.get(9),
        opened_by: r.get(10),
        public_value: r.get(11),
        seed: r.get(12),
        statistics: r.get(13),
        drawn_at: r.get(14),
        drawn_by: r.get(15),
    }
}

const INSTANCE_COLUMNS: &str =
    "id, name, households, people, sites, capacity_people, arcs, created_at, created_by";

fn instance_row(r: &AnyRow) -> InstanceRow {
    InstanceRow {
        id: r.get(0),
        name: r.get(1),
        households: r.get(2),
        people: r.get(3),
        sites: r.get(4),
        capacity_people: r.get(5),
        arcs: r.get(6),
        created_at: r.get(7),
        created_by: r.get(8),
    }
}

const PLAN_COLUMNS: &str = "id, instance_id, plan_csv, prices, objective, upper_bound, relative_gap, households_placed, households_unplaced, feasible, based_on, household_id, reason, created_at, created_by";

fn plan_row(r: &AnyRow) -> PlanRow {
    PlanRow {
        id: r.get(0),
        instance_id: r.get(1),
        plan_csv: r.get(2),
        prices: r.get(3),
        objective: r.get(4),
        upper_bound: r.get(5),
        relative_gap: r.get(6),
        households_placed: r.get(7),
        households_unplaced: r.get(8),
        feasible: r.get::<i64, _>(9) != 0,
        based_on: r.get(10),
        household_id: r.get(11),
        reason: r.get(12),
        created_at: r.get(13),
        created_by: r.get(14),
    }
}

/// What a new plan stores.
#[derive(Debug, Clone)]
pub struct NewPlan<'a> {
    /// The instance.
    pub instance_id: i64,
    /// household_id,site_id.
    pub plan_csv: &'a str,
    /// Prices per person (JSON).
    pub prices: &'a str,
    /// Objective.
    pub objective: f64,
    /// Bound.
    pub upper_bound: Option<f64>,
    /// Gap.
    pub relative_gap: Option<f64>,
    /// Households placed.
    pub households_placed: i64,
    /// Households unplaced.
    pub households_unplaced: i64,
    /// Capacities and hard ties hold.
    pub feasible: bool,
    /// Override: the plan changed.
    pub based_on: Option<i64>,
    /// Override: the household moved.
    pub household_id: Option<&'a str>,
    /// Override: why.
    pub reason: Option<&'a str>,
}

impl Tx {
    /// Household ids among `ids` that are registered already.
    pub async fn registered_ids(&mut self, ids: &[String]) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for id in ids {
            let row = sqlx::query(
                "SELECT household_id FROM lottery_registration WHERE household_id = $1",
            )
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
            if let Some(r) = row {
                found.push(r.get(0));
            }
        }
        Ok(found)
    }

    /// Store registrations.
    pub async fn insert_registrations(
        &mut self,
        rows: &[RegistrationRow],
        at: i64,
        by: &str,
    ) -> Result<()> {
        for r in rows {
            sqlx::query(
                "INSERT INTO lottery_registration (household_id, registered_on, people, record, registered_at, registered_by) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&r.household_id)
            .bind(&r.registered_on)
            .bind(r.people)
            .bind(&r.record)
            .bind(at)
            .bind(by)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Registrations on or before a day, by household id.
    pub async fn registrations_until(&mut self, closed_on: &str) -> Result<Vec<RegistrationRow>> {
        let rows = sqlx::query(
            "SELECT household_id, registered_on, people, record FROM lottery_registration \
             WHERE registered_on <= $1 ORDER BY household_id",
        )
        .bind(closed_on)
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .iter()
            .map(|r| RegistrationRow {
                household_id: r.get(0),
                registered_on: r.get(1),
                people: r.get(2),
                record: r.get(3),
            })
            .collect())
    }

    /// Record an opened draw; returns its id.
    pub async fn insert_draw(&mut self, d: &NewDraw<'_>, at: i64, by: &str) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO lottery_draw (draw_date, registration_closed_on, policy_text, registrations_text, commitment, households, people, public_value_source, opened_at, opened_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(d.draw_date)
        .bind(d.registration_closed_on)
        .bind(d.policy_text)
        .bind(d.registrations_text)
        .bind(d.commitment)
        .bind(d.households)
        .bind(d.people)
        .bind(d.public_value_source)
        .bind(at)
        .bind(by)
        .fetch_one(self.conn())
        .await?;
        Ok(row.get(0))
    }

    /// A draw, locked for the rest of the transaction where the backend can.
    pub async fn draw(&mut self, id: i64) -> Result<Option<DrawRow>> {
        let row = sqlx::query(&format!(
            "SELECT {DRAW_COLUMNS} FROM lottery_draw WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.as_ref().map(draw_row))
    }

    /// Record the outcome of a draw; false when it was drawn already.
    pub async fn record_draw(
        &mut self,
        id: i64,
        public_value: &str,
        seed: &str,
        statistics: &str,
        at: i64,
        by: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE lottery_draw SET public_value = $1, seed = $2, statistics = $3, drawn_at = $4, drawn_by = $5 \
             WHERE id = $6 AND drawn_at IS NULL",
        )
        .bind(public_value)
        .bind(seed)
        .bind(statistics)
        .bind(at)
        .bind(by)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Publish one file of a draw (replacing an earlier copy of the same file).
    pub async fn publish(
        &mut self,
        draw_id: i64,
        file: &str,
        content: &str,
        at: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM lottery_publication WHERE draw_id = $1 AND file = $2")
            .bind(draw_id)
            .bind(file)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO lottery_publication (draw_id, file, content, published_at) VALUES ($1, $2, $3, $4)")
            .bind(draw_id)
            .bind(file)
            .bind(content)
            .bind(at)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Store an instance; returns its id.
    pub async fn insert_instance(
        &mut self,
        name: &str,
        files: &InstanceFiles,
        counts: [i64; 5],
        at: i64,
        by: &str,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO placement_instance (name, households_csv, sites_csv, arcs_csv, households, people, sites, capacity_people, arcs, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(name)
        .bind(&files.households_csv)
        .bind(&files.sites_csv)
        .bind(&files.arcs_csv)
        .bind(counts[0])
        .bind(counts[1])
        .bind(counts[2])
        .bind(counts[3])
        .bind(counts[4])
        .bind(at)
        .bind(by)
        .fetch_one(self.conn())
        .await?;
        Ok(row.get(0))
    }

    /// Store a plan; returns its id.
    pub async fn insert_plan(&mut self, p: &NewPlan<'_>, at: i64, by: &str) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO placement_plan (instance_id, plan_csv, prices, objective, upper_bound, relative_gap, households_placed, households_unplaced, feasible, based_on, household_id, reason, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(p.instance_id)
        .bind(p.plan_csv)
        .bind(p.prices)
        .bind(p.objective)
        .bind(p.upper_bound)
        .bind(p.relative_gap)
        .bind(p.households_placed)
        .bind(p.households_unplaced)
        .bind(i64::from(p.feasible))
        .bind(p.based_on)
        .bind(p.household_id)
        .bind(p.reason)
        .bind(at)
        .bind(by)
        .fetch_one(self.conn())
        .await?;
        Ok(row.get(0))
    }
}

impl Store {
    /// Registered households.
    pub async fn registration_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM lottery_registration")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get(0))
    }

    /// Every draw, newest first.
    pub async fn draws(&self) -> Result<Vec<DrawRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {DRAW_COLUMNS} FROM lottery_draw ORDER BY id DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(draw_row).collect())
    }

    /// One draw.
    pub async fn draw(&self, id: i64) -> Result<Option<DrawRow>> {
        let row = sqlx::query(&format!(
            "SELECT {DRAW_COLUMNS} FROM lottery_draw WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(draw_row))
    }

    /// The published files of a draw, by file name.
    pub async fn publications(&self, draw_id: i64) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT file, content FROM lottery_publication WHERE draw_id = $1 ORDER BY file",
        )
        .bind(draw_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Instances, newest first.
    pub async fn instances(&self) -> Result<Vec<InstanceRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {INSTANCE_COLUMNS} FROM placement_instance ORDER BY id DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(instance_row).collect())
    }

    /// One instance with its files.
    pub async fn instance(&self, id: i64) -> Result<Option<(InstanceRow, InstanceFiles)>> {
        let row = sqlx::query(&format!(
            "SELECT {INSTANCE_COLUMNS}, households_csv, sites_csv, arcs_csv FROM placement_instance WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| {
            (
                instance_row(&r),
                InstanceFiles {
                    households_csv: r.get(9),
                    sites_csv: r.get(10),
                    arcs_csv: r.get(11),
                },
            )
        }))
    }

    /// Plans, newest first (of one instance, or all).
    pub async fn plans(&self, instance_id: Option<i64>) -> Result<Vec<PlanRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS} FROM placement_plan WHERE ($1 = 0 OR instance_id = $1) ORDER BY id DESC"
        ))
        .bind(instance_id.unwrap_or(0))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(plan_row).collect())
    }

    /// One plan.
    pub async fn plan(&self, id: i64) -> Result<Option<PlanRow>> {
        let row = sqlx::query(&format!(
            "SELECT {PLAN_COLUMNS} FROM placement_plan WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(plan_row))
    }
}
