//! Placement: file errors, infeasibility, ties, and the solver against HiGHS (LP bound
//! and exact MIP optimum) on instances small enough for an exact answer.

use hemi_allocation::placement::{
    self, evaluate, explain, parse_plan, read_instance, solve, synth, write_plan, Instance,
    SolveOptions, SynthOptions,
};
use hemi_allocation::AllocationError;
use highs::{ColProblem, HighsModelStatus, Sense};

use crate::close;

fn instance(households: &str, sites: &str, arcs: &str) -> Result<Instance, AllocationError> {
    read_instance(
        (households.as_bytes(), "h.csv"),
        (sites.as_bytes(), "s.csv"),
        (arcs.as_bytes(), "a.csv"),
    )
}

fn check_error(households: &str, sites: &str, arcs: &str, expected: &str) {
    match instance(households, sites, arcs) {
        Err(e) => assert!(
            e.to_string().contains(expected),
            "expected {expected:?} in:\n{e}"
        ),
        Ok(_) => panic!("accepted bad input, expected {expected:?}"),
    }
}

const H: &str = "household_id,size,skills\nA,3,care\nB,1,farm\n";
const S: &str = "site_id,capacity_people,region\nX,3,north\nY,2,south\n";
const A: &str = "household_id,site_id,score\nA,X,0.5\nA,Y,0.4\nB,X,0.3\nB,Y,0.6\n";

#[test]
fn bad_files_get_file_line_field_messages() {
    check_error(
        H,
        "site_id,capacity_people\nX,-3\n",
        A,
        "s.csv:2: capacity_people: -3 is negative",
    );
    check_error(
        H,
        S,
        "household_id,site_id,score\nA,Z,0.5\n",
        "a.csv:2: site_id: unknown site \"Z\"",
    );
    check_error(
        H,
        S,
        "household_id,site_id,score\nQ,X,0.5\n",
        "a.csv:2: household_id: unknown household \"Q\"",
    );
    check_error(
        H,
        S,
        "household_id,site_id,score\nA,X,0.5\nA,X,0.7\n",
        "a.csv:3: site_id: arc A → X appears again (first on line 2)",
    );
    check_error(
        "household_id,size\nA,0\n",
        S,
        A,
        "h.csv:2: size: 0 is below 1",
    );
    check_error(
        H,
        S,
        "household_id,site_id,score\nA,X,abc\n",
        "a.csv:2: score: \"abc\" is not a finite number",
    );
    check_error(
        H,
        "site,capacity_people\nX,3\n",
        A,
        "s.csv:1: site_id: column \"site_id\" is missing",
    );
    check_error(
        "household_id,size,tie_site\nA,3,W\nB,1,\n",
        S,
        A,
        "h.csv:2: tie_site: unknown site \"W\"",
    );
}

#[test]
fn solves_and_round_trips_a_plan_ignoring_extra_columns() {
    let inst = instance(H, S, A).unwrap();
    let report = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap();
    // A (3) must go to X (only site with 3 places); B goes to Y.
    let text = write_plan(&inst, &report.plan);
    assert_eq!(text, "household_id,site_id\nA,X\nB,Y\n");
    assert!(close(report.objective, 1.1, 1e-12, 0.0));
    assert!(report.upper_bound >= report.objective - 1e-9);
    let plan = parse_plan(text.as_bytes(), "plan.csv", &inst).unwrap();
    assert_eq!(plan, report.plan);
    let bad = parse_plan("household_id,site_id\nA,Q\n".as_bytes(), "plan.csv", &inst)
        .unwrap_err()
        .to_string();
    assert!(
        bad.contains("plan.csv:2: site_id: unknown site \"Q\""),
        "{bad}"
    );
}

#[test]
fn infeasible_instances_fail_loudly_or_give_a_partial_plan_when_asked() {
    let inst = instance(H, "site_id,capacity_people\nX,2\nY,1\n", A).unwrap();
    let err = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap_err();
    assert!(
        matches!(
            err,
            AllocationError::MorePeopleThanPlaces {
                people: 4,
                capacity_people: 3,
                ..
            }
        ),
        "{err}"
    );
    let options = SolveOptions {
        allow_partial: true,
        ..SolveOptions::default()
    };
    let partial = solve(&inst, &options, &|_, _| {}).unwrap();
    assert!(evaluate(&inst, &partial.plan, &options).is_feasible());
    assert_eq!(partial.households_unplaced, 1);
    // Enough places in total, but the family of 3 fits nowhere.
    let inst = instance(H, "site_id,capacity_people\nX,2\nY,2\n", A).unwrap();
    let err = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap_err();
    assert!(
        matches!(&err, AllocationError::CannotPlace { household_ids, .. } if household_ids == &["A".to_string()]),
        "{err}"
    );
    // A household with no candidate arc at all.
    let inst = instance(
        "household_id,size\nA,1\nB,1\n",
        S,
        "household_id,site_id,score\nA,X,1\n",
    )
    .unwrap();
    let err = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap_err();
    assert!(
        matches!(&err, AllocationError::CannotPlace { household_ids, .. } if household_ids == &["B".to_string()]),
        "{err}"
    );
}

