//! `hemi pathways` on SQLite and PostgreSQL: the catalogue with places left, synthetic
//! applicants screened with reasons, labour matching, a Safe Mobility Office case from
//! intake to travel, and bad input refused with exit code 2, `file:line: field` and
//! nothing changed. Every person here is test data.

use hemi_testing::{store_test, TestDb};

use super::*;

const APPLICANTS: &str = "\
application_id,office,received_on,person_id,given_names,family_names,date_of_birth,relationship,nationality,age_years,location,documents,has_us_supporter,travels_with_parent_or_guardian,irregular_entry_after_cutoff,us_removal_order_past_5_years
H1,SMO-COL-BOG,2024-01-10,H1-0,Marie,Joseph,1990-03-04,principal,HTI,33,COL,passport,true,false,false,false
H1,SMO-COL-BOG,2024-01-10,H1-1,Jean,Joseph,2016-07-08,child,HTI,7,COL,,true,true,false,false
";

const WORKERS: &str = "\
worker_id,nationality,skills,experience_years,languages,preferred_locations,min_wage_cents_per_hour,charged_recruitment_fees
W1,GTM,9211,3,es,US-GA,1200,false
W2,HND,9211,1,es,,1100,false
W3,SLV,9211,5,es,,1100,true
";

const JOBS: &str = "\
job_order_id,employer_id,program,isco,location,places,season_start,season_end,wage_cents_per_hour,languages,min_experience_years
J1,E1,us-h2a,9211,US-GA,1,2024-04-01,2024-09-30,1600,es,1
J2,E2,,9211,US-NC,1,2024-04-01,2024-09-30,1500,,0
";

store_test!(
    pathways_cli_catalogue_synth_screen_match,
    |db: TestDb| async move {
        let dir = db.dir.path();
        let catalogue = ok(
            &db,
            &[
                "pathways",
                "catalogue",
                "--on",
                "2024-01-15",
                "--format",
                "csv",
            ],
        );
        assert!(
            catalogue.starts_with("program,state,kind,open,apply_in,cap,period,capacity"),
            "{catalogue}"
        );
        assert!(
        catalogue.contains("us-chnv-haiti,USA,sponsorship_parole,yes,*,chnv-travel-authorizations-monthly,2024-01,30000,0,0,30000"),
        "{catalogue}"
    );
        let facts = ok(&db, &["pathways", "catalogue", "--facts"]);
        assert!(facts.contains("has_us_supporter"));

        let out = write(dir, "placeholder", b"");
        let synth_path = out.replace("placeholder", "synth.csv");
        let made = hemi(
            &db,
            &[
                "pathways",
                "synth",
                "--applicants",
                "300",
                "--seed",
                "5",
                "--as-of",
                "2024-01-15",
                "--out",
                &synth_path,
            ],
        );
        assert!(made.status.success(), "{}", stderr(&made));
        assert!(
            stderr(&made).contains("wrote 300 applicants"),
            "{}",
            stderr(&made)
        );
        let text = std::fs::read_to_string(&synth_path).unwrap();
        assert_eq!(text.lines().count(), 301);
        // Same seed, same caseload.
        let again = out.replace("placeholder", "again.csv");
        ok(
            &db,
            &[
                "pathways",
                "synth",
                "--applicants",
                "300",
                "--seed",
                "5",
                "--as-of",
                "2024-01-15",
                "--out",
                &again,
            ],
        );
        assert_eq!(text, std::fs::read_to_string(&again).unwrap());

        let screened = ok(
            &db,
            &[
                "pathways",
                "screen",
                "--applicants",
                &synth_path,
                "--as-of",
                "2024-01-15",
                "--format",
                "csv",
            ],
        );
        let lines: Vec<&str> = screened.lines().collect();
        assert_eq!(
            lines[0],
            "program,open,eligible,not_eligible,needs_information"
        );
        for line in &lines[1..] {
            let cells: Vec<&str> = line.split(',').collect();
            let total: u64 = cells[2..].iter().map(|c| c.parse::<u64>().unwrap()).sum();
            assert_eq!(total, 300, "{line}");
        }

        let applicants = write(dir, "applicants.csv", APPLICANTS.as_bytes());
        let explained = ok(
            &db,
            &[
                "pathways",
                "screen",
                "--applicants",
                &applicants,
                "--as-of",
                "2024-01-15",
                "--explain",
                "H1-1",
                "--format",
                "json",
            ],
        );
        let rows: serde_json::Value = serde_json::from_str(&explained).unwrap();
        let chnv = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["program"] == "us-chnv-haiti")
            .unwrap();
        assert_eq!(chnv["verdict"], "needs information", "{chnv}");
        assert!(
            chnv["needs_information"]
                .as_str()
                .unwrap()
                .contains("documents"),
            "{chnv}"
        );
        let principal = ok(
            &db,
            &[
                "pathways",
                "screen",
                "--applicants",
                &applicants,
                "--as-of",
                "2024-01-15",
                "--explain",
                "H1-0",
                "--format",
                "csv",
            ],
        );
        assert!(
            principal.contains("H1-0,us-chnv-haiti,eligible,yes"),
            "{principal}"
        );
        let unknown_person = refused(
            &db,
            &[
                "pathways",
                "screen",
                "--applicants",
                &applicants,
                "--explain",
                "H1-9",
            ],
        );
        assert!(unknown_person.contains("H1-9"), "{unknown_person}");

        let workers = write(dir, "workers.csv", WORKERS.as_bytes());
        let jobs = write(dir, "jobs.csv", JOBS.as_bytes());
        let matched = hemi(
            &db,
            &[
                "pathways",
                "match",
                "--workers",
                &workers,
                "--jobs",
                &jobs,
                "--format",
                "csv",
            ],
        );
        assert!(matched.status.success(), "{}", stderr(&matched));
        let table = stdout(&matched);
        assert!(table.contains("W1,J1,E1,9211"), "{table}");
        assert!(table.contains("W2,J2,E2,9211"), "{table}");
        assert!(!table.contains("W3"), "fees charged block a match: {table}");
        assert!(
            stderr(&matched).contains("filled 2 of 2 places"),
            "{}",
            stderr(&matched)
        );
    }
);

