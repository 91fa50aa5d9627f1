//! `hemi placement`, `hemi schedule` and `hemi appointments fairness` on files: what
//! they print, the files they write, and bad input refused with exit 2 naming
//! file:line: field.

use std::path::Path;
use std::process::{Command, Output};

use super::{hemi, ok, refused, stderr, stdout};

/// `hemi` with no database: the file workflows must not need one.
fn hemi_files(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hemi"))
        .args(args)
        .current_dir(dir)
        .env_remove("HEMI_DATABASE_URL")
        .output()
        .expect("run hemi")
}

fn ok_files(dir: &Path, args: &[&str]) -> String {
    let output = hemi_files(dir, args);
    assert!(
        output.status.success(),
        "hemi {args:?}: {}",
        stderr(&output)
    );
    stdout(&output)
}

fn refused_files(dir: &Path, args: &[&str]) -> String {
    let output = hemi_files(dir, args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "hemi {args:?}: {err}");
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    err
}

fn measure(table_csv: &str, name: &str) -> f64 {
    table_csv
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name},")))
        .unwrap_or_else(|| panic!("{name} missing in {table_csv}"))
        .parse()
        .unwrap()
}

#[test]
fn placement_synth_then_solve_writes_a_plan_with_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok_files(
        d,
        &[
            "placement",
            "synth",
            "--households",
            "400",
            "--sites",
            "20",
            "--seed",
            "3",
            "--out-dir",
            "inst",
        ],
    );
    for f in ["households.csv", "sites.csv", "arcs.csv"] {
        assert!(d.join("inst").join(f).exists(), "{f}");
    }
    let out = ok_files(
        d,
        &[
            "placement",
            "solve",
            "--households",
            "inst/households.csv",
            "--sites",
            "inst/sites.csv",
            "--arcs",
            "inst/arcs.csv",
            "--out",
            "plan.csv",
            "--format",
            "csv",
        ],
    );
    let objective = measure(&out, "objective");
    let bound = measure(&out, "upper_bound");
    assert!(objective > 0.0 && objective <= bound + 1e-6, "{out}");
    assert!(measure(&out, "gap_percent") < 1.0, "{out}");
    assert_eq!(measure(&out, "households_placed"), 400.0, "{out}");
    let plan = std::fs::read_to_string(d.join("plan.csv")).unwrap();
    assert!(plan.starts_with("household_id,site_id\n"));
    assert_eq!(plan.lines().count(), 401);
    // The same instance solves to the same plan.
    ok_files(
        d,
        &[
            "placement",
            "solve",
            "--households",
            "inst/households.csv",
            "--sites",
            "inst/sites.csv",
            "--arcs",
            "inst/arcs.csv",
            "--out",
            "again.csv",
        ],
    );
    assert_eq!(plan, std::fs::read_to_string(d.join("again.csv")).unwrap());
    assert!(!d.join("hemi.db").exists(), "file mode opened a database");
}

fn small_instance(d: &Path, sites: &str, arcs: &str) {
    std::fs::write(d.join("h.csv"), "household_id,size,notes\nH1,3,x\nH2,2,y\n").unwrap();
    std::fs::write(d.join("s.csv"), sites).unwrap();
    std::fs::write(d.join("a.csv"), arcs).unwrap();
}

const SOLVE: [&str; 8] = [
    "placement",
    "solve",
    "--households",
    "h.csv",
    "--sites",
    "s.csv",
    "--arcs",
    "a.csv",
];

#[test]
fn placement_bad_input_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An arc to a site the sites file does not have.
    small_instance(
        d,
        "site_id,capacity_people\nS1,10\n",
        "household_id,site_id,score\nH1,S1,0.5\nH2,S9,0.4\n",
    );
    let err = refused_files(d, &SOLVE);
    assert!(err.contains("a.csv:3: site_id:"), "{err}");
    assert!(err.contains("S9"), "{err}");
    // A negative capacity.
    small_instance(
        d,
        "site_id,capacity_people\nS1,-4\n",
        "household_id,site_id,score\nH1,S1,0.5\nH2,S1,0.4\n",
    );
    let err = refused_files(d, &SOLVE);
    assert!(err.contains("s.csv:2: capacity_people:"), "{err}");
    // More people than places: refused without --allow-partial, a partial plan with it.
    small_instance(
        d,
        "site_id,capacity_people\nS1,4\n",
        "household_id,site_id,score\nH1,S1,0.5\nH2,S1,0.4\n",
    );
    let err = refused_files(d, &SOLVE);
    assert!(
        err.contains("s.csv: capacity_people: infeasible placement: 5 people"),
        "{err}"
    );
    assert!(err.contains("--allow-partial"), "{err}");
    let mut args = SOLVE.to_vec();
    args.extend(["--allow-partial", "--out", "p.csv", "--format", "csv"]);
    let out = ok_files(d, &args);
    assert_eq!(measure(&out, "households_placed"), 1.0, "{out}");
    assert_eq!(measure(&out, "households_unplaced"), 1.0, "{out}");
    let plan = std::fs::read_to_string(d.join("p.csv")).unwrap();
    // Every household is listed; the one left out has an empty site.
    let rows: Vec<&str> = plan.lines().collect();
    assert_eq!(rows.len(), 3, "{plan}");
    assert_eq!(
        rows.iter().filter(|r| r.ends_with(',')).count(),
        1,
        "{plan}"
    );
}

