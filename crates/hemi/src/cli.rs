//! Command-line interface definition. `docs/CLI.md`, the man pages in `docs/man/` and
//! the shell completions are generated from it (`hemi help-markdown`, `hemi generate`),
//! so help text here is user documentation.
//!
//! Conventions (issue 13): the options that say where things are (database, profiles,
//! rules, playbooks) and who acts (`--as`) are given once, before the command; results
//! go to standard output (`--format table|csv|json`), messages to standard error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Hemisphere: migration flow data, early warning and coordination for the Americas.
///
/// Exit codes: 0 success, 1 failure (database unreachable, I/O error, a broken audit
/// chain), 2 bad input (a file or an argument that was refused; nothing was changed).
#[derive(Debug, Parser)]
#[command(name = "hemi", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Where the node's data and configuration are, and who acts. Given before the
/// command: `hemi --database-url postgres://... import data/flows/`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Database: a SQLite file path (created if missing) or a postgres:// URL.
    // The value is hidden from help: a URL may hold a password.
    #[arg(
        long,
        env = "HEMI_DATABASE_URL",
        default_value = "hemi.db",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: String,

    /// Directory of extra source profiles (*.toml); they add to or replace the bundled ones.
    #[arg(long, env = "HEMI_PROFILES_DIR", value_name = "DIR")]
    pub profiles_dir: Option<PathBuf>,

    /// Directory with early-warning rules (triggers.toml, routes.toml, roster.toml);
    /// files found there replace the bundled ones.
    #[arg(long, env = "HEMI_RULES_DIR", value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,

    /// Directory of extra response playbooks (*.toml); a playbook with the name of a
    /// bundled one replaces it.
    #[arg(long, env = "HEMI_PLAYBOOKS_DIR", value_name = "DIR")]
    pub playbooks_dir: Option<PathBuf>,

    /// Directory with a legal-pathways catalogue (catalogue.toml and programs/*.toml)
    /// that replaces the bundled one.
    #[arg(long, env = "HEMI_PATHWAYS_DIR", value_name = "DIR")]
    pub pathways_dir: Option<PathBuf>,

    /// Record changes as made for this person (e.g. the minister a secretary records
    /// for). The actor is always the operating-system account running hemi
    /// ($USER); the name is recorded beside it: cli:root as "M. Rojas".
    #[arg(long = "as", alias = "by", value_name = "NAME")]
    pub acting_as: Option<String>,

    /// Registry key file: encryption keys (the last encrypts) and the blind-index key
    /// (`hemi registry keygen` writes one). Default: hemi-registry.keys in the working
    /// directory when it exists (the demo writes it). Registry workflows refuse without it.
    #[arg(long, env = "HEMI_REGISTRY_KEY_FILE", value_name = "FILE")]
    pub registry_key_file: Option<PathBuf>,
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
    /// L.A. Process: the living declaration, sessions, commitments, funding, the Task
    /// Force's council, response tasks and quarterly report data.
    Process(Box<ProcessArgs>),
    /// Reports: the Task Force's quarterly report as HTML or PDF.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Legal pathways: the program catalogue with places left, synthetic applicants,
    /// screening with reasons, labour matching, and Safe Mobility Office cases.
    #[command(subcommand)]
    Pathways(PathwaysCommand),
    /// Accounts of the web app: add, list, disable, change role or password, issue API tokens.
    #[command(subcommand)]
    Users(UsersCommand),
    /// The tamper-evident audit log: verify its hash chain, read it, show its head.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Migrant registry: synthesise, de-duplicate and evaluate registry files; register,
    /// search and show persons, permits, the review queue and statistics.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Appointment lottery: register households, open a draw (publishing its
    /// commitment), draw with a public value, verify, and the fairness month.
    #[command(subcommand)]
    Appointments(AppointmentsCommand),
    /// Screening-interview scheduling: plan a week from files, re-plan after an absence.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Placement of arriving households in communities: solve from files (objective,
    /// proved upper bound, gap), synthetic instances, stored plans and overrides.
    #[command(subcommand)]
    Placement(PlacementCommand),
    /// Serve the web app and JSON API (pages, /api, /healthz, /readyz).
    Serve(ServeArgs),
    /// Build a database from the bundled data, show what it holds, and serve it.
    Demo(DemoArgs),
    /// Print the CLI reference as Markdown (docs/CLI.md).
    #[command(hide = true)]
    HelpMarkdown,
    /// Write the man pages or print shell completions.
    #[command(hide = true, subcommand)]
    Generate(GenerateCommand),
}

