//! The employment model against R's glm on stored outcomes, and its calibration on
//! held-out synthetic outcomes.

use hemi_allocation::placement::model::{
    calibration, synth_outcomes, EmploymentModel, COEFFICIENTS,
};

use crate::{close, read_fixture};

#[test]
fn coefficients_match_r_glm() {
    let text = read_fixture("model/outcomes.csv");
    let mut x = Vec::new();
    let mut y = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        let mut row = [1.0; COEFFICIENTS];
        row[1..].copy_from_slice(&f[1..]);
        x.push(row);
        y.push(f[0] == 1.0);
    }
    let model = EmploymentModel::fit(&x, &y).unwrap();
    let r: Vec<f64> = read_fixture("model/glm_coefficients.txt")
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    for (i, (a, b)) in model.coefficients.iter().zip(&r).enumerate() {
        assert!(close(*a, *b, 1e-9, 1e-7), "coefficient {i}: {a} vs R {b}");
    }
}

#[test]
fn held_out_calibration_beats_the_mean() {
    let (x, y) = synth_outcomes(6000, 99);
    let model = EmploymentModel::fit(&x[..4000], &y[..4000]).unwrap();
    let c = calibration(&model, &x[4000..], &y[4000..]);
    assert_eq!(c.rows, 2000);
    assert!(c.brier_score < c.brier_score_of_mean, "{c:?}");
    for b in c.bins.iter().filter(|b| b.rows >= 100) {
        assert!((b.mean_predicted - b.observed_rate).abs() < 0.1, "{b:?}");
    }
}

#[test]
fn model_scores_drive_the_plan_and_explain_it() {
    use hemi_allocation::placement::model::{features, score_arcs, synth_features};
    use hemi_allocation::placement::{
        explain, solve, HouseholdRow, Instance, SiteRow, SolveOptions, TieStrength,
    };
    use rand::SeedableRng;
    let (x, y) = synth_outcomes(3000, 5);
    let model = EmploymentModel::fit(&x, &y).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let pairs: Vec<_> = (0..120).map(|_| synth_features(&mut rng)).collect();
    let households: Vec<_> = pairs.iter().map(|p| p.0.clone()).collect();
    let sites: Vec<_> = pairs.iter().take(6).map(|p| p.1.clone()).collect();
    let rows: Vec<HouseholdRow> = households
        .iter()
        .enumerate()
        .map(|(i, h)| HouseholdRow {
            household_id: format!("H{i}"),
            size_people: h.working_age_adults + h.children,
            tie_site: None,
            tie_household: None,
            tie_strength: TieStrength::Hard,
        })
        .collect();
    let people: u32 = rows.iter().map(|r| r.size_people).sum();
    let site_rows: Vec<SiteRow> = (0..6)
        .map(|j| SiteRow {
            site_id: format!("S{j}"),
            capacity_people: people / 5,
        })
        .collect();
    let candidates: Vec<(u32, u32)> = (0..120).flat_map(|h| (0..6).map(move |s| (h, s))).collect();
    let arcs = score_arcs(&model, &households, &sites, &candidates);
    let inst = Instance::new(rows, site_rows, arcs, ("h", "a")).unwrap();
    let r = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap();
    assert!(r.relative_gap < 0.01);
    let site = r.plan.site_of[0].unwrap() as usize;
    let f = features(&households[0], &sites[site]);
    let e = explain(&inst, &r.plan, &r.price_per_person, 0, model.factors(&f), 2);
    assert!(close(e.score.unwrap(), model.predict(&f), 1e-12, 0.0));
    assert_eq!(e.top_factors.len(), 9);
    assert!(e
        .top_factors
        .windows(2)
        .all(|w| w[0].1.abs() >= w[1].1.abs()));
}
