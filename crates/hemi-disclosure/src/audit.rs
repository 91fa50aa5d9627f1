//! The attacker's linear program: everything published about a family of linked tables,
//! written as linear constraints on the true counts, and for each protected count its
//! smallest and largest value under them, solved with HiGHS.
//!
//! This is the audit of τ-ARGUS (Hundepool et al., *Statistical Disclosure Control*,
//! Wiley 2012, §4.3: "the attacker's problem" — min and max of each cell subject to the
//! published table, non-negativity and the margins), extended to what Hemisphere
//! publishes besides tables: ratios to known denominators (a ratio shown to full
//! precision is the count), ranks (order inequalities between ratios) and, for
//! perturbed counts, the set of true values the published parameters allow.
//! Integrality is relaxed as the brief asks; the reported interval is then rounded
//! inwards to whole people, which the attacker gets for free (counts are integers).

use std::collections::HashMap;

#[cfg(feature = "audit")]
use highs::{HighsModelStatus, Model, RowProblem, Sense};
use serde::{Deserialize, Serialize};

use crate::protector::{ProtectedTable, Protector};
use crate::DisclosureError;

/// A true count the attacker solves for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Unknown(usize);

/// One linear fact: `lower <= Σ coefficient · unknown <= upper`.
#[derive(Debug, Clone, PartialEq)]
struct Relation {
    terms: Vec<(usize, f64)>,
    lower: f64,
    upper: f64,
}

/// What the attacker knows: unknown true counts (all non-negative), bounds on them and
/// linear relations between them. Build it from everything published for a family of
/// linked tables (every page, API answer, grouping, year, format).
#[derive(Debug, Clone, Default)]
pub struct AttackerModel {
    names: Vec<String>,
    by_name: HashMap<String, Unknown>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    relations: Vec<Relation>,
}

/// What the attacker can say about one protected count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellInterval {
    /// Name of the unknown (usually a [`crate::CellIdentity`] as text).
    pub name: String,
    /// Smallest value in the LP (integrality relaxed).
    pub minimum_people: f64,
    /// Largest value in the LP (`inf` when unbounded).
    pub maximum_people: f64,
    /// Width after rounding inwards to whole people: `floor(max) - ceil(min)`.
    pub width_people: f64,
}

/// The audit's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// The width every protected count must keep.
    pub protection_width_people: f64,
    /// Every protected count's interval, in the order asked.
    pub intervals: Vec<CellInterval>,
    /// The intervals narrower than the protection width: the disclosures.
    pub too_narrow: Vec<CellInterval>,
    /// Linear programs given to HiGHS (single-unknown components are solved directly).
    pub linear_programs_solved: u64,
    /// Groups of unknowns linked by some relation (each solved as its own LP).
    pub components: usize,
    /// Relations dropped before solving because a free unknown absorbs them (totals that
    /// are only sums of their parts).
    pub relations_dropped: usize,
}

impl AuditReport {
    /// True when no protected count is pinned narrower than the protection width.
    pub fn passed(&self) -> bool {
        self.too_narrow.is_empty()
    }

    /// The interval of a named unknown, if it was audited.
    pub fn interval(&self, name: &str) -> Option<&CellInterval> {
        self.intervals.iter().find(|i| i.name == name)
    }
}

impl AttackerModel {
    /// An empty model.
    pub fn new() -> AttackerModel {
        AttackerModel::default()
    }

    /// The unknown with this name, created (as a count `>= 0`) on first use.
    pub fn unknown(&mut self, name: &str) -> Unknown {
        if let Some(u) = self.by_name.get(name) {
            return *u;
        }
        let u = Unknown(self.names.len());
        self.names.push(name.to_owned());
        self.by_name.insert(name.to_owned(), u);
        self.lower.push(0.0);
        self.upper.push(f64::INFINITY);
        u
    }

    /// The unknown with this name, if there is one.
    pub fn find(&self, name: &str) -> Option<Unknown> {
        self.by_name.get(name).copied()
    }

    /// Name of an unknown.
    pub fn name(&self, unknown: Unknown) -> &str {
        &self.names[unknown.0]
    }

    /// Number of unknowns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there are no unknowns.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Number of relations.
    pub fn relation_count(&self) -> usize {
        self.relations.len()
    }

    /// Narrow an unknown to `lower..=upper` (intersected with what is known).
    pub fn bound(&mut self, unknown: Unknown, lower: f64, upper: f64) {
        self.lower[unknown.0] = self.lower[unknown.0].max(lower);
        self.upper[unknown.0] = self.upper[unknown.0].min(upper);
    }

