//! `hemi indicators`: burden-sharing indicators, people hosted per 1,000 inhabitants and
//! per USD 1 million of GDP, ranked.

use hemi_indicators::{Measure, RankBy};
use hemi_store::indicators::{burden_sharing, IndicatorQuery};
use hemi_store::Store;

use crate::cli::{IndicatorsArgs, MeasureArg, RankByArg};
use crate::output::{print_table, Cell, Table};

/// A ratio to two decimals: more digits claim a precision the counts do not have.
fn ratio(value: Option<f64>) -> Cell {
    value
        .map(|v| Cell::Float((v * 100.0).round() / 100.0))
        .unwrap_or(Cell::Empty)
}

fn whole(value: Option<f64>) -> Cell {
    value
        .map(|v| Cell::Int(v.round() as i64))
        .unwrap_or(Cell::Empty)
}

pub async fn run(store: &Store, args: &IndicatorsArgs) -> anyhow::Result<()> {
    let measure = match args.measure {
        MeasureArg::Unhcr => Measure::Unhcr,
        MeasureArg::Undesa => Measure::Undesa,
    };
    let rank_by = match args.rank_by {
        RankByArg::Per1000 => RankBy::Per1000,
        RankByArg::PerUsdMillion => RankBy::PerUsdMillion,
        RankByArg::Hosted => RankBy::Hosted,
    };
    let query = IndicatorQuery {
        measure,
        year: args.year,
        origin: args.origin.as_ref().map(|o| o.trim().to_uppercase()),
        region: (!args.world).then(|| "Americas".to_owned()),
        max_lag_years: args.max_lag_years.max(0),
        rank_by,
    };
    let Some(table) = burden_sharing(store, &query).await? else {
        anyhow::bail!(
            "no {} counts stored: import data/context/ first (hemi import data/context/)",
            measure.source()
        );
    };
    let codes = hemi_core::CountryCodes::bundled();
    let mut out = Table::new(&[
        "rank",
        "host",
        "name",
        "year",
        "hosted",
        "idps",
        "population",
        "population_year",
        "gdp_usd",
        "gdp_year",
        "per_1000",
        "per_usd_million",
    ]);
    for r in &table.indicators.rows {
        out.push(vec![
            r.rank.map(|k| Cell::Int(k.into())).unwrap_or(Cell::Empty),
            r.host.clone().into(),
            codes
                .get(&r.host)
                .map(|c| c.name.clone())
                .unwrap_or_default()
                .into(),
            i64::from(r.year).into(),
            whole(Some(r.hosted)),
            whole(r.idps),
            whole(r.population),
            r.population_year
                .map(|y| Cell::Int(y.into()))
                .unwrap_or(Cell::Empty),
            whole(r.gdp_usd),
            r.gdp_year
                .map(|y| Cell::Int(y.into()))
                .unwrap_or(Cell::Empty),
            ratio(r.per_1000),
            ratio(r.per_usd_million),
        ]);
    }
    print_table(&out, args.output.format)?;
    // Sources go to stderr so CSV and JSON on stdout stay clean.
    eprintln!(
        "hosted: {} ({}); population and GDP (current USD): World Bank table; ratios need both, an empty cell means no figure",
        measure.label(),
        measure.citation()
    );
    if !table.indicators.unrecognised.is_empty() {
        eprintln!(
            "warning: categories not counted: {}",
            table
                .indicators
                .unrecognised
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}