#[test]
fn scores_on_any_scale_and_sign() {
    // Scores from another tool: hundreds, some negative; the bound still holds and the
    // plan matches the exact optimum of HiGHS within 2 %.
    let base = synth(&SynthOptions {
        households: 60,
        sites: 6,
        arcs_per_household: Some(3),
        capacity_slack: 0.1,
        size_shift: 0.5,
        seed: 21,
    });
    let (mut h, mut s, mut a) = (Vec::new(), Vec::new(), Vec::new());
    base.write_files(placement::SynthFiles {
        households: &mut h,
        sites: &mut s,
        arcs: &mut a,
    })
    .unwrap();
    let mut arcs = String::new();
    for (i, l) in String::from_utf8(a).unwrap().lines().enumerate() {
        if i == 0 {
            arcs.push_str(l);
        } else {
            let f: Vec<&str> = l.split(',').collect();
            let v: f64 = f[2].parse().unwrap();
            arcs.push_str(&format!("{},{},{}", f[0], f[1], v * 300.0 - 120.0));
        }
        arcs.push('\n');
    }
    let inst = read_instance(
        (h.as_slice(), "h.csv"),
        (s.as_slice(), "s.csv"),
        (arcs.as_bytes(), "a.csv"),
    )
    .unwrap();
    let r = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap();
    let lp = highs_reference(&inst, false);
    let mip = highs_reference(&inst, true);
    assert!(evaluate(&inst, &r.plan, &SolveOptions::default()).is_feasible());
    assert!(
        r.upper_bound >= lp - 1e-6 && close(r.upper_bound, lp, 1e-6, 1e-3),
        "bound {} LP {lp}",
        r.upper_bound
    );
    assert!(
        r.objective <= mip + 1e-6 && (mip - r.objective) <= 0.02 * mip.abs(),
        "plan {} MIP {mip}",
        r.objective
    );
}

#[test]
fn ties_hard_and_soft() {
    let h = "household_id,size,tie_site,tie_household,tie\nA,2,,B,hard\nB,1,,,\nC,1,Y,,hard\nD,1,X,,soft\n";
    let s = "site_id,capacity_people\nX,4\nY,3\n";
    let a = "household_id,site_id,score\nA,X,0.9\nA,Y,0.1\nB,X,0.1\nB,Y,0.5\nC,X,0.9\nC,Y,0.2\nD,X,0.40\nD,Y,0.45\n";
    let inst = instance(h, s, a).unwrap();
    let options = SolveOptions {
        soft_tie_bonus: 0.1,
        ..SolveOptions::default()
    };
    let r = solve(&inst, &options, &|_, _| {}).unwrap();
    let site = |i: usize| r.plan.site_of[i].map(|s| inst.sites[s as usize].site_id.clone());
    assert_eq!(
        site(0),
        site(1),
        "hard household tie keeps A and B together"
    );
    assert_eq!(site(2).as_deref(), Some("Y"), "hard site tie");
    assert_eq!(
        site(3).as_deref(),
        Some("X"),
        "soft tie bonus 0.1 outweighs 0.05"
    );
    let e = evaluate(&inst, &r.plan, &options);
    assert!(e.is_feasible() && e.soft_ties_held == 1);
    assert!(r.upper_bound >= r.objective - 1e-9);
}

/// LP relaxation and exact MIP optimum by HiGHS: max Σ s x, Σ_j x_ij = 1, Σ_i w_i x_ij ≤ C_j.
fn highs_reference(inst: &Instance, integer: bool) -> f64 {
    let mut pb = ColProblem::default();
    let n = inst.households.len();
    let household_rows: Vec<_> = (0..n).map(|_| pb.add_row(1.0..=1.0)).collect();
    let site_rows: Vec<_> = inst
        .sites
        .iter()
        .map(|s| pb.add_row(..=s.capacity_people as f64))
        .collect();
    for (i, h) in inst.households.iter().enumerate() {
        let (sites, scores) = inst.arcs_of(i);
        for (&s, &score) in sites.iter().zip(scores) {
            let rows = [
                (household_rows[i], 1.0),
                (site_rows[s as usize], h.size_people as f64),
            ];
            if integer {
                pb.add_integer_column(score, 0..=1, rows);
            } else {
                pb.add_column(score, 0..=1, rows);
            }
        }
    }
    let mut model = pb.optimise(Sense::Maximise);
    model.make_quiet();
    model.set_option("mip_rel_gap", 1e-9);
    model.set_option("threads", 1);
    let solved = model.solve();
    assert_eq!(solved.status(), HighsModelStatus::Optimal);
    solved.objective_value()
}

