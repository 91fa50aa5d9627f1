//! The assignment solver against brute force and against an LP solver (microlp) on
//! random instances, and the labour matching built on it.

use hemi_pathways::assignment::auction::{Auction, Candidates};
use hemi_pathways::assignment::{solve, solve_by_auction, Problem, Solver, MAX_SCORE};
use hemi_pathways::labour::{
    match_workers, parse_job_orders, parse_workers, score, Block, Employer, Isco, MatchOptions,
};
use hemi_pathways::synth::synth_labour;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

fn random_problem(seed: u64, workers: usize, jobs: usize, max_score: i64) -> Problem {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut edges = Vec::new();
    for w in 0..workers {
        for j in 0..jobs {
            if rng.gen_bool(0.5) {
                edges.push((w as u32, j as u32, rng.gen_range(0..=max_score)));
            }
        }
    }
    Problem {
        workers,
        places: (0..jobs).map(|_| rng.gen_range(0..=2)).collect(),
        edges,
    }
}

/// Best (filled, score) by trying every assignment.
fn brute_force(p: &Problem) -> (u64, i64) {
    fn go(
        p: &Problem,
        w: usize,
        left: &mut Vec<u32>,
        filled: u64,
        score: i64,
        best: &mut (u64, i64),
    ) {
        if w == p.workers {
            *best = (*best).max((filled, score));
            return;
        }
        go(p, w + 1, left, filled, score, best);
        for &(ew, j, s) in &p.edges {
            if ew as usize == w && left[j as usize] > 0 {
                left[j as usize] -= 1;
                go(p, w + 1, left, filled + 1, score + s, best);
                left[j as usize] += 1;
            }
        }
    }
    let mut best = (0, 0);
    go(p, 0, &mut p.places.clone(), 0, 0, &mut best);
    best
}

/// The LP optimum of max sum (B + s) x with worker and job constraints; the transport
/// polytope is integral, so it equals the integer optimum.
fn lp(p: &Problem, big: f64) -> f64 {
    use microlp::{ComparisonOp, OptimizationDirection, Problem as Lp};
    let mut lp = Lp::new(OptimizationDirection::Maximize);
    let vars: Vec<_> = p
        .edges
        .iter()
        .map(|&(_, _, s)| lp.add_var(big + s as f64, (0.0, 1.0)))
        .collect();
    for w in 0..p.workers {
        let terms: Vec<_> = p
            .edges
            .iter()
            .zip(&vars)
            .filter(|((ew, _, _), _)| *ew as usize == w)
            .map(|(_, v)| (*v, 1.0))
            .collect();
        if !terms.is_empty() {
            lp.add_constraint(&terms, ComparisonOp::Le, 1.0);
        }
    }
    for (j, &cap) in p.places.iter().enumerate() {
        let terms: Vec<_> = p
            .edges
            .iter()
            .zip(&vars)
            .filter(|((_, ej, _), _)| *ej as usize == j)
            .map(|(_, v)| (*v, 1.0))
            .collect();
        if !terms.is_empty() {
            lp.add_constraint(&terms, ComparisonOp::Le, cap as f64);
        }
    }
    match lp.solve().expect("feasible") {
        microlp::SolveOutcome::Solution(s) => s.objective(),
        other => panic!("{other:?}"),
    }
}

fn check_solution(p: &Problem, filled: u64, total: i64, job_of: &[Option<u32>]) {
    let mut used = vec![0u32; p.places.len()];
    let mut sum = 0;
    for (w, j) in job_of.iter().enumerate() {
        if let Some(j) = j {
            used[*j as usize] += 1;
            let s = p
                .edges
                .iter()
                .find(|e| e.0 as usize == w && e.1 == *j)
                .expect("assigned along an edge")
                .2;
            sum += s;
        }
    }
    for (u, c) in used.iter().zip(&p.places) {
        assert!(u <= c, "over capacity");
    }
    assert_eq!(sum, total);
    assert_eq!(job_of.iter().flatten().count() as u64, filled);
}

