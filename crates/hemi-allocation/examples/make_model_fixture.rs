//! Writes synthetic employment outcomes to `test_data/model/outcomes.csv` for the R
//! reference fit (`test_data/model/fit_glm.R`).
use hemi_allocation::placement::model::{synth_outcomes, FEATURE_NAMES};

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "test_data/model".into());
    let (x, y) = synth_outcomes(3000, 7);
    let mut out = String::from("employed");
    for i in 0..FEATURE_NAMES.len() {
        out.push_str(&format!(",x{}", i + 1));
    }
    out.push('\n');
    for (row, outcome) in x.iter().zip(&y) {
        out.push_str(if *outcome { "1" } else { "0" });
        for v in &row[1..] {
            out.push_str(&format!(",{v:.17e}"));
        }
        out.push('\n');
    }
    std::fs::write(format!("{dir}/outcomes.csv"), out)
}
