//! Linkage settings: comparisons, blocking rules, training, thresholds, and the two
//! presets (a Latin American registry; FEBRL-style address data).

use super::blocking::{BlockingRule, KeyPart};
use super::compare::Comparison;
use super::model::{Gamma, TrainingSession, TrainingSettings};
use super::record::Field;
use crate::RegistryError;

/// Person-level vetoes. Family members share surnames, phone, address and household, so
/// agreement on those says "same family", not "same person"; under the Fellegi–Sunter
/// independence assumption their weights add up and can outvote a disagreeing given name
/// and date of birth (the conditional dependence Winkler warns of: Herzog, Scheuren and
/// Winkler, *Data Quality and Record Linkage Techniques*, 2007, ch. 8). A pair that hits
/// a veto level is never linked automatically unless it also hits an override level (the
/// same document number); a high-scoring vetoed pair goes to review instead.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PersonRule {
    /// (comparison index, level) pairs that veto an automatic link.
    pub veto_levels: Vec<(usize, u8)>,
    /// Two veto hits from this list together veto even when each alone would not
    /// (e.g. "given names only weakly similar" and "date of birth only year within one").
    pub weak_levels: Vec<(usize, u8)>,
    /// (comparison index, level) pairs that lift every veto.
    pub override_levels: Vec<(usize, u8)>,
    /// (comparison index, level) pairs that dismiss a pair outright, not even for review,
    /// unless an override level is hit: a date of birth more than a year apart on two full
    /// dates. Checked before the other comparisons, so most namesake and sibling pairs
    /// in large blocks cost one integer comparison.
    #[serde(default)]
    pub dismiss_levels: Vec<(usize, u8)>,
}

impl PersonRule {
    /// Whether a pair's levels veto an automatic link.
    pub fn vetoes(&self, g: &Gamma) -> bool {
        if self.override_levels.iter().any(|&(k, l)| g[k] == l) {
            return false;
        }
        if self.veto_levels.iter().any(|&(k, l)| g[k] == l) {
            return true;
        }
        self.weak_levels.iter().filter(|&&(k, l)| g[k] == l).count() >= 2
    }
}

/// Everything a linkage run is configured by. Serialisable, so a run's settings are
/// stored beside its results.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// Comparisons (at most 16).
    pub comparisons: Vec<Comparison>,
    /// Blocking rules, in order (a pair is compared under the first that finds it).
    pub blocking_rules: Vec<BlockingRule>,
    /// Training.
    pub training: TrainingSettings,
    /// Match probability at or above which a pair links automatically.
    pub match_probability: f64,
    /// Match probability at or above which an unlinked pair goes to review.
    pub review_probability: f64,
    /// Person-level vetoes (see `PersonRule`).
    pub person_rule: Option<PersonRule>,
    /// When merging two clusters, any cross pair scoring below this weight blocks the merge.
    pub chain_guard_weight: f64,
    /// Largest cluster allowed without a caseworker decision.
    pub max_cluster_size: usize,
    /// Blocks larger than this are not compared (their pairs are counted in the stats).
    pub max_block_size: usize,
    /// When linking two files: each person appears at most once per file.
    pub one_per_source: bool,
    /// Most review items returned.
    pub max_review_items: usize,
}

impl Settings {
    /// Check ranges.
    pub fn validate(&self) -> Result<(), RegistryError> {
        let bad = |setting: &str, value: String, reason: &str| {
            Err(RegistryError::InvalidSetting {
                setting: setting.into(),
                value,
                reason: reason.into(),
            })
        };
        if !(self.match_probability > 0.0 && self.match_probability < 1.0) {
            return bad(
                "match_probability",
                self.match_probability.to_string(),
                "must be between 0 and 1",
            );
        }
        if !(self.review_probability > 0.0 && self.review_probability <= self.match_probability) {
            return bad(
                "review_probability",
                self.review_probability.to_string(),
                "must be above 0 and at most match_probability",
            );
        }
        if self.blocking_rules.is_empty() {
            return bad(
                "blocking_rules",
                "0".into(),
                "at least one blocking rule is needed",
            );
        }
        if self.comparisons.is_empty() || self.comparisons.len() > super::model::MAX_COMPARISONS {
            return bad(
                "comparisons",
                self.comparisons.len().to_string(),
                "1 to 16 comparisons",
            );
        }
        let k = self.comparisons.len();
        for s in &self.training.sessions {
            if s.fixed_comparisons.iter().any(|&c| c >= k)
                || s.lambda_from.is_some_and(|(c, _)| c >= k)
            {
                return bad(
                    "training.sessions",
                    s.rule.name.clone(),
                    "names a comparison that does not exist",
                );
            }
        }
        if let Some(p) = &self.person_rule {
            if p.veto_levels
                .iter()
                .chain(&p.weak_levels)
                .chain(&p.override_levels)
                .chain(&p.dismiss_levels)
                .any(|&(c, _)| c >= k)
            {
                return bad(
                    "person_rule",
                    format!("{p:?}"),
                    "names a comparison that does not exist",
                );
            }
        }
        if self.max_block_size < 2 || self.max_cluster_size < 2 {
            return bad(
                "max_block_size",
                self.max_block_size.to_string(),
                "block and cluster caps must be at least 2",
            );
        }
        if self.training.u_sample_pairs < 1000 {
            return bad(
                "training.u_sample_pairs",
                self.training.u_sample_pairs.to_string(),
                "at least 1000 random pairs are needed for u",
            );
        }
        Ok(())
    }

