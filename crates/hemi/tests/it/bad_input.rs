//! Bad input at the command line: exit code 2, `file:line: field: problem — hint` on
//! stderr, and the database exactly as it was.

use hemi_testing::{data, store_test, TestDb};

use super::*;

const HN: &str = "honduras_irregular_entries_by_nationality.csv";

/// (case, file name, content, expected fragment of stderr)
fn cases() -> Vec<(&'static str, &'static str, Vec<u8>, String)> {
    let row = |r: &str| format!("month,nationality,count\n2021-01,HTI,5\n{r}\n").into_bytes();
    vec![
        ("renamed column", HN, b"month,nationality,cuenta\n2021-01,HTI,5\n".to_vec(), format!("{HN}:1: header: header does not match profile honduras_entries_nationality: missing column count; unexpected column cuenta")),
        ("missing column", "mexico_irregular_presented_by_nationality.csv", b"month,count\n2021-01,5\n".to_vec(), ":1: header:".into()),
        ("month 13", HN, row("2021-13,HTI,5"), format!("{HN}:3: month: \"2021-13\" has month 13, which is not 01-12 — ")),
        ("two-digit year", HN, row("21-01,HTI,5"), format!("{HN}:3: month: \"21-01\" is not a period; write YYYY-MM")),
        ("negative count", HN, row("2021-02,HTI,-3"), format!("{HN}:3: count: -3 is negative — counts must be >= 0")),
        ("fractional count", HN, row("2021-02,HTI,2.5"), format!("{HN}:3: count: 2.5 is not a whole number")),
        ("unknown code", HN, row("2021-02,XYZ,5"), format!("{HN}:3: nationality: \"XYZ\" is not an ISO 3166 alpha-3 code — ")),
        ("duplicate key", "mexico_returns_by_nationality.csv", b"month,nationality,return_type,count\n2021-01,HTI,deportation,5\n2021-01,HTI,deportation,6\n".to_vec(), "mexico_returns_by_nationality.csv:3: row: duplicate of line 2".into()),
        ("empty file", HN, Vec::new(), format!("{HN}: file: the file is empty")),
        ("non-UTF-8", "panama_darien_transits_by_sex_age.csv", b"month,group,count\n2021-01,ni\xf1os,5\n".to_vec(), ":2: group: bytes \"ni\\xf1os\" are not valid UTF-8 — save the file as UTF-8".into()),
    ]
}

store_test!(
    each_bad_file_is_refused_and_changes_nothing,
    |db: TestDb| async move {
        let good = data("flows/honduras_irregular_entries_by_nationality.csv")
            .display()
            .to_string();
        ok(&db, &["import", &good]);
        let before = state(&db);
        for (case, name, content, expected) in cases() {
            let case_dir = db.dir.path().join(case.replace(' ', "_"));
            std::fs::create_dir_all(&case_dir).unwrap();
            let path = write(&case_dir, name, &content);
            let output = hemi(&db, &["import", &path]);
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{case}: {err}");
            assert!(
                err.contains(&expected),
                "{case}: expected {expected:?} in:\n{err}"
            );
            assert!(err.contains("nothing was changed"), "{case}: {err}");
            assert_eq!(state(&db), before, "{case} changed the database");
        }
    }
);

store_test!(
    one_bad_file_stops_the_whole_import,
    |db: TestDb| async move {
        let dir = db.dir.path().join("upload");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(
            data("flows/panama_darien_transits_by_nationality.csv"),
            dir.join("panama_darien_transits_by_nationality.csv"),
        )
        .unwrap();
        write(
            &dir,
            "zz_honduras_irregular_entries_by_nationality.csv",
            b"month,nationality,count\n2021-01,HTI,-1\n",
        );
        let output = hemi(&db, &["import", &dir.display().to_string()]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            ok(&db, &["series", "list", "--format", "csv"])
                .lines()
                .count()
                == 1,
            "the good file was not stored either"
        );
    }
);

store_test!(
    a_large_file_with_a_late_error_is_refused_with_its_line,
    |db: TestDb| async move {
        // About 1.2 million rows (20 MB); the one bad row is the last. Parsing streams the
        // file, so memory holds the distinct observations, not the file.
        use std::io::Write;
        let path = db
            .dir
            .path()
            .join("mexico_irregular_presented_by_nationality.csv");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(file, "month,nationality,count").unwrap();
        let rows = 1_200_000u64;
        for i in 0..rows {
            writeln!(file, "20{:02}-{:02},HTI,1", 10 + (i / 12) % 20, i % 12 + 1).unwrap();
        }
        writeln!(file, "2021-01,HTI,x").unwrap();
        drop(file);
        let output = hemi(&db, &["import", &path.display().to_string()]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(":{}: count: \"x\" is not a number", rows + 2)),
            "{err}"
        );
    }
);

store_test!(bad_period_argument_is_refused, |db: TestDb| async move {
    let output = hemi(&db, &["series", "show", "--from", "2021-13"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--from: \"2021-13\" has month 13"),
        "{}",
        stderr(&output)
    );
});

#[test]
fn unknown_profile_and_missing_path() {
    let db = hemi_testing::tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(TestDb::new(hemi_testing::TestBackend::Sqlite, "paths"));
    let output = hemi(&db, &["import", "does-not-exist.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("does-not-exist.csv: path: does not exist"),
        "{}",
        stderr(&output)
    );
    let file = write(db.dir.path(), "x.csv", b"a,b\n1,2\n");
    let output = hemi(&db, &["import", "--profile", "nope", &file]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no profile named \"nope\""),
        "{}",
        stderr(&output)
    );
    let output = hemi(&db, &["import", &file]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("x.csv:1: header: no profile recognises this file"),
        "{}",
        stderr(&output)
    );
}
