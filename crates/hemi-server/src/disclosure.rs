//! How the public answers say they are protected: the cell-key rule of
//! `hemi-disclosure`, as API types (the method, its published parameters, a sentence).

use serde::Serialize;
use utoipa::ToSchema;

/// The disclosure rule of an answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Disclosure {
    /// `cell-key`.
    pub method: String,
    /// Largest change made to a count, people.
    pub max_noise_people: u32,
    /// Variance of the change, people².
    pub noise_variance: f64,
    /// Counts 1 to this are never published (they become 0 or more).
    pub blocked_up_to_people: u32,
    /// For readers.
    pub text: String,
}

impl From<hemi_disclosure::Rule> for Disclosure {
    fn from(r: hemi_disclosure::Rule) -> Disclosure {
        Disclosure {
            method: r.method,
            max_noise_people: r.parameters.maximum_noise_people,
            noise_variance: r.parameters.variance_people2,
            blocked_up_to_people: r.parameters.blocked_up_to_people,
            text: r.text,
        }
    }
}
