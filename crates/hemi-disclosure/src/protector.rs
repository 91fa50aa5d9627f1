//! The one entry point for every public output: a [`Protector`] perturbs base counts by the
//! cell-key method and derives everything else (totals, tables) from the perturbed counts.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::identity::CellIdentity;
use crate::ptable::{NoiseParameters, PerturbationTable};
use crate::DisclosureError;

/// Shortest secret key accepted: 128 bits, so the cell keys cannot be recomputed by
/// guessing the key.
pub const MINIMUM_SECRET_KEY_BYTES: usize = 16;

/// Domain separation for the keyed hash, so the key used here cannot be confused with
/// any other use of the same secret.
const CELL_KEY_CONTEXT: &[u8] = b"hemi-disclosure/cell-key/v1\0";

/// What the public is told beside every protected table (and in the API's answers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// `cell-key`.
    pub method: String,
    /// The published parameters.
    pub parameters: NoiseParameters,
    /// One paragraph for readers, to print beside the table.
    pub text: String,
}

/// Cell-key perturbation with a secret key: one per deployment (a federation member has
/// its own), kept like a password, never published, never in the repository.
///
/// Build once at start-up (building the perturbation table takes well under a
/// millisecond) and share; every method takes `&self`.
#[derive(Clone)]
pub struct Protector {
    ptable: PerturbationTable,
    keyed_hash: Hmac<Sha256>,
}

impl std::fmt::Debug for Protector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is secret: never in logs.
        f.debug_struct("Protector")
            .field("parameters", &self.ptable.parameters)
            .finish_non_exhaustive()
    }
}

/// A table of base counts: rows by one dimension, columns by another, all cells sharing
/// the dimensions of `base` (for the portal: family `flows`, reporting, measure, year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableCounts {
    /// Family and fixed dimensions shared by every cell.
    pub base: CellIdentity,
    /// Name of the row dimension (e.g. `nationality`).
    pub row_dimension: String,
    /// Row values (e.g. ISO3 codes), in any order: the published order comes from the
    /// perturbed totals.
    pub row_keys: Vec<String>,
    /// Name of the column dimension (e.g. `month`).
    pub column_dimension: String,
    /// Column values (e.g. `2023-01`..`2023-12`). Choose them without looking at the
    /// counts (all months the source covers, not the months that have someone), or the
    /// presence of a column tells that somebody was counted in it.
    pub column_keys: Vec<String>,
    /// True when the columns are periods of the same count (the portal's months): the
    /// column value is then left out of each cell's identity, so a nationality whose count
    /// is the same in two months gets the same noise in both (see [`CellIdentity`]).
    pub columns_are_periods: bool,
    /// True counts, `counts_people[row][column]`.
    pub counts_people: Vec<Vec<u64>>,
}

/// A table ready to publish: perturbed cells and totals that are their sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtectedTable {
    /// Rows to show, by published row total (largest first), then key. Rows whose
    /// published cells are all 0 are left out, like rows nobody was counted in.
    pub row_keys: Vec<String>,
    /// Columns, as given.
    pub column_keys: Vec<String>,
    /// Published cells, `cells_people[row][column]`, rows as in `row_keys`.
    pub cells_people: Vec<Vec<u64>>,
    /// Sum of each published row.
    pub row_totals_people: Vec<u64>,
    /// Sum of each published column (over every row, shown or not: the rows left out are 0).
    pub column_totals_people: Vec<u64>,
    /// Sum of every published cell.
    pub grand_total_people: u64,
    /// What to print beside the table.
    pub rule: Rule,
}

impl Protector {
    /// A protector with published noise parameters and the deployment's secret key.
    pub fn new(
        parameters: NoiseParameters,
        secret_key: &[u8],
    ) -> Result<Protector, DisclosureError> {
        if secret_key.len() < MINIMUM_SECRET_KEY_BYTES {
            return Err(DisclosureError::SecretKeyTooShort {
                length_bytes: secret_key.len(),
            });
        }
        let ptable = PerturbationTable::new(parameters)?;
        let keyed_hash =
            Hmac::<Sha256>::new_from_slice(secret_key).expect("HMAC accepts keys of any length");
        Ok(Protector { ptable, keyed_hash })
    }

