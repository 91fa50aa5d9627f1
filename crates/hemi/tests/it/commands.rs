//! The commands a user runs, with their outputs checked.

use hemi_testing::{data, repo_root, store_test, TestDb};

use super::*;

store_test!(demo_prints_published_figures, |db: TestDb| async move {
    let out = ok(&db, &["demo", "--no-serve"]);
    assert!(out.contains("imported 18 files"), "{out}");
    for figure in ["248284", "520085", "192001", "17638", "778907"] {
        assert!(out.contains(figure), "demo should show {figure}:\n{out}");
    }
    assert!(
        out.contains("created the demo administrator: user admin, password "),
        "{out}"
    );
    // Running it again changes nothing, and says what it found.
    let before = state(&db);
    let again = hemi(&db, &["demo", "--no-serve"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains(" 0 new observations"),
        "{}",
        stdout(&again)
    );
    assert!(!stdout(&again).contains("password"), "{}", stdout(&again));
    let said = stderr(&again);
    for found in [
        "the bundled tables are already imported (identical files)",
        "the demo administrator `admin` exists; reset its password with `hemi users passwd admin --password-stdin`",
        "the L.A. Declaration is already recorded",
    ] {
        assert!(said.contains(found), "{found:?} in:\n{said}");
    }
    assert_eq!(state(&db), before);

    // The whole data folder: the tables are identical, the labels file is skipped and named.
    let whole = hemi(
        &db,
        &["import", "--no-warn", &data("").display().to_string()],
    );
    assert!(whole.status.success(), "{}", stderr(&whole));
    assert!(
        stderr(&whole).contains("labels/surges.csv: no profile recognises it"),
        "{}",
        stderr(&whole)
    );
    assert_eq!(state(&db), before);
});

store_test!(
    demo_checks_its_port_before_importing,
    |db: TestDb| async move {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = taken.local_addr().unwrap().to_string();
        let output = hemi(&db, &["demo", "--bind", &address]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "error: {address} is in use — is another `hemi serve` running? pass --bind"
            )),
            "{err}"
        );
        assert!(
            !err.contains("importing"),
            "checked before importing: {err}"
        );
        // --secure-cookies is still accepted, as another name for --tls.
        let serve = hemi(&db, &["serve", "--secure-cookies", "--bind", &address]);
        assert_eq!(serve.status.code(), Some(1));
        assert!(stderr(&serve).contains("is in use"), "{}", stderr(&serve));
        assert_eq!(
            ok(&db, &["series", "list", "--format", "csv"])
                .lines()
                .count(),
            1,
            "nothing was imported"
        );
    }
);

store_test!(
    series_show_list_totals_and_formats,
    |db: TestDb| async move {
        ok(
            &db,
            &[
                "import",
                &data("flows/panama_darien_transits_by_nationality.csv")
                    .display()
                    .to_string(),
            ],
        );
        let csv = ok(
            &db,
            &[
                "series",
                "show",
                "--reporting",
                "PAN",
                "--nationality",
                "HTI",
                "--from",
                "2021-01",
                "--to",
                "2021-12",
                "--format",
                "csv",
            ],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "period,reporting,measure,breakdown,nationality,value,series,vintage"
        );
        assert_eq!(lines.len(), 13, "twelve months:\n{csv}");
        let json: serde_json::Value = serde_json::from_str(&ok(
            &db,
            &[
                "series",
                "show",
                "--reporting",
                "pan",
                "--nationality",
                "hti",
                "--from",
                "2021",
                "--to",
                "2021",
                "--format",
                "json",
            ],
        ))
        .unwrap();
        let sum: f64 = json
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["value"].as_f64().unwrap())
            .sum();
        // Annual 2021 is not published for Panama, only months: the year bound selects the months.
        let from_csv: f64 = lines[1..]
            .iter()
            .map(|l| l.split(',').nth(5).unwrap().parse::<f64>().unwrap())
            .sum();
        assert_eq!(sum, from_csv);

        let table = ok(
            &db,
            &[
                "series",
                "totals",
                "--reporting",
                "PAN",
                "--from",
                "2023-01",
                "--to",
                "2023-12",
            ],
        );
        let header = table.lines().next().unwrap();
        assert!(
            header.starts_with("period   reporting  measure"),
            "aligned table: {header}"
        );
        let totals: f64 = table
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().nth(4).unwrap().parse::<f64>().unwrap())
            .sum();
        assert_eq!(totals, 520_085.0);

        let list = ok(
            &db,
            &["series", "list", "--nationality", "CHN", "--format", "csv"],
        );
        assert!(
            list.lines().count() == 2 && list.contains(",PAN,darien_transits,nationality,CHN,"),
            "{list}"
        );
    }
);

