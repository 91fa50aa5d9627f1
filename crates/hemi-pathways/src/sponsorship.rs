//! Sponsorship: supporters' financial capacity against the HHS poverty guideline,
//! vetting flags (identity, earlier sponsorships, serial sponsors, shared addresses)
//! and matching beneficiary households to supporters.
//!
//! Form I-134A (Online Request to be a Supporter and Declaration of Financial Support,
//! OMB 1615-0157) asks supporters of CHNV and family reunification parolees to show
//! they can support the beneficiaries; USCIS reads income against the HHS poverty
//! guidelines for the supporter's household plus the beneficiaries. The guideline
//! table is `data/hhs_poverty_guidelines.csv` (HHS annual update notices; the citations
//! are checked, the dollar values were typed from the notices and are marked
//! unconfirmed in the file until someone re-reads them). The share of the guideline
//! required (100%) is a parameter, not a constant, because the form's instructions are
//! the authority and may change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

const GUIDELINES_CSV: &str = include_str!("../data/hhs_poverty_guidelines.csv");

/// Where the supporter lives: HHS publishes separate guidelines for Alaska and Hawaii.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuidelineRegion {
    /// The 48 contiguous states and the District of Columbia.
    Contiguous,
    /// Alaska.
    Alaska,
    /// Hawaii.
    Hawaii,
}

/// One year's guideline for one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guideline {
    /// Year.
    pub year: i32,
    /// Region.
    pub region: GuidelineRegion,
    /// For a household of one, USD a year.
    pub first_person_usd: u64,
    /// Added for each further person.
    pub each_additional_person_usd: u64,
    /// HHS notice.
    pub citation: String,
    /// Whether the dollar values were checked against the notice.
    pub values_confirmed: bool,
}

impl Guideline {
    /// The guideline for a household of `people` (at least 1).
    pub fn for_household(&self, people: u32) -> u64 {
        self.first_person_usd
            + self.each_additional_person_usd * people.max(1).saturating_sub(1) as u64
    }
}

/// The bundled guideline table.
pub fn guidelines() -> Vec<Guideline> {
    let mut out = Vec::new();
    let mut reader = csv::Reader::from_reader(GUIDELINES_CSV.as_bytes());
    for row in reader.records() {
        let row = row.expect("bundled guideline table is valid");
        out.push(Guideline {
            year: row[0].parse().expect("year"),
            region: match &row[1] {
                "alaska" => GuidelineRegion::Alaska,
                "hawaii" => GuidelineRegion::Hawaii,
                _ => GuidelineRegion::Contiguous,
            },
            first_person_usd: row[2].parse().expect("usd"),
            each_additional_person_usd: row[3].parse().expect("usd"),
            citation: row[4].to_owned(),
            values_confirmed: &row[5] == "true",
        });
    }
    out
}

/// The guideline of `year` (or the latest earlier year in the table) for `region`.
pub fn guideline_for(year: i32, region: GuidelineRegion) -> Option<Guideline> {
    guidelines()
        .into_iter()
        .filter(|g| g.region == region && g.year <= year)
        .max_by_key(|g| g.year)
}

/// A supporter's declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supporter {
    /// Id.
    pub supporter_id: String,
    /// Full name.
    pub name: String,
    /// Postal address as declared.
    pub address: String,
    /// Region for the guideline.
    pub region: GuidelineRegion,
    /// People in the supporter's own household.
    pub household_size: u32,
    /// Annual income, USD.
    pub annual_income_usd: u64,
    /// Identity checked against a document by a caseworker or USCIS.
    pub identity_verified: bool,
    /// Beneficiaries this supporter is already supporting (earlier declarations).
    pub current_beneficiaries: u32,
    /// Declarations filed in the past 12 months, counting this one.
    pub declarations_past_12_months: u32,
}

/// What a supporter can take on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// The guideline used.
    pub guideline_year: i32,
    /// Income needed for the household as it is (supporter's household plus current beneficiaries).
    pub required_now_usd: u64,
    /// How many more beneficiaries the income supports.
    pub additional_beneficiaries: u32,
    /// The citation.
    pub citation: String,
}

/// Capacity at `share_percent` of the guideline (100 for Form I-134A as read here).
pub fn capacity(supporter: &Supporter, guideline: &Guideline, share_percent: u64) -> Capacity {
    let base = supporter.household_size.max(1) + supporter.current_beneficiaries;
    let need = |people: u32| guideline.for_household(people) * share_percent / 100;
    let mut extra = 0u32;
    while extra < 50 && supporter.annual_income_usd >= need(base + extra + 1) {
        extra += 1;
    }
    Capacity {
        guideline_year: guideline.year,
        required_now_usd: need(base),
        additional_beneficiaries: extra,
        citation: guideline.citation.clone(),
    }
}

/// A reason to look at a supporter before approving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum VettingFlag {
    /// Identity not checked.
    IdentityNotVerified,
    /// Income below the guideline for the household plus the beneficiaries asked for.
    IncomeBelowGuideline {
        /// Income needed.
        required_usd: u64,
        /// Income declared.
        declared_usd: u64,
    },
    /// More declarations in 12 months than the review threshold.
    SerialSponsor {
        /// Declarations in 12 months.
        declarations: u32,
    },
    /// Other supporters declared the same address.
    SharedAddress {
        /// Their ids.
        other_supporters: Vec<String>,
    },
}