store_test!(pathways_cli_bad_input, |db: TestDb| async move {
    let dir = db.dir.path();
    let workers = write(dir, "workers.csv", WORKERS.as_bytes());
    let bad_isco = write(
        dir,
        "jobs.csv",
        JOBS.replace("J1,E1,us-h2a,9211", "J1,E1,us-h2a,9999")
            .as_bytes(),
    );
    let err = refused(
        &db,
        &[
            "pathways",
            "match",
            "--workers",
            &workers,
            "--jobs",
            &bad_isco,
        ],
    );
    assert!(err.contains("jobs.csv:2: isco:"), "{err}");
    let bad_program = write(
        dir,
        "jobs2.csv",
        JOBS.replace("us-h2a", "us-h2x").as_bytes(),
    );
    let err = refused(
        &db,
        &[
            "pathways",
            "match",
            "--workers",
            &workers,
            "--jobs",
            &bad_program,
        ],
    );
    assert!(
        err.contains("jobs2.csv:2: program: unknown program \"us-h2x\""),
        "{err}"
    );
    assert!(err.contains("us-h2a"), "did you mean: {err}");

    let bad_cell = write(
        dir,
        "people.csv",
        APPLICANTS.replace(",33,", ",thirty,").as_bytes(),
    );
    let err = refused(&db, &["pathways", "screen", "--applicants", &bad_cell]);
    assert!(err.contains("people.csv:2: age_years:"), "{err}");
    let bad_column = write(
        dir,
        "cols.csv",
        APPLICANTS
            .replace("has_us_supporter", "has_us_suporter")
            .as_bytes(),
    );
    let err = refused(&db, &["pathways", "screen", "--applicants", &bad_column]);
    assert!(
        err.contains("cols.csv:1: has_us_suporter: unknown column"),
        "{err}"
    );
    assert!(err.contains("has_us_supporter"), "{err}");

    // A catalogue whose rule does not parse: the file, line and the position in the rule.
    let catalogue = dir.join("catalogue");
    std::fs::create_dir_all(catalogue.join("programs")).unwrap();
    let root = hemi_testing::repo_root().join("pathways");
    std::fs::copy(
        root.join("catalogue.toml"),
        catalogue.join("catalogue.toml"),
    )
    .unwrap();
    for entry in std::fs::read_dir(root.join("programs")).unwrap() {
        let path = entry.unwrap().path();
        let mut text = std::fs::read_to_string(&path).unwrap();
        if path.ends_with("us-chnv-haiti.toml") {
            text = text.replace("'nationality == \"HTI\"'", "'nationality == \"HTI\" &&'");
        }
        std::fs::write(
            catalogue.join("programs").join(path.file_name().unwrap()),
            text,
        )
        .unwrap();
    }
    let err = refused(
        &db,
        &[
            "--pathways-dir",
            catalogue.to_str().unwrap(),
            "pathways",
            "screen",
            "--applicants",
            &write(dir, "ok.csv", APPLICANTS.as_bytes()),
        ],
    );
    assert!(err.contains("us-chnv-haiti.toml:"), "{err}");
    assert!(err.contains("column"), "{err}");

    // Case commands: unknown application, unknown program; nothing changed.
    let applicants = write(dir, "applicants.csv", APPLICANTS.as_bytes());
    ok(&db, &["pathways", "apply", "--applicants", &applicants]);
    let before = ok(
        &db,
        &[
            "pathways",
            "catalogue",
            "--on",
            "2024-01-15",
            "--format",
            "csv",
        ],
    );
    let err = refused(
        &db,
        &[
            "pathways",
            "refer",
            "H9",
            "H1-0",
            "us-chnv-haiti",
            "--on",
            "2024-01-15",
        ],
    );
    assert!(err.contains("H1"), "did you mean: {err}");
    assert!(err.contains("nothing was changed"), "{err}");
    let err = refused(
        &db,
        &[
            "pathways",
            "refer",
            "H1",
            "H1-0",
            "us-chnv-haity",
            "--on",
            "2024-01-15",
        ],
    );
    assert!(err.contains("us-chnv-haiti"), "{err}");
    let err = refused(
        &db,
        &[
            "pathways",
            "screen-case",
            "H1",
            "H1-1",
            "--fact",
            "documets=passport",
        ],
    );
    assert!(err.contains("documents"), "{err}");
    let err = refused(&db, &["pathways", "apply", "--applicants", &applicants]);
    assert!(err.contains("already recorded"), "{err}");
    assert_eq!(
        before,
        ok(
            &db,
            &[
                "pathways",
                "catalogue",
                "--on",
                "2024-01-15",
                "--format",
                "csv"
            ]
        )
    );
});

