//! Command-line interface definition. The README's CLI reference is generated from it
//! (`hemi help-markdown`), so help text here is user documentation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Hemisphere: migration flow data, early warning and coordination for the Americas.
#[derive(Debug, Parser)]
#[command(name = "hemi", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Database: a SQLite file path (created if missing) or a postgres:// URL.
    #[arg(long, global = true, env = "HEMI_DATABASE_URL", default_value = "hemi.db")]
    pub database_url: String,

    /// Directory of extra source profiles (*.toml); they add to or replace the bundled ones.
    #[arg(long, global = true, env = "HEMI_PROFILES_DIR")]
    pub profiles_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import official tables (files or directories of .csv) as new vintages.
    Import(ImportArgs),
    /// List, show and total the stored series.
    #[command(subcommand)]
    Series(SeriesCommand),
    /// Export observations as tidy CSV, SDMX-CSV or HXL-tagged CSV.
    Export(ExportArgs),
    /// List the source profiles (one per publisher format).
    Profiles(OutputArgs),
    /// Build a database from the bundled data and show what it holds.
    Demo(DemoArgs),
    /// Print the CLI reference as Markdown (used for the README).
    #[command(hide = true)]
    HelpMarkdown,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or directories to import; directories are searched for .csv files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Use this profile for every file instead of detecting it from name and header.
    #[arg(long)]
    pub profile: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum SeriesCommand {
    /// List series with their first and last period.
    List(SeriesListArgs),
    /// Show values per period, summed over the matching series of each breakdown.
    Show(SeriesShowArgs),
    /// Totals across nationalities per reporting country, measure and period.
    Totals(SeriesTotalsArgs),
}

/// Which series to select.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectArgs {
    /// Reporting country (ISO3), e.g. PAN.
    #[arg(long, value_name = "ISO3")]
    pub reporting: Option<String>,
    /// Source (profile) name, e.g. panama_darien_nationality.
    #[arg(long)]
    pub source: Option<String>,
    /// Measure, e.g. darien_transits, encounters.
    #[arg(long)]
    pub measure: Option<String>,
    /// Breakdown, e.g. nationality, sex_age.
    #[arg(long)]
    pub breakdown: Option<String>,
}

/// Which periods and vintage to read.
#[derive(Debug, Args, Clone, Default)]
pub struct PeriodArgs {
    /// First period, YYYY-MM or YYYY (inclusive).
    #[arg(long, value_name = "PERIOD")]
    pub from: Option<String>,
    /// Last period, YYYY-MM or YYYY (inclusive).
    #[arg(long, value_name = "PERIOD")]
    pub to: Option<String>,
    /// Read each source as it stood after its Nth changing import (default: latest).
    #[arg(long, value_name = "N")]
    pub vintage: Option<i64>,
}

#[derive(Debug, Args)]
pub struct SeriesListArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Nationality or origin (ISO3), e.g. HTI.
    #[arg(long, value_name = "ISO3")]
    pub nationality: Option<String>,
    /// Read as at this vintage.
    #[arg(long, value_name = "N")]
    pub vintage: Option<i64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SeriesShowArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Nationality or origin (ISO3), e.g. HTI.
    #[arg(long, value_name = "ISO3")]
    pub nationality: Option<String>,
    #[command(flatten)]
    pub periods: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SeriesTotalsArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub periods: PeriodArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Nationality or origin (ISO3).
    #[arg(long, value_name = "ISO3")]
    pub nationality: Option<String>,
    #[command(flatten)]
    pub periods: PeriodArgs,
    /// Export format.
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Csv)]
    pub format: ExportFormatArg,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormatArg {
    /// Tidy CSV: one row per observation, one column per dimension.
    Csv,
    /// SDMX-CSV (STRUCTURE, STRUCTURE_ID, ACTION, dimensions, TIME_PERIOD, OBS_VALUE).
    SdmxCsv,
    /// CSV with an HXL hashtag row (#country+code, #date+month, #affected+num).
    Hxl,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory with the bundled data (flows/, context/, reference/).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// How to print a table.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for reading.
    #[default]
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
}
