//! One module per command; each turns parsed arguments into calls on `hemi_app::App`
//! and its answers into tables. The `App` is built once here: the configuration first
//! (bundled profiles, rules and playbooks, plus the directories named), then the store.

mod appointments;
mod audit;
mod demo;
mod events;
mod export;
mod forecast;
mod generate;
mod import;
mod indicators;
pub mod pathways;
mod placement;
mod process;
mod profiles;
mod registry;
mod report;
mod schedule;
mod series;
mod serve;
mod users;
mod warn;

use anyhow::Context as _;
use hemi_app::{Actor, App, Config, ConfigDirs};
use hemi_store::Store;

use crate::cli::{Cli, Command, GlobalArgs};

/// What a command runs with.
pub struct Context {
    /// The application over the store and the configuration.
    pub app: App,
    /// Who acts: the operator, and the name given with `--as`.
    pub actor: Actor,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli { global, command } = cli;
    // Commands that need neither configuration nor database.
    match &command {
        Command::HelpMarkdown => {
            return crate::output::write_stdout(&clap_markdown::help_markdown::<Cli>())
        }
        Command::Generate(g) => return generate::run(g),
        Command::Registry(r) if r.is_file_mode() => return registry::run_files(r).await,
        // Allocation's file workflows open no database.
        Command::Placement(c) if placement::without_store(c) => {
            return placement::run_files(c).await
        }
        Command::Schedule(c) if schedule::without_store(c) => return schedule::run_files(c).await,
        Command::Appointments(c) if appointments::without_store(c) => {
            return appointments::run_files(c).await
        }
        _ => {}
    }
    let config = Config::load(&ConfigDirs {
        profiles: global.profiles_dir.clone(),
        rules: global.rules_dir.clone(),
        playbooks: global.playbooks_dir.clone(),
        pathways: global.pathways_dir.clone(),
    })?;
    if let Command::Profiles(output) = &command {
        return profiles::run(&config, *output);
    }
    // A name given where old scripts put `--by` wins over the global `--as`.
    let acting_as = match &command {
        Command::Process(p) => p.by.clone(),
        Command::Events(crate::cli::EventsCommand::Set(s)) => s.by.clone(),
        _ => None,
    }
    .or_else(|| global.acting_as.clone());
    let actor = Actor::cli(&operator(), acting_as.as_deref());
    let bind_first = match &command {
        // The demo checks its port before the import it would otherwise waste.
        Command::Demo(args) if !args.no_serve => Some(serve::bind(args.bind).await?),
        _ => None,
    };
    let store = open(&global).await?;
    let cx = Context {
        app: App::new(store, config),
        actor,
    };
    match &command {
        Command::Registry(_) => registry::load_keys(&cx.app, global.registry_key_file.as_deref())?,
        // The web app starts without the registry when its key file is unreadable; the
        // registry pages then refuse, naming the problem.
        Command::Serve(_) | Command::Demo(_) => {
            if let Err(e) = registry::load_keys(&cx.app, global.registry_key_file.as_deref()) {
                eprintln!("warning: the registry is off: {e}");
            }
        }
        _ => {}
    }
    match command {
        Command::Import(args) => import::run(&cx, &args).await,
        Command::Series(c) => series::run(&cx, &c).await,
        Command::Export(args) => export::run(&cx, &args).await,
        Command::Warn(c) => warn::run(&cx, &c).await,
        Command::Events(c) => events::run(&cx, &c).await,
        Command::Forecast(args) => forecast::run(&cx, &args).await,
        Command::Indicators(args) => indicators::run(&cx, &args).await,
        Command::Process(args) => process::run(&cx, &args).await,
        Command::Report(c) => report::run(&cx, &c).await,
        Command::Pathways(c) => pathways::run(&cx, &c).await,
        Command::Users(c) => users::run(&cx, &c).await,
        Command::Audit(c) => audit::run(&cx, &c).await,
        Command::Appointments(c) => appointments::run(&cx, &c).await,
        Command::Schedule(c) => schedule::run(&cx, &c).await,
        Command::Placement(c) => placement::run(&cx, &c).await,
        Command::Serve(args) => {
            let listener = serve::bind(args.bind).await?;
            serve::run(cx.app, listener, &args).await
        }
        Command::Demo(args) => demo::run(cx, &args, bind_first).await,
        Command::Registry(c) => registry::run(&cx, &c).await,
        Command::Profiles(_) | Command::HelpMarkdown | Command::Generate(_) => {
            unreachable!("handled above")
        }
    }
}

/// The operating-system account running `hemi`: it holds the database, so it is the
/// actor the audit log names.
fn operator() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

async fn open(global: &GlobalArgs) -> anyhow::Result<Store> {
    // hemi_store redacts passwords in its errors; the URL shown is redacted here too.
    Store::open(&global.database_url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            hemi_store::redact_text(&global.database_url)
        )
    })
}

/// A number as a cell: whole numbers without decimals.
pub fn number(v: f64) -> crate::output::Cell {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        crate::output::Cell::Int(v as i64)
    } else {
        crate::output::Cell::Float(v)
    }
}

/// A value rounded to `decimals` places, or an empty cell.
pub fn rounded(value: Option<f64>, decimals: i32) -> crate::output::Cell {
    let scale = 10f64.powi(decimals);
    value
        .map(|v| crate::output::Cell::Float((v * scale).round() / scale))
        .unwrap_or(crate::output::Cell::Empty)
}