    /// A count published exactly.
    pub fn published_exact(&mut self, unknown: Unknown, value_people: f64) {
        self.bound(unknown, value_people, value_people);
    }

    /// A count known to be at least 1 (e.g. hidden where zeros are shown).
    pub fn known_nonzero(&mut self, unknown: Unknown) {
        self.bound(unknown, 1.0, f64::INFINITY);
    }

    /// A count published after perturbation: its true value lies in the support the
    /// published parameters give the published value.
    pub fn published_perturbed(
        &mut self,
        unknown: Unknown,
        published_people: u64,
        protector: &Protector,
    ) -> Result<(), DisclosureError> {
        let (low, high) = protector
            .feasible_true_interval(published_people)
            .ok_or_else(|| DisclosureError::NeverPublished {
                name: self.name(unknown).to_owned(),
                published_people,
            })?;
        self.bound(unknown, low as f64, high as f64);
        Ok(())
    }

    /// Everything a published [`ProtectedTable`] tells: each shown cell's feasible set,
    /// and each total as the sum of its (true) parts. Unknowns are named
    /// `{prefix}/{row}/{column}`; returns the cells. For the app's own check of its public
    /// tables: add every table a family publishes, then [`audit`] the cells.
    pub fn add_published_table(
        &mut self,
        prefix: &str,
        table: &ProtectedTable,
        protector: &Protector,
    ) -> Result<Vec<Unknown>, DisclosureError> {
        let mut cells = Vec::new();
        let mut columns: Vec<Vec<Unknown>> = vec![Vec::new(); table.column_keys.len()];
        for (row, values) in table.row_keys.iter().zip(&table.cells_people) {
            let mut line = Vec::with_capacity(values.len());
            for ((column, &value), members) in
                table.column_keys.iter().zip(values).zip(&mut columns)
            {
                let u = self.unknown(&format!("{prefix}/{row}/{column}"));
                self.published_perturbed(u, value, protector)?;
                line.push(u);
                members.push(u);
            }
            let total = self.unknown(&format!("{prefix}/{row}/total"));
            self.sum_equals(total, &line);
            cells.extend(line);
        }
        let mut column_totals = Vec::with_capacity(columns.len());
        for (column, members) in table.column_keys.iter().zip(&columns) {
            let total = self.unknown(&format!("{prefix}/total/{column}"));
            self.sum_equals(total, members);
            column_totals.push(total);
        }
        let grand = self.unknown(&format!("{prefix}/total/total"));
        self.sum_equals(grand, &column_totals);
        Ok(cells)
    }

    /// `lower <= Σ coefficient · unknown <= upper`.
    ///
    /// The relation is stored scaled so that its largest coefficient is ±1: an order
    /// between ratios has coefficients `1 / population`, and HiGHS treats matrix entries
    /// below 1e-9 (one over China's population) as zero, which would turn a true order
    /// into a false bound.
    pub fn linear(&mut self, terms: &[(Unknown, f64)], lower: f64, upper: f64) {
        let largest = terms.iter().map(|(_, c)| c.abs()).fold(0.0, f64::max);
        let scale = if largest > 0.0 && largest.is_finite() {
            largest
        } else {
            1.0
        };
        self.relations.push(Relation {
            terms: terms.iter().map(|(u, c)| (u.0, *c / scale)).collect(),
            lower: lower / scale,
            upper: upper / scale,
        });
    }

    /// `total = Σ parts` between true values (a margin; a host total and its origins).
    pub fn sum_equals(&mut self, total: Unknown, parts: &[Unknown]) {
        let mut terms: Vec<(Unknown, f64)> = parts.iter().map(|p| (*p, 1.0)).collect();
        terms.push((total, -1.0));
        self.linear(&terms, 0.0, 0.0);
    }

    /// A ratio published as `ratio` = `scale · numerator / denominator`, exact to
    /// `± half_width` (half the last digit shown): bounds on the numerator, since the
    /// denominator (population, GDP) is published.
    pub fn published_ratio(
        &mut self,
        numerator: Unknown,
        denominator: f64,
        scale: f64,
        ratio: f64,
        half_width: f64,
    ) {
        let factor = denominator / scale;
        self.bound(
            numerator,
            (ratio - half_width) * factor,
            (ratio + half_width) * factor,
        );
    }