#[test]
fn matches_highs_exact_optimum_on_tiny_instances() {
    let mut worst_gap_to_mip = 0.0f64;
    for seed in 1..=6 {
        let inst = synth(&SynthOptions {
            households: 40,
            sites: 5,
            arcs_per_household: Some(3),
            capacity_slack: 0.15,
            size_shift: 0.0,
            seed,
        });
        let lp = highs_reference(&inst, false);
        let mip = highs_reference(&inst, true);
        let r = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap();
        assert!(evaluate(&inst, &r.plan, &SolveOptions::default()).is_feasible());
        assert!(
            r.objective <= mip + 1e-7,
            "seed {seed}: plan {} above the MIP optimum {mip}",
            r.objective
        );
        assert!(
            r.upper_bound >= lp - 1e-7,
            "seed {seed}: bound {} below the LP {lp}",
            r.upper_bound
        );
        assert!(
            close(r.upper_bound, lp, 1e-6, 1e-3),
            "seed {seed}: bound {} far from the LP {lp}",
            r.upper_bound
        );
        worst_gap_to_mip = worst_gap_to_mip.max((mip - r.objective) / mip);
    }
    assert!(
        worst_gap_to_mip < 0.02,
        "worst gap to the exact optimum {worst_gap_to_mip}"
    );
}

#[test]
fn bound_equals_highs_lp_and_plan_is_close_on_a_medium_instance() {
    // Large families and tight places, where the transportation shortcut overfills sites.
    let inst = synth(&SynthOptions {
        households: 1500,
        sites: 40,
        arcs_per_household: Some(8),
        capacity_slack: 0.05,
        size_shift: 1.0,
        seed: 11,
    });
    let lp = highs_reference(&inst, false);
    let r = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap();
    let e = evaluate(&inst, &r.plan, &SolveOptions::default());
    assert!(e.is_feasible() && e.over_capacity.is_empty() && e.households_placed == 1500);
    assert!(
        r.upper_bound >= lp - 1e-6 && close(r.upper_bound, lp, 1e-6, 2e-4),
        "bound {} vs LP {lp}",
        r.upper_bound
    );
    assert!(
        (lp - r.objective) / lp < 0.005,
        "gap to LP {}",
        (lp - r.objective) / lp
    );
}

#[test]
fn explanation_lists_alternatives_and_occupancy_adds_up() {
    let inst = synth(&SynthOptions {
        households: 200,
        sites: 10,
        arcs_per_household: Some(5),
        ..SynthOptions::default()
    });
    let r = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap();
    let e = explain(
        &inst,
        &r.plan,
        &r.price_per_person,
        7,
        vec![("a".into(), 0.1), ("b".into(), -0.5)],
        3,
    );
    assert_eq!(e.alternatives.len(), 3);
    assert!(e.alternatives.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(e.top_factors[0].0, "b");
    assert!(e.rank_among_candidates.unwrap() >= 1);
    let occupancy = placement::site_occupancy(&inst, &r.plan);
    let people: u64 = occupancy.iter().map(|o| o.people).sum();
    assert_eq!(people, inst.people());
    assert!(occupancy
        .iter()
        .all(|o| o.people <= o.capacity_people as u64));
}

#[test]
fn synthetic_files_read_back_identically() {
    let inst = synth(&SynthOptions {
        households: 300,
        sites: 12,
        arcs_per_household: Some(4),
        ..SynthOptions::default()
    });
    let (mut h, mut s, mut a) = (Vec::new(), Vec::new(), Vec::new());
    inst.write_files(placement::SynthFiles {
        households: &mut h,
        sites: &mut s,
        arcs: &mut a,
    })
    .unwrap();
    let back = read_instance(
        (h.as_slice(), "h.csv"),
        (s.as_slice(), "s.csv"),
        (a.as_slice(), "a.csv"),
    )
    .unwrap();
    assert_eq!(back.arc_count(), inst.arc_count());
    assert_eq!(back.people(), inst.people());
    let r1 = solve(&inst, &SolveOptions::default(), &|_, _| {}).unwrap();
    let r2 = solve(&back, &SolveOptions::default(), &|_, _| {}).unwrap();
    assert_eq!(r1.plan, r2.plan, "the same instance gives the same plan");
}