store_test!(exports_in_three_formats, |db: TestDb| async move {
    ok(
        &db,
        &[
            "import",
            &data("flows/usa_southwest_border_encounters.csv")
                .display()
                .to_string(),
        ],
    );
    let args = [
        "export",
        "--reporting",
        "USA",
        "--nationality",
        "HTI",
        "--from",
        "2021-09",
        "--to",
        "2021-09",
    ];
    let tidy = ok(&db, &[&args[..], &["--format", "csv"]].concat());
    assert!(tidy.starts_with("source,reporting_country,measure,breakdown,nationality,area_of_responsibility,component,demographic,encounter_type,title_of_authority,period,value,vintage\n"), "{tidy}");
    let total: f64 = tidy
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').nth(1).unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, 17_638.0);
    let sdmx = ok(&db, &[&args[..], &["--format", "sdmx-csv"]].concat());
    assert!(
        sdmx.starts_with("STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,MEASURE,BREAKDOWN,NATIONALITY,"),
        "{sdmx}"
    );
    assert!(sdmx
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("dataflow,HEMI:DF_USA_SWB_ENCOUNTERS(1.0),I,USA,ENCOUNTERS,NATIONALITY,HTI,"));
    let hxl = ok(&db, &[&args[..], &["--format", "hxl"]].concat());
    let tags = hxl.lines().nth(1).unwrap();
    assert!(
        tags.starts_with("#meta+source,#country+code+reporting,")
            && tags.contains("#date+month,#affected+num"),
        "{tags}"
    );
    let out = db.dir.path().join("out.csv");
    ok(
        &db,
        &[&args[..], &["--out", &out.display().to_string()]].concat(),
    );
    assert_eq!(std::fs::read_to_string(out).unwrap(), tidy);
});

store_test!(
    revised_file_creates_a_vintage_readable_back,
    |db: TestDb| async move {
        let dir = db.dir.path();
        let name = "honduras_irregular_entries_by_nationality.csv";
        let v1 = write(
            dir,
            name,
            b"month,nationality,count\n2021-08,HTI,100\n2021-09,HTI,200\n",
        );
        ok(&db, &["import", &v1]);
        let again = ok(&db, &["import", &v1, "--format", "json"]);
        assert!(again.contains("\"identical\": true"), "{again}");
        let v2 = write(
            dir,
            name,
            b"month,nationality,count\n2021-08,HTI,100\n2021-09,HTI,250\n",
        );
        let report = ok(&db, &["import", &v2, "--format", "csv"]);
        assert!(
            report.contains(",2,0,1,1,2 (new),"),
            "one changed, one unchanged, vintage 2: {report}"
        );
        let show = |vintage: &[&str]| {
            ok(
                &db,
                &[
                    &[
                        "series",
                        "show",
                        "--reporting",
                        "HND",
                        "--from",
                        "2021-09",
                        "--format",
                        "csv",
                    ][..],
                    vintage,
                ]
                .concat(),
            )
        };
        assert!(show(&[]).contains("2021-09,HND,irregular_entries,nationality,HTI,250,1,2"));
        assert!(show(&["--vintage", "1"])
            .contains("2021-09,HND,irregular_entries,nationality,HTI,200,1,1"));
    }
);

store_test!(
    killed_import_leaves_previous_state,
    |db: TestDb| async move {
        let dir = db.dir.path().to_owned();
        let name = "mexico_irregular_presented_by_nationality.csv";
        let v1 = write(&dir, name, b"month,nationality,count\n2021-08,HTI,100\n");
        ok(&db, &["import", &v1]);
        let before = state(&db);
        let v2 = std::fs::copy(data(&format!("flows/{name}")), dir.join("full.csv"))
            .map(|_| dir.join("full.csv"))
            .unwrap();
        let stall = dir.join("stalled");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hemi"))
            .args([
                "import",
                "--profile",
                "mexico_presented_nationality",
                &v2.display().to_string(),
            ])
            .current_dir(&dir)
            .env("HEMI_DATABASE_URL", &db.url)
            .env("HEMI_FAULT_STALL_BEFORE_COMMIT", &stall)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until every row is written inside the open transaction, then SIGKILL.
        for _ in 0..600 {
            if stall.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(stall.exists(), "import never reached its commit point");
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        assert_eq!(
            state(&db),
            before,
            "a killed import must leave the previous state"
        );
        let report = ok(
            &db,
            &[
                "import",
                "--profile",
                "mexico_presented_nationality",
                &v2.display().to_string(),
                "--format",
                "csv",
            ],
        );
        assert!(
            report.contains("2 (new)"),
            "the next import succeeds: {report}"
        );
    }
);

#[test]
fn every_subcommand_has_help() {
    for args in [
        &["--help"][..],
        &["import", "--help"],
        &["series", "--help"],
        &["series", "list", "--help"],
        &["series", "show", "--help"],
        &["series", "totals", "--help"],
        &["export", "--help"],
        &["profiles", "--help"],
        &["demo", "--help"],
        &["users", "passwd", "--help"],
        &["users", "role", "--help"],
        &["audit", "verify", "--help"],
        &["audit", "log", "--help"],
        &["warn", "unsubscribe", "--help"],
        &["serve", "--help"],
        &["generate", "completions", "--help"],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_hemi"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success() && stdout(&output).contains("Usage:"),
            "{args:?}"
        );
    }
}

