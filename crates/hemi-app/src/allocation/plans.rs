//! Placement stored: instances (their three files), plans solved with their proved
//! bound, and overrides of one household with a reason, each evaluated against the
//! instance and written with its audit entry. Explanations and occupancy are computed
//! from the stored files on demand.

use std::sync::Arc;

use hemi_allocation::placement::{
    self, Explanation, Instance, Plan, PlanEvaluation, SiteOccupancy, SolveOptions,
};
use hemi_store::allocation::{InstanceFiles, InstanceRow, NewPlan, PlanRow};

use super::{allocation_error, blocking, PlacementFileNames};
use crate::progress::Progress;
use crate::{Actor, App, AppError, Problems, Result};

/// Names the stored files carry in problems.
fn stored_names() -> PlacementFileNames {
    PlacementFileNames {
        households: "households.csv".into(),
        sites: "sites.csv".into(),
        arcs: "arcs.csv".into(),
    }
}

fn read(files: &InstanceFiles, names: &PlacementFileNames) -> Result<Instance> {
    placement::read_instance(
        (files.households_csv.as_bytes(), names.households.as_str()),
        (files.sites_csv.as_bytes(), names.sites.as_str()),
        (files.arcs_csv.as_bytes(), names.arcs.as_str()),
    )
    .map_err(|e| allocation_error(e, names))
}

/// A plan with its instance, and where every site stands under it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanDetail {
    /// The plan.
    pub plan: PlanRow,
    /// Its instance.
    pub instance: InstanceRow,
    /// Occupancy of every site, fullest first.
    pub occupancy: Vec<SiteOccupancy>,
}

/// What an override did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Override {
    /// The new plan.
    pub plan: PlanRow,
    /// Its evaluation.
    pub evaluation: PlanEvaluation,
    /// Where the household was.
    pub from_site: Option<String>,
    /// Objective of the plan overridden.
    pub previous_objective: f64,
}

/// What an override asks.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OverrideRequest {
    /// The household to move.
    pub household_id: String,
    /// Its new site; empty = not placed.
    pub site_id: String,
    /// Why (recorded in the plan and the audit log).
    pub reason: String,
}

fn plan_text_of(instance: &Instance, plan: &Plan) -> String {
    placement::write_plan(instance, plan)
}

impl App {
    /// Store a placement instance given as its three files (checked as `hemi placement
    /// solve` checks them).
    pub async fn store_placement_instance(
        &self,
        name: &str,
        files: InstanceFiles,
        names: PlacementFileNames,
        actor: &Actor,
    ) -> Result<InstanceRow> {
        if name.trim().is_empty() {
            return Err(AppError::invalid(
                "name",
                "the instance needs a name",
                "e.g. \"June arrivals\"",
            ));
        }
        let (files, instance) = blocking("placement instance", move || {
            let instance = read(&files, &names)?;
            Ok((files, instance))
        })
        .await?;
        let counts = [
            instance.households.len() as i64,
            instance.people() as i64,
            instance.sites.len() as i64,
            instance.capacity_people() as i64,
            instance.arc_count() as i64,
        ];
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_instance(name.trim(), &files, counts, actor.at, &actor.label())
            .await?;
        tx.audit(&actor.audit(
            "placement_instance_stored",
            &format!("instance {id}"),
            format!(
                "{}: {} households ({} people), {} sites ({} places), {} arcs",
                name.trim(),
                counts[0],
                counts[1],
                counts[2],
                counts[3],
                counts[4]
            ),
        ))
        .await?;
        tx.commit().await?;
        self.placement_instance(id).await.map(|(row, _)| row)
    }

    /// Instances, newest first.
    pub async fn placement_instances(&self) -> Result<Vec<InstanceRow>> {
        Ok(self.store().instances().await?)
    }

    async fn placement_instance(&self, id: i64) -> Result<(InstanceRow, InstanceFiles)> {
        self.store().instance(id).await?.ok_or_else(|| {
            AppError::not_found(
                "instance",
                id.to_string(),
                "`hemi placement instances` lists them",
            )
        })
    }

    /// Plans, newest first (of one instance, or all).
    pub async fn placement_plans(&self, instance_id: Option<i64>) -> Result<Vec<PlanRow>> {
        Ok(self.store().plans(instance_id).await?)
    }

