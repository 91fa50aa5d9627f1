//! The perturbation tables against an independent construction (SciPy SLSQP on the
//! primal problem, `test_data/ptable/make_fixtures.py`), row by row.

use hemi_disclosure::{NoiseParameters, PerturbationTable};

/// One reference probability: original, noise, probability, variance met.
type ReferenceRow = (u64, i64, f64, bool);

fn check(parameters: NoiseParameters, reference: &[ReferenceRow]) {
    let table = PerturbationTable::new(parameters).unwrap();
    let mut compared = 0;
    for &(original, noise, probability, variance_met) in reference {
        let row = &table.rows[original as usize];
        let k = row
            .noise_people
            .iter()
            .position(|&n| n == noise)
            .unwrap_or_else(|| panic!("{parameters:?}: row {original} lacks noise {noise}"));
        assert!(
            crate::close(row.probability[k], probability, 1e-6),
            "{parameters:?}: p({noise} | {original}) = {} but the reference has {probability}",
            row.probability[k]
        );
        assert_eq!(
            row.variance_met, variance_met,
            "{parameters:?}: row {original}"
        );
        compared += 1;
    }
    let cells: usize = table.rows.iter().map(|r| r.noise_people.len()).sum();
    assert_eq!(
        compared, cells,
        "{parameters:?}: every probability has a reference"
    );
}

#[test]
fn ptables_match_an_independent_maximum_entropy_solution() {
    let text = include_str!("../../test_data/ptable/maximum_entropy.csv");
    let mut groups: Vec<(NoiseParameters, Vec<ReferenceRow>)> = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let parameters = NoiseParameters {
            maximum_noise_people: f[0].parse().unwrap(),
            variance_people2: f[1].parse().unwrap(),
            blocked_up_to_people: f[2].parse().unwrap(),
        };
        let entry = (
            f[3].parse().unwrap(),
            f[4].parse().unwrap(),
            f[5].parse().unwrap(),
            f[6] == "true",
        );
        match groups.last_mut() {
            Some((p, rows)) if *p == parameters => rows.push(entry),
            _ => groups.push((parameters, vec![entry])),
        }
    }
    assert_eq!(groups.len(), 3);
    for (parameters, rows) in groups {
        check(parameters, &rows);
    }
}