#[test]
fn readme_cli_reference_is_generated_from_the_code() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hemi"))
        .arg("help-markdown")
        .output()
        .unwrap();
    let generated = stdout(&output);
    let committed = std::fs::read_to_string(repo_root().join("docs/CLI.md")).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/CLI.md is out of date: run `cargo run -q -- help-markdown > docs/CLI.md`"
    );
}

#[test]
fn profiles_lists_every_bundled_format() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hemi"))
        .args(["profiles", "--format", "csv"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert_eq!(
        text.lines().count(),
        1 + 18,
        "10 flow tables, 7 context tables, countries:\n{text}"
    );
    assert!(text.contains("honduras_entries_nationality,") && text.contains("TWN->CHN"));
}

store_test!(
    indicators_rank_hosts_and_leave_missing_ratios_empty,
    |db: TestDb| async move {
        // Without the context tables: a clear refusal. Changed from exit 1 (issue 13): a
        // table not imported yet is the caller's to fix, exit 2, as for the early warning.
        let missing = hemi(&db, &["indicators"]);
        assert_eq!(missing.status.code(), Some(2));
        assert!(
            stderr(&missing).contains("hemi import data/context/"),
            "{}",
            stderr(&missing)
        );

        // UN DESA 2024 stocks of people born in Venezuela and World Bank population and
        // GDP for 2023, cut from the bundled tables.
        let cut = |relative: &str, keep: &dyn Fn(&[&str]) -> bool| {
            let text = std::fs::read_to_string(data(relative)).unwrap();
            let mut lines = text.lines();
            let mut out = format!("{}\n", lines.next().unwrap());
            for line in lines.filter(|l| keep(&l.split(',').collect::<Vec<_>>())) {
                out += line;
                out.push('\n');
            }
            out
        };
        let stocks = write(
            db.dir.path(),
            "undesa_international_migrant_stocks.csv",
            cut("context/undesa_international_migrant_stocks.csv", &|f| {
                f[1] == "2024" && f[2] == "VEN"
            })
            .as_bytes(),
        );
        let wdi = write(
            db.dir.path(),
            "world_bank_indicators.csv",
            cut("context/world_bank_indicators.csv", &|f| {
                (f[1] == "pop" || f[1] == "gdp") && f[2] == "2023"
            })
            .as_bytes(),
        );
        ok(&db, &["import", &stocks, &wdi]);

        let csv = ok(&db, &["indicators", "--origin", "VEN", "--format", "csv"]);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("rank,host,name,year,hosted,idps,population,population_year,gdp_usd,gdp_year,per_1000,per_usd_million")
        );
        // Aruba first per inhabitant; Colombia: 2,904,873 born in Venezuela (UN DESA
        // International Migrant Stock 2024), 55.52 per 1,000 of its 2023 population.
        assert!(lines.next().unwrap().starts_with("1,ABW,Aruba,2024,23312,"));
        assert!(
            csv.contains("3,COL,Colombia,2024,2904873,,52321152,2023,363493841244,2023,55.52,7.99"),
            "{csv}"
        );

        // Same-year denominators only: 2024 has none, so no ratio and no rank, never 0.
        let strict = ok(
            &db,
            &[
                "indicators",
                "--origin",
                "VEN",
                "--max-lag-years",
                "0",
                "--format",
                "csv",
            ],
        );
        assert!(
            strict.contains(",COL,Colombia,2024,2904873,,,,,,,"),
            "{strict}"
        );
        assert!(
            !strict
                .lines()
                .skip(1)
                .any(|l| l.starts_with(|c: char| c.is_ascii_digit())),
            "{strict}"
        );

        let json: serde_json::Value = serde_json::from_str(&ok(
            &db,
            &[
                "indicators",
                "--origin",
                "VEN",
                "--rank-by",
                "hosted",
                "--format",
                "json",
            ],
        ))
        .unwrap();
        assert_eq!(json[0]["host"], "COL");
        assert_eq!(json[0]["rank"], 1);
    }
);

