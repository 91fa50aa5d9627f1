//! Exports of stored observations: tidy CSV, SDMX-CSV and HXL-tagged CSV.
//!
//! SDMX-CSV follows the SDMX 2.1 CSV layout (STRUCTURE, STRUCTURE_ID, ACTION, one
//! column per dimension, TIME_PERIOD, OBS_VALUE). HXL adds a hashtag row under the
//! header (hxlstandard.org, 1.1) so humanitarian tools read the columns without mapping.

use std::collections::BTreeSet;
use std::io::Write;

/// One observation as exported.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportRow {
    /// Source name.
    pub source: String,
    /// Reporting country.
    pub reporting: String,
    /// Measure.
    pub measure: String,
    /// Breakdown.
    pub breakdown: String,
    /// Nationality.
    pub nationality: Option<String>,
    /// Canonical dimension text.
    pub dims: String,
    /// `count` or `number`.
    pub value_kind: String,
    /// Period.
    pub period: String,
    /// Value.
    pub value: f64,
    /// Vintage.
    pub vintage: i64,
}

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One row per observation, one column per dimension.
    TidyCsv,
    /// SDMX-CSV (version 1 layout).
    SdmxCsv,
    /// CSV with an HXL hashtag row.
    Hxl,
}

/// Format a value: counts without decimals, numbers as the shortest exact text.
pub fn format_value(value: f64, kind: &str) -> String {
    if kind == "count" && value.fract() == 0.0 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Dimension names other than nationality, across all rows, in name order.
fn other_dimensions(rows: &[ExportRow]) -> Vec<String> {
    let mut names = BTreeSet::new();
    for row in rows {
        for pair in row.dims.split(';').filter(|p| !p.is_empty()) {
            if let Some((name, _)) = pair.split_once('=') {
                if name != "nationality" && name != "origin" {
                    names.insert(name.to_owned());
                }
            }
        }
    }
    names.into_iter().collect()
}

fn dim_value<'a>(row: &'a ExportRow, name: &str) -> &'a str {
    row.dims
        .split(';')
        .find_map(|p| {
            p.split_once('=')
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v)
        })
        .unwrap_or("")
}

/// Write `rows` in `format`.
pub fn write_export(
    rows: &[ExportRow],
    format: ExportFormat,
    out: impl Write,
) -> std::io::Result<()> {
    let dims = other_dimensions(rows);
    let mut writer = csv::Writer::from_writer(out);
    let to_io = |e: csv::Error| std::io::Error::other(e);
    match format {
        ExportFormat::TidyCsv | ExportFormat::Hxl => {
            let mut header: Vec<String> = [
                "source",
                "reporting_country",
                "measure",
                "breakdown",
                "nationality",
            ]
            .map(String::from)
            .to_vec();
            header.extend(dims.iter().cloned());
            header.extend(["period", "value", "vintage"].map(String::from));
            writer.write_record(&header).map_err(to_io)?;
            if format == ExportFormat::Hxl {
                let periods: BTreeSet<usize> = rows.iter().map(|r| r.period.len()).collect();
                let date_tag = match periods.iter().copied().collect::<Vec<_>>().as_slice() {
                    [7] => "#date+month",
                    [4] => "#date+year",
                    _ => "#date",
                };
                let all_counts = rows.iter().all(|r| r.value_kind == "count");
                let mut tags: Vec<String> = [
                    "#meta+source",
                    "#country+code+reporting",
                    "#indicator+code",
                    "#meta+breakdown",
                    "#country+code+origin",
                ]
                .map(String::from)
                .to_vec();
                tags.extend(dims.iter().map(|d| {
                    format!(
                        "#meta+{}",
                        d.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                    )
                }));
                tags.push(date_tag.to_owned());
                tags.push(
                    if all_counts {
                        "#affected+num"
                    } else {
                        "#indicator+num"
                    }
                    .to_owned(),
                );
                tags.push("#meta+vintage".to_owned());
                writer.write_record(&tags).map_err(to_io)?;
            }
            for row in rows {
                let mut record: Vec<String> = vec![
                    row.source.clone(),
                    row.reporting.clone(),
                    row.measure.clone(),
                    row.breakdown.clone(),
                    row.nationality.clone().unwrap_or_default(),
                ];
                record.extend(dims.iter().map(|d| dim_value(row, d).to_owned()));
                record.push(row.period.clone());
                record.push(format_value(row.value, &row.value_kind));
                record.push(row.vintage.to_string());
                writer.write_record(&record).map_err(to_io)?;
            }
        }
        ExportFormat::SdmxCsv => {
            let mut header: Vec<String> = [
                "STRUCTURE",
                "STRUCTURE_ID",
                "ACTION",
                "REF_AREA",
                "MEASURE",
                "BREAKDOWN",
                "NATIONALITY",
            ]
            .map(String::from)
            .to_vec();
            header.extend(dims.iter().map(|d| d.to_uppercase()));
            header.extend(["TIME_PERIOD", "OBS_VALUE"].map(String::from));
            writer.write_record(&header).map_err(to_io)?;
            for row in rows {
                let mut record: Vec<String> = vec![
                    "dataflow".into(),
                    format!("HEMI:DF_{}(1.0)", row.source.to_uppercase()),
                    "I".into(),
                    row.reporting.clone(),
                    row.measure.to_uppercase(),
                    row.breakdown.to_uppercase(),
                    row.nationality.clone().unwrap_or_else(|| "_Z".into()),
                ];
                record.extend(dims.iter().map(|d| {
                    let v = dim_value(row, d);
                    if v.is_empty() {
                        "_Z".to_owned()
                    } else {
                        v.to_owned()
                    }
                }));
                record.push(row.period.clone());
                record.push(format_value(row.value, &row.value_kind));
                writer.write_record(&record).map_err(to_io)?;
            }
        }
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<ExportRow> {
        vec![ExportRow {
            source: "usa_swb_encounters".into(),
            reporting: "USA".into(),
            measure: "encounters".into(),
            breakdown: "nationality".into(),
            nationality: Some("HTI".into()),
            dims: "component=U.S. Border Patrol;nationality=HTI".into(),
            value_kind: "count".into(),
            period: "2021-09".into(),
            value: 17_638.0,
            vintage: 1,
        }]
    }

    fn export(format: ExportFormat) -> String {
        let mut out = Vec::new();
        write_export(&rows(), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sdmx_layout() {
        let text = export(ExportFormat::SdmxCsv);
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,MEASURE,BREAKDOWN,NATIONALITY,COMPONENT,TIME_PERIOD,OBS_VALUE"
        );
        assert_eq!(
            lines.next().unwrap(),
            "dataflow,HEMI:DF_USA_SWB_ENCOUNTERS(1.0),I,USA,ENCOUNTERS,NATIONALITY,HTI,U.S. Border Patrol,2021-09,17638"
        );
    }

    #[test]
    fn hxl_hashtag_row() {
        let text = export(ExportFormat::Hxl);
        let tags = text.lines().nth(1).unwrap();
        assert_eq!(
            tags,
            "#meta+source,#country+code+reporting,#indicator+code,#meta+breakdown,#country+code+origin,#meta+component,#date+month,#affected+num,#meta+vintage"
        );
    }

    #[test]
    fn tidy_has_one_column_per_dimension() {
        let text = export(ExportFormat::TidyCsv);
        assert!(text.starts_with("source,reporting_country,measure,breakdown,nationality,component,period,value,vintage\n"));
        assert!(text.contains(",HTI,U.S. Border Patrol,2021-09,17638,1"));
    }
}