impl Command {
    /// True for commands that change the database: their refusals end with
    /// "nothing was changed".
    pub fn writes(&self) -> bool {
        match self {
            Command::Import(_) | Command::Demo(_) => true,
            Command::Warn(w) => matches!(
                w,
                WarnCommand::Run(_) | WarnCommand::Subscribe(_) | WarnCommand::Unsubscribe { .. }
            ),
            Command::Events(e) => matches!(e, EventsCommand::Set(_)),
            Command::Users(u) => !matches!(u, UsersCommand::List(_)),
            Command::Process(p) => p.command.writes(),
            Command::Pathways(p) => p.writes(),
            Command::Registry(r) => matches!(
                r,
                RegistryCommand::Register(_)
                    | RegistryCommand::Permit(_)
                    | RegistryCommand::Review(RegistryReviewCommand::Resolve(_))
            ),
            Command::Appointments(a) => matches!(
                a,
                AppointmentsCommand::Register(_)
                    | AppointmentsCommand::Open(_)
                    | AppointmentsCommand::Draw(_)
            ),
            Command::Placement(p) => matches!(
                p,
                PlacementCommand::Store(_)
                    | PlacementCommand::Plan(_)
                    | PlacementCommand::Override(_)
            ),
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or directories to import; directories are searched for .csv files, and
    /// files there that no profile recognises are skipped and listed.
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

/// Which series to select. Every value is checked against what is stored.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectArgs {
    /// Reporting country (ISO3, any case), e.g. PAN.
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
    /// Add a webhook subscriber (HTTP POST of each alert as JSON), or re-point one.
    Subscribe(SubscribeArgs),
    /// Stop notifying a subscriber.
    Unsubscribe {
        /// Subscriber name.
        name: String,
    },
    /// Webhook subscribers, active and stopped.
    Subscribers(OutputArgs),
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
    /// Directory of the labels: surges.csv (each surge with its source) and complete.csv
    /// (series whose surges are all labelled; false alerts are judged there only).
    #[arg(long, value_name = "DIR", default_value = "data/labels")]
    pub labels: PathBuf,
    /// Rule candidates to choose among on each tuning period (default: candidates.toml
    /// of the rules directory, else the bundled one).
    #[arg(long, value_name = "FILE")]
    pub candidates: Option<PathBuf>,
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
    /// One event: alerts, country roles with evidence, downstream projection, response
    /// tasks, history.
    Show(EventsShowArgs),
    /// Move an event along its lifecycle (detected -> confirmed -> response -> closed, or
    /// dismissed); confirming creates the playbooks' response tasks.
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
    /// Why.
    #[arg(long)]
    pub reason: String,
    /// Old spelling of the global --as, kept for scripts.
    #[arg(long = "by", hide = true, value_name = "NAME")]
    pub by: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
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
    /// Months ahead; each horizon is reported and all pooled.
    #[arg(long, default_value_t = 6)]
    pub horizon: usize,
    /// Only series averaging at least this many people a month before the first origin.
    #[arg(long, default_value_t = 500.0, value_name = "PEOPLE")]
    pub min_mean_level: f64,
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
    #[arg(long, value_name = "ISO3")]
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
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Do not start the web app after importing.
    #[arg(long)]
    pub no_serve: bool,
    /// Address and port the web app listens on (checked before importing).
    #[arg(long, default_value = "127.0.0.1:8080", conflicts_with = "no_serve")]
    pub bind: std::net::SocketAddr,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The quarterly report: events, alerts and notification timeliness, flows by
    /// corridor, commitments, burden-sharing indicators, tasks and recommendations.
    Quarterly(QuarterlyReportArgs),
}

#[derive(Debug, Args)]
pub struct QuarterlyReportArgs {
    /// Quarter, e.g. 2023Q3.
    pub quarter: String,
    /// Output format: a self-contained HTML file, or a PDF printed by headless Chromium
    /// (Debian's `chromium`, or the binary named by HEMI_CHROMIUM).
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// File to write (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// One HTML file with inline styles and SVG charts.
    Html,
    /// A PDF (A4) of the same document.
    Pdf,
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
    /// Users reach the app over HTTPS (directly or behind a TLS proxy): cookies are
    /// Secure with the __Host- prefix, and HSTS is sent.
    #[arg(long, visible_alias = "secure-cookies")]
    pub tls: bool,
    /// Public portal cells below this count are suppressed.
    #[arg(long, default_value_t = hemi_server::DEFAULT_SUPPRESSION_THRESHOLD, value_name = "N")]
    pub suppression_threshold: u32,
}

/// Role names as stored and typed.
fn role_names() -> Vec<&'static str> {
    hemi_core::Role::ALL.iter().map(|r| r.as_str()).collect()
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
    /// Change an account's role (and the country or office it is scoped to).
    Role(UsersRoleArgs),
    /// Set an account's password (e.g. the demo administrator's); its sessions end.
    Passwd(UsersPasswdArgs),
}

#[derive(Debug, Args)]
pub struct UsersAddArgs {
    /// Login name.
    pub name: String,
    /// Role.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(role_names()))]
    pub role: String,
    /// Reporting country (ISO3) a national officer works for.
    #[arg(long, value_name = "ISO3")]
    pub country: Option<String>,
    /// Office a pathways or registry officer works in, e.g. SMO-COL-BOG.
    #[arg(long)]
    pub office: Option<String>,
    /// Read the password from standard input (the only way: never pass it as an
    /// argument). At least 10 characters, not a common or easily guessed password.
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UsersRoleArgs {
    /// Login name.
    pub name: String,
    /// New role.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(role_names()))]
    pub role: String,
    /// Reporting country (ISO3) a national officer works for.
    #[arg(long, value_name = "ISO3")]
    pub country: Option<String>,
    /// Office a pathways or registry officer works in.
    #[arg(long)]
    pub office: Option<String>,
}

#[derive(Debug, Args)]
pub struct UsersPasswdArgs {
    /// Login name.
    pub name: String,
    /// Read the new password from standard input (one line).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain from the first entry to the head; exit 1 naming the
    /// first entry that does not fit.
    Verify(AuditVerifyArgs),
    /// Entries of the log, newest first.
    Log(AuditLogArgs),
    /// The head: the number of entries and the newest entry's hash (publish it, then
    /// check later with `hemi audit verify --expect-head HASH`).
    Head(OutputArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// A head hash published earlier: also check that its entry is still in the chain.
    #[arg(long, value_name = "HASH")]
    pub expect_head: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct AuditLogArgs {
    /// Only this action, e.g. import, user_added, declaration_changed.
    #[arg(long)]
    pub action: Option<String>,
    /// Only this actor, e.g. ana or cli:root.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only entries about this subject, e.g. a user name or an event id.
    #[arg(long)]
    pub subject: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: i64,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ProcessArgs {
    /// Old spelling of the global --as, kept for scripts.
    #[arg(long = "by", hide = true, global = true, value_name = "NAME")]
    pub by: Option<String>,
    /// Date a change takes effect, YYYY-MM-DD (default: today; session decisions take
    /// the session's date).
    #[arg(long, global = true, value_name = "DATE")]
    pub on: Option<String>,
    #[command(subcommand)]
    pub command: ProcessCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProcessCommand {
    /// Record the declaration as signed on 2022-06-10 (bundled, appendix B of seed 001),
    /// its first commitments and the Task Force agencies; does nothing when done before.
    Seed,
    /// The declaration: pillars, deliverables, signatories, commitments.
    Declaration(DeclarationArgs),
    /// Every version of the declaration: when, who, in which session, why, what changed.
    Versions(OutputArgs),
    /// What changed from one version to another.
    Diff(DiffArgs),
    /// Commitments with measurable progress.
    #[command(subcommand)]
    Commitments(CommitmentsCommand),
    /// Ministerials and emergency sessions, and their decisions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Pledges and disbursements; pledged vs disbursed per pillar and currency.
    #[command(subcommand)]
    Funding(FundingCommand),
    /// The Task Force's stakeholder council (at least half of held seats non-US).
    #[command(subcommand)]
    Council(CouncilCommand),
    /// The Task Force's member agencies (seed 001, fig. 7).
    Agencies(OutputArgs),
    /// Response tasks created from playbooks when an event is confirmed.
    #[command(subcommand)]
    Tasks(TasksCommand),
    /// The response playbooks in force (bundled and --playbooks-dir).
    Playbooks(OutputArgs),
    /// Quarterly report data: events, alerts, notifications and their timeliness,
    /// commitment progress, response tasks, recommendations.
    Quarterly(QuarterlyArgs),
    /// Add a Task Force recommendation to a quarter's report.
    Recommend(RecommendArgs),
}

impl ProcessCommand {
    /// True for the subcommands that change the L.A. Process records.
    pub fn writes(&self) -> bool {
        match self {
            ProcessCommand::Seed | ProcessCommand::Recommend(_) => true,
            ProcessCommand::Commitments(c) => !matches!(c, CommitmentsCommand::List(_)),
            ProcessCommand::Sessions(s) => !matches!(s, SessionsCommand::List(_)),
            ProcessCommand::Funding(f) => {
                matches!(f, FundingCommand::Pledge(_) | FundingCommand::Disburse(_))
            }
            ProcessCommand::Council(c) => !matches!(c, CouncilCommand::List(_)),
            ProcessCommand::Tasks(t) => matches!(t, TasksCommand::Update(_)),
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct DeclarationArgs {
    /// This version number (default: the latest).
    #[arg(value_name = "VERSION", conflicts_with = "as_of")]
    pub number: Option<i64>,
    /// The version in effect on this date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Older version.
    pub from: i64,
    /// Newer version.
    pub to: i64,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum CommitmentsCommand {
    /// Commitments with their latest progress and assessment.
    List(CommitmentsListArgs),
    /// Record a commitment (a new version of the declaration).
    Add(CommitmentAddArgs),
    /// Report progress on a commitment.
    Progress(ProgressArgs),
    /// Assess a commitment at a ministerial: level and continue/stop.
    Assess(AssessArgs),
}

#[derive(Debug, Args)]
pub struct CommitmentsListArgs {
    /// Progress and assessments known on this date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CommitmentAddArgs {
    /// State (ISO3) or organisation that commits; must be a signatory.
    #[arg(long, default_value = "")]
    pub owner: String,
    /// Pillar key, e.g. P1.
    #[arg(long)]
    pub pillar: String,
    /// What is committed.
    #[arg(long)]
    pub title: String,
    /// What the numbers count, e.g. permits, visas, USD.
    #[arg(long, default_value = "")]
    pub unit: String,
    /// Value at the baseline date.
    #[arg(long, default_value_t = 0.0)]
    pub baseline: f64,
    /// Baseline date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub baseline_date: String,
    /// Target value.
    #[arg(long)]
    pub target: f64,
    /// Date the target is due, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub target_date: String,
    /// A commitment this one needs (repeat for several).
    #[arg(long, value_name = "ID")]
    pub depends_on: Vec<i64>,
    /// Session in which it was announced.
    #[arg(long, value_name = "ID")]
    pub session: Option<i64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// Commitment id.
    pub id: i64,
    /// Value reached, in the commitment's unit.
    #[arg(long)]
    pub value: f64,
    /// Date the value refers to, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub reported_on: String,
    /// Who reports it (agency, publication).
    #[arg(long)]
    pub source: String,
    /// Link to the evidence.
    #[arg(long, default_value = "")]
    pub evidence: String,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Commitment id.
    pub id: i64,
    /// Ministerial session id.
    #[arg(long)]
    pub session: i64,
    /// not_started, limited, substantial, complete or withdrawn.
    #[arg(long)]
    pub level: String,
    /// continue or stop (until the next ministerial).
    #[arg(long, default_value = "continue")]
    pub decision: String,
    /// Note.
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Sessions with their decisions.
    List(OutputArgs),
    /// Open a ministerial or an emergency session (from an early-warning event: it
    /// opens an emergency pillar E-<event id>).
    Open(SessionOpenArgs),
    /// Record a session's decisions: typed changes to the declaration, one new version.
    Decide(DecideArgs),
}

#[derive(Debug, Args)]
pub struct SessionOpenArgs {
    /// ministerial or emergency.
    #[arg(long)]
    pub kind: String,
    /// Date held, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub date: String,
    /// Host state (ISO3) or organisation.
    #[arg(long)]
    pub host: String,
    /// Title.
    #[arg(long, default_value = "")]
    pub title: String,
    /// A participant (repeat).
    #[arg(long)]
    pub participant: Vec<String>,
    /// An agenda item (repeat).
    #[arg(long)]
    pub agenda: Vec<String>,
    /// Minutes.
    #[arg(long, default_value = "")]
    pub minutes: String,
    /// Early-warning event id (as `hemi events list` shows it) an emergency session responds to.
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,
    /// A goal of the emergency pillar (repeat).
    #[arg(long)]
    pub goal: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// Session id.
    pub session: i64,
    /// Why (recorded with the version).
    #[arg(long)]
    pub reason: String,
    /// Add a pillar: KEY=TITLE (with --kind and --goal).
    #[arg(long, value_name = "KEY=TITLE")]
    pub add_pillar: Option<String>,
    /// Kind of the added pillar: permanent, temporary or emergency.
    #[arg(long, default_value = "temporary")]
    pub kind: String,
    /// Event an added emergency pillar responds to.
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,
    /// A goal of the added or modified pillar (repeat); with --narrow-pillar, a goal kept.
    #[arg(long)]
    pub goal: Vec<String>,
    /// Change a pillar: KEY or KEY=NEW TITLE (with --goal to replace its goals).
    #[arg(long, value_name = "KEY[=TITLE]")]
    pub modify_pillar: Option<String>,
    /// Keep a pillar in force (with --review-by).
    #[arg(long, value_name = "KEY")]
    pub continue_pillar: Option<String>,
    /// Review date for --continue-pillar, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub review_by: Option<String>,
    /// Keep only the --goal goals of a pillar.
    #[arg(long, value_name = "KEY")]
    pub narrow_pillar: Option<String>,
    /// Close a pillar.
    #[arg(long, value_name = "KEY")]
    pub close_pillar: Option<String>,
    /// Remove a pillar and its deliverables.
    #[arg(long, value_name = "KEY")]
    pub remove_pillar: Option<String>,
    /// A state joins: CODE=NAME (an organisation with --organisation).
    #[arg(long, value_name = "CODE=NAME")]
    pub add_signatory: Option<String>,
    /// The joining signatory is an international organisation.
    #[arg(long)]
    pub organisation: bool,
    /// A signatory withdraws (commitments others depend on need --alternate).
    #[arg(long, value_name = "CODE")]
    pub withdraw: Option<String>,
    /// Alternate arrangement for a withdrawing signatory's commitment:
    /// ID=ARRANGEMENT, or ID=ARRANGEMENT@NEW_OWNER when another signatory takes it over.
    #[arg(long, value_name = "ID=TEXT[@OWNER]")]
    pub alternate: Vec<String>,
    /// Set a deliverable's status: KEY=STATUS (e.g. P1-D1=done).
    #[arg(long, value_name = "KEY=STATUS")]
    pub deliverable_status: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum FundingCommand {
    /// Record a pledge.
    Pledge(FundingArgs),
    /// Record a disbursement.
    Disburse(FundingArgs),
    /// Every pledge and disbursement.
    List(OutputArgs),
    /// Pledged vs disbursed per pillar and currency (currencies are never added up).
    Summary(OutputArgs),
}

#[derive(Debug, Args)]
pub struct FundingArgs {
    /// Donor.
    #[arg(long)]
    pub donor: String,
    /// Recipient.
    #[arg(long)]
    pub recipient: String,
    /// Pillar key.
    #[arg(long)]
    pub pillar: String,
    /// Commitment funded.
    #[arg(long, value_name = "ID")]
    pub commitment: Option<i64>,
    /// Amount.
    #[arg(long)]
    pub amount: f64,
    /// ISO 4217 currency code (any case), e.g. USD.
    #[arg(long)]
    pub currency: String,
    /// Date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub date: String,
    /// Note.
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum CouncilCommand {
    /// Held seats.
    List(OutputArgs),
    /// Appoint an expert; refused when at least half of held seats would not be non-US.
    Appoint(AppointArgs),
    /// Empty a seat; refused when it would break parity.
    Remove {
        /// Seat.
        seat: String,
    },
}

#[derive(Debug, Args)]
pub struct AppointArgs {
    /// Seat name or number.
    pub seat: String,
    /// The expert.
    #[arg(long)]
    pub holder: String,
    /// Appointing organisation (OAS, IDB, UNHCR Americas, a Task Force agency ...).
    #[arg(long)]
    pub appointed_by: String,
    /// The expert is a US expert.
    #[arg(long, conflicts_with = "non_us", required_unless_present = "non_us")]
    pub us: bool,
    /// The expert is not a US expert.
    #[arg(long)]
    pub non_us: bool,
}

#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Response tasks.
    List(TasksListArgs),
    /// Change a task's status, assignee or evidence.
    Update(TaskUpdateArgs),
    /// Open tasks past due and whom they escalate to.
    Overdue(OverdueArgs),
}

#[derive(Debug, Args)]
pub struct TasksListArgs {
    /// Only this event's tasks.
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TaskUpdateArgs {
    /// Task id.
    pub id: i64,
    /// open, in_progress, done (needs evidence) or cancelled.
    #[arg(long)]
    pub status: Option<String>,
    /// New assignee.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Evidence (a link or a sentence).
    #[arg(long)]
    pub evidence: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct OverdueArgs {
    /// The time to judge at, RFC 3339 or YYYY-MM-DD (default: now).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct QuarterlyArgs {
    /// Quarter, e.g. 2023Q3.
    pub quarter: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// Quarter, e.g. 2023Q3.
    pub quarter: String,
    /// The recommendation.
    #[arg(long)]
    pub text: String,
    /// To whom (e.g. the interagency response, a member state).
    #[arg(long, default_value = "")]
    pub to: String,
}

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Write a man page per command (hemi.1, hemi-import.1, ...) into a directory.
    Man {
        /// Directory to write into (created if missing), e.g. docs/man.
        dir: PathBuf,
    },
    /// Print a completion script: `hemi generate completions bash > /etc/bash_completion.d/hemi`.
    Completions {
        /// Shell.
        shell: clap_complete::Shell,
    },
}

/// `hemi pathways ...`: legal pathways (issue 14).
#[derive(Debug, Subcommand)]
pub enum PathwaysCommand {
    /// The programs: operating state, who may apply where, caps and the places left
    /// (from the ledger of this database).
    Catalogue(PathwaysCatalogueArgs),
    /// Draw synthetic applicants (households) whose nationality and sex-age mix follow
    /// Panama's Darién transits in 2023 (data/flows); no real person is described.
    Synth(PathwaysSynthArgs),
    /// Screen an applicants file against every program: verdict counts per program,
    /// or one person's decisions with the reasons (--explain).
    Screen(PathwaysScreenArgs),
    /// Rank workers and job orders both ways and assign the most places with the best
    /// total score (an exact assignment solver); fair-recruitment flags block a match.
    Match(PathwaysMatchArgs),
    /// Record Safe Mobility Office applications (households) from an applicants file;
    /// possible duplicates of people already recorded are flagged.
    Apply(PathwaysApplyArgs),
    /// Record a screening interview of one member: facts established, eligibility
    /// across programs with reasons.
    ScreenCase(PathwaysScreenCaseArgs),
    /// Refer a member to a program, reserving a place under its caps.
    Refer(PathwaysReferArgs),
    /// Record what became of a referral: approved, denied, withdrawn or travelled.
    Outcome(PathwaysOutcomeArgs),
    /// The queue of each office (or one) with waiting times per stage.
    Queue(PathwaysQueueArgs),
    /// One application: members, eligibility, interviews, referrals.
    Show(PathwaysShowArgs),
    /// Progress of the L.A. Process commitments the programs serve, from the ledger.
    Progress(OutputArgs),
    /// Possible duplicate applications for a caseworker to resolve.
    Duplicates(OutputArgs),
    /// Raise a cap for one period with a reason (emergency capacity).
    RaiseCap(PathwaysRaiseCapArgs),
}

impl PathwaysCommand {
    /// True for the commands that change the database.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            PathwaysCommand::Apply(_)
                | PathwaysCommand::ScreenCase(_)
                | PathwaysCommand::Refer(_)
                | PathwaysCommand::Outcome(_)
                | PathwaysCommand::RaiseCap(_)
        )
    }
}

#[derive(Debug, Args)]
pub struct PathwaysCatalogueArgs {
    /// Day the caps and opening are read for (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// List the facts rules may read instead of the programs.
    #[arg(long)]
    pub facts: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysSynthArgs {
    /// People to draw (in households of 1 to 5).
    #[arg(long, value_name = "N")]
    pub applicants: usize,
    /// Seed: the same seed gives the same caseload on every machine.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Day the caseload is drawn for (ages, dates received; default today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// File to write (CSV, one row per person).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct PathwaysScreenArgs {
    /// Applicants file (as `hemi pathways synth` writes it).
    #[arg(long, value_name = "FILE")]
    pub applicants: PathBuf,
    /// Screening day (default today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Print every program's decision for this person, with the reasons.
    #[arg(long, value_name = "PERSON_ID")]
    pub explain: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysMatchArgs {
    /// Workers (CSV: worker_id,nationality,skills,experience_years,languages,
    /// preferred_locations,min_wage_cents_per_hour,charged_recruitment_fees).
    #[arg(long, value_name = "FILE")]
    pub workers: PathBuf,
    /// Job orders (CSV: job_order_id,employer_id,program,isco,location,places,
    /// season_start,season_end,wage_cents_per_hour,languages,min_experience_years).
    #[arg(long, value_name = "FILE")]
    pub jobs: PathBuf,
    /// Employers with violations found (CSV: employer_id,name,violations).
    #[arg(long, value_name = "FILE")]
    pub employers: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysApplyArgs {
    /// Applicants file (as `hemi pathways synth` writes it).
    #[arg(long, value_name = "FILE")]
    pub applicants: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysScreenCaseArgs {
    /// Application id.
    pub application: String,
    /// Person id of the member interviewed.
    pub person: String,
    /// A fact established, NAME=VALUE (lists a;b, maps CAN=sibling|parent); repeatable.
    #[arg(long = "fact", value_name = "NAME=VALUE")]
    pub facts: Vec<String>,
    /// Day of the interview (default today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// Notes of the interview.
    #[arg(long, default_value = "")]
    pub notes: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysReferArgs {
    /// Application id.
    pub application: String,
    /// Person id.
    pub person: String,
    /// Program key (`hemi pathways catalogue` lists them).
    pub program: String,
    /// Day of the referral (default today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysOutcomeArgs {
    /// Referral id.
    pub referral: i64,
    /// approved, denied, withdrawn or travelled.
    pub outcome: String,
    /// Day (default today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// Why (required for a denial: the applicant is told).
    #[arg(long, default_value = "")]
    pub reason: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysQueueArgs {
    /// Only this office.
    #[arg(long)]
    pub office: Option<String>,
    /// Day the waiting times are counted to (default today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysShowArgs {
    /// Application id.
    pub application: String,
    /// Day eligibility is decided for (default today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PathwaysRaiseCapArgs {
    /// Cap pool key (`hemi pathways catalogue` lists them).
    pub pool: String,
    /// Period label: FY2024, FY2024-H1, 2024-05, 2024 or total.
    pub period: String,
    /// Places added.
    pub places: u64,
    /// Why, in words.
    #[arg(long)]
    pub reason: String,
    /// The early-warning event that opened the capacity.
    #[arg(long)]
    pub event: Option<String>,
    /// The playbook task that raised it.
    #[arg(long)]
    pub task: Option<String>,
    /// Day (default today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AppointmentsCommand {
    /// Register households from a private registrations file
    /// (household_id,registered_on,members,preferred_ports,flags; members NAT:SEX:AGE;...).
    Register(RegisterArgs),
    /// Open a draw under a policy file (canonical policy.txt): fixes the list of
    /// households registered up to its closing day and publishes the commitment.
    Open(OpenDrawArgs),
    /// Run an open draw with the public value fixed after registration closed.
    Draw(DrawArgs),
    /// Re-run a draw from its published files: exit 0 when the winners match bit for
    /// bit, exit 1 naming the first difference.
    Verify(DrawIdArgs),
    /// A draw: commitment, seed, and counts and selection probabilities by wait band and
    /// nationality.
    Show(ShowDrawArgs),
    /// Every draw.
    Draws(OutputArgs),
    /// Write a draw's published files into a directory (for VERIFY.md's standalone check).
    Publish(PublishDrawArgs),
    /// The fairness month: one simulated caseload drawn every day under the pure
    /// lottery, longest-waiting-first and the half-and-half mix, side by side.
    Fairness(FairnessArgs),
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The registrations file.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct OpenDrawArgs {
    /// The policy (canonical text, see VERIFY.md).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// Where the public value will come from, declared now (e.g. "national lottery
    /// results of 2024-06-02").
    #[arg(long, value_name = "TEXT")]
    pub public_value_source: String,
}

#[derive(Debug, Args)]
pub struct DrawArgs {
    /// The draw.
    pub draw_id: i64,
    /// The public value, exactly as published by the declared source.
    #[arg(long, value_name = "TEXT")]
    pub public_value: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DrawIdArgs {
    /// The draw.
    pub draw_id: i64,
}

#[derive(Debug, Args)]
pub struct ShowDrawArgs {
    /// The draw.
    pub draw_id: i64,
    /// Which table: selections, or counts by wait band or nationality.
    #[arg(long, value_enum, default_value_t = DrawTable::Bands)]
    pub view: DrawTable,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DrawTable {
    /// Counts and probability of selection by days waited.
    Bands,
    /// Counts and probability of selection by nationality.
    Nationality,
    /// The winners in order.
    Selections,
}

#[derive(Debug, Args)]
pub struct PublishDrawArgs {
    /// The draw.
    pub draw_id: i64,
    /// Directory to write policy.txt, commitment.txt, registrations.csv,
    /// public_value.txt and result.csv into.
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct FairnessArgs {
    /// Households waiting on the first day.
    #[arg(long, default_value_t = 80_000)]
    pub initial_pool: usize,
    /// New registrations a day.
    #[arg(long, default_value_t = 1_900.0)]
    pub arrivals_per_day: f64,
    /// Places a day, in people, over all ports.
    #[arg(long, default_value_t = 1_450)]
    pub places_per_day: u32,
    /// Daily probability that a waiting household gives up.
    #[arg(long, default_value_t = 1.0 / 60.0)]
    pub abandonment_per_day: f64,
    /// Days simulated.
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Seed of the simulated caseload (the draws use the real lottery).
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Which table: the policies' summary, waiting-time histogram, or selection rates by
    /// nationality or household size.
    #[arg(long, value_enum, default_value_t = FairnessView::Summary)]
    pub view: FairnessView,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FairnessView {
    /// Drawn, median and 90th-percentile wait, never drawn, gave up.
    Summary,
    /// Households drawn by days waited.
    Waiting,
    /// Selection rate by nationality.
    Nationality,
    /// Selection rate by household size.
    HouseholdSize,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Plan screening interviews from files; with --absences and --previous, re-plan
    /// changing as few appointments as possible.
    Plan(SchedulePlanArgs),
    /// Write a synthetic week (officers.csv, shifts.csv, people.csv, interpreters.csv).
    Synth(ScheduleSynthArgs),
}

#[derive(Debug, Args)]
pub struct SchedulePlanArgs {
    /// Officers: officer_id,languages (languages separated by ;).
    #[arg(long, value_name = "FILE")]
    pub officers: PathBuf,
    /// Shifts: officer_id,day,start,end,location (times HH:MM).
    #[arg(long, value_name = "FILE")]
    pub shifts: PathBuf,
    /// People to interview: person_id,language,priority,earliest,location.
    #[arg(long, value_name = "FILE")]
    pub people: PathBuf,
    /// Interpreter sessions: day,location,language,sessions.
    #[arg(long, value_name = "FILE")]
    pub interpreters: Option<PathBuf>,
    /// Officers away: officer_id,day.
    #[arg(long, value_name = "FILE")]
    pub absences: Option<PathBuf>,
    /// The schedule already sent out (as written by --out), to change as little as possible.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// Minutes per interview.
    #[arg(long, default_value_t = 60)]
    pub interview_minutes: u32,
    /// Write the appointments here (person_id,officer_id,day,start,location,interpreter).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ScheduleSynthArgs {
    /// Officers.
    #[arg(long, default_value_t = 20)]
    pub officers: usize,
    /// People to interview.
    #[arg(long, default_value_t = 600)]
    pub people: usize,
    /// Monday of the week, YYYY-MM-DD.
    #[arg(long, default_value = "2024-06-03")]
    pub monday: String,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory to write the files into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum PlacementCommand {
    /// Solve an instance given as files: prints the objective, the upper bound proved
    /// and the gap, and writes the plan (household_id,site_id; empty site = not placed).
    Solve(PlacementSolveArgs),
    /// Write a synthetic instance (households.csv, sites.csv, arcs.csv).
    Synth(PlacementSynthArgs),
    /// Store an instance given as files, for plans and overrides.
    Store(PlacementStoreArgs),
    /// Stored instances.
    Instances(OutputArgs),
    /// Solve a stored instance and store the plan.
    Plan(PlacementPlanArgs),
    /// Stored plans.
    Plans(OutputArgs),
    /// A stored plan: every site's occupancy.
    Show(PlanIdArgs),
    /// Why a household is where a plan put it, and the next-best alternatives.
    Explain(PlacementExplainArgs),
    /// Move one household of a plan to another site, with a reason (a new plan, evaluated
    /// and audited).
    Override(PlacementOverrideArgs),
}

#[derive(Debug, Args)]
pub struct PlacementStoreArgs {
    /// Name of the instance.
    #[arg(long)]
    pub name: String,
    /// Households file.
    #[arg(long, value_name = "FILE")]
    pub households: PathBuf,
    /// Sites file.
    #[arg(long, value_name = "FILE")]
    pub sites: PathBuf,
    /// Arcs file.
    #[arg(long, value_name = "FILE")]
    pub arcs: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlacementPlanArgs {
    /// The stored instance.
    pub instance_id: i64,
    /// Leave households unplaced when not all fit.
    #[arg(long)]
    pub allow_partial: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PlanIdArgs {
    /// The plan.
    pub plan_id: i64,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PlacementExplainArgs {
    /// The plan.
    pub plan_id: i64,
    /// The household.
    pub household_id: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PlacementOverrideArgs {
    /// The plan.
    pub plan_id: i64,
    /// The household to move.
    #[arg(long)]
    pub household: String,
    /// Its new site (empty: not placed).
    #[arg(long)]
    pub site: String,
    /// Why.
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PlacementSolveArgs {
    /// Households: household_id,size[,tie_site][,tie_household][,tie].
    #[arg(long, value_name = "FILE")]
    pub households: PathBuf,
    /// Sites: site_id,capacity_people.
    #[arg(long, value_name = "FILE")]
    pub sites: PathBuf,
    /// Candidate pairs: household_id,site_id,score (the score is maximised).
    #[arg(long, value_name = "FILE")]
    pub arcs: PathBuf,
    /// Write the plan here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Leave households unplaced when not all fit, instead of refusing.
    #[arg(long)]
    pub allow_partial: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PlacementSynthArgs {
    /// Households.
    #[arg(long, default_value_t = 1000)]
    pub households: usize,
    /// Sites (communities).
    #[arg(long, default_value_t = 50)]
    pub sites: usize,
    /// Candidate sites per household (default 20; 0 = every site, dense).
    #[arg(long, default_value_t = 20)]
    pub arcs_per_household: usize,
    /// Places beyond the people: 0.1 = 10% more places than people.
    #[arg(long, default_value_t = 0.1)]
    pub capacity_slack: f64,
    /// 0 for the usual household sizes, 1 for many large families.
    #[arg(long, default_value_t = 0.0)]
    pub size_shift: f64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory to write the files into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Write a synthetic Latin American registry (Spanish, Haitian and Chinese names,
    /// households, nicknames, typos, swapped day and month, missing dates), and the truth
    /// apart. No database.
    Synth(RegistrySynthArgs),
    /// De-duplicate a registry CSV into record_id,cluster_id. No database.
    Dedupe(RegistryDedupeArgs),
    /// Pairwise precision, recall and F1 of the linkage on FEBRL 1-4, synthetic
    /// registries, or a registry file with its truth. No database.
    LinkageEval(RegistryEvalArgs),
    /// Write a new key file (random encryption and blind-index keys). No database.
    Keygen(RegistryKeygenArgs),
    /// Register a person: validated, linked against the records that share a name
    /// sound, date, document or phone; a sure match joins that person, a doubtful one
    /// goes to the review queue.
    Register(Box<RegistryRegisterArgs>),
    /// Search records by name, fuzzily (sound-alike name parts, then closeness).
    Search(RegistrySearchArgs),
    /// Show a record: personal fields, the other records of the person, permits.
    Show(RegistryShowArgs),
    /// Permits: create one under a program, move one along its lifecycle.
    #[command(subcommand)]
    Permit(RegistryPermitCommand),
    /// The caseworker's review queue of possible duplicates.
    #[command(subcommand)]
    Review(RegistryReviewCommand),
    /// Permits by state and nationality, and transitions by month, as published
    /// (perturbed by the disclosure control of every public count).
    Stats(RegistryStatsArgs),
}

#[derive(Debug, Args)]
pub struct RegistryKeygenArgs {
    /// Key file to write (refused if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Label in the key ids, e.g. 2026a.
    #[arg(long, default_value = "k1")]
    pub label: String,
}

#[derive(Debug, Args)]
pub struct RegistryRegisterArgs {
    /// First given name.
    #[arg(long, default_value = "")]
    pub given_name: String,
    /// Other given names.
    #[arg(long, default_value = "")]
    pub second_given_name: String,
    /// First surname.
    #[arg(long, default_value = "")]
    pub first_surname: String,
    /// Second surname.
    #[arg(long, default_value = "")]
    pub second_surname: String,
    /// F, M or X.
    #[arg(long, default_value = "")]
    pub sex: String,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long, default_value = "")]
    pub date_of_birth: String,
    /// ISO3 code, e.g. VEN.
    #[arg(long, default_value = "")]
    pub nationality: String,
    /// passport, cedula, ...
    #[arg(long, default_value = "")]
    pub document_type: String,
    /// Document number (check digits verified where the issuer defines them).
    #[arg(long, default_value = "")]
    pub document_number: String,
    /// Issuing country (ISO3); the nationality when not given.
    #[arg(long, default_value = "")]
    pub document_issuer: String,
    /// Phone.
    #[arg(long, default_value = "")]
    pub phone: String,
    /// Municipality of residence.
    #[arg(long, default_value = "")]
    pub municipality: String,
    /// Household id shared by the members of one family (never merged).
    #[arg(long, default_value = "")]
    pub household_id: String,
    /// Registering office.
    #[arg(long, default_value = "")]
    pub office: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RegistrySearchArgs {
    /// Name or part of it, e.g. "Jose Garsia".
    pub query: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RegistryShowArgs {
    /// Record id, e.g. P-3fa9c2d1e0.
    pub person_id: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum RegistryPermitCommand {
    /// Pre-register a permit for a record under a program (col-etpv).
    Create(RegistryPermitCreateArgs),
    /// Move a permit to a new state (the lifecycle decides which are allowed).
    Transition(RegistryPermitTransitionArgs),
}

#[derive(Debug, Args)]
pub struct RegistryPermitCreateArgs {
    /// Record id.
    #[arg(long)]
    pub person: String,
    /// Program id.
    #[arg(long, default_value = "col-etpv")]
    pub program: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RegistryPermitTransitionArgs {
    /// Permit id.
    pub permit_id: String,
    /// New state: biometrics_taken, approved, issued, renewed, expired, revoked,
    /// cancelled, denied.
    #[arg(long)]
    pub to: String,
    /// Why (required for denied, revoked and cancelled).
    #[arg(long, default_value = "")]
    pub reason: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum RegistryReviewCommand {
    /// Open items (or all with --all), with the field-by-field weights.
    List(RegistryReviewListArgs),
    /// Decide an item: --same-person merges the two persons, --different keeps them apart.
    Resolve(RegistryReviewResolveArgs),
}

#[derive(Debug, Args)]
pub struct RegistryReviewListArgs {
    /// Decided items too.
    #[arg(long)]
    pub all: bool,
    /// Show each item's field-by-field explanation.
    #[arg(long)]
    pub explain: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RegistryReviewResolveArgs {
    /// Item id.
    pub id: i64,
    /// The two records are the same person.
    #[arg(
        long,
        conflicts_with = "different",
        required_unless_present = "different"
    )]
    pub same_person: bool,
    /// The two records are different people.
    #[arg(long)]
    pub different: bool,
    /// Why.
    #[arg(long, default_value = "")]
    pub reason: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RegistryStatsArgs {
    /// by-state (permits now, by nationality) or by-month (transitions by month).
    #[arg(long, value_enum, default_value_t = RegistryStatsTable::ByState)]
    pub table: RegistryStatsTable,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RegistryStatsTable {
    /// Permits by nationality and state.
    ByState,
    /// Transitions into each state by month.
    ByMonth,
}

impl RegistryCommand {
    /// True for the commands that read and write files only.
    pub fn is_file_mode(&self) -> bool {
        matches!(
            self,
            RegistryCommand::Synth(_)
                | RegistryCommand::Dedupe(_)
                | RegistryCommand::LinkageEval(_)
                | RegistryCommand::Keygen(_)
        )
    }
}

#[derive(Debug, Args)]
pub struct RegistrySynthArgs {
    /// Distinct people.
    #[arg(long, default_value_t = 20_000)]
    pub people: usize,
    /// Share of people who register more than once (0 to 1).
    #[arg(long, default_value_t = 0.1)]
    pub dup_rate: f64,
    /// Generator seed: the same seed writes the same registry.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Records CSV to write (record_id,given_name,...,registration_date,household_id).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Truth CSV to write: record_id,cluster_id (the person each record is).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RegistryDedupeArgs {
    /// Records CSV with a header: record_id,given_name,second_given_name,first_surname,
    /// second_surname,sex,date_of_birth,nationality,document_type,document_number,phone,
    /// municipality,registration_date (any may be empty but record_id; extra columns
    /// ignored; FEBRL's columns are read too).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Clusters CSV to write: record_id,cluster_id.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Linkage model: chosen from the header unless given.
    #[arg(long, value_enum, default_value_t = PresetArg::Auto)]
    pub preset: PresetArg,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PresetArg {
    /// FEBRL for files with FEBRL's columns (rec_id, soc_sec_id), registry otherwise.
    Auto,
    /// Latin American registry: two surnames, nicknames, households.
    Registry,
    /// FEBRL: English names, addresses, social security id.
    Febrl,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EvalDatasetArg {
    /// FEBRL 1: 1,000 records, de-duplication.
    Febrl1,
    /// FEBRL 2: 5,000 records, de-duplication.
    Febrl2,
    /// FEBRL 3: 5,000 records, de-duplication.
    Febrl3,
    /// FEBRL 4: 5,000 + 5,000 records, linking two files.
    Febrl4,
    /// A synthetic registry (--people, --dup-rate, --seed).
    Synth,
}

#[derive(Debug, Args)]
pub struct RegistryEvalArgs {
    /// Data sets to score (repeat or separate by commas); default febrl3, febrl4 and synth.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub dataset: Vec<EvalDatasetArg>,
    /// People in the synthetic registry.
    #[arg(long, default_value_t = 5_000)]
    pub people: usize,
    /// Share of synthetic people registered more than once.
    #[arg(long, default_value_t = 0.1)]
    pub dup_rate: f64,
    /// Seeds of synthetic registries (one row each).
    #[arg(long, value_delimiter = ',', default_value = "2")]
    pub seed: Vec<u64>,
    /// A registry CSV to score as well (needs --truth).
    #[arg(long, value_name = "FILE", requires = "truth")]
    pub input: Option<PathBuf>,
    /// Its truth: record_id,cluster_id (or person_id).
    #[arg(long, value_name = "FILE", requires = "input")]
    pub truth: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}
