//! The one way Hemisphere reads a table's header row, for the CLI's import, the web
//! upload and the parser alike: UTF-8 only (a byte-order mark is dropped), cells
//! trimmed, and a spreadsheet sent in place of a CSV recognised and named.
//!
//! Before this module each caller decoded headers itself, two of them lossily, so the
//! same file could be detected on the command line and refused by the parser.

use hemi_core::Diagnostic;

/// The first bytes of an Office Open XML or OpenDocument file (a zip archive).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The first bytes of a legacy Excel (OLE compound) file.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// A UTF-8 byte-order mark, which spreadsheet exports often start with.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Refuse a file that is not text: a spreadsheet, or bytes with NUL in them (UTF-16 or
/// a binary file). `start` is the first bytes of the file (a few hundred suffice).
pub fn check_is_csv(file_name: &str, start: &[u8]) -> Result<(), Diagnostic> {
    let problem = |message: &str, hint: &str| Diagnostic {
        file: file_name.to_owned(),
        line: 0,
        field: "file".into(),
        message: message.to_owned(),
        hint: hint.to_owned(),
    };
    if start.starts_with(ZIP_MAGIC) {
        return Err(problem(
            "is a spreadsheet (XLSX or ODS), not a CSV file",
            "open it in your spreadsheet program and save the sheet as \"CSV UTF-8 (comma delimited)\", then import the .csv",
        ));
    }
    if start.starts_with(OLE_MAGIC) {
        return Err(problem(
            "is a legacy Excel spreadsheet (XLS), not a CSV file",
            "open it in your spreadsheet program and save the sheet as \"CSV UTF-8 (comma delimited)\", then import the .csv",
        ));
    }
    if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") || start.contains(&0) {
        return Err(problem(
            "is not UTF-8 text (it looks like UTF-16 or a binary file)",
            "save the table as \"CSV UTF-8\"",
        ));
    }
    Ok(())
}

/// Decode one header record: the BOM dropped from the first cell, every cell UTF-8 and
/// trimmed. The error names the bytes that are not UTF-8.
pub fn decode_header(file_name: &str, record: &csv::ByteRecord) -> Result<Vec<String>, Diagnostic> {
    record
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let raw = if i == 0 {
                raw.strip_prefix(UTF8_BOM).unwrap_or(raw)
            } else {
                raw
            };
            std::str::from_utf8(raw)
                .map(|s| s.trim().to_owned())
                .map_err(|_| Diagnostic {
                    file: file_name.to_owned(),
                    line: 1,
                    field: "header".into(),
                    message: format!("bytes {} are not valid UTF-8", escape_bytes(raw)),
                    hint: "save the file as UTF-8 (CSV UTF-8), not Latin-1 or Windows-1252".into(),
                })
        })
        .collect()
}

/// The header row of a CSV file given its first bytes (at least the whole first
/// line), or `None` for an empty file.
pub fn read_header(file_name: &str, start: &[u8]) -> Result<Option<Vec<String>>, Diagnostic> {
    check_is_csv(file_name, start)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(start);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => decode_header(file_name, &record).map(Some),
        Ok(false) => Ok(None),
        Err(e) => Err(Diagnostic {
            file: file_name.to_owned(),
            line: 1,
            field: "header".into(),
            message: e.to_string(),
            hint: "check the file is a CSV table".into(),
        }),
    }
}

/// Show raw bytes safely in a message (at most 24 of them).
pub(crate) fn escape_bytes(raw: &[u8]) -> String {
    let shown: String = raw
        .iter()
        .take(24)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    format!("\"{shown}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_headers_without_bom() {
        let header = read_header("a.csv", b"\xEF\xBB\xBFmonth, count\n2021-01,3\n").unwrap();
        assert_eq!(header, Some(vec!["month".into(), "count".into()]));
        assert_eq!(read_header("a.csv", b"").unwrap(), None);
    }

    #[test]
    fn refuses_latin1_and_spreadsheets_with_a_hint() {
        let latin1 = read_header("a.csv", b"mes,nacionalidad,a\xF1o\n").unwrap_err();
        assert_eq!(latin1.line, 1);
        assert!(latin1.message.contains("not valid UTF-8"), "{latin1}");
        let xlsx = read_header("a.xlsx", b"PK\x03\x04\x14\x00junk").unwrap_err();
        assert!(xlsx.message.contains("spreadsheet"), "{xlsx}");
        assert!(xlsx.hint.contains("CSV UTF-8"), "{xlsx}");
        let xls = read_header("a.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest").unwrap_err();
        assert!(xls.message.contains("XLS"), "{xls}");
        let utf16 = read_header("a.csv", b"\xFF\xFEm\x00o\x00").unwrap_err();
        assert!(utf16.message.contains("UTF-16"), "{utf16}");
    }
}
