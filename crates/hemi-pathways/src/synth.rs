//! Synthetic applicants, workers and job orders for demos, tests and benchmarks.
//!
//! Households follow a nationality and sex–age mix computed from real flow tables
//! ([`mix_from_rows`]: Panama's Darién and Honduras' irregular entries by nationality,
//! and the by-sex-age tables). Names are built from short syllable lists and no record
//! describes a real person. Draws use ChaCha20 seeded by the caller, so a seed always
//! gives the same caseload on every machine.

use std::collections::BTreeMap;

use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use crate::cases::{Application, Member};
use crate::date::Date;
use crate::error::PathwaysError;
use crate::facts::{FactValue, Facts};
use crate::labour::{Employer, JobOrder, Worker};

/// A sex and age group as the flow tables publish it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SexAge {
    /// Men, 18 and over.
    Man,
    /// Women, 18 and over.
    Woman,
    /// Boys, under 18.
    Boy,
    /// Girls, under 18.
    Girl,
}

impl SexAge {
    /// Read a table's group: `men`/`women`/`boys`/`girls` (Panama, Honduras), or a
    /// Mexico `sex` with `age` (`18+`, `12-17`, `under 12`).
    pub fn from_group(group: &str, age: Option<&str>) -> Option<SexAge> {
        let adult = age.is_none_or(|a| a.trim() == "18+");
        match (group.trim(), adult) {
            ("men", _) | ("male", true) => Some(SexAge::Man),
            ("women", _) | ("female", true) => Some(SexAge::Woman),
            ("boys", _) | ("male", false) => Some(SexAge::Boy),
            ("girls", _) | ("female", false) => Some(SexAge::Girl),
            _ => None,
        }
    }

    fn is_adult(self) -> bool {
        matches!(self, SexAge::Man | SexAge::Woman)
    }
}

/// One row of a flow table: period, category (nationality ISO3 or a sex–age group),
/// optional age column, count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRow {
    /// `YYYY` or `YYYY-MM`.
    pub period: String,
    /// Nationality or group.
    pub category: String,
    /// Age band where the table has one (Mexico).
    pub age: Option<String>,
    /// People.
    pub count: u64,
}

/// Shares the synthetic caseload follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mix {
    /// Nationality → share (sums to 1).
    pub nationality: BTreeMap<String, f64>,
    /// Sex–age group → share (sums to 1).
    pub sex_age: BTreeMap<SexAge, f64>,
    /// Periods the shares were computed from.
    pub periods: (String, String),
}

/// Turn flow-table rows into a mix: counts summed over periods `from..=until` (text
/// comparison, so `2023` covers neither `2023-01` nor later months unless asked), the
/// `top` nationalities kept and the rest folded into their shares proportionally.
/// Rows outside the periods or with unknown groups are ignored.
pub fn mix_from_rows(
    nationality_rows: &[FlowRow],
    sex_age_rows: &[FlowRow],
    from: &str,
    until: &str,
    top: usize,
) -> Result<Mix, PathwaysError> {
    let within = |p: &str| p >= from && p <= until;
    let mut nat: BTreeMap<String, u64> = BTreeMap::new();
    for r in nationality_rows.iter().filter(|r| within(&r.period)) {
        *nat.entry(r.category.clone()).or_default() += r.count;
    }
    let mut ranked: Vec<(String, u64)> = nat.into_iter().filter(|(_, c)| *c > 0).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(top.max(1));
    let total: u64 = ranked.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return Err(PathwaysError::Invalid {
            field: "nationality_rows".into(),
            message: format!("no people counted between {from} and {until}"),
        });
    }
    let nationality = ranked
        .into_iter()
        .map(|(n, c)| (n, c as f64 / total as f64))
        .collect();
    let mut groups: BTreeMap<SexAge, u64> = BTreeMap::new();
    for r in sex_age_rows.iter().filter(|r| within(&r.period)) {
        if let Some(g) = SexAge::from_group(&r.category, r.age.as_deref()) {
            *groups.entry(g).or_default() += r.count;
        }
    }
    let total: u64 = groups.values().sum();
    if total == 0 {
        return Err(PathwaysError::Invalid {
            field: "sex_age_rows".into(),
            message: format!("no people counted by sex and age between {from} and {until}"),
        });
    }
    let sex_age = groups
        .into_iter()
        .map(|(g, c)| (g, c as f64 / total as f64))
        .collect();
    Ok(Mix {
        nationality,
        sex_age,
        periods: (from.to_owned(), until.to_owned()),
    })
}