#[test]
fn matches_brute_force_on_random_instances() {
    for seed in 0..300 {
        let workers = 1 + (seed as usize % 7);
        let jobs = 1 + (seed as usize % 3);
        let p = random_problem(
            seed,
            workers,
            jobs,
            if seed % 2 == 0 { 100 } else { MAX_SCORE },
        );
        let (s, certificate) = solve_by_auction(&p);
        assert!(certificate.optimal(), "seed {seed}: {certificate:?}");
        check_solution(&p, s.filled, s.total_score, &s.job_of_worker);
        assert_eq!(
            (s.filled, s.total_score),
            brute_force(&p),
            "seed {seed}: {p:?}"
        );
    }
}

#[test]
fn matches_the_lp_optimum_on_larger_instances() {
    for seed in 0..25 {
        let p = random_problem(1000 + seed, 30, 8, 1000);
        let (s, certificate) = solve_by_auction(&p);
        assert!(certificate.optimal(), "seed {seed}: {certificate:?}");
        check_solution(&p, s.filled, s.total_score, &s.job_of_worker);
        let big = 100_000.0;
        let value = lp(&p, big);
        let ours = big * s.filled as f64 + s.total_score as f64;
        assert!(
            (value - ours).abs() < 1e-3 * value.max(1.0),
            "seed {seed}: lp {value} ours {ours}"
        );
    }
}

/// A sparse random instance with many-place jobs, more workers than places and many
/// ties, shaped like the labour data.
fn sparse_problem(seed: u64, workers: usize, jobs: usize, degree: usize) -> Problem {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut edges = Vec::new();
    for w in 0..workers {
        let mut seen = Vec::new();
        for _ in 0..rng.gen_range(0..=degree) {
            let j = rng.gen_range(0..jobs) as u32;
            if seen.contains(&j) {
                continue;
            }
            seen.push(j);
            let s = if seed.is_multiple_of(3) {
                rng.gen_range(600..=1100)
            } else {
                rng.gen_range(0..=MAX_SCORE)
            };
            edges.push((w as u32, j, s));
        }
    }
    Problem {
        workers,
        places: (0..jobs).map(|_| rng.gen_range(0..=6)).collect(),
        edges,
    }
}

#[test]
fn auction_agrees_with_push_relabel_on_sparse_instances() {
    for seed in 0..60 {
        let workers = 50 + (seed as usize * 37) % 400;
        let jobs = 5 + (seed as usize * 13) % 60;
        let p = sparse_problem(seed, workers, jobs, 8);
        let reference = Solver::new(&p).solution();
        let (s, certificate) = solve_by_auction(&p);
        assert!(certificate.optimal(), "seed {seed}: {certificate:?}");
        check_solution(&p, s.filled, s.total_score, &s.job_of_worker);
        assert_eq!(
            (s.filled, s.total_score),
            (reference.filled, reference.total_score),
            "seed {seed}"
        );
        assert_eq!(solve(&p).total_score, reference.total_score);
    }
}

#[test]
fn left_out_pairs_are_priced_out_and_added_until_the_bound_proves_optimality() {
    for seed in 0..20 {
        let p = sparse_problem(500 + seed, 300, 30, 12);
        let all = Candidates::from_edges(p.workers, &p.edges);
        let mut auction = Auction::new(p.workers, &p.places, MAX_SCORE);
        // Only each worker's first two pairs at first.
        let mut given: Vec<usize> = (0..p.workers).map(|w| all.of(w).count().min(2)).collect();
        for (w, &n) in given.iter().enumerate() {
            auction.add_arcs(w as u32, all.of(w).take(n).map(|(j, s)| (j, s as i64)));
        }
        auction.run();
        let mut rounds = 0;
        let certificate = loop {
            let c = auction.certify(&all);
            if c.violated.is_empty() {
                break c;
            }
            rounds += 1;
            assert!(rounds < 50, "seed {seed}: no convergence");
            for &w in &c.violated {
                let w = w as usize;
                auction.add_arcs(
                    w as u32,
                    all.of(w).skip(given[w]).map(|(j, s)| (j, s as i64)),
                );
                given[w] = all.of(w).count();
            }
            auction.reoptimise(&c.violated);
        };
        assert!(certificate.optimal(), "seed {seed}: {certificate:?}");
        let reference = Solver::new(&p).solution();
        let assignment = auction.assignment();
        let mut total = 0;
        for (w, j) in assignment.iter().enumerate() {
            if let Some(j) = j {
                total += all
                    .of(w)
                    .filter(|&(k, _)| k == *j)
                    .map(|(_, s)| s as i64)
                    .max()
                    .unwrap();
            }
        }
        assert_eq!(
            (assignment.iter().flatten().count() as u64, total),
            (reference.filled, reference.total_score),
            "seed {seed}"
        );
    }
}

