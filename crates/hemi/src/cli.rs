//! Command-line interface definition. The README's CLI reference is generated from it
//! (`hemi help-markdown`), so help text here is user documentation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Hemisphere: migration flow data, early warning and coordination for the Americas.
#[derive(Debug, Parser)]
#[command(name = "hemi", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Database: a SQLite file path (created if missing) or a postgres:// URL.
    #[arg(
        long,
        global = true,
        env = "HEMI_DATABASE_URL",
        default_value = "hemi.db"
    )]
    pub database_url: String,

    /// Directory of extra source profiles (*.toml); they add to or replace the bundled ones.
    #[arg(long, global = true, env = "HEMI_PROFILES_DIR")]
    pub profiles_dir: Option<PathBuf>,

    /// Directory with early-warning rules (triggers.toml, routes.toml, roster.toml);
    /// files found there replace the bundled ones.
    #[arg(long, global = true, env = "HEMI_RULES_DIR")]
    pub rules_dir: Option<PathBuf>,

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
    /// Early warning: run the detectors, replay history, evaluate, notify.
    #[command(subcommand)]
    Warn(WarnCommand),
    /// Events: alerts grouped by nationality across countries, with roles and status.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Forecast watched series with 80% intervals, or backtest the methods.
    Forecast(ForecastArgs),
    /// Burden-sharing indicators: people hosted per 1,000 inhabitants and per USD 1 million
    /// of GDP, by host country, ranked.
    Indicators(IndicatorsArgs),
    /// Serve the web app and JSON API (pages, /api, /healthz, /readyz).
    Serve(ServeArgs),
    /// Manage user accounts of the web app: add, list, disable, issue API tokens.
    #[command(subcommand)]
    Users(UsersCommand),
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
    /// Skip the early-warning run that follows an import of a watched table
    /// (for bulk loads; run `hemi warn run` afterwards).
    #[arg(long)]
    pub no_warn: bool,
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

#[derive(Debug, Subcommand)]
pub enum WarnCommand {
    /// Replay the detectors month by month, each month seeing only data up to itself.
    Replay(ReplayArgs),
    /// Score alerts against labelled surges: detection, false alarms, lead time.
    Evaluate(EvaluateArgs),
    /// Assess the newest month, record new alerts and notify subscribers.
    Run(RunArgs),
    /// Add a webhook subscriber (HTTP POST of each alert as JSON).
    Subscribe(SubscribeArgs),
    /// Notifications sent, with their timeliness.
    Notifications(OutputArgs),
}

/// Which watched series.
#[derive(Debug, Args, Clone, Default)]
pub struct WatchArgs {
    /// Reporting country (ISO3).
    #[arg(long, value_name = "ISO3")]
    pub reporting: Option<String>,
    /// Nationality (ISO3), or ALL for the totals.
    #[arg(long, value_name = "ISO3")]
    pub nationality: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// First month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub from: String,
    /// Last month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub to: String,
    #[command(flatten)]
    pub watch: WatchArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Labelled surges: CSV with event_id,reporting_country,nationality,onset,peak.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// First month replayed (default 2020-10).
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<String>,
    /// Last month replayed (default: the newest month in the data).
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Assess this month instead of the newest one in the data.
    #[arg(long, value_name = "YYYY-MM")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SubscribeArgs {
    /// Subscriber name (a member state's agency, a desk).
    pub name: String,
    /// Webhook URL receiving a POST per alert.
    pub url: String,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Events known at a month (default: the newest month in the data).
    List(EventsListArgs),
    /// One event: alerts, country roles with evidence, downstream projection, history.
    Show(EventsShowArgs),
    /// Move an event along its lifecycle (detected -> confirmed -> response -> closed, or dismissed).
    Set(EventsSetArgs),
}

