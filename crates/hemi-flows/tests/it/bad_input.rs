//! Each kind of bad input is refused with `file:line: field: problem — hint`.

use super::*;
use hemi_flows::ProfileSet;

fn first_error(file_name: &str, bytes: &[u8]) -> String {
    match parse_bytes(file_name, bytes) {
        Ok(_) => panic!("{file_name} should be refused"),
        Err(d) => d.iter().next().unwrap().to_string(),
    }
}

const HN: &str = "honduras_irregular_entries_by_nationality_2024.csv";

#[test]
fn renamed_column() {
    let e = first_error(HN, b"month,nationality,cuenta\n2021-01,HTI,5\n");
    assert!(
        e.starts_with(&format!(
            "{HN}:1: header: missing column count; unexpected column cuenta"
        )),
        "{e}"
    );
}

#[test]
fn missing_column() {
    let e = first_error(HN, b"month,nationality\n2021-01,HTI\n");
    assert!(e.contains(":1: header: missing column count"), "{e}");
}

#[test]
fn bad_periods() {
    let e = first_error(HN, b"month,nationality,count\n2021-13,HTI,5\n");
    assert!(
        e.starts_with(&format!("{HN}:2: month: \"2021-13\" has month 13")),
        "{e}"
    );
    let e = first_error(HN, b"month,nationality,count\n2021-01,HTI,5\n21-01,HTI,5\n");
    assert!(
        e.starts_with(&format!("{HN}:3: month: \"21-01\" is not a period")),
        "{e}"
    );
}

#[test]
fn negative_and_fractional_counts() {
    let e = first_error(HN, b"month,nationality,count\n2021-01,HTI,-3\n");
    assert!(
        e.contains(":2: count: -3 is negative — counts must be >= 0"),
        "{e}"
    );
    let e = first_error(HN, b"month,nationality,count\n2021-01,HTI,2.5\n");
    assert!(e.contains(":2: count: 2.5 is not a whole number"), "{e}");
}

#[test]
fn unknown_country_code() {
    let e = first_error(HN, b"month,nationality,count\n2021-01,XYZ,5\n");
    assert!(
        e.contains(":2: nationality: \"XYZ\" is not an ISO 3166 alpha-3 code"),
        "{e}"
    );
}

#[test]
fn shared_codes_import_in_every_profile_and_undeclared_codes_are_refused() {
    // The next Honduras table uses STL (stateless) and the next Mexico table OOO
    // (unknown): neither profile lists them, shared_codes.toml declares them once.
    let honduras = parse_bytes(
        HN,
        b"month,nationality,count\n2024-05,STL,3\n2024-05,OOO,5\n",
    )
    .unwrap();
    let mut codes: Vec<_> = honduras
        .series
        .iter()
        .filter_map(|s| s.nationality.as_deref())
        .collect();
    codes.sort();
    assert_eq!(codes, ["OOO", "STL"]);
    let mexico = parse_bytes(
        "mexico_returns_by_nationality.csv",
        b"month,nationality,return_type,count\n2024-05,OOO,deportation,5\n2024-05,XKX,deportation,1\n",
    )
    .unwrap();
    assert_eq!(mexico.series.len(), 2);
    // A code no publisher declared is still refused, at its line, with what to do.
    let e = first_error(
        "mexico_returns_by_nationality.csv",
        b"month,nationality,return_type,count\n2024-05,HTI,deportation,5\n2024-05,QQQ,deportation,1\n",
    );
    assert!(
        e.contains(":3: nationality: \"QQQ\" is not an ISO 3166"),
        "{e}"
    );
    assert!(
        e.contains("shared_codes.toml") && e.contains("--profiles-dir"),
        "{e}"
    );
    // A publisher's own code stays its own: EM-DAT's SPI is not shared.
    let e = first_error(HN, b"month,nationality,count\n2024-05,SPI,5\n");
    assert!(e.contains("\"SPI\" is not an ISO 3166"), "{e}");
}

#[test]
fn a_shared_codes_file_is_checked() {
    let check = |text: &str| {
        ProfileSet::from_files([("extra/shared_codes.toml", text)])
            .unwrap_err()
            .to_string()
    };
    assert!(check("[codes]\nHTI = \"Haiti\"\n")
        .contains("extra/shared_codes.toml:2: HTI is an ISO 3166 code"));
    assert!(check("[codes]\nOOO = \"x\"\nstl = \"Stateless\"\n")
        .contains(":3: \"stl\" is not three capital letters"));
    assert!(check("[codez]\nOOO = \"x\"\n").contains("extra/shared_codes.toml:1:"));
    // A node's own file replaces the bundled one.
    let set = ProfileSet::from_files([
        ("profiles/shared_codes.toml", "[codes]\nOOO = \"Unknown\"\n"),
        (
            "profiles/honduras_entries_nationality.toml",
            include_str!("../../../../profiles/honduras_entries_nationality.toml"),
        ),
        ("node/shared_codes.toml", "[codes]\nZZZ = \"Node code\"\n"),
    ])
    .unwrap();
    let honduras = set.get("honduras_entries_nationality").unwrap();
    assert!(
        honduras.shared_codes.contains_key("ZZZ") && !honduras.shared_codes.contains_key("OOO")
    );
}

