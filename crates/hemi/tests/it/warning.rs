//! Early warning through the CLI, on real flows: replay without look-ahead, events with
//! country roles and lifecycle, forecasts, evaluation, and webhook notifications
//! delivered to a real local HTTP server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use hemi_testing::{data, repo_root, store_test, TestDb};

use super::*;

const WATCHED: [&str; 4] = [
    "flows/panama_darien_transits_by_nationality.csv",
    "flows/honduras_irregular_entries_by_nationality.csv",
    "flows/mexico_irregular_presented_by_nationality.csv",
    "flows/usa_southwest_border_encounters.csv",
];

fn import_watched(db: &TestDb, extra: &[&str]) {
    let mut args = vec!["import".to_owned()];
    args.extend(
        WATCHED
            .iter()
            .chain(extra)
            .map(|f| data(f).display().to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(db, &args);
}

/// Copy the watched tables keeping only periods <= `last` (annual periods included).
fn import_watched_cut_at(db: &TestDb, last: &str) {
    let dir = db.dir.path().join("cut");
    std::fs::create_dir_all(&dir).unwrap();
    for file in WATCHED {
        let text = std::fs::read_to_string(data(file)).unwrap();
        let mut lines = text.lines();
        let mut out = String::from(lines.next().unwrap());
        out.push('\n');
        for line in lines.filter(|l| l[..l.find(',').unwrap()] <= *last) {
            out.push_str(line);
            out.push('\n');
        }
        std::fs::write(
            dir.join(std::path::Path::new(file).file_name().unwrap()),
            out,
        )
        .unwrap();
    }
    ok(db, &["import", &dir.display().to_string()]);
}

store_test!(replay_never_looks_ahead, |db: TestDb| async move {
    import_watched(&db, &[]);
    let cut = TestDb::new(db.backend, "replay_cut").await;
    import_watched_cut_at(&cut, "2021-09");
    let args = [
        "warn", "replay", "--from", "2021-01", "--to", "2021-09", "--format", "csv",
    ];
    let full = ok(&db, &args);
    let at_the_time = ok(&cut, &args);
    assert!(
        full.starts_with(
            "month,reporting_country,nationality,value,expected,upper,score,alarm,event_id,"
        ),
        "{full}"
    );
    assert!(
        full.lines().count() > 1000,
        "every watched series and month"
    );
    assert_eq!(
        full, at_the_time,
        "rows up to 2021-09 must not depend on later data"
    );
    // The Haitian wave is flagged in Panama months before it reaches the US in September.
    assert!(
        full.contains("2021-07,PAN,HTI,13141,"),
        "{}",
        full.lines()
            .find(|l| l.starts_with("2021-07,PAN,HTI"))
            .unwrap_or("")
    );
    let pan_july = full
        .lines()
        .find(|l| l.starts_with("2021-07,PAN,HTI,"))
        .unwrap();
    assert_eq!(
        pan_july.split(',').nth(7),
        Some("1"),
        "alarm in Panama, July 2021: {pan_july}"
    );
});

store_test!(
    haitian_2021_event_roles_and_lifecycle,
    |db: TestDb| async move {
        import_watched(
            &db,
            &[
                "flows/mexico_returns_by_nationality.csv",
                "context/undesa_international_migrant_stocks.csv",
            ],
        );
        let list = ok(
            &db,
            &["events", "list", "--as-of", "2021-09", "--format", "csv"],
        );
        let line = list
            .lines()
            .find(|l| l.contains(",HTI,2021-"))
            .unwrap_or_else(|| panic!("{list}"));
        let id = line.split(',').next().unwrap().to_owned();
        assert!(line.ends_with(",detected"), "{line}");
        let show: serde_json::Value = serde_json::from_str(&ok(
            &db,
            &[
                "events", "show", &id, "--as-of", "2021-09", "--format", "json",
            ],
        ))
        .unwrap();
        let roles: Vec<(String, String)> = show["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["country"].as_str().unwrap().to_owned(),
                    r["role"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let role = |c: &str| {
            roles
                .iter()
                .find(|(k, _)| k == c)
                .map(|(_, r)| r.as_str())
                .unwrap_or("none")
        };
        assert_eq!(
            (role("BRA"), role("CHL")),
            ("sending", "sending"),
            "{roles:?}"
        );
        assert_eq!(
            (role("PAN"), role("HND")),
            ("transit", "transit"),
            "{roles:?}"
        );
        for inferred in ["COL", "CRI", "NIC", "GTM"] {
            assert_eq!(role(inferred), "inferred_transit", "{inferred}: {roles:?}");
        }
        assert_eq!(
            (role("MEX"), role("USA")),
            ("transit_receiving", "receiving"),
            "{roles:?}"
        );
        assert!(
            show["roles"][0]["evidence"]
                .as_str()
                .unwrap()
                .contains("UN DESA"),
            "evidence names its source"
        );

        // Lifecycle: detected -> confirmed, with who and why; skipping to closed is refused.
        let refused = hemi(
            &db,
            &[
                "events", "set", &id, "--status", "closed", "--by", "officer", "--reason", "skip",
            ],
        );
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        ok(
            &db,
            &[
                "events",
                "set",
                &id,
                "--status",
                "confirmed",
                "--by",
                "watch officer A",
                "--reason",
                "Darién and Del Rio counts agree",
            ],
        );
        let after = ok(
            &db,
            &["events", "list", "--as-of", "2021-09", "--format", "csv"],
        );
        assert!(
            after
                .lines()
                .any(|l| l.starts_with(&format!("{id},")) && l.ends_with(",confirmed")),
            "{after}"
        );
        let show = ok(&db, &["events", "show", &id, "--as-of", "2021-09"]);
        // Changed (issue 13): the actor is the operator; the name given with --by (now
        // --as) is recorded beside it, no longer instead of it.
        assert!(
            show.contains(&format!(
                "detected -> confirmed  by cli:{OPERATOR} as \"watch officer A\": Darién and Del Rio counts agree"
            )),
            "{show}"
        );
        assert!(show.contains("response tasks:"), "{show}");

        // Confirming started the response: the Haiti-2021 playbook's tasks, one per
        // transit country for capacity and shelter, all overdue a century later.
        let tasks = ok(
            &db,
            &[
                "process", "tasks", "list", "--event", &id, "--format", "csv",
            ],
        );
        for expected in [
            ",Task Force,\"Notify receiving and transit states",
            ",PAN,\"Raise processing capacity at the border posts of PAN",
            ",HND,Open emergency shelter in HND",
            ",MEX,Raise processing and asylum capacity in MEX",
            ",USA,\"Prepare processing capacity",
        ] {
            assert!(tasks.contains(expected), "{expected}: {tasks}");
        }
        let count = tasks.lines().count() - 1;
        let overdue = ok(
            &db,
            &[
                "process",
                "tasks",
                "overdue",
                "--now",
                "2100-01-01",
                "--format",
                "csv",
            ],
        );
        assert_eq!(overdue.lines().count() - 1, count, "{overdue}");

        // The quarterly report data shows the event with the status people gave it.
        let q: serde_json::Value = serde_json::from_str(&ok(
            &db,
            &["process", "quarterly", "2021Q3", "--format", "json"],
        ))
        .unwrap();
        let events = q["events"].as_array().unwrap();
        assert!(
            events
                .iter()
                .any(|e| e["id"] == id.as_str() && e["status"] == "confirmed"),
            "{events:?}"
        );
    }
);

store_test!(forecasts_backtest_and_evaluation, |db: TestDb| async move {
    import_watched(&db, &[]);
    let csv = ok(
        &db,
        &[
            "forecast",
            "--as-of",
            "2021-08",
            "--horizon",
            "2",
            "--reporting",
            "USA",
            "--nationality",
            "HTI",
            "--format",
            "csv",
        ],
    );
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("month,reporting_country,nationality,point,lower80,upper80,method")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // One forecast per series and month (issue 12), by the method its own backtest chose.
    assert_eq!(
        rows.iter().map(|r| r[0]).collect::<Vec<_>>(),
        ["2021-09", "2021-10"],
        "{csv}"
    );
    assert!(
        rows.iter().all(|r| r[6] == rows[0][6]),
        "one method per series: {csv}"
    );
    for r in &rows {
        let (point, low, high): (f64, f64, f64) = (
            r[3].parse().unwrap(),
            r[4].parse().unwrap(),
            r[5].parse().unwrap(),
        );
        assert!(low <= point && point <= high, "{r:?}");
    }
    let backtest = ok(
        &db,
        &[
            "forecast",
            "backtest",
            "--from",
            "2022-01",
            "--to",
            "2023-12",
            "--horizon",
            "3",
            "--nationality",
            "HTI",
            "--format",
            "csv",
        ],
    );
    assert!(
        backtest.starts_with(
            "method,horizon,series,forecasts,mase,mase_vs_naive,coverage80,interval_score80\n"
        ),
        "{backtest}"
    );
    let naive_all = backtest
        .lines()
        .find(|l| l.starts_with("naive,all,"))
        .unwrap_or_else(|| panic!("{backtest}"));
    assert_eq!(
        naive_all.split(',').nth(5),
        Some("1"),
        "naive against itself: {backtest}"
    );
    for horizon in 1..=3 {
        assert!(
            backtest.contains(&format!("\nets,{horizon},")),
            "{backtest}"
        );
    }

    let labels = repo_root().join("data/labels").display().to_string();
    let eval = ok(
        &db,
        &["warn", "evaluate", "--labels", &labels, "--format", "json"],
    );
    let eval: serde_json::Value = serde_json::from_str(&eval).unwrap();
    let rows = eval.as_array().unwrap();
    let row = |split: &str, sample: &str| {
        rows.iter()
            .find(|r| r["split"] == split && r["sample"] == sample)
            .unwrap_or_else(|| panic!("no {split} {sample} row: {eval}"))
    };
    // The rule is chosen on 2019-01..2022-12 and scored on 2023-01..2024-04, unseen.
    let test = row("forward", "out-of-sample");
    assert_eq!(test["months"], "2023-01..2024-04");
    assert_eq!(
        row("forward", "in-sample (tuned here)")["rules"],
        test["rules"]
    );
    assert!(test["pod"].as_f64().unwrap() >= 0.9, "{test}");
    assert!(test["far"].as_f64().unwrap() <= 0.2, "{test}");
    assert_eq!(
        row("reverse", "out-of-sample")["months"],
        "2019-01..2022-12"
    );
    assert!(
        rows.iter()
            .any(|r| r["rules"] == "naive 1.5x" && r["sample"] == "test period, untuned"),
        "the untuned references are scored the same way: {eval}"
    );
    let bad = hemi(&db, &["warn", "evaluate", "--labels", "/nonexistent"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--labels"));
});

/// A webhook receiver on loopback: answers 500 to the first request, then 200, and
/// keeps every body it was sent.
fn webhook_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/hemi", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate().take(50) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let status = if n == 0 {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            if n > 0 {
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&body).into_owned());
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, bodies)
}

store_test!(
    alerts_reach_a_webhook_within_the_time_frame,
    |db: TestDb| async move {
        let (url, bodies) = webhook_server();
        // The import already runs the warning on its newest month (2024-04), before anyone
        // subscribed; the subscriber then gets what `warn run` raises from then on.
        import_watched(&db, &[]);
        ok(&db, &["warn", "subscribe", "regional-ops", &url]);
        let raised = ok(
            &db,
            &["warn", "run", "--as-of", "2021-09", "--format", "csv"],
        );
        let alerts = raised.lines().count() - 1;
        assert!(
            alerts >= 2,
            "September 2021 raises alerts (Panama and Mexico Haitians): {raised}"
        );
        // The US Haitian series alerted in June and July; its September peak falls in the
        // rules' cooldown, inside the same event.
        assert!(raised.contains(",2021-09,MEX,HTI,9161,"), "{raised}");
        let received = bodies.lock().unwrap().clone();
        assert_eq!(received.len(), alerts, "one POST per alert after one retry");
        let first: serde_json::Value = serde_json::from_str(&received[0]).unwrap();
        assert_eq!(first["type"], "hemisphere.alert");
        let log = ok(&db, &["warn", "notifications", "--format", "csv"]);
        let rows: Vec<&str> = log.lines().skip(1).collect();
        assert_eq!(rows.len(), alerts);
        assert!(
            rows.iter()
                .all(|r| r.contains(",delivered,") && r.ends_with(",yes")),
            "{log}"
        );
        assert!(
            rows[0].contains(",delivered,2,"),
            "the first notification needed a retry: {log}"
        );
        // Running the same month again records and sends nothing twice.
        let again = ok(
            &db,
            &["warn", "run", "--as-of", "2021-09", "--format", "csv"],
        );
        assert_eq!(again.lines().count(), 1, "{again}");
        assert_eq!(bodies.lock().unwrap().len(), alerts);
    }
);

store_test!(a_malformed_rules_file_is_refused, |db: TestDb| async move {
    import_watched(&db, &["flows/panama_darien_transits_by_sex_age.csv"]);
    let dir = db.dir.path().join("rules");
    std::fs::create_dir_all(&dir).unwrap();
    let shipped = std::fs::read_to_string(repo_root().join("rules/triggers.toml")).unwrap();
    std::fs::write(
        dir.join("triggers.toml"),
        shipped.replace("\"glrnb\"", "\"glrnbx\""),
    )
    .unwrap();
    let before = ok(&db, &["events", "list", "--format", "csv"]);
    let output = hemi(
        &db,
        &["--rules-dir", &dir.display().to_string(), "warn", "run"],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("triggers.toml:") && err.contains("unknown detector \"glrnbx\""),
        "{err}"
    );
    assert_eq!(ok(&db, &["events", "list", "--format", "csv"]), before);
    assert_eq!(
        ok(&db, &["warn", "notifications", "--format", "csv"])
            .lines()
            .count(),
        1
    );
});