    /// A ranking put `higher` (count over its denominator) at or above `lower`:
    /// `higher / d_higher - lower / d_lower >= 0` (the scale cancels).
    pub fn ratio_at_least(&mut self, higher: (Unknown, f64), lower: (Unknown, f64)) {
        self.linear(
            &[(higher.0, 1.0 / higher.1), (lower.0, -1.0 / lower.1)],
            0.0,
            f64::INFINITY,
        );
    }
}

#[cfg(feature = "audit")]
/// The relations that can bind: a relation is dropped when one of its unknowns is free
/// (in no other kept relation, not protected) and can absorb any value the others take,
/// e.g. a published total that is only the sum of its parts. This is the "free column
/// singleton" reduction of LP presolve (Andersen and Andersen 1995, "Presolving in linear
/// programming", Math. Programming 71): it leaves every other unknown's range unchanged.
fn binding_relations(model: &AttackerModel, protected: &[Unknown]) -> Vec<bool> {
    let mut kept = vec![true; model.relations.len()];
    let mut is_protected = vec![false; model.len()];
    for u in protected {
        is_protected[u.0] = true;
    }
    loop {
        let mut occurrences = vec![0usize; model.len()];
        for (relation, _) in model.relations.iter().zip(&kept).filter(|(_, k)| **k) {
            for &(x, _) in &relation.terms {
                occurrences[x] += 1;
            }
        }
        let mut changed = false;
        for (r, relation) in model.relations.iter().enumerate() {
            if !kept[r] {
                continue;
            }
            let free = relation
                .terms
                .iter()
                .position(|&(x, c)| occurrences[x] == 1 && !is_protected[x] && c != 0.0);
            let Some(k) = free else { continue };
            let (u, c) = relation.terms[k];
            let (mut low, mut high) = (0.0, 0.0);
            for (i, &(x, a)) in relation.terms.iter().enumerate() {
                if i == k {
                    continue;
                }
                let (l, h) = (a * model.lower[x], a * model.upper[x]);
                let (l, h) = if a >= 0.0 { (l, h) } else { (h, l) };
                low += if l.is_nan() { f64::NEG_INFINITY } else { l };
                high += if h.is_nan() { f64::INFINITY } else { h };
            }
            let (cl, ch) = (c * model.lower[u], c * model.upper[u]);
            let (cl, ch) = if c >= 0.0 { (cl, ch) } else { (ch, cl) };
            // For every s the others can sum to, some value of the free unknown fits:
            // lower - s <= ch and upper - s >= cl at the worst s.
            let tolerance = 1e-9;
            if relation.lower - low <= ch + tolerance && relation.upper - high >= cl - tolerance {
                kept[r] = false;
                for &(x, _) in &relation.terms {
                    occurrences[x] -= 1;
                }
                changed = true;
            }
        }
        if !changed {
            return kept;
        }
    }
}

#[cfg(feature = "audit")]
/// Union-find over unknowns, so each group of linked unknowns is one small LP.
fn components(model: &AttackerModel, kept: &[bool]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..model.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (relation, _) in model.relations.iter().zip(kept).filter(|(_, k)| **k) {
        if let Some(&(first, _)) = relation.terms.first() {
            for &(other, _) in &relation.terms[1..] {
                let (a, b) = (root(&mut parent, first), root(&mut parent, other));
                if a != b {
                    parent[a] = b;
                }
            }
        }
    }
    (0..model.len()).map(|x| root(&mut parent, x)).collect()
}

