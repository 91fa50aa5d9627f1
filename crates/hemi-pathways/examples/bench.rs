//! Benchmarks that print figures: screening synthetic applicants against every program,
//! and ranking plus assigning workers to job orders. Run with
//! `cargo run --release -p hemi-pathways --example bench -- [screen N] [match W J]`.

use std::time::Instant;

use hemi_pathways::labour::{match_workers, MatchOptions};
use hemi_pathways::synth::{mix_from_rows, synth, synth_labour, FlowRow};
use hemi_pathways::{parse_catalogue, Date, Facts, Screener};

fn read_rows(path: &str, has_age: bool) -> Vec<FlowRow> {
    let mut reader = csv::Reader::from_path(path).expect("flow table");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            if has_age {
                FlowRow {
                    period: r[0].to_owned(),
                    category: r[1].to_owned(),
                    age: Some(r[2].to_owned()),
                    count: r[3].parse().unwrap_or(0),
                }
            } else {
                FlowRow {
                    period: r[0].to_owned(),
                    category: r[1].to_owned(),
                    age: None,
                    count: r[2].parse().unwrap_or(0),
                }
            }
        })
        .collect()
}

fn catalogue_files(root: &std::path::Path) -> Vec<(String, String)> {
    let mut files = vec![(
        "pathways/catalogue.toml".to_owned(),
        std::fs::read_to_string(root.join("pathways/catalogue.toml")).unwrap(),
    )];
    let mut paths: Vec<_> = std::fs::read_dir(root.join("pathways/programs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        files.push((
            format!(
                "pathways/programs/{}",
                p.file_name().unwrap().to_string_lossy()
            ),
            std::fs::read_to_string(&p).unwrap(),
        ));
    }
    files
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mode = args.first().map(String::as_str).unwrap_or("all");
    if mode == "screen" || mode == "all" {
        let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200_000);
        let files = catalogue_files(&root);
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let catalogue = parse_catalogue(&refs).expect("catalogue");
        let nat = read_rows(
            root.join("data/flows/panama_darien_transits_by_nationality.csv")
                .to_str()
                .unwrap(),
            false,
        );
        let sex = read_rows(
            root.join("data/flows/panama_darien_transits_by_sex_age.csv")
                .to_str()
                .unwrap(),
            false,
        );
        let mix = mix_from_rows(&nat, &sex, "2023-01", "2023-12", 12).expect("mix");
        let as_of = Date::parse("2024-01-15").unwrap();
        // Households of about two people: draw until n people.
        let households =
            synth(n / 2 + 10, 7, &mix, as_of, &["SMO-COL-BOG", "SMO-CRI-SJO"]).expect("synth");
        let people: Vec<Facts> = households
            .into_iter()
            .flat_map(|h| h.facts)
            .take(n)
            .collect();
        let t = Instant::now();
        let screener = Screener::new(&catalogue).expect("rules compile");
        let compile = t.elapsed();
        let t = Instant::now();
        let screenings = screener.screen_many(&people, as_of, &|_, _| {});
        let screen = t.elapsed();
        let summary = screener.summarise(&screenings);
        let eligible: u64 = summary.by_program.values().map(|c| c[0]).sum();
        println!(
            "screen: {} people x {} programs ({} distinct rules): compile {:.1} ms, screen {:.3} s ({:.0} people/s); eligible pairs {}",
            people.len(),
            catalogue.programs.len(),
            screener.distinct_rules(),
            compile.as_secs_f64() * 1e3,
            screen.as_secs_f64(),
            people.len() as f64 / screen.as_secs_f64(),
            eligible
        );
    }
    if mode == "match" || mode == "all" {
        let w: usize = args
            .get(1)
            .filter(|_| mode == "match")
            .and_then(|s| s.parse().ok())
            .unwrap_or(100_000);
        let j: usize = args
            .get(2)
            .filter(|_| mode == "match")
            .and_then(|s| s.parse().ok())
            .unwrap_or(5_000);
        let (workers, jobs, employers) = synth_labour(w, j, 11);
        let h2 = ["GTM", "HND", "SLV", "MEX", "HTI", "COL", "JAM", "NIC"]
            .map(String::from)
            .to_vec();
        let t = Instant::now();
        let k: usize = args
            .get(3)
            .filter(|_| mode == "match")
            .and_then(|s| s.parse().ok())
            .unwrap_or(MatchOptions::default().jobs_per_worker);
        let options = MatchOptions {
            jobs_per_worker: k,
            ..MatchOptions::default()
        };
        // The last progress call marks the end of ranking; the rest is the assignment.
        let ranked_at = std::sync::Mutex::new(None);
        let m = match_workers(
            &workers,
            &jobs,
            &employers,
            &|_| Some(h2.clone()),
            options,
            &|done, total| {
                if done == total {
                    *ranked_at.lock().unwrap() = Some(t.elapsed());
                }
            },
        );
        let elapsed = t.elapsed();
        let ranked = ranked_at.lock().unwrap().unwrap_or_default();
        println!(
            "match: ranking {:.3} s, assignment (solve + price-out) {:.3} s",
            ranked.as_secs_f64(),
            (elapsed - ranked).as_secs_f64()
        );
        println!(
            "match: {} workers x {} job orders ({} places): rank+assign {:.3} s; candidate pairs {}, blocked by fair recruitment {}, solved arcs {}, rounds {}, optimal over all candidates {} (dual bound - value = {:.6} score points), filled {} places, total score {}",
            workers.len(), jobs.len(), m.total_places, elapsed.as_secs_f64(), m.candidate_pairs, m.blocked_by_fair_recruitment, m.solved_arcs, m.solve_rounds, m.optimal_over_all_candidates, m.optimality_gap, m.filled_places, m.total_score
        );
    }
}
