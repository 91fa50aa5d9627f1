//! The public outputs of both methods, built from the bundled data the way the portal and
//! `/api/indicators` build them, and the attacker's model built from those outputs alone
//! (what is published, plus the rule each method prints beside it).

use std::collections::{BTreeMap, BTreeSet};

use hemi_disclosure::{
    AttackerModel, CellIdentity, ProtectedTable, Protector, TableCounts, Unknown,
};
use hemi_indicators::{
    compute, Denominator, HostedCount, IndicatorRow, Measure, Options, RankBy, UnhcrCategory,
};

use crate::before::{self, PublicItem, THRESHOLD};

/// Every ranking `/api/indicators` offers.
pub const RANKINGS: [RankBy; 3] = [RankBy::Per1000, RankBy::PerUsdMillion, RankBy::Hosted];

/// One `/api/indicators` answer (world scope: the Americas scope lists a subset of the
/// same rows in the same relative order, so it adds nothing the world answer does not).
#[derive(Debug, Clone)]
pub struct View {
    /// Origin filter; `None` for host totals.
    pub origin: Option<String>,
    /// Ranking.
    pub rank_by: RankBy,
    /// Rows in the order served.
    pub items: Vec<PublicItem>,
}

/// Base cells of an indicators family: (host, origin) -> people, as `compute` counts them.
pub fn base_cells(counts: &[HostedCount], measure: Measure) -> BTreeMap<(String, String), u64> {
    let mut cells: BTreeMap<(String, String), f64> = BTreeMap::new();
    for c in counts {
        let Some(origin) = &c.origin else { continue };
        let counted = match measure {
            Measure::Undesa => matches!(c.category.as_str(), "female" | "male"),
            Measure::Unhcr => {
                UnhcrCategory::parse(&c.category).is_some_and(UnhcrCategory::is_hosted)
                    && origin != &c.host
            }
        };
        if counted {
            *cells.entry((c.host.clone(), origin.clone())).or_default() += c.count;
        }
    }
    cells
        .into_iter()
        .map(|(k, v)| (k, v.round() as u64))
        .collect()
}

/// The identity of an indicators base cell: the same in every view and every year (the
/// period is left out on purpose, see `CellIdentity`).
pub fn identity(measure: Measure, _year: i32, host: &str, origin: &str) -> CellIdentity {
    CellIdentity::stock(measure.source(), host, origin)
}

/// The identity with the year in it: what the design avoids (for the test showing why).
pub fn identity_with_year(measure: Measure, year: i32, host: &str, origin: &str) -> CellIdentity {
    identity(measure, year, host, origin).with("year", year.to_string())
}

/// Base cells perturbed, as counts `compute` takes (one category carrying the cell).
pub fn perturbed_counts(
    protector: &Protector,
    measure: Measure,
    year: i32,
    base: &BTreeMap<(String, String), u64>,
) -> Vec<HostedCount> {
    let category = match measure {
        Measure::Undesa => "female",
        Measure::Unhcr => "refugee",
    };
    base.iter()
        .map(|((host, origin), &count)| HostedCount {
            host: host.clone(),
            year,
            origin: Some(origin.clone()),
            category: category.into(),
            count: protector.protect_count(&identity(measure, year, host, origin), count) as f64,
        })
        .collect()
}

fn options(measure: Measure, year: i32, origin: Option<String>, rank_by: RankBy) -> Options {
    Options {
        measure,
        year,
        origin,
        region: None,
        max_denominator_lag_years: 1,
        rank_by,
    }
}

/// Every answer of `/api/indicators` for these origins and rankings, each row as `item`
/// makes it public (`None`: not listed).
fn views(
    counts: &[HostedCount],
    denominators: &(Vec<Denominator>, Vec<Denominator>),
    measure: Measure,
    year: i32,
    origins: &[Option<String>],
    rankings: &[RankBy],
    item: impl Fn(&IndicatorRow) -> Option<PublicItem>,
) -> Vec<View> {
    let mut views = Vec::new();
    for origin in origins {
        for &rank_by in rankings {
            let result = compute(
                counts,
                &denominators.0,
                &denominators.1,
                &options(measure, year, origin.clone(), rank_by),
            );
            views.push(View {
                origin: origin.clone(),
                rank_by,
                items: result.rows.iter().filter_map(&item).collect(),
            });
        }
    }
    views
}

/// The old `/api/indicators`: computed on true counts, small counts blanked, ranks kept.
pub fn before_views(
    counts: &[HostedCount],
    denominators: &(Vec<Denominator>, Vec<Denominator>),
    measure: Measure,
    year: i32,
    origins: &[Option<String>],
    rankings: &[RankBy],
) -> Vec<View> {
    views(
        counts,
        denominators,
        measure,
        year,
        origins,
        rankings,
        |r| Some(before::public_item(r, THRESHOLD)),
    )
}