const GIVEN_F: &[&str] = &[
    "Ana", "Rosa", "Lidia", "Marta", "Nadia", "Yeni", "Carla", "Ines", "Luz", "Sara", "Edith",
    "Noemi",
];
const GIVEN_M: &[&str] = &[
    "Juan", "Luis", "Omar", "Jose", "Ivan", "Raul", "Kevin", "Elias", "Jean", "Marco", "Dario",
    "Hugo",
];
const FAMILY_SYLLABLES: &[&str] = &[
    "ra", "mi", "lo", "ve", "ton", "sa", "ber", "qui", "no", "dal", "ce", "gu", "pe", "far",
];

/// Common occupations of people on the move and of seasonal job orders (ISCO-08).
pub const COMMON_ISCO: &[(&str, u32)] = &[
    ("9211", 20),
    ("6111", 8),
    ("9313", 10),
    ("7112", 5),
    ("7115", 4),
    ("5120", 6),
    ("9412", 6),
    ("9112", 8),
    ("5131", 4),
    ("8322", 4),
    ("8332", 3),
    ("7231", 3),
    ("9214", 4),
    ("6121", 3),
    ("9321", 4),
    ("7411", 2),
    ("7126", 2),
    ("5223", 4),
    ("9622", 3),
    ("7212", 2),
    ("9333", 3),
    ("5322", 3),
    ("2221", 1),
    ("3221", 1),
    ("2512", 1),
];

fn languages_for(nationality: &str) -> Vec<String> {
    let l: &[&str] = match nationality {
        "HTI" => &["ht", "fr"],
        "BRA" => &["pt"],
        "JAM" | "GUY" | "BLZ" | "TTO" => &["en"],
        "CUB" | "VEN" | "COL" | "ECU" | "PER" | "GTM" | "HND" | "SLV" | "NIC" | "MEX" | "DOM"
        | "CHL" | "BOL" | "ARG" | "PAN" | "CRI" => &["es"],
        "CHN" | "TWN" => &["zh"],
        "IND" | "NPL" | "BGD" | "AFG" | "CMR" | "ERI" | "SOM" => &["en"],
        _ => &["en"],
    };
    l.iter().map(|s| (*s).to_owned()).collect()
}

fn name<R: Rng>(rng: &mut R, female: bool) -> (String, String) {
    let given = if female {
        GIVEN_F[rng.gen_range(0..GIVEN_F.len())]
    } else {
        GIVEN_M[rng.gen_range(0..GIVEN_M.len())]
    };
    let mut family = String::new();
    for _ in 0..rng.gen_range(2..=3) {
        family.push_str(FAMILY_SYLLABLES[rng.gen_range(0..FAMILY_SYLLABLES.len())]);
    }
    let mut c = family.chars();
    let family = c
        .next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default();
    (given.to_owned(), family)
}

/// A synthetic household with the facts of each member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthHousehold {
    /// The application as a Safe Mobility Office would record it.
    pub application: Application,
    /// Facts per member, in member order.
    pub facts: Vec<Facts>,
}

