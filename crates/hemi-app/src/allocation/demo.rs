//! The demo's allocation caseload: synthetic registrations drawn once (a public draw
//! with its statistics), and a small placement instance solved once, so the draws,
//! placement and schedule pages have something to show. Deterministic (fixed seeds).

use hemi_allocation::fairness::{simulation_policy, synth_registrations};
use hemi_allocation::lottery;
use hemi_allocation::placement::{SynthFiles, SynthOptions};
use hemi_allocation::Date;
use hemi_store::allocation::InstanceFiles;
use rand::SeedableRng;

use super::PlacementFileNames;
use crate::progress::NoProgress;
use crate::{Actor, App, AppError, Result};

/// What the demo loaded.
#[derive(Debug, Clone, Default)]
pub struct DemoLoaded {
    /// The draw made, if any.
    pub draw_id: Option<i64>,
    /// The plan made, if any.
    pub plan_id: Option<i64>,
}

impl App {
    /// Load the demo caseload once: 1,200 registered households drawn for 2024-06-03
    /// (public value given in the text), and 300 households placed in 15 communities.
    /// Does nothing for what is there already.
    pub async fn load_allocation_demo(&self, actor: &Actor) -> Result<DemoLoaded> {
        let mut loaded = DemoLoaded::default();
        if self.store().registration_count().await? == 0 {
            let closed = Date::from_ymd(2024, 6, 2).expect("a valid date");
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2024);
            let registrations = synth_registrations(
                1_200,
                0,
                &mut |r: &mut rand_chacha::ChaCha20Rng| {
                    use rand::Rng;
                    closed.plus_days(-r.gen_range(0..120))
                },
                &mut rng,
            );
            let mut text =
                String::from("household_id,registered_on,members,preferred_ports,flags\n");
            for r in &registrations {
                let members: Vec<String> = r
                    .members
                    .iter()
                    .map(|m| format!("{}:{:?}:{}", m.nationality, m.sex, m.age_years))
                    .collect();
                text.push_str(&format!(
                    "{},{},{},{},{}\n",
                    r.household_id,
                    r.registered_on,
                    members.join(";"),
                    r.preferred_ports.join(";"),
                    r.vulnerability_flags.join(";")
                ));
            }
            self.register_households(text, "demo_registrations.csv", actor)
                .await?;
            let policy =
                lottery::canonical_policy(&simulation_policy(closed.plus_days(1), 500, 300));
            let draw = self
                .open_draw(
                    &policy,
                    "policy.txt",
                    "the demo's declared value: the text \"demo 2024-06-02\"",
                    actor,
                )
                .await?;
            self.run_draw(draw.id, "demo 2024-06-02", actor).await?;
            loaded.draw_id = Some(draw.id);
        }
        if self.placement_instances().await?.is_empty() {
            let instance = hemi_allocation::placement::synth(&SynthOptions {
                households: 300,
                sites: 15,
                arcs_per_household: Some(8),
                capacity_slack: 0.08,
                size_shift: 0.0,
                seed: 11,
            });
            let (mut h, mut s, mut a) = (Vec::new(), Vec::new(), Vec::new());
            instance
                .write_files(SynthFiles {
                    households: &mut h,
                    sites: &mut s,
                    arcs: &mut a,
                })
                .map_err(|e| AppError::Internal(e.into()))?;
            let text = |b: Vec<u8>| String::from_utf8(b).map_err(|e| AppError::Internal(e.into()));
            let files = InstanceFiles {
                households_csv: text(h)?,
                sites_csv: text(s)?,
                arcs_csv: text(a)?,
            };
            let names = PlacementFileNames {
                households: "households.csv".into(),
                sites: "sites.csv".into(),
                arcs: "arcs.csv".into(),
            };
            let stored = self
                .store_placement_instance("Demo arrivals, June", files, names, actor)
                .await?;
            let plan = self
                .solve_stored_instance(stored.id, false, actor, std::sync::Arc::new(NoProgress))
                .await?;
            loaded.plan_id = Some(plan.id);
        }
        Ok(loaded)
    }
}