    /// Settings for a Latin American migrant registry (the registry CSV layout). Tuned
    /// on the synthetic registry with seed 1 only; see BENCHMARKS.md for other seeds.
    pub fn registry(seed: u64) -> Settings {
        use Field::*;
        use KeyPart::Field as F;
        // Comparison indexes: 0 given names, 1 surnames, 2 date of birth, 3 sex,
        // 4 document, 5 phone, 6 nationality, 7 municipality.
        let comparisons = vec![
            Comparison::GivenNames,
            Comparison::Surnames,
            Comparison::DateOfBirth,
            Comparison::Sex,
            Comparison::Document,
            Comparison::Exact {
                field: Phone,
                term_frequency: false,
            },
            Comparison::Exact {
                field: Nationality,
                term_frequency: false,
            },
            Comparison::Exact {
                field: Municipality,
                term_frequency: true,
            },
        ];
        // Rules are sized for a million records: each key is specific enough that its
        // blocks stay small (a phonetic given name alone, "MR" for María, Mario and Mayra,
        // is paired with an exact name or a date, never with another phonetic code only).
        let blocking_rules = vec![
            BlockingRule::new("document number", &[F(Document)]),
            BlockingRule::new("phone", &[F(Phone)]),
            BlockingRule::new(
                "surnames by sound (any order) and all given names",
                &[F(SurnamesSortedPhonetic), F(GivenJoined)],
            ),
            // Every pair born on one date (day and month either way) is compared: a date
            // is specific enough on its own (a few dozen people share one in a million
            // records), and it finds pairs whatever happened to their names (names in
            // each other's fields, typos on top of a nickname).
            BlockingRule::new(
                "date of birth (day/month either way)",
                &[KeyPart::BirthDateTransposable],
            ),
            BlockingRule::new(
                "all given names and second surname by sound",
                &[F(GivenJoined), F(Surname2Phonetic)],
            ),
            BlockingRule::new(
                "given name and first surname by sound, birth year",
                &[F(GivenPhonetic), F(Surname1Phonetic), KeyPart::BirthYear],
            ),
            BlockingRule::new(
                "first surname by sound, birth year, given-name initial",
                &[
                    F(Surname1Phonetic),
                    KeyPart::BirthYear,
                    KeyPart::Prefix2(Given1),
                ],
            ),
            BlockingRule::new(
                "surnames by sound (any order), birth day and month",
                &[F(SurnamesSortedPhonetic), KeyPart::BirthMonthDay],
            ),
            BlockingRule::new(
                "surnames by sound (any order), birth year",
                &[F(SurnamesSortedPhonetic), KeyPart::BirthYear],
            ),
            // A record without a full date of birth meets others only through its names:
            // looser name keys, each comparing only the pairs with an undated record.
            BlockingRule::one_without_birth_date(
                "undated: given name and first surname by sound",
                &[F(GivenPhonetic), F(Surname1Phonetic)],
            ),
            BlockingRule::one_without_birth_date(
                "undated: first surname by sound and given-name initial",
                &[F(Surname1Phonetic), KeyPart::Prefix2(Given1)],
            ),
            BlockingRule::one_without_birth_date(
                "undated: surnames by sound (any order) and given-name initial",
                &[F(SurnamesSortedPhonetic), KeyPart::Prefix2(Given1)],
            ),
            BlockingRule::one_without_birth_date(
                "undated: second given name and first surname by sound",
                &[F(Given2), F(Surname1Phonetic)],
            ),
            BlockingRule::one_without_birth_date(
                "undated: given name by sound and birth year",
                &[F(GivenPhonetic), KeyPart::BirthYear],
            ),
            // Names typed into each other's fields: keys that read the same either way.
            BlockingRule::one_without_birth_date(
                "undated: given name and first surname by sound in either field",
                &[F(NameSetPhonetic)],
            ),
            BlockingRule::one_without_birth_date(
                "undated: the lower of the two name blocks by sound",
                &[F(NameBlockLow)],
            ),
            BlockingRule::one_without_birth_date(
                "undated: the higher of the two name blocks by sound",
                &[F(NameBlockHigh)],
            ),
            // Last: large blocks of namesakes, most dismissed by date of birth at the cost of
            // one comparison each.
            BlockingRule::new(
                "all given names and first surname by sound",
                &[F(GivenJoined), F(Surname1Phonetic)],
            ),
        ];
        // 400,000 random pairs and 300,000 pairs per EM session: the level shares these
        // estimate are stable to the third decimal at this size, and training then costs a
        // few seconds whatever the registry's size.
        let training = TrainingSettings {
            u_sample_pairs: 400_000,
            em_max_pairs: 300_000,
            em_iterations: 40,
            sessions: vec![
                TrainingSession {
                    rule: BlockingRule::new("date of birth", &[KeyPart::BirthDate]),
                    fixed_comparisons: vec![2],
                    lambda_from: Some((2, 1)),
                },
                TrainingSession {
                    // All given names exactly, not just the first by sound: siblings often
                    // share a first given name (María José, María Fernanda).
                    rule: BlockingRule::new(
                        "surnames by sound and all given names",
                        &[F(SurnamesSortedPhonetic), F(GivenJoined)],
                    ),
                    // Sex and nationality follow from given name and surname: fixed too, or
                    // EM takes their agreement in every blocked pair for match evidence.
                    fixed_comparisons: vec![0, 1, 3, 6],
                    lambda_from: None,
                },
            ],
            seed,
            max_block_size: 2_000,
        };
        Settings {
            comparisons,
            blocking_rules,
            training,
            match_probability: 0.5,
            review_probability: 0.05,
            person_rule: Some(PersonRule {
                // Given names different; date of birth different (not a typo, transposition or partial agreement).
                veto_levels: vec![(0, 8), (2, 6)],
                // Given names only weakly similar, or sharing only a name other than the
                // first, together with a birth year merely within one.
                weak_levels: vec![(0, 6), (0, 7), (2, 5)],
                override_levels: vec![(4, 1)],
                dismiss_levels: vec![(2, 6)],
            }),
            chain_guard_weight: -10.0,
            max_cluster_size: 30,
            max_block_size: 2_000,
            one_per_source: false,
            max_review_items: 10_000,
        }
    }

