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