#[derive(Debug, Args)]
pub struct EventsListArgs {
    /// Only alerts up to this month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct EventsShowArgs {
    /// Event id, e.g. HTI-2021-01.
    pub id: String,
    /// Only alerts up to this month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct EventsSetArgs {
    /// Event id.
    pub id: String,
    /// New status: confirmed, response, closed or dismissed.
    #[arg(long)]
    pub status: String,
    /// Who decides (name and role).
    #[arg(long)]
    pub by: String,
    /// Why.
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ForecastArgs {
    #[command(subcommand)]
    pub command: Option<ForecastCommand>,
    /// Forecast origin: the last month of data used, YYYY-MM (default: newest month).
    #[arg(long, value_name = "YYYY-MM")]
    pub as_of: Option<String>,
    /// Months ahead.
    #[arg(long, default_value_t = 3)]
    pub horizon: usize,
    #[command(flatten)]
    pub watch: WatchArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum ForecastCommand {
    /// Rolling-origin backtest: MASE against the naive forecast and 80% interval coverage.
    Backtest(BacktestArgs),
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// First forecast origin, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub from: String,
    /// Last month forecast, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    pub to: String,
    /// Months ahead.
    #[arg(long, default_value_t = 3)]
    pub horizon: usize,
    #[command(flatten)]
    pub watch: WatchArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct IndicatorsArgs {
    /// Year of the counts (default: the newest year the measure's table has).
    #[arg(long)]
    pub year: Option<i32>,
    /// Only people of this origin (ISO3), e.g. VEN.
    #[arg(long)]
    pub origin: Option<String>,
    /// Which count of hosted people: UNHCR refugees, asylum seekers and others of concern
    /// from abroad (IDPs shown apart; the bundled table lacks "other people in need of
    /// international protection", most displaced Venezuelans), or UN DESA foreign-born stock.
    #[arg(long, value_enum, default_value_t = MeasureArg::Undesa)]
    pub measure: MeasureArg,
    /// What the ranking orders by.
    #[arg(long, value_enum, default_value_t = RankByArg::Per1000)]
    pub rank_by: RankByArg,
    /// Every host country, not only those of the Americas.
    #[arg(long)]
    pub world: bool,
    /// Years a population or GDP figure may lag the count when the World Bank table has
    /// not reached the count's year (the year used is shown); 0 for the same year only.
    #[arg(long, default_value_t = 1)]
    pub max_lag_years: i32,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MeasureArg {
    /// UNHCR forcibly displaced people from abroad.
    Unhcr,
    /// UN DESA international migrant stock (foreign-born).
    Undesa,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RankByArg {
    /// People hosted per 1,000 inhabitants.
    #[value(name = "per-1000")]
    Per1000,
    /// People hosted per USD 1 million of GDP (current USD).
    PerUsdMillion,
    /// People hosted.
    Hosted,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory with the bundled data (flows/, context/, reference/).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Do not start the web app after importing.
    #[arg(long)]
    pub no_serve: bool,
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

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Mark cookies Secure: set this when users reach the app over HTTPS (behind TLS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Public portal cells below this count are suppressed.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub suppression_threshold: u32,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account; the password is read from standard input (one line).
    Add(UsersAddArgs),
    /// List accounts.
    List(OutputArgs),
    /// Disable an account: its sessions end and its API tokens stop working.
    Disable {
        /// Login name.
        name: String,
    },
    /// Issue an API bearer token for an account; it is printed once and only its hash is kept.
    Token {
        /// Login name.
        name: String,
        /// What the token is for, e.g. the machine using it.
        #[arg(long, default_value = "api")]
        label: String,
    },
}

#[derive(Debug, Args)]
pub struct UsersAddArgs {
    /// Login name.
    pub name: String,
    /// Role.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Reporting country (ISO3) a national officer works for.
    #[arg(long, value_name = "ISO3")]
    pub country: Option<String>,
    /// Read the password from standard input (the only way: never pass it as an argument).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Manages accounts; sees and uploads everything.
    #[value(name = "admin")]
    Admin,
    /// Regional secretariat: sees every country's detail.
    #[value(name = "secretariat")]
    Secretariat,
    /// Watches flows for early warning.
    #[value(name = "watch_officer")]
    WatchOfficer,
    /// Uploads and sees detail for one reporting country (needs --country).
    #[value(name = "national_officer")]
    NationalOfficer,
    /// Works on regular pathways.
    #[value(name = "pathways_officer")]
    PathwaysOfficer,
}