    /// The published parameters.
    pub fn parameters(&self) -> NoiseParameters {
        self.ptable.parameters
    }

    /// The perturbation table (publishable: it holds no secret).
    pub fn ptable(&self) -> &PerturbationTable {
        &self.ptable
    }

    /// The cell key of a count: HMAC-SHA256 of its identity and its true value under the
    /// secret key, read as a number in `[0, 1)`.
    ///
    /// Why the true value is hashed too: with aggregates only there are no record keys
    /// (ABS sums record keys of the people in a cell); a key from the identity alone
    /// would give a cell the same key in every vintage, so when a source revises 7 to 8
    /// the noise would usually stay the same and the published difference would be the
    /// true one. With the value in the hash an unchanged count keeps its noise (nothing to
    /// average over repeated queries or vintages) and a changed count draws afresh.
    pub fn cell_key(&self, identity: &CellIdentity, true_count_people: u64) -> f64 {
        let mut mac = self.keyed_hash.clone();
        mac.update(CELL_KEY_CONTEXT);
        mac.update(&identity.canonical_bytes());
        mac.update(&true_count_people.to_le_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        // 53 random bits: every f64 in [0, 1) with that spacing is equally likely.
        (u64::from_le_bytes(first) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The published value of one base count.
    pub fn protect_count(&self, identity: &CellIdentity, true_count_people: u64) -> u64 {
        let key = self.cell_key(identity, true_count_people);
        self.ptable.perturb(true_count_people, key)
    }

    /// The published values of many base counts.
    pub fn protect_counts(&self, counts: &[(CellIdentity, u64)]) -> Vec<u64> {
        counts
            .iter()
            .map(|(identity, count)| self.protect_count(identity, *count))
            .collect()
    }

    /// A stored count (the store keeps `f64`) as a count of people: refuses negatives,
    /// fractions and non-numbers, naming the cell.
    pub fn count_from_value(
        identity: &CellIdentity,
        value_people: f64,
    ) -> Result<u64, DisclosureError> {
        let rounded = value_people.round();
        if !(value_people.is_finite()
            && value_people >= 0.0
            && (value_people - rounded).abs() < 1e-9)
        {
            return Err(DisclosureError::NotACount {
                identity: identity.to_string(),
                value_people,
            });
        }
        Ok(rounded as u64)
    }

    /// Protect a two-way table: every cell perturbed under its own identity (base plus the
    /// row and column values), totals summed from the perturbed cells.
    pub fn protect_table(&self, table: &TableCounts) -> Result<ProtectedTable, DisclosureError> {
        let columns = table.column_keys.len();
        if table.counts_people.len() != table.row_keys.len() {
            return Err(DisclosureError::RowCount {
                table: table.base.to_string(),
                row_keys: table.row_keys.len(),
                rows: table.counts_people.len(),
            });
        }
        let mut seen = std::collections::HashSet::with_capacity(table.row_keys.len());
        if let Some(duplicate) = table.row_keys.iter().find(|k| !seen.insert(k.as_str())) {
            // Two rows with one identity would share one noise: the caller must sum them.
            return Err(DisclosureError::DuplicateRow {
                table: table.base.to_string(),
                row_key: duplicate.clone(),
            });
        }
        let mut rows: Vec<(String, Vec<u64>, u64)> = Vec::with_capacity(table.row_keys.len());
        for (r, (key, counts)) in table.row_keys.iter().zip(&table.counts_people).enumerate() {
            if counts.len() != columns {
                return Err(DisclosureError::TableShape {
                    table: table.base.to_string(),
                    row: r,
                    expected_columns: columns,
                    found_columns: counts.len(),
                });
            }
            let row_identity = table.base.clone().with(&table.row_dimension, key);
            let published: Vec<u64> = counts
                .iter()
                .zip(&table.column_keys)
                .map(|(&count, column)| {
                    if table.columns_are_periods {
                        self.protect_count(&row_identity, count)
                    } else {
                        let identity = row_identity.clone().with(&table.column_dimension, column);
                        self.protect_count(&identity, count)
                    }
                })
                .collect();
            let total = published.iter().sum();
            rows.push((key.clone(), published, total));
        }
        // Order and presence come from published numbers only: the true order of the row
        // totals would be inequalities between true values an attacker could add to an LP.
        rows.retain(|(_, _, total)| *total > 0);
        rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        let mut column_totals_people = vec![0u64; columns];
        for (_, cells, _) in &rows {
            for (total, cell) in column_totals_people.iter_mut().zip(cells) {
                *total += cell;
            }
        }
        let grand_total_people = column_totals_people.iter().sum();
        Ok(ProtectedTable {
            row_keys: rows.iter().map(|r| r.0.clone()).collect(),
            column_keys: table.column_keys.clone(),
            row_totals_people: rows.iter().map(|r| r.2).collect(),
            cells_people: rows.into_iter().map(|r| r.1).collect(),
            column_totals_people,
            grand_total_people,
            rule: self.rule(),
        })
    }

    /// The rule to print beside every protected output.
    pub fn rule(&self) -> Rule {
        let p = self.ptable.parameters;
        let blocked = match p.blocked_up_to_people {
            0 => String::new(),
            1 => " No count of 1 is shown: a 1 becomes 0 or a larger number.".to_owned(),
            js => format!(
                " No count from 1 to {js} is shown: such counts become 0 or larger numbers."
            ),
        };
        Rule {
            method: "cell-key".into(),
            parameters: p,
            text: format!(
                "Counts are protected by the cell-key method (Australian Bureau of Statistics; Eurostat recommendations for the 2021 census): \
                 each count has a random whole number between -{d} and +{d} added (variance {v}), the same every time and in every table that shows that count. \
                 Zeros are not changed, so a count shown as 0 may be 0 to {d}.{blocked} \
                 Totals are the sums of the protected counts they add up, and ratios and ranks are computed from protected counts, so a total may differ slightly from the publisher's.",
                d = p.maximum_noise_people,
                v = p.variance_people2,
            ),
        }
    }

    /// The narrowest interval of true values any published count leaves (see
    /// [`PerturbationTable::guaranteed_width_people`]); at start-up, refuse parameters
    /// whose width is below the protection width the deployment promises.
    pub fn guaranteed_width_people(&self) -> u64 {
        self.ptable.guaranteed_width_people()
    }

    /// What an attacker who knows the published parameters learns about the true value
    /// of a count published as `published_people`: the smallest and largest possible.
    pub fn feasible_true_interval(&self, published_people: u64) -> Option<(u64, u64)> {
        self.ptable.feasible_originals(published_people)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protector() -> Protector {
        Protector::new(NoiseParameters::default(), b"unit-test key, not a secret").unwrap()
    }

    #[test]
    fn the_same_count_gets_the_same_noise_and_other_keys_differ() {
        let p = protector();
        let other = Protector::new(NoiseParameters::default(), b"another deployment key").unwrap();
        let id = |origin: &str| {
            CellIdentity::new("undesa")
                .with("host", "LIE")
                .with("origin", origin)
        };
        assert_eq!(
            p.protect_count(&id("ALB"), 2),
            p.protect_count(&id("ALB"), 2)
        );
        let codes = [
            "ALB", "AUT", "DEU", "ITA", "CHE", "SRB", "TUR", "POL", "ESP", "FRA",
        ];
        let mine: Vec<u64> = codes.iter().map(|c| p.protect_count(&id(c), 40)).collect();
        let theirs: Vec<u64> = codes
            .iter()
            .map(|c| other.protect_count(&id(c), 40))
            .collect();
        assert_ne!(mine, theirs, "the key changes the noise");
        assert!(mine.iter().any(|&v| v != 40), "noise is added");
    }

    #[test]
    fn short_keys_and_non_counts_are_refused() {
        assert!(matches!(
            Protector::new(NoiseParameters::default(), b"short"),
            Err(DisclosureError::SecretKeyTooShort { length_bytes: 5 })
        ));
        let id = CellIdentity::new("flows");
        for bad in [-3.0, 2.5, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                Protector::count_from_value(&id, bad),
                Err(DisclosureError::NotACount { .. })
            ));
        }
        assert_eq!(Protector::count_from_value(&id, 17.0).unwrap(), 17);
    }

    #[test]
    fn table_totals_are_sums_of_published_cells_and_order_is_published() {
        let p = protector();
        let table = TableCounts {
            base: CellIdentity::new("flows")
                .with("reporting", "PAN")
                .with("year", "2023"),
            row_dimension: "nationality".into(),
            row_keys: vec!["KGZ".into(), "VEN".into(), "AAA".into()],
            column_dimension: "month".into(),
            column_keys: vec!["2023-01".into(), "2023-02".into()],
            columns_are_periods: true,
            counts_people: vec![vec![2, 5], vec![3000, 2800], vec![0, 0]],
        };
        let t = p.protect_table(&table).unwrap();
        assert!(
            !t.row_keys.contains(&"AAA".to_owned()),
            "all-zero rows are left out"
        );
        assert_eq!(t.row_keys[0], "VEN");
        for (cells, total) in t.cells_people.iter().zip(&t.row_totals_people) {
            assert_eq!(cells.iter().sum::<u64>(), *total);
        }
        assert_eq!(
            t.column_totals_people.iter().sum::<u64>(),
            t.grand_total_people
        );
        assert_eq!(
            t.row_totals_people.iter().sum::<u64>(),
            t.grand_total_people
        );
        let duplicated = TableCounts {
            row_keys: vec!["KGZ".into(), "VEN".into(), "KGZ".into()],
            ..table.clone()
        };
        assert!(matches!(
            p.protect_table(&duplicated),
            Err(DisclosureError::DuplicateRow { row_key, .. }) if row_key == "KGZ"
        ));
        let ragged = TableCounts {
            counts_people: vec![vec![1], vec![2, 3], vec![0, 0]],
            ..table
        };
        assert!(matches!(
            p.protect_table(&ragged),
            Err(DisclosureError::TableShape { row: 0, .. })
        ));
    }

    #[test]
    fn a_table_cell_has_the_same_noise_as_the_same_count_shown_alone() {
        // The quarterly report sums the portal's months: both must see the same noise.
        let p = protector();
        let table = TableCounts {
            base: CellIdentity::new("flows")
                .with("reporting", "PAN")
                .with("measure", "transits"),
            row_dimension: "nationality".into(),
            row_keys: vec!["KGZ".into()],
            column_dimension: "month".into(),
            column_keys: (1..=12).map(|m| format!("2023-{m:02}")).collect(),
            columns_are_periods: true,
            counts_people: vec![vec![23, 39, 50, 23, 2, 0, 0, 0, 0, 0, 0, 5]],
        };
        let t = p.protect_table(&table).unwrap();
        let alone: Vec<u64> = table.counts_people[0]
            .iter()
            .map(|&c| p.protect_count(&CellIdentity::flow("PAN", "transits", "KGZ"), c))
            .collect();
        assert_eq!(t.cells_people[0], alone);
        assert_eq!(
            t.cells_people[0][0], t.cells_people[0][3],
            "23 in January and April: one noise"
        );
    }

    #[test]
    fn the_rule_names_the_parameters_and_the_key_stays_out_of_debug() {
        let p = protector();
        let rule = p.rule();
        assert!(
            rule.text.contains("-5 and +5") && rule.text.contains("1 to 2"),
            "{}",
            rule.text
        );
        assert!(!format!("{p:?}").contains("unit-test key"));
    }
}