/// The new `/api/indicators`: `compute` run on perturbed base cells (so host totals,
/// ratios and ranks come from protected counts), rows whose published count is 0 left out.
pub fn after_views(
    perturbed: &[HostedCount],
    denominators: &(Vec<Denominator>, Vec<Denominator>),
    measure: Measure,
    year: i32,
    origins: &[Option<String>],
    rankings: &[RankBy],
) -> Vec<View> {
    views(
        perturbed,
        denominators,
        measure,
        year,
        origins,
        rankings,
        |r| (r.hosted > 0.0).then(|| before::public_item(r, 0.0)),
    )
}

fn cell_name(host: &str, origin: Option<&str>) -> String {
    format!("{host}/{}", origin.unwrap_or("*"))
}

/// What ranks by `rank_by` divide the count by (the ratio's scale cancels in an order).
fn denominator(item: &PublicItem, rank_by: RankBy) -> Option<f64> {
    match rank_by {
        RankBy::Per1000 => item.population,
        RankBy::PerUsdMillion => item.gdp_usd.map(|g| g / 1e6),
        RankBy::Hosted => Some(1.0),
    }
}

/// The attacker's model of the old API: exact counts and ratios, suppressed counts in
/// `1..THRESHOLD` (the published rule), ranks as order inequalities between true ratios
/// (hidden rows kept their rank), unranked rows ordered by true count, and host totals as
/// sums of their origins (when `with_totals`). Returns the hidden cells.
pub fn before_model(
    views: &[View],
    with_ranks: bool,
    with_totals: bool,
) -> (AttackerModel, Vec<Unknown>) {
    let mut m = AttackerModel::new();
    let mut hidden = BTreeSet::new();
    let mut parts: BTreeMap<String, BTreeSet<Unknown>> = BTreeMap::new();
    for view in views {
        let mut previous: Option<(Unknown, Option<f64>, bool)> = None;
        for item in &view.items {
            let u = m.unknown(&cell_name(&item.host, view.origin.as_deref()));
            if view.origin.is_some() {
                parts.entry(item.host.clone()).or_default().insert(u);
            }
            match item.hosted {
                Some(v) => m.published_exact(u, v),
                None => {
                    m.bound(u, 1.0, THRESHOLD - 1.0);
                    hidden.insert(u);
                }
            }
            if let (Some(r), Some(p)) = (item.per_1000, item.population) {
                m.published_ratio(u, p, 1000.0, r, r.abs() * 1e-12);
            }
            let ranked = item.rank.is_some();
            let d = denominator(item, view.rank_by);
            if with_ranks {
                if let Some((pu, pd, pranked)) = previous {
                    match (pranked, ranked) {
                        (true, true) => m.ratio_at_least((pu, pd.unwrap()), (u, d.unwrap())),
                        // Rows without the ranking value follow, by count.
                        (false, false) => m.ratio_at_least((pu, 1.0), (u, 1.0)),
                        _ => {}
                    }
                }
            }
            previous = Some((u, d, ranked));
        }
    }
    if with_totals {
        for (host, cells) in &parts {
            if let Some(total) = m.find(&cell_name(host, None)) {
                let cells: Vec<Unknown> = cells.iter().copied().collect();
                m.sum_equals(total, &cells);
            }
        }
    }
    (m, hidden.into_iter().collect())
}

/// The attacker's model of the new API: every published count tells its feasible set
/// (a cell never shown was published as 0), host totals are sums of the true origins (the
/// published total is the sum of the published origins: no noisy equation of its own),
/// ratios repeat published counts and ranks order published values, so neither adds a
/// constraint on true values. Returns every base cell.
pub fn after_model(
    views: &[View],
    base: &BTreeMap<(String, String), u64>,
    protector: &Protector,
) -> (AttackerModel, Vec<Unknown>) {
    let mut m = AttackerModel::new();
    let mut shown: BTreeMap<Unknown, u64> = BTreeMap::new();
    for view in views {
        for item in &view.items {
            let hosted = item.hosted.expect("nothing is blank") as u64;
            if let (Some(r), Some(p)) = (item.per_1000, item.population) {
                assert!(
                    crate::close(r, hosted as f64 / p * 1000.0, 1e-12),
                    "ratios come from published counts"
                );
            }
            if view.origin.is_some() {
                let u = m.unknown(&cell_name(&item.host, view.origin.as_deref()));
                shown.insert(u, hosted);
            }
        }
    }
    let mut cells = Vec::with_capacity(base.len());
    let mut by_host: BTreeMap<&str, Vec<Unknown>> = BTreeMap::new();
    for (host, origin) in base.keys() {
        let u = m.unknown(&cell_name(host, Some(origin)));
        let published = shown.get(&u).copied().unwrap_or(0);
        m.published_perturbed(u, published, protector).unwrap();
        cells.push(u);
        by_host.entry(host).or_default().push(u);
    }
    for (host, parts) in by_host {
        let total = m.unknown(&cell_name(host, None));
        m.sum_equals(total, &parts);
    }
    (m, cells)
}

/// A portal table: nationalities with a count in the year, 12 months.
pub struct PortalTable {
    /// Reporting country (and measure, in the file name).
    pub reporting: String,
    /// Year.
    pub year: i32,
    /// Nationalities, as the old portal ordered them (by true total, then code).
    pub nationalities: Vec<String>,
    /// True counts.
    pub counts: Vec<Vec<u64>>,
}