#[test]
fn schedule_plans_a_synthetic_week_and_replans_after_an_absence() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok_files(
        d,
        &[
            "schedule",
            "synth",
            "--officers",
            "6",
            "--people",
            "150",
            "--out-dir",
            "week",
        ],
    );
    let base = [
        "schedule",
        "plan",
        "--officers",
        "week/officers.csv",
        "--shifts",
        "week/shifts.csv",
        "--people",
        "week/people.csv",
        "--interpreters",
        "week/interpreters.csv",
    ];
    let mut first = base.to_vec();
    first.extend(["--out", "plan.csv", "--format", "csv"]);
    let output = hemi_files(d, &first);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("priority,people,scheduled,mean_wait_days\n"));
    assert!(
        stderr(&output).contains("utilisation"),
        "{}",
        stderr(&output)
    );
    let plan = std::fs::read_to_string(d.join("plan.csv")).unwrap();
    let officer = plan
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_owned();
    let day = plan
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .to_owned();
    std::fs::write(
        d.join("absent.csv"),
        format!("officer_id,day\n{officer},{day}\n"),
    )
    .unwrap();
    let mut again = base.to_vec();
    again.extend([
        "--absences",
        "absent.csv",
        "--previous",
        "plan.csv",
        "--out",
        "replan.csv",
    ]);
    let output = hemi_files(d, &again);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("changed from the previous schedule"),
        "{}",
        stderr(&output)
    );
    let replan = std::fs::read_to_string(d.join("replan.csv")).unwrap();
    assert!(
        !replan
            .lines()
            .any(|l| l.contains(&format!(",{officer},{day},"))),
        "the absent officer still has interviews that day"
    );
    // A shift at a bad time and an unknown officer are refused with file and line.
    std::fs::write(
        d.join("bad_shifts.csv"),
        "officer_id,day,start,end,location\nO000,2024-06-03,25:00,16:00,SYS\n",
    )
    .unwrap();
    let err = refused_files(
        d,
        &[
            "schedule",
            "plan",
            "--officers",
            "week/officers.csv",
            "--shifts",
            "bad_shifts.csv",
            "--people",
            "week/people.csv",
        ],
    );
    assert!(
        err.contains("bad_shifts.csv:2: start: \"25:00\" is not a time of day"),
        "{err}"
    );
    std::fs::write(
        d.join("ghost.csv"),
        "officer_id,day,start,end,location\nO999,2024-06-03,08:00,16:00,SYS\n",
    )
    .unwrap();
    let err = refused_files(
        d,
        &[
            "schedule",
            "plan",
            "--officers",
            "week/officers.csv",
            "--shifts",
            "ghost.csv",
            "--people",
            "week/people.csv",
        ],
    );
    assert!(
        err.contains("ghost.csv: officer_id: a shift names unknown officer \"O999\""),
        "{err}"
    );
}

#[test]
fn fairness_month_compares_the_three_policies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let small = [
        "appointments",
        "fairness",
        "--initial-pool",
        "3000",
        "--arrivals-per-day",
        "150",
        "--places-per-day",
        "120",
        "--days",
        "5",
    ];
    let mut summary = small.to_vec();
    summary.extend(["--format", "json"]);
    let out = ok_files(d, &summary);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{out}");
    let names: Vec<&str> = rows.iter().map(|r| r["policy"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "pure lottery",
            "longest waiting first",
            "half longest waiting, half lottery"
        ]
    );
    for r in rows {
        assert!(r["households_drawn"].as_i64().unwrap() > 0, "{r}");
    }
    // Pure lottery draws the recently registered too: its median wait is the shortest.
    assert!(
        rows[0]["median_wait_days"].as_f64() <= rows[1]["median_wait_days"].as_f64(),
        "{out}"
    );
    let mut by_size = small.to_vec();
    by_size.extend(["--view", "household-size", "--format", "csv"]);
    let out = ok_files(d, &by_size);
    assert!(
        out.starts_with("policy,group,households,drawn,rate_percent\n"),
        "{out}"
    );
    let err = refused_files(d, &["appointments", "fairness", "--days", "0"]);
    assert!(err.contains("--days: 0 is outside 1..=366"), "{err}");
}

fn lottery_fixture(name: &str) -> String {
    hemi_testing::repo_root()
        .join("crates/hemi-allocation/test_data/lottery")
        .join(name)
        .display()
        .to_string()
}

