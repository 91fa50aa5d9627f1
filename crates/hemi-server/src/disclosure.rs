//! Statistical disclosure control for the public portal: small counts are suppressed,
//! and enough other cells with them that totals cannot give a suppressed cell away.
//!
//! The table is treated with its margins as one (rows+1) x (columns+1) grid: each row
//! of the grid (cells plus row total) and each column (cells plus column total) is a
//! linear equation a reader could solve. Primary suppression hides every count in
//! `1..threshold`; secondary suppression then makes sure no equation has exactly one
//! unknown, by hiding a further entry (the smallest non-zero cell, else the smallest
//! cell, else the margin) until every line hides zero or at least two entries. This is
//! the standard "at least two per line" rule: it stops a reader subtracting published
//! figures from a total, which is the attack margins invite. Zero cells are published:
//! "nobody of this nationality" does not identify a person, and hiding every zero
//! would blank most of a sparse table.

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The grid with margins, `None` where hidden.
    fn grid(t: &ProtectedTable) -> Vec<Vec<Option<f64>>> {
        let mut g: Vec<Vec<Option<f64>>> = t
            .cells
            .iter()
            .zip(&t.row_totals)
            .map(|(r, total)| r.iter().copied().chain([*total]).collect())
            .collect();
        g.push(
            t.column_totals
                .iter()
                .copied()
                .chain([t.grand_total])
                .collect(),
        );
        g
    }

    /// No row or column (margins included) hides exactly one entry.
    fn no_line_hides_exactly_one(t: &ProtectedTable) -> bool {
        let g = grid(t);
        let rows_ok = g
            .iter()
            .all(|r| r.iter().filter(|c| c.is_none()).count() != 1);
        let columns_ok = (0..g[0].len()).all(|j| g.iter().filter(|r| r[j].is_none()).count() != 1);
        rows_ok && columns_ok
    }

    #[test]
    fn large_counts_are_all_published() {
        let t = protect(&[vec![10.0, 20.0], vec![30.0, 40.0]], 5.0);
        assert_eq!(t.primary + t.secondary, 0);
        assert_eq!(t.row_totals, vec![Some(30.0), Some(70.0)]);
        assert_eq!(t.column_totals, vec![Some(40.0), Some(60.0)]);
        assert_eq!(t.grand_total, Some(100.0));
    }

    #[test]
    fn a_small_cell_takes_a_partner_in_its_row_and_column() {
        let t = protect(
            &[
                vec![3.0, 20.0, 50.0],
                vec![30.0, 40.0, 60.0],
                vec![35.0, 45.0, 70.0],
            ],
            5.0,
        );
        assert_eq!(t.cells[0][0], None);
        assert_eq!(t.primary, 1);
        // Row 0 hides 20 (its smallest other cell), column 0 hides 30; then row 1 and
        // column 1 each hide one and need 40 as well: a 2x2 rectangle.
        assert_eq!(t.cells[0][1], None);
        assert_eq!(t.cells[1][0], None);
        assert_eq!(t.cells[1][1], None);
        assert_eq!(t.cells[2], vec![Some(35.0), Some(45.0), Some(70.0)]);
        assert!(
            t.row_totals.iter().all(Option::is_some),
            "totals stay published"
        );
        assert!(no_line_hides_exactly_one(&t));
    }

    #[test]
    fn zeros_are_published() {
        let t = protect(&[vec![0.0, 10.0], vec![10.0, 10.0]], 5.0);
        assert_eq!(t.primary + t.secondary, 0);
        assert_eq!(t.cells[0][0], Some(0.0));
    }

    #[test]
    fn a_small_row_hides_its_total_and_the_column_partners() {
        // Row 0 is 2 + 0 = 2: the cell and the row total are both small, so the row
        // hides two entries already; its column and the totals column need partners.
        let t = protect(&[vec![2.0, 0.0], vec![10.0, 10.0]], 5.0);
        assert_eq!(t.cells[0], vec![None, Some(0.0)]);
        assert_eq!(t.row_totals, vec![None, None]);
        assert_eq!(t.cells[1][0], None);
        assert!(no_line_hides_exactly_one(&t));
    }

    #[test]
    fn small_totals_are_suppressed_too() {
        // A nationality with 1 + 2 people: both cells and the row total are small.
        let t = protect(&[vec![1.0, 2.0], vec![50.0, 60.0], vec![70.0, 80.0]], 5.0);
        assert_eq!(t.row_totals[0], None);
        assert_eq!(t.cells[0], vec![None, None]);
        assert!(no_line_hides_exactly_one(&t));
        // The column of row totals then needs a second hidden entry.
        assert_eq!(
            t.row_totals.iter().filter(|v| v.is_none()).count()
                + usize::from(t.grand_total.is_none()),
            2
        );
    }

    #[test]
    fn the_threshold_is_configurable() {
        let cells = vec![vec![7.0, 100.0], vec![100.0, 100.0]];
        assert_eq!(protect(&cells, 5.0).primary, 0);
        assert_eq!(protect(&cells, 10.0).primary, 1);
    }

    #[test]
    fn every_line_is_protected_on_many_tables() {
        // A small deterministic generator: many shapes, many small cells.
        let mut seed = 42u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32
        };
        for _ in 0..300 {
            let (rows, columns) = (1 + next() as usize % 6, 1 + next() as usize % 6);
            let cells: Vec<Vec<f64>> = (0..rows)
                .map(|_| (0..columns).map(|_| f64::from(next() % 12)).collect())
                .collect();
            let t = protect(&cells, 5.0);
            assert!(no_line_hides_exactly_one(&t), "{cells:?} -> {t:?}");
            for (i, row) in cells.iter().enumerate() {
                for (j, &v) in row.iter().enumerate() {
                    if v > 0.0 && v < 5.0 {
                        assert_eq!(t.cells[i][j], None, "small cell {v} at {i},{j} published");
                    } else if let Some(shown) = t.cells[i][j] {
                        assert_eq!(shown, v, "published values are exact");
                    }
                }
            }
        }
    }

    #[test]
    fn empty_tables_are_fine() {
        let t = protect(&[], 5.0);
        assert!(t.cells.is_empty());
        assert_eq!(t.grand_total, Some(0.0));
    }
}
