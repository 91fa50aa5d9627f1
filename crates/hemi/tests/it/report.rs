//! `hemi report quarterly`: the HTML report names the quarter's events and corridors, and
//! the PDF is a real PDF: converted to PNG pages by `pdftoppm` (poppler-utils), as a
//! reader's viewer would render it. On SQLite and PostgreSQL.

use hemi_testing::{data, store_test, TestDb};

use super::*;

fn import_for_report(db: &TestDb) {
    let files: Vec<String> = [
        "reference/countries.csv",
        "flows/panama_darien_transits_by_nationality.csv",
        "flows/honduras_irregular_entries_by_nationality.csv",
        "flows/mexico_irregular_presented_by_nationality.csv",
        "flows/usa_southwest_border_encounters.csv",
    ]
    .iter()
    .map(|f| data(f).display().to_string())
    .collect();
    let mut args = vec!["import", "--no-warn"];
    args.extend(files.iter().map(String::as_str));
    ok(db, &args);
}

store_test!(quarterly_report_html_and_pdf, |db: TestDb| async move {
    import_for_report(&db);
    ok(&db, &["process", "seed"]);

    let html_path = db.dir.path().join("2021Q3.html");
    let html_arg = html_path.display().to_string();
    ok(&db, &["report", "quarterly", "2021Q3", "--out", &html_arg]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("Quarterly report 2021Q3"), "title");
    assert!(html.contains("2021-07-01 to 2021-09-30"), "period");
    // The Haitian 2021 wave had alerts in the quarter; its event and corridor chart are in.
    assert!(html.contains("HTI-2021-"), "Haitian event listed");
    assert!(
        html.contains("Haiti (HTI): event HTI-2021-"),
        "Haitian corridor chart"
    );
    assert!(html.contains("<svg"), "charts are inline SVG");
    // 2021Q3 is before the Declaration: no commitment yet.
    assert!(
        html.contains("0</strong> commitments tracked"),
        "no commitments in 2021"
    );

    // Without --out the report is the result on stdout.
    let on_stdout = ok(&db, &["report", "quarterly", "2021Q3"]);
    assert!(
        on_stdout.starts_with("<!DOCTYPE html>") && on_stdout.contains("Quarterly report 2021Q3"),
        "{}",
        &on_stdout[..on_stdout.len().min(200)]
    );

    let pdf_path = db.dir.path().join("2023Q3.pdf");
    let pdf_arg = pdf_path.display().to_string();
    ok(
        &db,
        &[
            "report",
            "quarterly",
            "2023Q3",
            "--format",
            "pdf",
            "--out",
            &pdf_arg,
        ],
    );
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF file");
    let prefix = db.dir.path().join("page");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "30", "-png"])
        .arg(&pdf_path)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is installed by scripts/test");
    assert!(status.success());
    let pages = std::fs::read_dir(db.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("page") && name.ends_with(".png")
        })
        .count();
    // Cover and events, corridor charts, alerts, commitments and the rest: several A4 pages.
    assert!(pages >= 4, "{pages} pages");
});

store_test!(
    quarterly_report_refuses_a_bad_quarter,
    |db: TestDb| async move {
        let out = db.dir.path().join("x.html").display().to_string();
        let output = hemi(&db, &["report", "quarterly", "2023-Q5", "--out", &out]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains("QUARTER"), "{}", stderr(&output));
        assert!(!std::path::Path::new(&out).exists());
    }
);
