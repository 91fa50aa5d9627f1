//! One module per subcommand; each turns parsed arguments into calls on the library crates.

mod demo;
mod events;
mod export;
mod forecast;
mod import;
mod indicators;
mod process;
mod profiles;
mod report;
mod series;
mod serve;
mod users;
mod warn;

use anyhow::Context;
use hemi_store::Store;

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let profiles = || crate::profiles::load(cli.profiles_dir.as_deref());
    let rules = || crate::watch::load_rules(cli.rules_dir.as_deref());
    match &cli.command {
        Command::Import(args) => {
            import::run(
                &open(&cli.database_url).await?,
                &profiles()?,
                &rules()?,
                args,
            )
            .await
        }
        Command::Series(command) => series::run(&open(&cli.database_url).await?, command).await,
        Command::Export(args) => export::run(&open(&cli.database_url).await?, args).await,
        Command::Profiles(output) => profiles::run(&profiles()?, *output),
        Command::Warn(command) => {
            warn::run(&open(&cli.database_url).await?, &rules()?, command).await
        }
        Command::Events(command) => {
            events::run(
                &open(&cli.database_url).await?,
                &rules()?,
                cli.playbooks_dir.as_deref(),
                command,
            )
            .await
        }
        Command::Forecast(args) => {
            forecast::run(&open(&cli.database_url).await?, &rules()?, args).await
        }
        Command::Indicators(args) => indicators::run(&open(&cli.database_url).await?, args).await,
        Command::Serve(args) => {
            serve::run(
                open(&cli.database_url).await?,
                profiles()?,
                cli.rules_dir.as_deref(),
                cli.playbooks_dir.as_deref(),
                args,
            )
            .await
        }
        Command::Users(command) => users::run(&open(&cli.database_url).await?, command).await,
        Command::Report(command) => {
            report::run(&open(&cli.database_url).await?, &rules()?, command).await
        }
        Command::Process(args) => {
            process::run(
                &open(&cli.database_url).await?,
                args,
                cli.rules_dir.as_deref(),
                cli.playbooks_dir.as_deref(),
            )
            .await
        }
        Command::Demo(args) => {
            demo::run(
                &open(&cli.database_url).await?,
                &profiles()?,
                &rules()?,
                cli.rules_dir.as_deref(),
                cli.playbooks_dir.as_deref(),
                args,
            )
            .await
        }
        Command::HelpMarkdown => {
            print!("{}", clap_markdown::help_markdown::<Cli>());
            Ok(())
        }
    }
}

async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open(url)
        .await
        .with_context(|| format!("cannot open database {}", redact(url)))
}

/// Hide a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Validate a period argument and turn it into the stored text bound.
fn period_bound(text: &Option<String>, upper: bool, flag: &str) -> anyhow::Result<Option<String>> {
    let Some(text) = text else { return Ok(None) };
    let period: hemi_core::Period = text.parse().map_err(|e| {
        anyhow::Error::new(crate::input_error::InputError::one(hemi_core::Diagnostic {
            file: "command line".into(),
            line: 0,
            field: flag.into(),
            message: format!("{e}"),
            hint: "periods are YYYY-MM or YYYY".into(),
        }))
    })?;
    Ok(Some(match period {
        // A year as upper bound includes its months.
        hemi_core::Period::Year(y) if upper => format!("{y:04}-12"),
        p => p.to_string(),
    }))
}

fn filter(
    select: &crate::cli::SelectArgs,
    nationality: Option<&String>,
    periods: Option<&crate::cli::PeriodArgs>,
) -> anyhow::Result<hemi_store::SeriesFilter> {
    let upper = |s: &Option<String>| s.as_ref().map(|v| v.to_uppercase());
    Ok(hemi_store::SeriesFilter {
        reporting: upper(&select.reporting),
        nationality: nationality.map(|n| n.to_uppercase()),
        source: select.source.clone(),
        measure: select.measure.clone(),
        breakdown: select.breakdown.clone(),
        from: match periods {
            Some(p) => period_bound(&p.from, false, "--from")?,
            None => None,
        },
        to: match periods {
            Some(p) => period_bound(&p.to, true, "--to")?,
            None => None,
        },
        vintage: periods.and_then(|p| p.vintage),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("hemi.db"), "hemi.db");
    }
}
