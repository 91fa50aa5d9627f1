//! `hemi registry`: file mode (synth, dedupe, linkage-eval) needs no database, so those
//! tests run once, in a temporary directory; bad input exits 2 naming file, line and
//! field.

use hemi_testing::{run_on, TestBackend, TestDb};

use super::*;

const HEADER: &str = "record_id,given_name,second_given_name,first_surname,second_surname,sex,date_of_birth,nationality,document_type,document_number,phone,municipality,registration_date";

fn in_temp_dir(name: &str, body: impl FnOnce(&TestDb)) {
    run_on(
        TestBackend::Sqlite,
        name,
        |db: TestDb| async move { body(&db) },
    );
}

#[test]
fn synth_then_dedupe_writes_clusters_and_finds_the_duplicates() {
    in_temp_dir("registry_synth_dedupe", |db| {
        let dir = db.dir.path();
        let records = dir.join("r.csv").display().to_string();
        let truth = dir.join("t.csv").display().to_string();
        let clusters = dir.join("c.csv").display().to_string();
        let out = hemi(
            db,
            &[
                "registry",
                "synth",
                "--people",
                "400",
                "--dup-rate",
                "0.2",
                "--seed",
                "3",
                "--out",
                &records,
                "--truth",
                &truth,
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let written = std::fs::read_to_string(&records).unwrap();
        assert!(written.starts_with(HEADER), "{}", &written[..200]);
        let record_count = written.lines().count() - 1;
        assert!(record_count > 400, "duplicates were added: {record_count}");
        // The same seed writes the same registry.
        let again = dir.join("r2.csv").display().to_string();
        ok(
            db,
            &[
                "registry",
                "synth",
                "--people",
                "400",
                "--dup-rate",
                "0.2",
                "--seed",
                "3",
                "--out",
                &again,
            ],
        );
        assert_eq!(std::fs::read_to_string(&again).unwrap(), written);

        let out = hemi(
            db,
            &[
                "registry", "dedupe", "--input", &records, "--out", &clusters,
            ],
        );
        let err = stderr(&out);
        assert!(out.status.success(), "{err}");
        assert!(stdout(&out).is_empty(), "results go to the file");
        assert!(err.contains(&format!("records: {record_count}")), "{err}");
        assert!(
            err.contains("clusters: ") && err.contains("time: "),
            "{err}"
        );
        let text = std::fs::read_to_string(&clusters).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("record_id,cluster_id"));
        let distinct: std::collections::HashSet<&str> =
            lines.map(|l| l.split(',').nth(1).unwrap()).collect();
        assert!(
            distinct.len() < record_count && distinct.len() >= 400 * 9 / 10,
            "{} clusters for {record_count} records of 400 people",
            distinct.len()
        );

        // The same file scored against its truth.
        let table = ok(
            db,
            &[
                "registry",
                "linkage-eval",
                "--input",
                &records,
                "--truth",
                &truth,
                "--format",
                "csv",
            ],
        );
        let row = table.lines().nth(1).unwrap();
        let f1: f64 = row.split(',').nth(5).unwrap().parse().unwrap();
        assert!(f1 > 0.9, "{table}");
    });
}

#[test]
fn linkage_eval_prints_an_aligned_table_per_dataset() {
    in_temp_dir("registry_linkage_eval", |db| {
        let table = ok(
            db,
            &[
                "registry",
                "linkage-eval",
                "--dataset",
                "febrl1,synth",
                "--people",
                "500",
            ],
        );
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3, "{table}");
        assert!(
            lines[0].starts_with("dataset")
                && lines[0].contains("precision")
                && lines[0].contains("f1")
        );
        assert!(
            lines[1].starts_with("febrl1") && lines[1].contains("dedupe"),
            "{table}"
        );
        assert!(lines[2].starts_with("synth(500, 0.1, seed 2)"), "{table}");
        // Aligned: the f1 column starts at the same place on every line.
        let at = lines[0].find("f1").unwrap();
        assert!(lines.iter().all(|l| l.len() > at), "{table}");
        let json = ok(
            db,
            &[
                "registry",
                "linkage-eval",
                "--dataset",
                "febrl1",
                "--format",
                "json",
            ],
        );
        let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(rows[0]["f1"].as_f64().unwrap() > 0.99, "{json}");
    });
}

#[test]
fn bad_registry_files_are_refused_with_file_line_and_field() {
    in_temp_dir("registry_bad_input", |db| {
        let dir = db.dir.path();
        let out_path = dir.join("c.csv").display().to_string();
        let missing = dir.join("nope.csv").display().to_string();
        let err = refused(
            db,
            &[
                "registry", "dedupe", "--input", &missing, "--out", &out_path,
            ],
        );
        assert!(
            err.contains(&format!("{missing}: file: cannot be read")),
            "{err}"
        );

        let no_id = write(dir, "no_id.csv", b"given_name,first_surname\nAna,Lopez\n");
        let err = refused(
            db,
            &["registry", "dedupe", "--input", &no_id, "--out", &out_path],
        );
        assert!(
            err.contains(&format!("{no_id}:1: record_id: no record_id column")),
            "{err}"
        );

        let bad_rows = write(
            dir,
            "bad_rows.csv",
            format!("{HEADER}\nr1,José,,García,López,M,1990-02-30,VEN,,,,,2021-05-06\nr2,Ana,,Pérez,,F,1991-01-01,VXN,,,,,2021-05-06\nr2,Ana,,Pérez,,F,,,,,,,\n").as_bytes(),
        );
        let err = refused(
            db,
            &[
                "registry", "dedupe", "--input", &bad_rows, "--out", &out_path,
            ],
        );
        for expected in [
            ":2: date_of_birth:",
            ":3: nationality: \"VXN\"",
            ":4: record_id: \"r2\" appears twice",
        ] {
            assert!(
                err.contains(&format!("{bad_rows}{expected}")),
                "{expected} in {err}"
            );
        }
        assert!(
            !std::path::Path::new(&out_path).exists(),
            "nothing written on refusal"
        );

        let empty = write(dir, "empty.csv", format!("{HEADER}\n").as_bytes());
        let err = refused(
            db,
            &["registry", "dedupe", "--input", &empty, "--out", &out_path],
        );
        assert!(err.contains("holds no records"), "{err}");

        let err = refused(
            db,
            &[
                "registry",
                "synth",
                "--people",
                "10",
                "--dup-rate",
                "1.5",
                "--out",
                &out_path,
            ],
        );
        assert!(err.contains("--dup-rate"), "{err}");
        let truth = write(dir, "truth.csv", b"record,person\nr1,p1\n");
        let good = write(
            dir,
            "good.csv",
            format!("{HEADER}\nr1,Ana,,Pérez,,F,,,,,,,\n").as_bytes(),
        );
        let err = refused(
            db,
            &[
                "registry",
                "linkage-eval",
                "--input",
                &good,
                "--truth",
                &truth,
            ],
        );
        assert!(err.contains(&format!("{truth}:1: header:")), "{err}");
    });
}