store_test!(
    pathways_cli_case_from_intake_to_travel,
    |db: TestDb| async move {
        let dir = db.dir.path();
        let applicants = write(dir, "applicants.csv", APPLICANTS.as_bytes());
        let applied = hemi(&db, &["pathways", "apply", "--applicants", &applicants]);
        assert!(applied.status.success(), "{}", stderr(&applied));
        assert!(
            stderr(&applied).contains("recorded 1 applications (2 people)"),
            "{}",
            stderr(&applied)
        );

        let queue = ok(
            &db,
            &[
                "pathways",
                "queue",
                "--as-of",
                "2024-01-15",
                "--format",
                "csv",
            ],
        );
        assert!(
            queue.contains("SMO-COL-BOG,H1,awaiting screening,5,5,2"),
            "{queue}"
        );

        // The child's passport is recorded at the interview; eligible with the parent.
        let screened = ok(
            &db,
            &[
                "pathways",
                "screen-case",
                "H1",
                "H1-1",
                "--fact",
                "documents=passport",
                "--on",
                "2024-01-12",
                "--format",
                "csv",
            ],
        );
        assert!(
            screened.contains("H1-1,us-chnv-haiti,eligible,yes"),
            "{screened}"
        );

        let referred = ok(
            &db,
            &[
                "pathways",
                "refer",
                "H1",
                "H1-0",
                "us-chnv-haiti",
                "--on",
                "2024-01-15",
                "--format",
                "csv",
            ],
        );
        assert!(
            referred.contains(",H1,H1-0,us-chnv-haiti,2024-01-15,pending"),
            "{referred}"
        );
        let referral = referred
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_owned();
        let second = refused(
            &db,
            &[
                "pathways",
                "refer",
                "H1",
                "H1-0",
                "us-chnv-haiti",
                "--on",
                "2024-01-16",
            ],
        );
        assert!(second.contains("active referral"), "{second}");

        let catalogue = ok(
            &db,
            &[
                "pathways",
                "catalogue",
                "--on",
                "2024-01-15",
                "--format",
                "csv",
            ],
        );
        assert!(catalogue.contains("us-chnv-haiti,USA,sponsorship_parole,yes,*,chnv-travel-authorizations-monthly,2024-01,30000,1,0,29999"), "{catalogue}");

        ok(
            &db,
            &[
                "pathways",
                "outcome",
                &referral,
                "approved",
                "--on",
                "2024-02-01",
            ],
        );
        let denied_without_reason = refused(
            &db,
            &[
                "pathways",
                "outcome",
                &referral,
                "travelled",
                "--on",
                "2024-01-20",
            ],
        );
        assert!(
            denied_without_reason.contains("before"),
            "{denied_without_reason}"
        );
        ok(
            &db,
            &[
                "pathways",
                "outcome",
                &referral,
                "travelled",
                "--on",
                "2024-02-20",
            ],
        );
        let catalogue = ok(
            &db,
            &[
                "pathways",
                "catalogue",
                "--on",
                "2024-01-15",
                "--format",
                "csv",
            ],
        );
        assert!(
            catalogue.contains("chnv-travel-authorizations-monthly,2024-01,30000,0,1,29999"),
            "{catalogue}"
        );

        let shown = ok(
            &db,
            &[
                "pathways",
                "show",
                "H1",
                "--as-of",
                "2024-01-15",
                "--format",
                "json",
            ],
        );
        let case: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(case["referrals"][0]["referral"]["state"], "travelled");
        assert_eq!(case["interviews"].as_array().unwrap().len(), 1);

        let audit = ok(&db, &["audit", "log", "--format", "csv"]);
        for action in [
            "pathways_apply",
            "pathways_screening",
            "pathways_referral",
            "pathways_outcome",
        ] {
            assert!(audit.contains(action), "{action}: {audit}");
        }
    }
);

