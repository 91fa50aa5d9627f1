//! `hemi indicators`: burden-sharing indicators from `App::burden_sharing`, people
//! hosted per 1,000 inhabitants and per USD 1 million of GDP, ranked.

use hemi_app::indicators::IndicatorQuery;
use hemi_app::AppError;
use hemi_indicators::{Measure, RankBy};

use super::{rounded, Context};
use crate::cli::{IndicatorsArgs, MeasureArg, RankByArg};
use crate::output::{print_table, Cell, Table};

fn whole(value: Option<f64>) -> Cell {
    value
        .map(|v| Cell::Int(v.round() as i64))
        .unwrap_or(Cell::Empty)
}

pub async fn run(cx: &Context, args: &IndicatorsArgs) -> anyhow::Result<()> {
    let measure = match args.measure {
        MeasureArg::Unhcr => Measure::Unhcr,
        MeasureArg::Undesa => Measure::Undesa,
    };
    let rank_by = match args.rank_by {
        RankByArg::Per1000 => RankBy::Per1000,
        RankByArg::PerUsdMillion => RankBy::PerUsdMillion,
        RankByArg::Hosted => RankBy::Hosted,
    };
    let origin = args
        .origin
        .as_deref()
        .map(|o| hemi_app::check::country(o, "origin"))
        .transpose()?;
    let query = IndicatorQuery {
        measure,
        year: args.year,
        origin,
        region: (!args.world).then(|| "Americas".to_owned()),
        max_lag_years: args.max_lag_years,
        rank_by,
    };
    let Some(table) = cx.app.burden_sharing(&query).await? else {
        return Err(AppError::refused(
            "data",
            format!("no {} counts are stored", measure.source()),
            "import the context tables first: `hemi import data/context/`",
        )
        .into());
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
            // Two decimals: more claim a precision the counts do not have.
            rounded(r.per_1000, 2),
            rounded(r.per_usd_million, 2),
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