hemi_testing::store_test!(
    a_draw_from_the_command_line_verifies_bit_for_bit,
    |db: hemi_testing::TestDb| async move {
        let err = refused(
            &db,
            &[
                "appointments",
                "open",
                "--policy",
                &lottery_fixture("policy.txt"),
                "--public-value-source",
                "x",
            ],
        );
        assert!(err.contains("no household registered"), "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
        ok(
            &db,
            &[
                "appointments",
                "register",
                &lottery_fixture("registrations_private.csv"),
            ],
        );
        let id = ok(
            &db,
            &[
                "appointments",
                "open",
                "--policy",
                &lottery_fixture("policy.txt"),
                "--public-value-source",
                "the fixture's value",
            ],
        );
        let id = id.trim();
        assert_eq!(id, "1");
        let value = std::fs::read_to_string(lottery_fixture("public_value.txt")).unwrap();
        let drawn = ok(
            &db,
            &[
                "appointments",
                "draw",
                id,
                "--public-value",
                value.trim_end_matches('\n'),
                "--format",
                "csv",
            ],
        );
        let expected = std::fs::read_to_string(lottery_fixture("result.csv")).unwrap();
        assert_eq!(drawn, expected, "the CLI prints the winners of the fixture");
        let verified = ok(&db, &["appointments", "verify", id]);
        assert!(verified.contains("verified"), "{verified}");
        let bands = ok(&db, &["appointments", "show", id, "--format", "csv"]);
        assert!(bands.starts_with("group,households_registered,"), "{bands}");
        // The published files, written out, pass the standalone procedure's commitment check.
        ok(
            &db,
            &["appointments", "publish", id, "--out-dir", "published"],
        );
        let dir = db.dir.path().join("published");
        let policy = std::fs::read(dir.join("policy.txt")).unwrap();
        let list = std::fs::read(dir.join("registrations.csv")).unwrap();
        use sha2::Digest;
        let digest = hex::encode(sha2::Sha256::digest([policy, list].concat()));
        assert_eq!(
            format!("{digest}\n"),
            std::fs::read_to_string(dir.join("commitment.txt")).unwrap()
        );
        // A draw runs once: refused, exit 2.
        let err = refused(
            &db,
            &["appointments", "draw", id, "--public-value", "again"],
        );
        assert!(err.contains("drawn already"), "{err}");
        let err = refused(&db, &["appointments", "verify", "7"]);
        assert!(err.contains("draw \"7\" does not exist"), "{err}");
        let log = ok(&db, &["audit", "log", "--format", "csv"]);
        for action in ["households_registered", "draw_opened", "draw_run"] {
            assert!(
                log.contains(action),
                "{action} missing from the audit log:\n{log}"
            );
        }
        let output = hemi(&db, &["audit", "verify"]);
        assert!(output.status.success());
    }
);

hemi_testing::store_test!(
    a_placement_override_from_the_command_line,
    |db: hemi_testing::TestDb| async move {
        let d = db.dir.path();
        ok_files(
            d,
            &[
                "placement",
                "synth",
                "--households",
                "80",
                "--sites",
                "6",
                "--arcs-per-household",
                "4",
                "--out-dir",
                "inst",
            ],
        );
        let id = ok(
            &db,
            &[
                "placement",
                "store",
                "--name",
                "june",
                "--households",
                "inst/households.csv",
                "--sites",
                "inst/sites.csv",
                "--arcs",
                "inst/arcs.csv",
            ],
        );
        assert_eq!(id.trim(), "1");
        let plan = ok(&db, &["placement", "plan", "1", "--format", "json"]);
        let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
        assert_eq!(plan[0]["plan"], 1);
        let occupancy = ok(&db, &["placement", "show", "1", "--format", "csv"]);
        assert_eq!(occupancy.lines().count(), 7, "{occupancy}");
        let mut chosen = None;
        for k in 0..80 {
            let household = format!("H{k:06}");
            let alternatives = ok(
                &db,
                &["placement", "explain", "1", &household, "--format", "csv"],
            );
            if let Some(line) = alternatives
                .lines()
                .skip(1)
                .find(|l| l.split(',').nth(4) == Some("0"))
            {
                chosen = Some((household, line.split(',').next().unwrap().to_owned()));
                break;
            }
        }
        let (household, site) = chosen.expect("an alternative with room");
        let err = refused(
            &db,
            &[
                "placement",
                "override",
                "1",
                "--household",
                &household,
                "--site",
                &site,
                "--reason",
                "",
            ],
        );
        assert!(
            err.contains("--reason: an override needs a reason"),
            "{err}"
        );
        let done = ok(
            &db,
            &[
                "placement",
                "override",
                "1",
                "--household",
                &household,
                "--site",
                &site,
                "--reason",
                "family there",
                "--format",
                "csv",
            ],
        );
        assert!(
            done.contains(",1,") && done.contains("family there"),
            "{done}"
        );
        let log = ok(&db, &["audit", "log", "--format", "csv"]);
        assert!(log.contains("placement_override"), "{log}");
    }
);
