//! A small synthetic caseload for the demo: people from the synthetic registry
//! generator (households, nicknames, typos, repeat registrations) registered one by one
//! through the same workflow as an officer's, so the linkage, the review queue, the
//! permits and the statistics all have something to show.

use hemi_registry::linkage::LinkRecord;
use hemi_registry::permit::PermitState;

use super::persons::PersonInput;
use crate::{Actor, App, Result};

/// What the demo loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoRegistry {
    /// Records registered.
    pub registered: usize,
    /// Records the validation refused (a synthetic document failing its check digit).
    pub refused: usize,
    /// Records that joined an existing person.
    pub matched: usize,
    /// Pairs queued for review.
    pub queued: usize,
    /// Permits created.
    pub permits: usize,
    /// False when the registry already held records (nothing was loaded).
    pub loaded: bool,
}

fn input_of(r: &LinkRecord, office: &str) -> PersonInput {
    PersonInput {
        given_name: r.given_name.clone(),
        second_given_name: r.second_given_name.clone(),
        first_surname: r.first_surname.clone(),
        second_surname: r.second_surname.clone(),
        sex: r.sex.clone(),
        date_of_birth: r.date_of_birth.clone(),
        nationality: r.nationality.clone(),
        document_type: r.document_type.clone(),
        document_number: r.document_number.clone(),
        document_issuer: String::new(),
        phone: r.phone.clone(),
        municipality: r.municipality.clone(),
        household_id: r.household_id.clone(),
        relationship: String::new(),
        office: office.to_owned(),
    }
}

impl App {
    /// Register `people` synthetic people (about 10% twice or more) with permits at
    /// several stages, unless the registry holds records already.
    pub async fn load_demo_registry(&self, people: usize, actor: &Actor) -> Result<DemoRegistry> {
        let (records, _) = self.store().registry_counts().await?;
        if records > 0 {
            return Ok(DemoRegistry::default());
        }
        let registry = hemi_registry::synth::synth(people, 0.12, 11);
        let mut out = DemoRegistry {
            loaded: true,
            ..DemoRegistry::default()
        };
        let offices = ["cucuta", "bogota"];
        let path = [
            PermitState::BiometricsTaken,
            PermitState::Approved,
            PermitState::Issued,
        ];
        // Registered over the past hours, one a minute, so every state is in the past.
        let start = actor.at - registry.records.len() as i64 * 60;
        for (n, record) in registry.records.iter().enumerate() {
            let step = actor.clone().at(start + n as i64 * 60);
            let r = match self
                .register_person(&input_of(record, offices[n % 2]), &step)
                .await
            {
                Ok(r) => r,
                Err(crate::AppError::Invalid(_)) => {
                    out.refused += 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            out.registered += 1;
            out.matched += usize::from(r.matched_existing);
            out.queued += r.queued_for_review.len();
            // Venezuelans get an ETPV permit, moved along part of the way.
            if record.nationality == "VEN" && !r.matched_existing {
                let permit = self.create_permit(&r.person_id, "col-etpv", &step).await?;
                out.permits += 1;
                for (k, to) in path.iter().take(n % 4).enumerate() {
                    self.transition_permit(
                        &permit.permit_id,
                        to.as_str(),
                        "",
                        &step.clone().at(step.at + 1 + k as i64),
                    )
                    .await?;
                }
            }
        }
        Ok(out)
    }
}
