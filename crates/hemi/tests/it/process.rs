//! `hemi process`: the L.A. Process from the command line, on SQLite and PostgreSQL.
//! A happy path from the signing to an emergency session, and bad input refused with
//! exit code 2 and the database unchanged.

use hemi_testing::{store_test, TestDb};

use super::*;

fn json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(db, args)).unwrap()
}

/// Everything the governance commands can show, to compare states.
fn process_state(db: &TestDb) -> String {
    [
        &["process", "versions", "--format", "csv"][..],
        &["process", "commitments", "list", "--format", "csv"],
        &["process", "sessions", "list", "--format", "csv"],
        &["process", "council", "list", "--format", "csv"],
        &["process", "funding", "list", "--format", "csv"],
    ]
    .iter()
    .map(|args| ok(db, args))
    .collect()
}

store_test!(process_happy_path, |db: TestDb| async move {
    // An emergency session responds to an event of the early warning, which hemi-app
    // now checks exists: the watched flows are imported first.
    let flows: Vec<String> = [
        "flows/panama_darien_transits_by_nationality.csv",
        "flows/honduras_irregular_entries_by_nationality.csv",
        "flows/mexico_irregular_presented_by_nationality.csv",
        "flows/usa_southwest_border_encounters.csv",
    ]
    .iter()
    .map(|f| hemi_testing::data(f).display().to_string())
    .collect();
    let mut import = vec!["import", "--no-warn"];
    import.extend(flows.iter().map(String::as_str));
    ok(&db, &import);
    let events = ok(
        &db,
        &["events", "list", "--as-of", "2022-10", "--format", "csv"],
    );
    let venezuelan = events
        .lines()
        .find(|l| l.split(',').nth(1) == Some("VEN"))
        .and_then(|l| l.split(',').next())
        .unwrap_or_else(|| panic!("a Venezuelan event by 2022-10: {events}"))
        .to_owned();
    let pillar = format!("E-{venezuelan}");

    let seeded = hemi(&db, &["process", "seed"]);
    assert!(seeded.status.success());
    assert!(stderr(&seeded).contains("version 1"), "{}", stderr(&seeded));
    assert!(stderr(&hemi(&db, &["process", "seed"])).contains("nothing changed"));

    let d = json(
        &db,
        &[
            "process",
            "declaration",
            "--as-of",
            "2022-06-10",
            "--format",
            "json",
        ],
    );
    assert_eq!(d["version"]["version"], 4);
    assert_eq!(d["declaration"]["pillars"].as_array().unwrap().len(), 4);
    assert_eq!(
        d["declaration"]["deliverables"].as_array().unwrap().len(),
        19
    );
    assert_eq!(
        d["declaration"]["signatories"].as_array().unwrap().len(),
        20
    );
    let csv = ok(&db, &["process", "declaration", "1", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 1 + 4 + 19 + 20);
    assert!(csv.contains("deliverable,P1-D2,P1,COL,,planned,,"), "{csv}");

    ok(
        &db,
        &[
            "process",
            "--by",
            "secretariat (Lima)",
            "sessions",
            "open",
            "--kind",
            "ministerial",
            "--date",
            "2022-10-06",
            "--host",
            "PER",
            "--title",
            "First ministerial",
            "--participant",
            "COL",
            "--participant",
            "USA",
        ],
    );
    ok(
        &db,
        &[
            "process",
            "commitments",
            "progress",
            "1",
            "--value",
            "1350000",
            "--reported-on",
            "2022-08-31",
            "--source",
            "Migración Colombia",
            "--evidence",
            "https://example.org/col",
        ],
    );
    ok(
        &db,
        &[
            "process",
            "commitments",
            "assess",
            "2",
            "--session",
            "1",
            "--level",
            "complete",
        ],
    );
    let opened = hemi(
        &db,
        &[
            "process",
            "sessions",
            "open",
            "--kind",
            "emergency",
            "--date",
            "2022-11-15",
            "--host",
            "PAN",
            "--event",
            &venezuelan.to_lowercase(),
            "--goal",
            "Shelter along the route",
            "--format",
            "csv",
        ],
    );
    // Changed (issue 13): what a change created is a result, on stdout, as a table.
    assert!(opened.status.success(), "{}", stderr(&opened));
    assert_eq!(
        stdout(&opened),
        format!("session,kind,held_on,host,event,emergency_pillar,version\n2,emergency,2022-11-15,PAN,{venezuelan},{pillar},6\n")
    );
    let unknown_event = hemi(
        &db,
        &[
            "process",
            "sessions",
            "open",
            "--kind",
            "emergency",
            "--date",
            "2022-11-16",
            "--host",
            "PAN",
            "--event",
            "VEN-1999-01",
        ],
    );
    assert_eq!(unknown_event.status.code(), Some(2));
    assert!(
        stderr(&unknown_event).contains("event \"VEN-1999-01\" does not exist"),
        "{}",
        stderr(&unknown_event)
    );

    let next = hemi(
        &db,
        &[
            "process",
            "sessions",
            "open",
            "--kind",
            "ministerial",
            "--date",
            "2023-06-23",
            "--host",
            "USA",
        ],
    );
    assert!(
        stderr(&next).contains(&format!(
            "emergency pillar {pillar} ({venezuelan}) awaits a decision"
        )),
        "{}",
        stderr(&next)
    );

    let versions = json(&db, &["process", "versions", "--format", "json"]);
    assert_eq!(versions.as_array().unwrap().len(), 6);
    assert_eq!(versions[4]["changes"], "commitment 2 is complete");
    // Changed (issue 13): the actor is the operator running hemi, no longer a silent
    // "secretariat"; a name given with --by (now --as) is recorded beside it.
    assert_eq!(versions[4]["changed_by"], format!("cli:{OPERATOR}"));
    let opened_by = ok(
        &db,
        &[
            "audit",
            "log",
            "--action",
            "session_opened",
            "--format",
            "json",
        ],
    );
    let opened_by: serde_json::Value = serde_json::from_str(&opened_by).unwrap();
    assert_eq!(
        opened_by[2]["actor"],
        format!("cli:{OPERATOR} as \"secretariat (Lima)\"")
    );
    assert_eq!(versions[5]["session"], 2);
    assert_eq!(
        ok(&db, &["process", "diff", "5", "6", "--format", "csv"]),
        format!("item,key,change,field,before,after\npillar,{pillar},added,,,\n")
    );
    let c = json(&db, &["process", "commitments", "list", "--format", "json"]);
    assert_eq!(
        (c[0]["owner"].clone(), c[0]["progress_pct"].clone()),
        ("COL".into(), 90.0.into())
    );
    assert_eq!(
        (c[1]["status"].clone(), c[1]["assessment"].clone()),
        ("complete".into(), "complete".into())
    );

    ok(
        &db,
        &[
            "process",
            "funding",
            "pledge",
            "--donor",
            "USA",
            "--recipient",
            "World Bank GCFF",
            "--pillar",
            "P1",
            "--amount",
            "25000000",
            "--currency",
            "USD",
            "--date",
            "2022-06-10",
        ],
    );
    ok(
        &db,
        &[
            "process",
            "funding",
            "disburse",
            "--donor",
            "USA",
            "--recipient",
            "World Bank GCFF",
            "--pillar",
            "P1",
            "--amount",
            "10000000",
            "--currency",
            "usd",
            "--date",
            "2023-03-01",
        ],
    );
    assert_eq!(
        ok(&db, &["process", "funding", "summary", "--format", "csv"]),
        "pillar,currency,pledged,disbursed,disbursed_pct\nP1,USD,25000000,10000000,40\n"
    );

    ok(
        &db,
        &[
            "process",
            "recommend",
            "2022Q3",
            "--text",
            "Fund registration in Ecuador",
            "--to",
            "ministerial",
        ],
    );
    let q = json(&db, &["process", "quarterly", "2022Q3", "--format", "json"]);
    assert_eq!(q["quarter"], "2022Q3");
    assert_eq!(q["progress_reports"].as_array().unwrap().len(), 1);
    assert_eq!(
        q["recommendations"][0]["text"],
        "Fund registration in Ecuador"
    );
    // Changed: the watched flows are imported now, so the quarter has its events; each
    // one listed has an alert in the quarter.
    for e in q["events"].as_array().unwrap() {
        assert!(
            e["first_alert"].as_str().unwrap() <= "2022-09"
                && e["last_alert"].as_str().unwrap() >= "2022-07",
            "{e}"
        );
    }

    let playbooks = ok(&db, &["process", "playbooks", "--format", "csv"]);
    assert!(
        playbooks.contains("haiti_2021,HTI,role=transit,{country},"),
        "{playbooks}"
    );
    assert_eq!(
        ok(&db, &["process", "agencies", "--format", "csv"])
            .lines()
            .count(),
        9
    );
});

store_test!(process_bad_input_changes_nothing, |db: TestDb| async move {
    ok(&db, &["process", "seed"]);
    ok(
        &db,
        &[
            "process",
            "sessions",
            "open",
            "--kind",
            "ministerial",
            "--date",
            "2022-10-06",
            "--host",
            "PER",
        ],
    );
    let before = process_state(&db);
    let add = |extra: &[&str]| {
        let baseline = if extra.contains(&"--unit") {
            "2023-01-01"
        } else {
            "2022-06-10"
        };
        let mut args = vec![
            "process",
            "commitments",
            "add",
            "--owner",
            "COL",
            "--pillar",
            "P1",
            "--title",
            "permits",
            "--baseline-date",
            baseline,
            "--target",
            "10",
            "--target-date",
            "2022-12-31",
        ];
        args.extend_from_slice(extra);
        hemi(&db, &args)
    };
    let cases: Vec<(&str, std::process::Output, &str)> = vec![
        (
            "no unit",
            add(&[]),
            // Changed (issue 13): a flag's problem is `--flag: problem — hint`.
            "--unit: the commitment has no unit",
        ),
        (
            "target before baseline",
            add(&["--unit", "permits"]),
            "--target-date: target date 2022-12-31 is not after baseline date 2023-01-01",
        ),
        (
            "unknown pillar",
            hemi(
                &db,
                &[
                    "process",
                    "sessions",
                    "decide",
                    "1",
                    "--reason",
                    "typo",
                    "--close-pillar",
                    "P9",
                ],
            ),
            "pillar: pillar \"P9\" does not exist in the declaration",
        ),
        (
            "parity",
            hemi(
                &db,
                &[
                    "process",
                    "council",
                    "appoint",
                    "1",
                    "--holder",
                    "A. Smith",
                    "--appointed-by",
                    "PRM",
                    "--us",
                ],
            ),
            "council parity broken: 0 of 1 held seats would be non-US experts",
        ),
        (
            "withdrawal",
            hemi(
                &db,
                &[
                    "process",
                    "sessions",
                    "decide",
                    "1",
                    "--reason",
                    "leaves",
                    "--withdraw",
                    "XXX",
                ],
            ),
            "signatory \"XXX\" is not a signatory",
        ),
    ];
    for (case, output, expected) in cases {
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{case}: {err}");
        assert!(
            err.contains(expected),
            "{case}: expected {expected:?} in:\n{err}"
        );
        assert!(err.contains("nothing was changed"), "{case}: {err}");
        assert_eq!(process_state(&db), before, "{case} changed the database");
    }

    let dir = db.dir.path().join("playbooks");
    std::fs::create_dir_all(&dir).unwrap();
    let path = write(&dir, "bad.toml", b"name = \"bad\"\ndescription = \"x\"\n\n[[rule]]\ntrigger = \"event_dismissed\"\n[[rule.task]]\nassignee = \"PAN\"\nwhat = \"x\"\ndue_within = \"1d\"\n");
    // Changed (issue 13): --playbooks-dir is a global option, given before the command;
    // hemi-app names the field of a file's problem "file".
    let output = hemi(
        &db,
        &[
            "--playbooks-dir",
            &dir.display().to_string(),
            "process",
            "playbooks",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(&format!("{path}:5: file: unknown trigger \"event_dismissed\" — use event_confirmed, role or size")), "{}", stderr(&output));
});
