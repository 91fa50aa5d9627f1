//! Calibration of the employment model: fitted on 20,000 synthetic outcomes (seed 1),
//! reported in-sample and on 10,000 held-out outcomes from another seed.
use hemi_allocation::placement::model::{
    calibration, synth_outcomes, EmploymentModel, TRUE_COEFFICIENTS,
};

fn main() {
    let (x, y) = synth_outcomes(20_000, 1);
    let model = EmploymentModel::fit(&x, &y).unwrap();
    let (hx, hy) = synth_outcomes(10_000, 2);
    println!(
        "coefficients (fitted vs generator): {}",
        model
            .coefficients
            .iter()
            .zip(TRUE_COEFFICIENTS)
            .map(|(a, b)| format!("{a:.3}/{b:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (name, c) in [
        ("in-sample", calibration(&model, &x, &y)),
        ("held-out", calibration(&model, &hx, &hy)),
    ] {
        println!(
            "{name}: rows {} Brier {:.4} (predicting the mean: {:.4})",
            c.rows, c.brier_score, c.brier_score_of_mean
        );
        for b in c.bins.iter().filter(|b| b.rows > 0) {
            println!(
                "  [{:.1},{:.1}) rows {:5} predicted {:.3} observed {:.3}",
                b.from, b.to, b.rows, b.mean_predicted, b.observed_rate
            );
        }
    }
}