#[test]
fn a_certificate_with_missing_pairs_does_not_claim_optimality() {
    // Worker 0 sees only job 0; the candidate set knows it could take job 1, which
    // would free job 0 for worker 1.
    let all = Candidates::from_edges(2, &[(0, 0, 50), (0, 1, 40), (1, 0, 60)]);
    let mut auction = Auction::new(2, &[1, 1], 100);
    auction.add_arcs(0, [(0, 50)]);
    auction.add_arcs(1, [(0, 60)]);
    auction.run();
    let c = auction.certify(&all);
    assert!(!c.optimal() && c.violated == [0], "{c:?}");
    auction.add_arcs(0, [(1, 40)]);
    auction.reoptimise(&c.violated);
    let c = auction.certify(&all);
    assert!(c.optimal() && c.violated.is_empty(), "{c:?}");
    assert_eq!(auction.assignment(), [Some(1), Some(0)]);
}

#[test]
fn isco_list_has_the_ilo_structure() {
    let isco = Isco::bundled();
    assert_eq!(
        (isco.count(1), isco.count(2), isco.count(3), isco.count(4)),
        (10, 43, 130, 436)
    );
    assert_eq!(isco.title("9211"), Some("Crop farm labourers"));
    assert!(!isco.is_unit_group("921"));
}

#[test]
fn files_with_unknown_isco_codes_are_refused_with_file_and_line() {
    let jobs = "job_order_id,employer_id,program,isco,location,places,season_start,season_end,wage_cents_per_hour,languages,min_experience_years\n\
J1,E1,us-h2a,9211,US-GA,10,2026-03-01,2026-08-31,1650,es;en,1\n\
J2,E1,us-h2a,9219,US-GA,5,2026-03-01,2026-08-31,1650,,0\n\
J3,E2,,5120,US-FL,x,2026-03-01,2026-02-01,1500,,0\n";
    let err = parse_job_orders(jobs.as_bytes(), "jobs.csv")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("jobs.csv:3: isco: \"9219\" is not an ISCO-08 unit group"),
        "{err}"
    );
    assert!(err.contains("jobs.csv:4: places"), "{err}");
    assert!(err.contains("jobs.csv:4: season_end"), "{err}");
    let good = parse_job_orders(
        jobs.lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
            .as_bytes(),
        "jobs.csv",
    )
    .unwrap();
    assert_eq!(good[0].languages, ["es", "en"]);
    let workers = "worker_id,nationality,skills,experience_years,languages,preferred_locations,min_wage_cents_per_hour,charged_recruitment_fees\n\
W1,GTM,9211;6111,3,es,US-GA,1200,no\n\
W2,GTM,92111,3,es,,0,maybe\n";
    let err = parse_workers(workers.as_bytes(), "workers.csv")
        .unwrap_err()
        .to_string();
    assert!(err.contains("workers.csv:3: skills"), "{err}");
    assert!(
        err.contains("workers.csv:3: charged_recruitment_fees"),
        "{err}"
    );
}