/// Draw `households` households. Household sizes are 1–5 (shares 0.45, 0.20, 0.15,
/// 0.12, 0.08: our assumption, not from the tables); each member's sex–age group is
/// drawn from the mix, and a household whose draws are all children gets an adult
/// head of the first child's sex, so the adult share runs slightly above the mix.
pub fn synth(
    households: usize,
    seed: u64,
    mix: &Mix,
    as_of: Date,
    offices: &[&str],
) -> Result<Vec<SynthHousehold>, PathwaysError> {
    let nat: Vec<(&String, &f64)> = mix.nationality.iter().collect();
    let nat_index =
        WeightedIndex::new(nat.iter().map(|(_, w)| **w)).map_err(|e| PathwaysError::Invalid {
            field: "mix.nationality".into(),
            message: e.to_string(),
        })?;
    let groups: Vec<(&SexAge, &f64)> = mix.sex_age.iter().collect();
    let group_index = WeightedIndex::new(groups.iter().map(|(_, w)| **w)).map_err(|e| {
        PathwaysError::Invalid {
            field: "mix.sex_age".into(),
            message: e.to_string(),
        }
    })?;
    let sizes = WeightedIndex::new([45, 20, 15, 12, 8]).expect("static weights");
    let isco = WeightedIndex::new(COMMON_ISCO.iter().map(|(_, w)| *w)).expect("static weights");
    let offices: Vec<&str> = if offices.is_empty() {
        vec!["SMO-COL-BOG"]
    } else {
        offices.to_vec()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = ChaCha20Rng::from_seed(seed_bytes);
    let transit = ["COL", "CRI", "PAN", "MEX", "GTM", "ECU", "HND"];
    let mut out = Vec::with_capacity(households);
    for h in 0..households {
        let nationality = nat[nat_index.sample(&mut rng)].0.clone();
        let size = sizes.sample(&mut rng) + 1;
        let mut draws: Vec<SexAge> = (0..size)
            .map(|_| *groups[group_index.sample(&mut rng)].0)
            .collect();
        if !draws.iter().any(|g| g.is_adult()) {
            draws[0] = if draws[0] == SexAge::Girl {
                SexAge::Woman
            } else {
                SexAge::Man
            };
        }
        if let Some(pos) = draws.iter().position(|g| g.is_adult()) {
            draws.swap(0, pos);
        }
        let location = if rng.gen_bool(0.3) {
            nationality.clone()
        } else {
            transit[rng.gen_range(0..transit.len())].to_owned()
        };
        let present_days = rng.gen_range(30..1500);
        let present_since = as_of.add_days(-present_days).to_string();
        let received_on = as_of.add_days(-rng.gen_range(0..180));
        let family_name = name(&mut rng, false).1;
        let has_supporter = rng.gen_bool(0.15);
        let family_state = ["USA", "CAN", "ESP"][rng.gen_range(0..3)];
        let has_family = rng.gen_bool(0.35);
        let mut members = Vec::new();
        let mut facts = Vec::new();
        for (k, g) in draws.iter().enumerate() {
            let female = matches!(g, SexAge::Woman | SexAge::Girl);
            let age: i64 = if g.is_adult() {
                rng.gen_range(18..66)
            } else {
                rng.gen_range(0..18)
            };
            let dob = as_of.add_days(-(age * 365 + rng.gen_range(0..365)));
            let (given, _) = name(&mut rng, female);
            let person_id = format!("P{seed}-{h}-{k}");
            members.push(Member {
                person_id,
                given_names: given,
                family_names: family_name.clone(),
                date_of_birth: Some(dob),
                sex: if female { "female" } else { "male" }.to_owned(),
                nationality: nationality.clone(),
                relationship: if k == 0 {
                    "principal"
                } else if g.is_adult() {
                    "spouse"
                } else {
                    "child"
                }
                .to_owned(),
            });
            let mut f = Facts::new()
                .with("nationality", FactValue::Text(nationality.clone()))
                .with("age_years", FactValue::Int(age))
                .with(
                    "sex",
                    FactValue::Text(if female { "female" } else { "male" }.into()),
                )
                .with("location", FactValue::Text(location.clone()))
                .with(
                    "present_in_location_since",
                    FactValue::Text(present_since.clone()),
                )
                .with("languages", FactValue::List(languages_for(&nationality)))
                .with("has_us_supporter", FactValue::Bool(has_supporter))
                .with(
                    "travels_with_parent_or_guardian",
                    FactValue::Bool(!g.is_adult()),
                )
                .with(
                    "irregular_entry_after_cutoff",
                    FactValue::Bool(rng.gen_bool(0.1)),
                )
                .with(
                    "us_removal_order_past_5_years",
                    FactValue::Bool(rng.gen_bool(0.02)),
                )
                .with(
                    "plans_to_live_in_quebec",
                    FactValue::Bool(rng.gen_bool(0.1)),
                )
                .with(
                    "referred_for_resettlement",
                    FactValue::Bool(rng.gen_bool(0.05)),
                );
            // Documents and family facts are often not yet recorded at intake.
            if rng.gen_bool(0.8) {
                let docs: &[&str] = if rng.gen_bool(0.6) {
                    &["passport", "national_id"]
                } else {
                    &["national_id"]
                };
                f.set(
                    "documents",
                    FactValue::List(docs.iter().map(|s| (*s).to_owned()).collect()),
                );
            }
            if rng.gen_bool(0.7) {
                let mut m = BTreeMap::new();
                if has_family {
                    m.insert(
                        family_state.to_owned(),
                        vec![
                            ["sibling", "parent", "child", "cousin"][rng.gen_range(0..4)]
                                .to_owned(),
                        ],
                    );
                }
                f.set("family_in", FactValue::Map(m));
                f.set(
                    "anchor_willing",
                    FactValue::Bool(has_family && rng.gen_bool(0.7)),
                );
            }
            if g.is_adult() {
                let skill = COMMON_ISCO[isco.sample(&mut rng)].0;
                f.set("occupations_isco", FactValue::List(vec![skill.to_owned()]));
                f.set("experience_years", FactValue::Int(rng.gen_range(0..20)));
            }
            facts.push(f);
        }
        out.push(SynthHousehold {
            application: Application {
                application_id: format!("A{seed}-{h}"),
                office: offices[h % offices.len()].to_owned(),
                received_on,
                members,
                withdrawn_on: None,
            },
            facts,
        });
    }
    Ok(out)
}

/// Synthetic workers and employers' job orders for matching benchmarks: `workers`
/// workers, `jobs` job orders with 1–20 places, a share of workers charged fees and of
/// employers with violations (both 2%, our assumption).
pub fn synth_labour(
    workers: usize,
    jobs: usize,
    seed: u64,
) -> (Vec<Worker>, Vec<JobOrder>, Vec<Employer>) {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    seed_bytes[8] = 1;
    let mut rng = ChaCha20Rng::from_seed(seed_bytes);
    let isco = WeightedIndex::new(COMMON_ISCO.iter().map(|(_, w)| *w)).expect("static weights");
    let nationalities = [
        "GTM", "HND", "SLV", "MEX", "HTI", "COL", "VEN", "NIC", "JAM",
    ];
    let places = [
        "US-GA", "US-NC", "US-FL", "US-TX", "US-WA", "US-LA", "CA-ON", "CA-BC", "MX-CHP",
    ];
    let employers: Vec<Employer> = (0..(jobs / 4).max(1))
        .map(|e| Employer {
            employer_id: format!("E{e}"),
            name: format!("Employer {e}"),
            violations: if rng.gen_bool(0.02) {
                vec!["debarred under 20 CFR 655.182".into()]
            } else {
                vec![]
            },
        })
        .collect();
    let job_orders: Vec<JobOrder> = (0..jobs)
        .map(|k| {
            let code = COMMON_ISCO[isco.sample(&mut rng)].0.to_owned();
            let start = Date::from_ymd(2026, rng.gen_range(3..7), 1).expect("valid");
            JobOrder {
                job_order_id: format!("J{k}"),
                employer_id: employers[rng.gen_range(0..employers.len())]
                    .employer_id
                    .clone(),
                program: Some(
                    if code.starts_with('6') || code.starts_with("92") {
                        "us-h2a"
                    } else {
                        "us-h2b"
                    }
                    .into(),
                ),
                isco: code,
                location: places[rng.gen_range(0..places.len())].to_owned(),
                places: rng.gen_range(1..=20),
                season_start: start,
                season_end: start.add_days(rng.gen_range(60..240)),
                wage_cents_per_hour: rng.gen_range(1200..2400),
                languages: if rng.gen_bool(0.3) {
                    vec!["en".into()]
                } else {
                    vec![]
                },
                min_experience_years: rng.gen_range(0..4),
            }
        })
        .collect();
    let workers: Vec<Worker> = (0..workers)
        .map(|k| {
            let nationality = nationalities[rng.gen_range(0..nationalities.len())].to_owned();
            let mut skills = vec![COMMON_ISCO[isco.sample(&mut rng)].0.to_owned()];
            if rng.gen_bool(0.4) {
                let s = COMMON_ISCO[isco.sample(&mut rng)].0.to_owned();
                if !skills.contains(&s) {
                    skills.push(s);
                }
            }
            let mut languages = languages_for(&nationality);
            if rng.gen_bool(0.3) && !languages.contains(&"en".to_owned()) {
                languages.push("en".into());
            }
            Worker {
                worker_id: format!("W{k}"),
                nationality,
                skills,
                experience_years: rng.gen_range(0..15),
                languages,
                preferred_locations: if rng.gen_bool(0.5) {
                    vec![places[rng.gen_range(0..places.len())].to_owned()]
                } else {
                    vec![]
                },
                min_wage_cents_per_hour: if rng.gen_bool(0.5) {
                    rng.gen_range(1000..2000)
                } else {
                    0
                },
                charged_recruitment_fees: rng.gen_bool(0.02),
            }
        })
        .collect();
    (workers, job_orders, employers)
}
