//! The real bundled tables: each parses, and loaded totals match published figures.

use super::*;

const OBSERVATION_TABLES: &[&str] = &[
    "flows/guatemala_returns_received.csv",
    "flows/honduras_irregular_entries_by_nationality.csv",
    "flows/honduras_irregular_entries_by_sex_age.csv",
    "flows/honduras_irregular_entries_total.csv",
    "flows/mexico_irregular_presented_by_nationality.csv",
    "flows/mexico_irregular_presented_by_sex_age.csv",
    "flows/mexico_returns_by_nationality.csv",
    "flows/panama_darien_transits_by_nationality.csv",
    "flows/panama_darien_transits_by_sex_age.csv",
    "flows/usa_southwest_border_encounters.csv",
    "context/emdat_disasters.csv",
    "context/fragile_states_index.csv",
    "context/idmc_internal_displacements.csv",
    "context/missing_migrants_incidents.csv",
    "context/undesa_international_migrant_stocks.csv",
    "context/unhcr_forcibly_displaced_stocks.csv",
    "context/world_bank_indicators.csv",
];

#[test]
fn every_bundled_table_parses_with_its_profile() {
    for file in OBSERVATION_TABLES {
        let table = parse_bundled(file);
        assert!(
            table.rows_read > 0 && !table.observations.is_empty(),
            "{file}"
        );
    }
}

#[test]
fn darien_totals_match_panama_published_figures() {
    // Servicio Nacional de Migración, "Tránsito irregular por Darién" yearly totals.
    let table = parse_bundled("flows/panama_darien_transits_by_nationality.csv");
    assert_eq!(total(&table, "nationality", "2022", None), 248_284.0);
    assert_eq!(total(&table, "nationality", "2023", None), 520_085.0);
}

#[test]
fn panama_annual_totals_stay_annual() {
    let table = parse_bundled("flows/panama_darien_transits_by_nationality.csv");
    let monthly_before_2020 = table
        .observations
        .keys()
        .filter(|(_, p)| p.year() < 2020 && p.granularity() == hemi_core::Granularity::Month)
        .count();
    assert_eq!(
        monthly_before_2020, 0,
        "no monthly values may be invented from annual totals"
    );
    assert!(table
        .observations
        .keys()
        .any(|(_, p)| *p == hemi_core::Period::Year(2019)));
}

#[test]
fn us_september_2021_counts_citizenship_rows_only() {
    // CBP nationwide encounters, southwest land border, September 2021: 192,001.
    let table = parse_bundled("flows/usa_southwest_border_encounters.csv");
    assert_eq!(total(&table, "nationality", "2021-09", None), 192_001.0);
    assert_eq!(
        total(&table, "nationality", "2021-09", Some("HTI")),
        17_638.0
    );
    assert!(
        total(&table, "demographic", "2021-09", None) == 0.0,
        "no demographic rows that month"
    );
    assert!(
        total(&table, "demographic", "2018", None) > 0.0,
        "demographic rows are kept as their own breakdown"
    );
}

#[test]
fn mexico_presentations_2023() {
    // UPM, Boletín estadístico 2023, "Eventos de personas en situación migratoria irregular": 778,907.
    let table = parse_bundled("flows/mexico_irregular_presented_by_nationality.csv");
    assert_eq!(total(&table, "nationality", "2023", None), 778_907.0);
}

#[test]
fn honduras_duplicates_are_summed_and_reported() {
    let table = parse_bundled("flows/honduras_irregular_entries_by_nationality.csv");
    let fra = table
        .combined
        .iter()
        .find(|c| {
            c.series.nationality.as_deref() == Some("FRA") && c.period.to_string() == "2023-09"
        })
        .expect("two FRA rows in 2023-09 are combined");
    assert_eq!(fra.lines.len(), 2);
    let recode = &table.recodes[0];
    assert_eq!((recode.from.as_str(), recode.to.as_str()), ("TWN", "CHN"));
    assert!(recode.rows > 20, "TWN rows were recoded: {}", recode.rows);
    assert!(!table
        .series
        .iter()
        .any(|s| s.nationality.as_deref() == Some("TWN")));
}