    async fn plan_row(&self, id: i64) -> Result<PlanRow> {
        self.store().plan(id).await?.ok_or_else(|| {
            AppError::not_found("plan", id.to_string(), "`hemi placement plans` lists them")
        })
    }

    /// Solve a stored instance and store the plan with its bound and gap.
    pub async fn solve_stored_instance(
        &self,
        instance_id: i64,
        allow_partial: bool,
        actor: &Actor,
        progress: Arc<dyn Progress>,
    ) -> Result<PlanRow> {
        let (row, files) = self.placement_instance(instance_id).await?;
        let (plan_csv, prices, report) = blocking("placement", move || {
            let names = stored_names();
            let instance = read(&files, &names)?;
            progress.message("solving");
            let report = placement::solve(
                &instance,
                &SolveOptions {
                    allow_partial,
                    ..SolveOptions::default()
                },
                &|_, _| {},
            )
            .map_err(|e| allocation_error(e, &names))?;
            let prices = serde_json::to_string(&report.price_per_person)
                .map_err(|e| AppError::Internal(e.into()))?;
            Ok((plan_text_of(&instance, &report.plan), prices, report))
        })
        .await?;
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_plan(
                &NewPlan {
                    instance_id,
                    plan_csv: &plan_csv,
                    prices: &prices,
                    objective: report.objective,
                    upper_bound: Some(report.upper_bound),
                    relative_gap: Some(report.relative_gap),
                    households_placed: report.households_placed as i64,
                    households_unplaced: report.households_unplaced as i64,
                    feasible: true,
                    based_on: None,
                    household_id: None,
                    reason: None,
                },
                actor.at,
                &actor.label(),
            )
            .await?;
        tx.audit(&actor.audit(
            "placement_plan_solved",
            &format!("plan {id}"),
            format!(
                "instance {instance_id} ({}): objective {:.4}, bound {:.4}, gap {:.4} %, {} placed, {} unplaced",
                row.name,
                report.objective,
                report.upper_bound,
                100.0 * report.relative_gap,
                report.households_placed,
                report.households_unplaced
            ),
        ))
        .await?;
        tx.commit().await?;
        self.plan_row(id).await
    }

    async fn plan_with_instance(
        &self,
        plan_id: i64,
    ) -> Result<(PlanRow, InstanceRow, Instance, Plan)> {
        let plan_row = self.plan_row(plan_id).await?;
        let (instance_row, files) = self.placement_instance(plan_row.instance_id).await?;
        let csv = plan_row.plan_csv.clone();
        let (instance, plan) = blocking("placement", move || {
            let instance = read(&files, &stored_names())?;
            let plan =
                placement::parse_plan(csv.as_bytes(), "plan.csv", &instance).map_err(|d| {
                    AppError::Internal(anyhow::anyhow!(
                        "stored plan is unreadable: {}",
                        Problems::from_diagnostics(&d)
                    ))
                })?;
            Ok((instance, plan))
        })
        .await?;
        Ok((plan_row, instance_row, instance, plan))
    }

    /// A plan with its instance and every site's occupancy.
    pub async fn placement_plan(&self, plan_id: i64) -> Result<PlanDetail> {
        let (plan, instance_row, instance, parsed) = self.plan_with_instance(plan_id).await?;
        let mut occupancy = placement::site_occupancy(&instance, &parsed);
        occupancy.sort_by(|a, b| {
            let share = |o: &SiteOccupancy| o.people as f64 / f64::from(o.capacity_people.max(1));
            share(b)
                .total_cmp(&share(a))
                .then_with(|| a.site_id.cmp(&b.site_id))
        });
        Ok(PlanDetail {
            plan,
            instance: instance_row,
            occupancy,
        })
    }

    /// Why a household is where a plan put it, with the next-best alternatives and what
    /// they would cost.
    pub async fn explain_placement(&self, plan_id: i64, household_id: &str) -> Result<Explanation> {
        let (plan_row, _, instance, plan) = self.plan_with_instance(plan_id).await?;
        let h = household_index(&instance, household_id)?;
        let prices: Vec<f64> = serde_json::from_str(&plan_row.prices).unwrap_or_default();
        Ok(placement::explain(
            &instance,
            &plan,
            &prices,
            h,
            Vec::new(),
            5,
        ))
    }

