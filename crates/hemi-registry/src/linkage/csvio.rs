//! The linkage CSV interface, pure: records in from any reader (the registry layout, or
//! FEBRL's columns), clusters and records out to any writer. Problems are diagnostics
//! with file, line and field.

use super::record::LinkRecord;
use super::ClusterAssignment;
use hemi_core::{CountryCodes, Diagnostic, Diagnostics};
use std::io::{Read, Write};

/// The registry CSV layout, in order (`household_id` is optional and follows).
pub const REGISTRY_COLUMNS: [&str; 13] = [
    "record_id",
    "given_name",
    "second_given_name",
    "first_surname",
    "second_surname",
    "sex",
    "date_of_birth",
    "nationality",
    "document_type",
    "document_number",
    "phone",
    "municipality",
    "registration_date",
];

/// What to do with a date of birth that is not a real date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadDates {
    /// Report it as a problem (the run is refused).
    Refuse,
    /// Treat it as missing and count it (benchmark files such as FEBRL corrupt dates on
    /// purpose).
    TreatAsMissing,
}

/// Records read, and how many impossible dates were treated as missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRecords {
    /// Records in file order.
    pub records: Vec<LinkRecord>,
    /// Dates of birth blanked under `BadDates::TreatAsMissing`.
    pub dates_treated_as_missing: usize,
}

fn column_slot(name: &str) -> Option<usize> {
    // Slots: 0..13 registry columns, 13 household_id, 14 street_number, 15 address_1,
    // 16 address_2, 17 postcode, 18 state.
    let n = name
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    if let Some(i) = REGISTRY_COLUMNS.iter().position(|c| *c == n) {
        return Some(i);
    }
    Some(match n.as_str() {
        "rec_id" | "id" => 0,
        "surname" => 3,
        "soc_sec_id" => 9,
        "suburb" => 11,
        "household_id" => 13,
        "street_number" => 14,
        "address_1" => 15,
        "address_2" => 16,
        "postcode" => 17,
        "state" => 18,
        _ => return None,
    })
}

/// Read records from CSV with a header. Any of the known columns may be missing or
/// empty except `record_id` (or FEBRL's `rec_id`); extra columns are ignored. Refused
/// with diagnostics on: no id column, an empty or repeated id, an impossible date (per
/// `bad_dates`), an unknown nationality code, a row with the wrong number of fields.
pub fn read_records(
    reader: impl Read,
    file_name: &str,
    bad_dates: BadDates,
) -> Result<ReadRecords, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let push = |d: &mut Diagnostics, line: u64, field: &str, message: String, hint: &str| {
        d.push(Diagnostic {
            file: file_name.to_owned(),
            line,
            field: field.to_owned(),
            message,
            hint: hint.to_owned(),
        })
    };
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let headers = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            push(
                &mut diagnostics,
                1,
                "header",
                format!("cannot read the header: {e}"),
                "the first line must name the columns",
            );
            return Err(diagnostics);
        }
    };
    let slots: Vec<Option<usize>> = headers.iter().map(column_slot).collect();
    if !slots.contains(&Some(0)) {
        push(
            &mut diagnostics,
            1,
            "record_id",
            "no record_id column".into(),
            "name the id column record_id",
        );
        return Err(diagnostics);
    }
    let codes = CountryCodes::bundled();
    let mut records = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    let mut blanked = 0usize;
    let mut row = csv::StringRecord::new();
    let mut line = 1u64;
    loop {
        match csv.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(line + 1, |p| p.line());
                push(
                    &mut diagnostics,
                    at,
                    "row",
                    format!("{e}"),
                    "every row needs as many fields as the header",
                );
                if diagnostics.is_full() {
                    break;
                }
                line = at;
                continue;
            }
        }
        line = row.position().map_or(line + 1, |p| p.line());
        let mut fields: [String; 19] = Default::default();
        for (value, slot) in row.iter().zip(&slots) {
            if let Some(s) = slot {
                fields[*s] = value.trim().to_owned();
            }
        }
        let [record_id, given_name, second_given_name, first_surname, second_surname, sex, mut date_of_birth, nationality, document_type, document_number, phone, municipality, registration_date, household_id, street_number, address_1, address_2, postcode, state] =
            fields;
        if record_id.is_empty() {
            push(
                &mut diagnostics,
                line,
                "record_id",
                "is empty".into(),
                "every record needs an id",
            );
        } else if !seen.insert(record_id.clone()) {
            push(
                &mut diagnostics,
                line,
                "record_id",
                format!("{record_id:?} appears twice"),
                "record ids must be unique in a file",
            );
        }
        if !date_of_birth.is_empty() {
            if let Err(e) = crate::date::PartialDate::parse(&date_of_birth) {
                match bad_dates {
                    BadDates::Refuse => push(
                        &mut diagnostics,
                        line,
                        "date_of_birth",
                        e.to_string(),
                        "write YYYY, YYYY-MM or YYYY-MM-DD, or leave it empty",
                    ),
                    BadDates::TreatAsMissing => {
                        blanked += 1;
                        date_of_birth.clear();
                    }
                }
            }
        }
        if !nationality.is_empty() && !codes.is_iso(&nationality.to_ascii_uppercase()) {
            push(
                &mut diagnostics,
                line,
                "nationality",
                format!("{nationality:?} is not an ISO 3166-1 alpha-3 code"),
                "use a code such as VEN, HTI, CHN",
            );
        }
        if !registration_date.is_empty() && crate::date::Date::parse(&registration_date).is_err() {
            push(
                &mut diagnostics,
                line,
                "registration_date",
                format!("{registration_date:?} is not a date YYYY-MM-DD"),
                "write the date as YYYY-MM-DD",
            );
        }
        if diagnostics.is_full() {
            break;
        }
        records.push(LinkRecord {
            record_id,
            given_name,
            second_given_name,
            first_surname,
            second_surname,
            sex,
            date_of_birth,
            nationality,
            document_type,
            document_number,
            phone,
            municipality,
            registration_date,
            household_id,
            street_number,
            address_1,
            address_2,
            postcode,
            state,
        });
    }
    if diagnostics.is_empty() {
        Ok(ReadRecords {
            records,
            dates_treated_as_missing: blanked,
        })
    } else {
        Err(diagnostics)
    }
}