/// Review thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VettingRules {
    /// Share of the guideline the income must reach, percent.
    pub share_percent: u64,
    /// More declarations than this in 12 months is flagged.
    pub serial_threshold: u32,
    /// This many supporters or more at one address are flagged.
    pub shared_address_threshold: usize,
}

impl Default for VettingRules {
    fn default() -> Self {
        VettingRules {
            share_percent: 100,
            serial_threshold: 3,
            shared_address_threshold: 2,
        }
    }
}

/// The result of vetting one supporter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vetting {
    /// Supporter.
    pub supporter_id: String,
    /// Capacity.
    pub capacity: Capacity,
    /// Flags; empty means nothing to review.
    pub flags: Vec<VettingFlag>,
}

/// Addresses compared without case, punctuation or repeated spaces ("12 Elm St., Apt 3"
/// equals "12 elm st apt 3").
pub fn normalise_address(address: &str) -> String {
    let cleaned: String = address
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Vet every supporter for `beneficiaries_requested[supporter_id]` new beneficiaries.
pub fn vet(
    supporters: &[Supporter],
    beneficiaries_requested: &BTreeMap<String, u32>,
    guideline: &Guideline,
    rules: VettingRules,
) -> Vec<Vetting> {
    let mut by_address: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for s in supporters {
        by_address
            .entry(normalise_address(&s.address))
            .or_default()
            .push(&s.supporter_id);
    }
    supporters
        .iter()
        .map(|s| {
            let cap = capacity(s, guideline, rules.share_percent);
            let mut flags = Vec::new();
            if !s.identity_verified {
                flags.push(VettingFlag::IdentityNotVerified);
            }
            let asked = beneficiaries_requested
                .get(&s.supporter_id)
                .copied()
                .unwrap_or(0);
            if asked > cap.additional_beneficiaries {
                let people = s.household_size.max(1) + s.current_beneficiaries + asked;
                flags.push(VettingFlag::IncomeBelowGuideline {
                    required_usd: guideline.for_household(people) * rules.share_percent / 100,
                    declared_usd: s.annual_income_usd,
                });
            }
            if s.declarations_past_12_months > rules.serial_threshold {
                flags.push(VettingFlag::SerialSponsor {
                    declarations: s.declarations_past_12_months,
                });
            }
            let same = &by_address[&normalise_address(&s.address)];
            if same.len() >= rules.shared_address_threshold {
                flags.push(VettingFlag::SharedAddress {
                    other_supporters: same
                        .iter()
                        .filter(|id| **id != s.supporter_id)
                        .map(|id| (*id).to_owned())
                        .collect(),
                });
            }
            Vetting {
                supporter_id: s.supporter_id.clone(),
                capacity: cap,
                flags,
            }
        })
        .collect()
}

/// A household looking for a supporter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeneficiaryHousehold {
    /// Id.
    pub household_id: String,
    /// Members travelling.
    pub members: u32,
    /// Supporters who named this household (relatives, friends), in preference order.
    pub named_supporters: Vec<String>,
}

/// A household placed with a supporter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorMatch {
    /// Household.
    pub household_id: String,
    /// Supporter.
    pub supporter_id: String,
    /// Whether the supporter named the household.
    pub named: bool,
}

/// Match households to vetted supporters without splitting a household and within each
/// supporter's capacity: named supporters first (CHNV's supporter files for specific
/// people), then the largest households first into the supporter with the most room
/// (first-fit decreasing). A heuristic, not an optimum: bin packing is NP-hard, and a
/// supporter with open flags is never used.
pub fn match_households(
    households: &[BeneficiaryHousehold],
    vetted: &[Vetting],
) -> (Vec<SponsorMatch>, Vec<String>) {
    let mut room: BTreeMap<&str, u32> = vetted
        .iter()
        .filter(|v| v.flags.is_empty())
        .map(|v| (v.supporter_id.as_str(), v.capacity.additional_beneficiaries))
        .collect();
    let mut matches = Vec::new();
    let mut unmatched = Vec::new();
    let mut order: Vec<&BeneficiaryHousehold> = households.iter().collect();
    order.sort_by(|a, b| {
        b.members
            .cmp(&a.members)
            .then(a.household_id.cmp(&b.household_id))
    });
    let mut rest = Vec::new();
    for h in order {
        if let Some(s) = h
            .named_supporters
            .iter()
            .find(|s| room.get(s.as_str()).is_some_and(|r| *r >= h.members))
        {
            *room.get_mut(s.as_str()).expect("present") -= h.members;
            matches.push(SponsorMatch {
                household_id: h.household_id.clone(),
                supporter_id: s.clone(),
                named: true,
            });
        } else {
            rest.push(h);
        }
    }
    for h in rest {
        let best = room
            .iter()
            .filter(|(_, r)| **r >= h.members)
            .max_by_key(|(id, r)| (**r, std::cmp::Reverse(**id)))
            .map(|(id, _)| *id);
        match best {
            Some(id) => {
                *room.get_mut(id).expect("present") -= h.members;
                matches.push(SponsorMatch {
                    household_id: h.household_id.clone(),
                    supporter_id: id.to_owned(),
                    named: false,
                });
            }
            None => unmatched.push(h.household_id.clone()),
        }
    }
    (matches, unmatched)
}