    /// Settings for FEBRL-style data (given name, surname, address, date of birth, social
    /// security number). Tuned on FEBRL1 and FEBRL2 only.
    pub fn febrl(seed: u64) -> Settings {
        use Field::*;
        use KeyPart::Field as F;
        // 0 given, 1 surname, 2 date of birth, 3 soc_sec_id, 4 street number, 5 address 1,
        // 6 address 2, 7 suburb, 8 postcode, 9 state.
        let comparisons = vec![
            Comparison::Fuzzy {
                field: Given1,
                high: 0.92,
                low: 0.80,
                term_frequency: true,
            },
            Comparison::Fuzzy {
                field: Surname1,
                high: 0.92,
                low: 0.80,
                term_frequency: true,
            },
            Comparison::DateOfBirth,
            Comparison::Identifier { field: Document },
            Comparison::Identifier {
                field: StreetNumber,
            },
            Comparison::Fuzzy {
                field: Address1,
                high: 0.90,
                low: 0.75,
                term_frequency: false,
            },
            Comparison::Fuzzy {
                field: Address2,
                high: 0.90,
                low: 0.75,
                term_frequency: false,
            },
            Comparison::Fuzzy {
                field: Municipality,
                high: 0.90,
                low: 0.75,
                term_frequency: true,
            },
            Comparison::Identifier { field: Postcode },
            Comparison::Exact {
                field: State,
                term_frequency: false,
            },
        ];
        let blocking_rules = vec![
            BlockingRule::new("soc_sec_id", &[F(Document)]),
            BlockingRule::new("date of birth", &[KeyPart::BirthDate]),
            BlockingRule::new("given name and surname", &[F(Given1), F(Surname1)]),
            BlockingRule::new(
                "postcode and street number",
                &[F(Postcode), F(StreetNumber)],
            ),
            BlockingRule::new(
                "surname by sound and birth year",
                &[F(Surname1Phonetic), KeyPart::BirthYear],
            ),
            BlockingRule::new(
                "given name by sound and postcode",
                &[F(GivenPhonetic), F(Postcode)],
            ),
            BlockingRule::new("address line 1", &[F(Address1)]),
            BlockingRule::new(
                "suburb and given-name prefix",
                &[F(Municipality), KeyPart::Prefix2(Given1)],
            ),
        ];
        // 400,000 random pairs and 300,000 pairs per EM session: the level shares these
        // estimate are stable to the third decimal at this size, and training then costs a
        // few seconds whatever the registry's size.
        let training = TrainingSettings {
            u_sample_pairs: 400_000,
            em_max_pairs: 300_000,
            em_iterations: 40,
            sessions: vec![
                TrainingSession {
                    rule: BlockingRule::new("date of birth", &[KeyPart::BirthDate]),
                    fixed_comparisons: vec![2],
                    lambda_from: Some((2, 1)),
                },
                TrainingSession {
                    rule: BlockingRule::new("given name and surname", &[F(Given1), F(Surname1)]),
                    fixed_comparisons: vec![0, 1],
                    lambda_from: None,
                },
            ],
            seed,
            max_block_size: 2_000,
        };
        Settings {
            comparisons,
            blocking_rules,
            training,
            match_probability: 0.5,
            review_probability: 0.05,
            person_rule: None,
            chain_guard_weight: -8.0,
            max_cluster_size: 30,
            max_block_size: 2_000,
            one_per_source: true,
            max_review_items: 10_000,
        }
    }
}