/// Write `record_id,cluster_id`.
pub fn write_clusters(writer: impl Write, clusters: &[ClusterAssignment]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(["record_id", "cluster_id"])?;
    for c in clusters {
        w.write_record([&c.record_id, &c.cluster_id])?;
    }
    w.flush()?;
    Ok(())
}

/// Write records in the registry layout, with `household_id` last.
pub fn write_records(writer: impl Write, records: &[LinkRecord]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(writer);
    let mut header: Vec<&str> = REGISTRY_COLUMNS.to_vec();
    header.push("household_id");
    w.write_record(&header)?;
    for r in records {
        w.write_record([
            &r.record_id,
            &r.given_name,
            &r.second_given_name,
            &r.first_surname,
            &r.second_surname,
            &r.sex,
            &r.date_of_birth,
            &r.nationality,
            &r.document_type,
            &r.document_number,
            &r.phone,
            &r.municipality,
            &r.registration_date,
            &r.household_id,
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Read `record_id,cluster_id` (truth files, or another tool's output). Refused with
/// diagnostics on a missing column or an empty value.
pub fn read_clusters(
    reader: impl Read,
    file_name: &str,
) -> Result<Vec<ClusterAssignment>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers().cloned().unwrap_or_default();
    let id = headers.iter().position(|h| h == "record_id");
    let cluster = headers
        .iter()
        .position(|h| h == "cluster_id" || h == "person_id");
    let (Some(id), Some(cluster)) = (id, cluster) else {
        diagnostics.push(Diagnostic {
            file: file_name.into(),
            line: 1,
            field: "header".into(),
            message: "needs record_id and cluster_id (or person_id) columns".into(),
            hint: "write the header record_id,cluster_id".into(),
        });
        return Err(diagnostics);
    };
    let mut out = Vec::new();
    for (n, row) in csv.records().enumerate() {
        let line = n as u64 + 2;
        match row {
            Ok(row) => {
                let (r, c) = (
                    row.get(id).unwrap_or("").trim(),
                    row.get(cluster).unwrap_or("").trim(),
                );
                if r.is_empty() || c.is_empty() {
                    diagnostics.push(Diagnostic {
                        file: file_name.into(),
                        line,
                        field: "record_id".into(),
                        message: "empty record or cluster id".into(),
                        hint: "fill both columns".into(),
                    });
                } else {
                    out.push(ClusterAssignment {
                        record_id: r.to_owned(),
                        cluster_id: c.to_owned(),
                    });
                }
            }
            Err(e) => diagnostics.push(Diagnostic {
                file: file_name.into(),
                line,
                field: "row".into(),
                message: e.to_string(),
                hint: "check the quoting".into(),
            }),
        }
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(diagnostics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<usize, &[&str]>) {
        match (
            read_records(text.as_bytes(), "r.csv", BadDates::Refuse),
            expected,
        ) {
            (Ok(r), Ok(n)) => assert_eq!(r.records.len(), n),
            (Err(d), Err(lines)) => {
                let got: Vec<String> = d
                    .iter()
                    .map(|x| format!("{}:{}", x.line, x.field))
                    .collect();
                assert_eq!(got, lines, "{d}");
            }
            (got, want) => panic!("got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn bad_rows_are_named() {
        let header = REGISTRY_COLUMNS.join(",");
        check(
            &format!("{header}\nr1,José,,García,López,M,1990-02-03,VEN,cedula,123,,,2021-05-06\n"),
            Ok(1),
        );
        check(&format!("{header},extra\nr1,,,,,,,,,,,,,ignored\n"), Ok(1));
        check("record_id,given_name\nr1,Ana\nr2,Juan\n", Ok(2));
        check(
            &format!("{header}\nr1,José,,García,López,M,1990-02-30,VXN,,,,,2021-05-06\nr1,,,,,,,,,,,,\n,,,,,,,,,,,,\n"),
            Err(&["2:date_of_birth", "2:nationality", "3:record_id", "4:record_id"]),
        );
        check("given_name\nAna\n", Err(&["1:record_id"]));
        check("record_id,given_name\nr1,Ana,extra\n", Err(&["2:row"]));
        let lenient = read_records(
            "record_id,date_of_birth\nr1,19560231\n".as_bytes(),
            "f.csv",
            BadDates::TreatAsMissing,
        )
        .unwrap();
        assert_eq!(lenient.dates_treated_as_missing, 1);
        assert_eq!(lenient.records[0].date_of_birth, "");
    }

    #[test]
    fn febrl_columns_map() {
        let text = "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id\nrec-1-org,ann,lee,7,main st,,town,2000,nsw,19800101,123\n";
        let r = read_records(text.as_bytes(), "f.csv", BadDates::Refuse)
            .unwrap()
            .records;
        assert_eq!(r[0].record_id, "rec-1-org");
        assert_eq!(r[0].first_surname, "lee");
        assert_eq!(r[0].document_number, "123");
        assert_eq!(r[0].municipality, "town");
        assert_eq!(r[0].postcode, "2000");
        let mut out = Vec::new();
        write_clusters(
            &mut out,
            &[ClusterAssignment {
                record_id: "a".into(),
                cluster_id: "b".into(),
            }],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "record_id,cluster_id\na,b\n"
        );
    }
}