#[cfg(feature = "audit")]
/// For each protected unknown, its minimum and maximum subject to everything in the
/// model; every interval narrower than `protection_width_people` (after rounding inwards
/// to whole people) is reported in [`AuditReport::too_narrow`]. Slow by design (two LPs
/// per protected count in a linked group): for tests and offline checks, not for serving.
pub fn audit(
    model: &AttackerModel,
    protected: &[Unknown],
    protection_width_people: f64,
    progress: &dyn Fn(u64, u64),
) -> Result<AuditReport, DisclosureError> {
    let kept = binding_relations(model, protected);
    let component_of = components(model, &kept);
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for (unknown, &c) in component_of.iter().enumerate() {
        members.entry(c).or_default().push(unknown);
    }
    let mut relations_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (r, relation) in model.relations.iter().enumerate() {
        if !kept[r] {
            continue;
        }
        if let Some(&(first, _)) = relation.terms.first() {
            relations_of.entry(component_of[first]).or_default().push(r);
        }
    }
    let mut by_component: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for (k, u) in protected.iter().enumerate() {
        by_component
            .entry(component_of[u.0])
            .or_default()
            .push((k, u.0));
    }
    let total = protected.len() as u64;
    let mut done = 0u64;
    let mut solved = 0u64;
    let mut results: Vec<Option<(f64, f64)>> = vec![None; protected.len()];
    let mut order: Vec<usize> = by_component.keys().copied().collect();
    order.sort_unstable();
    for c in order {
        let targets = &by_component[&c];
        let unknowns = &members[&c];
        let relations = relations_of.get(&c).map(Vec::as_slice).unwrap_or(&[]);
        if unknowns.len() == 1 {
            let x = unknowns[0];
            let interval = single_unknown_interval(model, x, relations)?;
            for &(k, _) in targets {
                results[k] = Some(interval);
                done += 1;
                progress(done, total);
            }
            continue;
        }
        let mut problem = RowProblem::default();
        let mut column = HashMap::with_capacity(unknowns.len());
        for &x in unknowns {
            let col = problem.add_column(0.0, model.lower[x]..=model.upper[x]);
            column.insert(x, col);
        }
        for &r in relations {
            let relation = &model.relations[r];
            let factors: Vec<_> = relation
                .terms
                .iter()
                .map(|(x, a)| (column[x], *a))
                .collect();
            problem.add_row(relation.lower..=relation.upper, &factors);
        }
        let mut lp: Model = problem.optimise(Sense::Minimise);
        lp.set_option("threads", 1);
        for &(k, x) in targets {
            let col = column[&x];
            lp.change_column_cost(col, 1.0);
            let mut ends = [0.0; 2];
            for (end, sense) in ends.iter_mut().zip([Sense::Minimise, Sense::Maximise]) {
                lp.set_sense(sense);
                let done_lp = lp.try_solve().map_err(|status| DisclosureError::Solver {
                    name: model.name(Unknown(x)).to_owned(),
                    status: format!("{status:?}"),
                })?;
                solved += 1;
                *end = match done_lp.status() {
                    HighsModelStatus::Optimal => done_lp.objective_value(),
                    HighsModelStatus::Unbounded if sense == Sense::Maximise => f64::INFINITY,
                    HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
                        return Err(DisclosureError::Infeasible {
                            name: model.name(Unknown(x)).to_owned(),
                        })
                    }
                    other => {
                        return Err(DisclosureError::Solver {
                            name: model.name(Unknown(x)).to_owned(),
                            status: format!("{other:?}"),
                        })
                    }
                };
                lp = Model::from(done_lp);
            }
            lp.change_column_cost(col, 0.0);
            results[k] = Some((ends[0], ends[1]));
            done += 1;
            progress(done, total);
        }
    }
    let intervals: Vec<CellInterval> = protected
        .iter()
        .zip(results)
        .map(|(u, interval)| {
            let (minimum, maximum) = interval.expect("every protected unknown is in a component");
            interval_of(model.name(*u), minimum, maximum)
        })
        .collect();
    let too_narrow = intervals
        .iter()
        .filter(|i| i.width_people < protection_width_people - 1e-9)
        .cloned()
        .collect();
    Ok(AuditReport {
        protection_width_people,
        intervals,
        too_narrow,
        linear_programs_solved: solved,
        components: members.len(),
        relations_dropped: kept.iter().filter(|k| !**k).count(),
    })
}

#[cfg(feature = "audit")]
fn interval_of(name: &str, minimum: f64, maximum: f64) -> CellInterval {
    // Inward rounding with a tolerance for the solver's floating point.
    let low = (minimum - 1e-6).ceil();
    let high = (maximum + 1e-6).floor();
    CellInterval {
        name: name.to_owned(),
        minimum_people: minimum,
        maximum_people: maximum,
        width_people: if high.is_infinite() {
            f64::INFINITY
        } else {
            high - low
        },
    }
}