#[test]
fn duplicate_key_without_combine_rule() {
    let e = first_error(
        "mexico_returns_by_nationality.csv",
        b"month,nationality,return_type,count\n2021-01,HTI,deportation,5\n2021-01,HTI,deportation,6\n",
    );
    assert!(e.contains(":3: row: duplicate of line 2"), "{e}");
}

#[test]
fn empty_file_and_header_only() {
    let e = first_error(HN, b"");
    assert!(e.contains("the file is empty"), "{e}");
    let e = first_error(HN, b"month,nationality,count\n");
    assert!(e.contains("has a header but no rows"), "{e}");
}

#[test]
fn non_utf8_bytes() {
    let e = first_error(
        "panama_darien_transits_by_sex_age.csv",
        b"month,group,count\n2021-01,ni\xf1os,5\n",
    );
    assert!(
        e.contains(":2: group: bytes \"ni\\xf1os\" are not valid UTF-8 — save the file as UTF-8"),
        "{e}"
    );
}

#[test]
fn overlong_cell() {
    let long = "A".repeat(hemi_flows::MAX_FIELD_BYTES + 1);
    let e = first_error(
        HN,
        format!("month,nationality,count\n2021-01,{long},5\n").as_bytes(),
    );
    assert!(e.contains("over the limit of 4096"), "{e}");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let d = parse_bytes(
        HN,
        b"month,nationality,count\n2021-13,HTI,5\n2021-01,XYZ,5\n2021-01,HTI,-1\n",
    )
    .unwrap_err();
    let lines: Vec<u64> = d.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![2, 3, 4]);
}

/// A reader that generates a table lazily, so the file never exists whole in memory.
struct GeneratedTable {
    rows_left: u64,
    buffer: Vec<u8>,
    header_done: bool,
}

impl std::io::Read for GeneratedTable {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.buffer.is_empty() {
            if !self.header_done {
                self.header_done = true;
                self.buffer.extend_from_slice(b"month,nationality,count\n");
            } else if self.rows_left > 0 {
                self.rows_left -= 1;
                let month = self.rows_left % 12 + 1;
                self.buffer
                    .extend_from_slice(format!("2021-{month:02},HTI,1\n").as_bytes());
            }
        }
        let n = out.len().min(self.buffer.len());
        out[..n].copy_from_slice(&self.buffer[..n]);
        self.buffer.drain(..n);
        Ok(n)
    }
}

#[test]
fn a_large_file_is_streamed() {
    // 700,000 rows (about 10 MB) generated on the fly and combined by the profile's sum
    // rule: memory holds 12 observations, not the file.
    let rows = 700_000;
    let set = profiles();
    let profile = set.get("mexico_presented_nationality").unwrap();
    let input = GeneratedTable {
        rows_left: rows,
        buffer: Vec::new(),
        header_done: false,
    };
    let table = parse_table(
        profile,
        "big.csv",
        input,
        hemi_core::CountryCodes::bundled(),
    )
    .unwrap();
    assert_eq!(table.rows_read, rows);
    assert_eq!(table.observations.len(), 12);
    assert_eq!(table.observations.values().sum::<f64>(), rows as f64);
    assert!(table.bytes > 9_000_000);
}

#[test]
fn too_many_distinct_observations_is_refused() {
    let set = profiles();
    let profile = set.get("mexico_presented_nationality").unwrap();
    let input: &[u8] = b"month,nationality,count\n2021-01,HTI,1\n2021-02,HTI,1\n2021-03,HTI,1\n";
    let d = hemi_flows::parse_table_with_limit(
        profile,
        "big.csv",
        input,
        hemi_core::CountryCodes::bundled(),
        2,
    )
    .unwrap_err();
    let e = d.iter().next().unwrap().to_string();
    assert!(
        e.starts_with("big.csv:4: file: more than 2 distinct observations — split the file"),
        "{e}"
    );
}

#[test]
fn problems_are_bounded_and_counted() {
    let mut text = String::from("month,nationality,count\n");
    for _ in 0..80 {
        text.push_str("2021-01,XYZ,1\n");
    }
    let d = parse_bytes(HN, text.as_bytes()).unwrap_err();
    assert_eq!(d.iter().count(), hemi_core::MAX_DIAGNOSTICS_KEPT);
    assert!(
        d.to_string().contains("stopped at the first 50 problems"),
        "{d}"
    );
}