#[test]
fn scores_explain_themselves_and_fair_recruitment_blocks() {
    let (mut workers, jobs, _) = synth_labour(1, 1, 3);
    let mut job = jobs[0].clone();
    job.isco = "9211".into();
    job.languages = vec![];
    job.min_experience_years = 1;
    job.wage_cents_per_hour = 1500;
    job.location = "US-GA".into();
    let w = &mut workers[0];
    w.skills = vec!["9211".into()];
    w.experience_years = 4;
    w.preferred_locations = vec!["US-GA".into()];
    w.min_wage_cents_per_hour = 1000;
    w.charged_recruitment_fees = false;
    let parts = score(w, &job, None, None).unwrap();
    assert_eq!(
        (
            parts.occupation,
            parts.experience,
            parts.language,
            parts.location,
            parts.wage
        ),
        (400, 180, 200, 150, 50)
    );
    w.skills = vec!["9214".into()];
    assert_eq!(
        score(w, &job, None, None).unwrap().occupation,
        250,
        "same minor group 921"
    );
    w.skills = vec!["5120".into()];
    assert_eq!(score(w, &job, None, None), Err(Block::Occupation));
    w.skills = vec!["9211".into()];
    w.charged_recruitment_fees = true;
    assert_eq!(score(w, &job, None, None), Err(Block::RecruitmentFees));
    w.charged_recruitment_fees = false;
    let bad = Employer {
        employer_id: job.employer_id.clone(),
        name: "x".into(),
        violations: vec!["debarred".into()],
    };
    assert!(matches!(
        score(w, &job, Some(&bad), None),
        Err(Block::EmployerViolations { .. })
    ));
    assert_eq!(
        score(w, &job, None, Some(&["HTI".to_owned()])),
        if w.nationality == "HTI" {
            Ok(parts)
        } else {
            Err(Block::Nationality)
        }
    );
}

#[test]
fn matching_is_optimal_over_all_candidates_not_just_the_shortlist() {
    let (workers, jobs, employers) = synth_labour(3000, 150, 5);
    let eligible = |_: &str| None;
    let narrow = match_workers(
        &workers,
        &jobs,
        &employers,
        &eligible,
        MatchOptions {
            jobs_per_worker: 2,
            workers_per_job: 5,
        },
        &|_, _| {},
    );
    let wide = match_workers(
        &workers,
        &jobs,
        &employers,
        &eligible,
        MatchOptions {
            jobs_per_worker: 400,
            workers_per_job: 5,
        },
        &|_, _| {},
    );
    assert!(narrow.optimal_over_all_candidates && wide.optimal_over_all_candidates);
    assert!(narrow.optimality_gap < 1.0 && wide.optimality_gap < 1.0);
    assert_eq!(
        (narrow.filled_places, narrow.total_score),
        (wide.filled_places, wide.total_score)
    );
    // Nobody with a fee flag or at a flagged employer is placed.
    for (w, j) in narrow.assignment.iter().enumerate() {
        if let Some(j) = j {
            assert!(!workers[w].charged_recruitment_fees);
            let e = employers
                .iter()
                .find(|e| e.employer_id == jobs[*j as usize].employer_id)
                .unwrap();
            assert!(e.violations.is_empty());
        }
    }
    assert!(narrow.blocked_by_fair_recruitment > 0);
    // Rankings are sorted best first.
    for list in narrow.jobs_for_worker.iter().chain(&narrow.workers_for_job) {
        assert!(list.windows(2).all(|p| p[0].score >= p[1].score));
    }
}

#[test]
fn shortlist_and_full_candidate_sets_agree_on_a_larger_caseload() {
    let (workers, jobs, employers) = synth_labour(5000, 250, 11);
    let h2: Vec<String> = ["GTM", "HND", "SLV", "MEX", "HTI", "COL", "JAM", "NIC"]
        .map(String::from)
        .to_vec();
    let eligible = |_: &str| Some(h2.clone());
    let narrow = match_workers(
        &workers,
        &jobs,
        &employers,
        &eligible,
        MatchOptions::default(),
        &|_, _| {},
    );
    let wide = match_workers(
        &workers,
        &jobs,
        &employers,
        &eligible,
        MatchOptions {
            jobs_per_worker: 1000,
            ..MatchOptions::default()
        },
        &|_, _| {},
    );
    for m in [&narrow, &wide] {
        let mut used = vec![0u32; jobs.len()];
        for j in m.assignment.iter().flatten() {
            used[*j as usize] += 1;
        }
        assert!(
            used.iter().zip(&jobs).all(|(u, j)| *u <= j.places),
            "over capacity"
        );
    }
    assert_eq!(
        (narrow.filled_places, narrow.total_score),
        (wide.filled_places, wide.total_score)
    );
}