    /// Move one household of a plan to another site (or leave it unplaced), with a
    /// reason. The result is evaluated; an override that overfills a site, uses a site
    /// the household has no arc to or breaks a hard tie is refused. Stored as a new plan
    /// based on the old one, with an audit entry.
    pub async fn override_placement(
        &self,
        plan_id: i64,
        request: &OverrideRequest,
        actor: &Actor,
    ) -> Result<Override> {
        if request.reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason",
                "an override needs a reason",
                "say why this household goes elsewhere",
            ));
        }
        let (old, _, instance, mut plan) = self.plan_with_instance(plan_id).await?;
        let h = household_index(&instance, request.household_id.trim())?;
        let site_id = request.site_id.trim();
        let site = if site_id.is_empty() {
            None
        } else {
            let ids: Vec<&str> = instance.sites.iter().map(|s| s.site_id.as_str()).collect();
            let Some(s) = ids.iter().position(|id| *id == site_id) else {
                return Err(AppError::not_found(
                    "site",
                    site_id,
                    hemi_core::suggest::did_you_mean(site_id, &ids, "give a site of the instance"),
                ));
            };
            Some(s as u32)
        };
        let from_site = plan.site_of[h].map(|s| instance.sites[s as usize].site_id.clone());
        if plan.site_of[h] == site {
            return Err(AppError::refused(
                "site_id",
                format!(
                    "household {} is at {} already",
                    request.household_id.trim(),
                    if site_id.is_empty() {
                        "no site"
                    } else {
                        site_id
                    }
                ),
                "choose another site",
            ));
        }
        plan.site_of[h] = site;
        let evaluation = placement::evaluate(&instance, &plan, &SolveOptions::default());
        if !evaluation.is_feasible() {
            let mut why = Vec::new();
            for (s, people, capacity) in &evaluation.over_capacity {
                why.push(format!(
                    "{} would hold {people} people for {capacity} places",
                    instance.sites[*s as usize].site_id
                ));
            }
            if evaluation.without_arc.contains(&(h as u32)) {
                why.push(format!(
                    "{} is not a candidate site of household {}",
                    site_id,
                    request.household_id.trim()
                ));
            }
            if !evaluation.hard_ties_broken.is_empty() {
                why.push("a hard family tie would break".into());
            }
            return Err(AppError::refused("site_id", why.join("; "), "choose a site with room among the household's candidates, or move another household first"));
        }
        let plan_csv = plan_text_of(&instance, &plan);
        let mut tx = self.store().begin().await?;
        let id = tx
            .insert_plan(
                &NewPlan {
                    instance_id: old.instance_id,
                    plan_csv: &plan_csv,
                    prices: &old.prices,
                    objective: evaluation.objective,
                    upper_bound: old.upper_bound,
                    relative_gap: old.upper_bound.map(|b| {
                        if b.abs() > 0.0 {
                            (b - evaluation.objective) / b.abs()
                        } else {
                            0.0
                        }
                    }),
                    households_placed: evaluation.households_placed as i64,
                    households_unplaced: (instance.households.len() - evaluation.households_placed)
                        as i64,
                    feasible: true,
                    based_on: Some(plan_id),
                    household_id: Some(request.household_id.trim()),
                    reason: Some(request.reason.trim()),
                },
                actor.at,
                &actor.label(),
            )
            .await?;
        tx.audit(&actor.audit(
            "placement_override",
            &format!("plan {id}"),
            format!(
                "plan {plan_id}: household {} from {} to {}; objective {:.4} -> {:.4}; reason: {}",
                request.household_id.trim(),
                from_site.as_deref().unwrap_or("(none)"),
                if site_id.is_empty() {
                    "(none)"
                } else {
                    site_id
                },
                old.objective,
                evaluation.objective,
                request.reason.trim()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(Override {
            plan: self.plan_row(id).await?,
            evaluation,
            from_site,
            previous_objective: old.objective,
        })
    }
}

fn household_index(instance: &Instance, household_id: &str) -> Result<usize> {
    instance
        .households
        .iter()
        .position(|h| h.household_id == household_id)
        .ok_or_else(|| {
            let ids: Vec<&str> = instance
                .households
                .iter()
                .map(|h| h.household_id.as_str())
                .take(100_000)
                .collect();
            AppError::not_found(
                "household",
                household_id,
                hemi_core::suggest::did_you_mean(
                    household_id,
                    &ids,
                    "give a household of the instance",
                ),
            )
        })
}