#[cfg(feature = "audit")]
/// The LP of one unknown alone is its bounds intersected with each relation solved for it.
fn single_unknown_interval(
    model: &AttackerModel,
    x: usize,
    relations: &[usize],
) -> Result<(f64, f64), DisclosureError> {
    let (mut low, mut high) = (model.lower[x], model.upper[x]);
    for &r in relations {
        let relation = &model.relations[r];
        let a: f64 = relation.terms.iter().map(|(_, c)| c).sum();
        if a == 0.0 {
            if relation.lower > 1e-9 || relation.upper < -1e-9 {
                return Err(DisclosureError::Infeasible {
                    name: model.names[x].clone(),
                });
            }
            continue;
        }
        let (l, h) = if a > 0.0 {
            (relation.lower / a, relation.upper / a)
        } else {
            (relation.upper / a, relation.lower / a)
        };
        low = low.max(l);
        high = high.min(h);
    }
    if low > high + 1e-9 {
        return Err(DisclosureError::Infeasible {
            name: model.names[x].clone(),
        });
    }
    Ok((low, high))
}

#[cfg(all(test, feature = "audit"))]
mod tests {
    use super::*;

    fn check(
        build: impl Fn(&mut AttackerModel) -> Vec<Unknown>,
        expected: &[(f64, f64)],
    ) -> AuditReport {
        let mut model = AttackerModel::new();
        let protected = build(&mut model);
        let report = audit(&model, &protected, 4.0, &|_, _| {}).unwrap();
        let got: Vec<(f64, f64)> = report
            .intervals
            .iter()
            .map(|i| {
                (
                    (i.minimum_people * 1e6).round() / 1e6,
                    (i.maximum_people * 1e6).round() / 1e6,
                )
            })
            .collect();
        assert_eq!(got, expected);
        report
    }

    #[test]
    fn two_hidden_cells_in_a_row_with_a_published_total_share_its_remainder() {
        // Row 3 + [a] + [b] = 10 with zeros shown: a, b >= 1, so each is in 1..6.
        let report = check(
            |m| {
                let (a, b, shown, total) = (
                    m.unknown("a"),
                    m.unknown("b"),
                    m.unknown("s"),
                    m.unknown("t"),
                );
                m.published_exact(shown, 3.0);
                m.published_exact(total, 10.0);
                m.known_nonzero(a);
                m.known_nonzero(b);
                m.sum_equals(total, &[a, b, shown]);
                vec![a, b]
            },
            &[(1.0, 6.0), (1.0, 6.0)],
        );
        assert!(report.passed());
        assert_eq!(report.linear_programs_solved, 4);
    }

    #[test]
    fn a_single_hidden_cell_in_a_line_is_pinned() {
        let report = check(
            |m| {
                let (a, shown, total) = (m.unknown("a"), m.unknown("s"), m.unknown("t"));
                m.published_exact(shown, 3.0);
                m.published_exact(total, 5.0);
                m.sum_equals(total, &[a, shown]);
                vec![a]
            },
            &[(2.0, 2.0)],
        );
        assert_eq!(report.too_narrow.len(), 1);
        assert_eq!(report.too_narrow[0].width_people, 0.0);
    }

    #[test]
    fn a_rank_between_published_ratios_boxes_the_count() {
        // The Liechtenstein case: between 0.06122 and 0.04627 per 1,000 with a
        // population of 39,622 the count is in 1.83..2.43.
        let report = check(
            |m| {
                let (above, x, below) = (m.unknown("above"), m.unknown("x"), m.unknown("below"));
                m.published_ratio(above, 1000.0, 1000.0, 0.06122, 0.0);
                m.published_ratio(below, 1000.0, 1000.0, 0.04627, 0.0);
                m.ratio_at_least((above, 1000.0), (x, 39_622.0));
                m.ratio_at_least((x, 39_622.0), (below, 1000.0));
                vec![x]
            },
            &[(1.833310, 2.425659)],
        );
        assert_eq!(
            report.too_narrow[0].width_people, 0.0,
            "only 2 is an integer in it"
        );
    }

    #[test]
    fn an_unbounded_count_is_infinitely_wide_and_contradictions_are_errors() {
        let report = check(
            |m| {
                let (a, b) = (m.unknown("a"), m.unknown("b"));
                m.linear(&[(a, 1.0), (b, -1.0)], 0.0, 0.0);
                vec![a]
            },
            &[(0.0, f64::INFINITY)],
        );
        assert!(report.passed());
        let mut m = AttackerModel::new();
        let (a, b) = (m.unknown("a"), m.unknown("b"));
        m.published_exact(a, 3.0);
        m.published_exact(b, 3.0);
        m.linear(&[(a, 1.0), (b, 1.0)], 7.0, 7.0);
        assert!(matches!(
            audit(&m, &[a], 4.0, &|_, _| {}),
            Err(DisclosureError::Infeasible { .. })
        ));
    }

