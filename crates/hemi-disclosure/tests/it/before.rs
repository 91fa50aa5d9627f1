//! The method used before this crate, copied from `hemi-server` (`disclosure.rs` and
//! `indicators.rs::public_item`) as the "before" of every regression test: suppression
//! below a threshold, "two hidden per line" secondary suppression, ranks kept.

use hemi_indicators::IndicatorRow;

/// The portal's threshold and the indicators' (`DEFAULT_SUPPRESSION_THRESHOLD`).
pub const THRESHOLD: f64 = 5.0;

/// An indicator row as `/api/indicators` published it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicItem {
    pub rank: Option<u32>,
    pub host: String,
    pub hosted: Option<f64>,
    pub suppressed: bool,
    pub population: Option<f64>,
    pub gdp_usd: Option<f64>,
    pub per_1000: Option<f64>,
    pub per_usd_million: Option<f64>,
}

/// `hemi_server::indicators::public_item`, as it was.
pub fn public_item(row: &IndicatorRow, threshold: f64) -> PublicItem {
    let suppressed = row.hosted > 0.0 && row.hosted < threshold;
    PublicItem {
        rank: row.rank,
        host: row.host.clone(),
        hosted: (!suppressed).then_some(row.hosted),
        suppressed,
        population: row.population,
        gdp_usd: row.gdp_usd,
        per_1000: row.per_1000.filter(|_| !suppressed),
        per_usd_million: row.per_usd_million.filter(|_| !suppressed),
    }
}

/// A table after suppression. `None` marks a suppressed entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtectedTable {
    /// Interior cells, by row then column.
    pub cells: Vec<Vec<Option<f64>>>,
    /// Row totals.
    pub row_totals: Vec<Option<f64>>,
    /// Column totals.
    pub column_totals: Vec<Option<f64>>,
    /// Grand total.
    pub grand_total: Option<f64>,
    /// Entries hidden because they were small.
    pub primary: usize,
    /// Entries hidden to protect those.
    pub secondary: usize,
}

/// Suppress a table of non-negative counts (rows of equal length) with a threshold:
/// entries with `0 < value < threshold` are hidden, and enough others to protect them.
pub fn protect(cells: &[Vec<f64>], threshold: f64) -> ProtectedTable {
    let rows = cells.len();
    let columns = cells.first().map_or(0, Vec::len);
    debug_assert!(
        cells.iter().all(|r| r.len() == columns),
        "rows must have equal length"
    );
    // The grid with margins: row `rows` holds column totals, column `columns` row totals.
    let mut grid = vec![vec![0.0; columns + 1]; rows + 1];
    for (i, row) in cells.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            grid[i][j] = v;
            grid[i][columns] += v;
            grid[rows][j] += v;
            grid[rows][columns] += v;
        }
    }
    let is_small = |v: f64| v > 0.0 && v < threshold;
    let mut hidden: Vec<Vec<bool>> = grid
        .iter()
        .map(|r| r.iter().map(|&v| is_small(v)).collect())
        .collect();
    let primary = hidden.iter().flatten().filter(|&&h| h).count();

    // Each line is a list of grid coordinates whose last entry is its margin.
    let mut lines: Vec<Vec<(usize, usize)>> = Vec::with_capacity(rows + columns + 2);
    for i in 0..=rows {
        lines.push((0..=columns).map(|j| (i, j)).collect());
    }
    for j in 0..=columns {
        lines.push((0..=rows).map(|i| (i, j)).collect());
    }
    // Hidden entries only ever get added, so this ends after at most as many passes as entries.
    loop {
        let mut changed = false;
        for line in &lines {
            if line.iter().filter(|&&(i, j)| hidden[i][j]).count() != 1 {
                continue;
            }
            let (margin, interior) = line.split_last().expect("lines have a margin");
            let open = |&&(i, j): &&(usize, usize)| !hidden[i][j];
            let smallest = |candidates: Vec<&(usize, usize)>| {
                candidates
                    .into_iter()
                    .min_by(|a, b| grid[a.0][a.1].total_cmp(&grid[b.0][b.1]))
                    .copied()
            };
            let pick = smallest(
                interior
                    .iter()
                    .filter(open)
                    .filter(|&&(i, j)| grid[i][j] > 0.0)
                    .collect(),
            )
            .or_else(|| smallest(interior.iter().filter(open).collect()))
            .unwrap_or(*margin);
            hidden[pick.0][pick.1] = true;
            changed = true;
        }
        if !changed {
            break;
        }
    }
    let secondary = hidden.iter().flatten().filter(|&&h| h).count() - primary;
    let shown = |i: usize, j: usize| (!hidden[i][j]).then_some(grid[i][j]);
    ProtectedTable {
        cells: (0..rows)
            .map(|i| (0..columns).map(|j| shown(i, j)).collect())
            .collect(),
        row_totals: (0..rows).map(|i| shown(i, columns)).collect(),
        column_totals: (0..columns).map(|j| shown(rows, j)).collect(),
        grand_total: shown(rows, columns),
        primary,
        secondary,
    }
}