store_test!(
    unknown_identifiers_are_refused_with_a_close_match,
    |db: TestDb| async move {
        ok(
            &db,
            &[
                "import",
                "--no-warn",
                &data("flows/panama_darien_transits_by_nationality.csv")
                    .display()
                    .to_string(),
            ],
        );
        // (arguments, expected fragment of stderr); each exits 2 with nothing on stdout,
        // where these used to print "(no rows)" and exit 0.
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (
                vec!["series", "show", "--reporting", "XYZ"],
                "--reporting: \"XYZ\" is not an ISO 3166 alpha-3 country code",
            ),
            (
                vec!["series", "show", "--reporting", "PNA"],
                "did you mean PAN?",
            ),
            (
                vec!["series", "list", "--reporting", "HND"],
                "--reporting: no stored series has reporting \"HND\"",
            ),
            (
                vec!["series", "list", "--measure", "darien_transit"],
                "did you mean darien_transits?",
            ),
            (
                vec!["export", "--nationality", "HTX"],
                "--nationality: no stored series has nationality \"HTX\" — did you mean HTI?",
            ),
            (
                vec!["series", "show", "--from", "2022-01", "--to", "2021-01"],
                "--to: 2021-01 is before",
            ),
            (
                vec!["series", "show", "--vintage", "7"],
                "--vintage: vintage 7 does not exist — vintages run from 1 to 1",
            ),
            (
                vec!["indicators", "--origin", "XYZ"],
                "--origin: \"XYZ\" is not an ISO 3166 alpha-3 country code",
            ),
            (
                vec!["forecast", "--reporting", "USA"],
                "watched series \"USA/*\" does not exist",
            ),
            (
                vec![
                    "warn",
                    "replay",
                    "--from",
                    "2021-01",
                    "--to",
                    "2021-03",
                    "--reporting",
                    "XYZ",
                ],
                "--reporting: \"XYZ\" is not an ISO 3166 alpha-3 country code",
            ),
            (
                vec![
                    "warn",
                    "replay",
                    "--from",
                    "2021-01",
                    "--to",
                    "2021-03",
                    "--reporting",
                    "BRA",
                ],
                "watched series \"BRA/*\" does not exist",
            ),
            (
                vec!["warn", "replay", "--from", "2021-01", "--to", "2099-01"],
                "--to: 2099-01 is after the newest month with data",
            ),
            (
                vec!["events", "show", "HTI-1999-01"],
                "event \"HTI-1999-01\" does not exist",
            ),
        ];
        for (args, expected) in cases {
            let err = refused(&db, &args);
            assert!(err.contains(expected), "{args:?}: {expected:?} in:\n{err}");
            assert!(
                !err.contains("nothing was changed"),
                "{args:?} reads only: {err}"
            );
        }
        // Codes in any case are accepted.
        let lower = ok(
            &db,
            &["series", "list", "--reporting", "pan", "--format", "csv"],
        );
        assert!(lower.lines().count() > 1, "{lower}");
    }
);

store_test!(
    serve_answers_and_stops_on_sigterm,
    |db: TestDb| async move {
        use std::io::{BufRead, BufReader, Read, Write};
        let mut child = command(&db, &["serve", "--bind", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let address = loop {
            let line = lines
                .next()
                .expect("hemi serve says where it serves")
                .unwrap();
            if let Some(rest) = line.strip_prefix("Hemisphere is serving on http://") {
                assert!(rest.ends_with("/ (Ctrl-C to stop)"), "{line}");
                break rest.split('/').next().unwrap().to_owned();
            }
        };
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "GET /readyz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        // A stuck server fails the test instead of hanging it.
        let mut status = None;
        for _ in 0..600 {
            if let Some(s) = child.try_wait().unwrap() {
                status = Some(s);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let Some(status) = status else {
            child.kill().unwrap();
            panic!("hemi serve did not stop on SIGTERM");
        };
        assert!(status.success(), "stopped cleanly: {status}");
        let rest: Vec<String> = lines.map_while(Result::ok).collect();
        assert!(
            rest.iter()
                .any(|l| l.contains("stopping: finishing the requests in flight")),
            "{rest:?}"
        );
    }
);