    #[test]
    fn independently_perturbed_totals_can_pin_a_part() {
        // ABS-style: parts and total each get their own noise of at most 5. True 10 + 10
        // = 20, published 15 + 15 and 15: the parts say >= 10 each, the total says <= 20.
        let report = check(
            |m| {
                let (a, b, total) = (m.unknown("a"), m.unknown("b"), m.unknown("t"));
                m.bound(a, 10.0, 20.0);
                m.bound(b, 10.0, 20.0);
                m.bound(total, 10.0, 20.0);
                m.sum_equals(total, &[a, b]);
                vec![a, b]
            },
            &[(10.0, 10.0), (10.0, 10.0)],
        );
        assert_eq!(report.too_narrow.len(), 2);
    }

    #[test]
    fn a_total_that_is_only_a_sum_is_dropped_but_a_published_total_binds() {
        let build = |published_total: bool| {
            move |m: &mut AttackerModel| {
                let (a, b, total) = (m.unknown("a"), m.unknown("b"), m.unknown("t"));
                m.bound(a, 0.0, 5.0);
                m.bound(b, 3.0, 13.0);
                if published_total {
                    m.published_exact(total, 4.0);
                }
                m.sum_equals(total, &[a, b]);
                vec![a, b]
            }
        };
        let free = check(build(false), &[(0.0, 5.0), (3.0, 13.0)]);
        assert_eq!(
            (free.relations_dropped, free.linear_programs_solved),
            (1, 0)
        );
        let bound = check(build(true), &[(0.0, 1.0), (3.0, 4.0)]);
        assert_eq!(bound.relations_dropped, 0);
        assert_eq!(bound.too_narrow.len(), 2);
    }

    #[test]
    fn orders_between_ratios_of_large_populations_stay_orders() {
        // Ranked by per 1,000 inhabitants: 1569 in 1.42 billion, then a hidden count in
        // 12.2 million, then another in 14.4 million. Unscaled, 1 / 1.42e9 is below
        // HiGHS's smallest matrix entry and the first order would be lost (40 and 40).
        let report = check(
            |m| {
                let (china, bolivia, guinea) =
                    (m.unknown("CHN"), m.unknown("BOL"), m.unknown("GIN"));
                m.published_exact(china, 1569.0);
                m.bound(bolivia, 1.0, 40.0);
                m.bound(guinea, 1.0, 40.0);
                m.ratio_at_least((china, 1_422_584_931.0), (bolivia, 12_244_161.0));
                m.ratio_at_least((bolivia, 12_244_161.0), (guinea, 14_405_469.0));
                vec![bolivia, guinea]
            },
            &[(1.0, 13.504353), (1.0, 15.888106)],
        );
        assert_eq!(report.linear_programs_solved, 4);
    }

    #[test]
    fn a_published_table_adds_its_cells_and_totals() {
        use crate::{CellIdentity, NoiseParameters, TableCounts};
        let protector =
            Protector::new(NoiseParameters::default(), b"unit-test key, not a secret").unwrap();
        let table = protector
            .protect_table(&TableCounts {
                base: CellIdentity::new("flows").with("reporting", "PAN"),
                row_dimension: "nationality".into(),
                row_keys: vec!["KGZ".into(), "VEN".into()],
                column_dimension: "month".into(),
                column_keys: vec!["2023-05".into(), "2023-12".into()],
                columns_are_periods: true,
                counts_people: vec![vec![2, 5], vec![300, 280]],
            })
            .unwrap();
        let mut m = AttackerModel::new();
        let cells = m
            .add_published_table("PAN 2023", &table, &protector)
            .unwrap();
        assert_eq!(cells.len(), 4);
        assert_eq!(m.relation_count(), 2 + 2 + 1);
        let report = audit(&m, &cells, 4.0, &|_, _| {}).unwrap();
        assert!(report.passed(), "{:?}", report.too_narrow);
        assert_eq!(report.relations_dropped, 5, "sums of parts bind nothing");
    }

    #[test]
    fn progress_counts_every_protected_count() {
        let mut m = AttackerModel::new();
        let cells: Vec<Unknown> = (0..5).map(|k| m.unknown(&format!("c{k}"))).collect();
        let seen = std::cell::Cell::new((0, 0));
        audit(&m, &cells, 4.0, &|done, total| seen.set((done, total))).unwrap();
        assert_eq!(seen.get(), (5, 5));
    }
}