impl PortalTable {
    /// From `year -> nationality -> months`.
    pub fn new(reporting: &str, year: i32, rows: &BTreeMap<String, [u64; 12]>) -> PortalTable {
        let mut rows: Vec<(&String, &[u64; 12])> = rows.iter().collect();
        rows.sort_by(|a, b| {
            b.1.iter()
                .sum::<u64>()
                .cmp(&a.1.iter().sum::<u64>())
                .then(a.0.cmp(b.0))
        });
        PortalTable {
            reporting: reporting.into(),
            year,
            nationalities: rows.iter().map(|r| r.0.clone()).collect(),
            counts: rows.iter().map(|r| r.1.to_vec()).collect(),
        }
    }

    /// Month keys of the year.
    pub fn months(&self) -> Vec<String> {
        (1..=12).map(|m| format!("{}-{m:02}", self.year)).collect()
    }

    /// The new portal's input.
    pub fn counts(&self) -> TableCounts {
        TableCounts {
            // `protect_table` adds the nationality per row, which then equals
            // `CellIdentity::flow(reporting, measure, nationality)`.
            base: CellIdentity::new("flows")
                .with("reporting", &self.reporting)
                .with("measure", "by_nationality"),
            row_dimension: "nationality".into(),
            row_keys: self.nationalities.clone(),
            column_dimension: "month".into(),
            column_keys: self.months(),
            columns_are_periods: true,
            counts_people: self.counts.clone(),
        }
    }
}

/// The attacker's model of an old portal table: shown entries exact, hidden ones at
/// least 1 (zeros are shown), every row, column and the margins adding up.
pub fn portal_before_model(
    table: &PortalTable,
    published: &before::ProtectedTable,
) -> (AttackerModel, Vec<Unknown>) {
    let mut m = AttackerModel::new();
    let mut hidden = Vec::new();
    let months = table.months();
    let mut grid: Vec<Vec<Unknown>> = Vec::new();
    let rows = table.nationalities.len();
    for (i, n) in table
        .nationalities
        .iter()
        .chain(std::iter::once(&"Total".to_owned()))
        .enumerate()
    {
        let mut line = Vec::new();
        for (j, month) in months
            .iter()
            .chain(std::iter::once(&"Total".to_owned()))
            .enumerate()
        {
            let u = m.unknown(&format!("{n}/{month}"));
            let value = match (i < rows, j < 12) {
                (true, true) => published.cells[i][j],
                (true, false) => published.row_totals[i],
                (false, true) => published.column_totals[j],
                (false, false) => published.grand_total,
            };
            match value {
                Some(v) => m.published_exact(u, v),
                None => {
                    m.known_nonzero(u);
                    hidden.push(u);
                }
            }
            line.push(u);
        }
        grid.push(line);
    }
    for line in &grid {
        m.sum_equals(line[12], &line[..12]);
    }
    for j in 0..=12 {
        let column: Vec<Unknown> = grid[..rows].iter().map(|line| line[j]).collect();
        m.sum_equals(grid[rows][j], &column);
    }
    (m, hidden)
}

/// The attacker's model of a new portal table: each cell's feasible set from its published
/// value (0 for a row left out), totals as sums of true cells with no equation of their own.
pub fn portal_after_model(
    table: &PortalTable,
    published: &ProtectedTable,
    protector: &Protector,
) -> (AttackerModel, Vec<Unknown>) {
    let mut m = AttackerModel::new();
    let (cells, _) = portal_after_into(&mut m, "", table, published, protector);
    (m, cells)
}

/// The same, added to a model shared with other tables (unknowns named `{prefix}{row}/{month}`);
/// returns the cells and the 12 column totals.
pub fn portal_after_into(
    m: &mut AttackerModel,
    prefix: &str,
    table: &PortalTable,
    published: &ProtectedTable,
    protector: &Protector,
) -> (Vec<Unknown>, Vec<Unknown>) {
    let months = table.months();
    let shown: BTreeMap<&String, &Vec<u64>> = published
        .row_keys
        .iter()
        .zip(&published.cells_people)
        .collect();
    let mut cells = Vec::new();
    let mut columns: Vec<Vec<Unknown>> = vec![Vec::new(); 12];
    for n in &table.nationalities {
        let mut line = Vec::new();
        for (j, month) in months.iter().enumerate() {
            let u = m.unknown(&format!("{prefix}{n}/{month}"));
            let value = shown.get(n).map_or(0, |row| row[j]);
            m.published_perturbed(u, value, protector).unwrap();
            cells.push(u);
            line.push(u);
            columns[j].push(u);
        }
        let total = m.unknown(&format!("{prefix}{n}/Total"));
        m.sum_equals(total, &line);
    }
    let mut column_totals = Vec::new();
    for (j, column) in columns.iter().enumerate() {
        let total = m.unknown(&format!("{prefix}Total/{}", months[j]));
        m.sum_equals(total, column);
        column_totals.push(total);
    }
    let grand = m.unknown(&format!("{prefix}Total/Total"));
    m.sum_equals(grand, &column_totals);
    (cells, column_totals)
}