/// A catalogue with one program whose cap holds 5 places (test data).
fn small_cap_catalogue(dir: &std::path::Path) -> String {
    let root = dir.join("small-cap");
    std::fs::create_dir_all(root.join("programs")).unwrap();
    std::fs::write(
        root.join("catalogue.toml"),
        "version = 1\neffective_from = \"2024-01-01\"\n\n[[fact]]\nname = \"nationality\"\nkind = \"text\"\ndescription = \"ISO3\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("programs/test-last-places.toml"),
        r#"key = "test-last-places"
name = "Test pathway with five places"
operating_state = "USA"
kind = "humanitarian"
summary = "Test data."
eligible_nationalities = ["VEN"]
legal_basis = [{ citation = "test", confirmed = false }]
places_of_application = [{ country = "*", how = "online" }]

[[caps]]
key = "test-last-places-total"
period = "total"
places = 5
unit = "people"
source = { citation = "test", confirmed = false }

[[rules]]
key = "nationality"
expression = 'nationality == "VEN"'
pass = "Nationality is Venezuelan"
fail = "Nationality must be Venezuelan"
source = "test"
"#,
    )
    .unwrap();
    root.display().to_string()
}

store_test!(
    pathways_cli_cap_holds_under_50_simultaneous_referrals,
    |db: TestDb| async move {
        let dir = db.dir.path();
        let catalogue = small_cap_catalogue(dir);
        let mut csv = String::from("application_id,office,received_on,person_id,given_names,family_names,date_of_birth,relationship,nationality\n");
        for k in 0..50 {
            csv += &format!(
                "C{k},SMO-CRI-SJO,2024-06-01,C{k}-0,Ana{k},Test{k},{}-01-01,principal,VEN\n",
                1950 + k
            );
        }
        let applicants = write(dir, "fifty.csv", csv.as_bytes());
        ok(
            &db,
            &[
                "--pathways-dir",
                &catalogue,
                "pathways",
                "apply",
                "--applicants",
                &applicants,
            ],
        );
        // 50 processes refer at once; the cap has 5 places.
        let children: Vec<std::process::Child> = (0..50)
            .map(|k| {
                let application = format!("C{k}");
                let person = format!("C{k}-0");
                command(
                    &db,
                    &[
                        "--pathways-dir",
                        &catalogue,
                        "pathways",
                        "refer",
                        &application,
                        &person,
                        "test-last-places",
                        "--on",
                        "2024-06-10",
                    ],
                )
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        let started = std::time::Instant::now();
        let mut granted = 0;
        let mut refused_at_cap = 0;
        for child in children {
            let output = child.wait_with_output().unwrap();
            match output.status.code() {
                Some(0) => granted += 1,
                Some(2) => {
                    let err = stderr(&output);
                    assert!(err.contains("left") || err.contains("full"), "{err}");
                    refused_at_cap += 1;
                }
                other => panic!("exit {other:?}: {}", stderr(&output)),
            }
        }
        eprintln!(
        "50 simultaneous referrals at 5 places ({:?}): {granted} granted, {refused_at_cap} refused in {:.2} s",
        db.backend,
        started.elapsed().as_secs_f64()
    );
        assert_eq!((granted, refused_at_cap), (5, 45));
        let catalogue_now = ok(
            &db,
            &[
                "--pathways-dir",
                &catalogue,
                "pathways",
                "catalogue",
                "--on",
                "2024-06-10",
                "--format",
                "csv",
            ],
        );
        assert!(
            catalogue_now.contains("test-last-places-total,total,5,5,0,0"),
            "5 reserved, 0 left: {catalogue_now}"
        );
        let audit = ok(&db, &["audit", "log", "--format", "csv"]);
        assert_eq!(audit.matches("pathways_referral").count(), 5, "{audit}");
        ok(&db, &["audit", "verify"]);
    }
);
