//! `hemi demo`: build a database from the bundled data and show headline figures.

use std::fmt::Write;
use std::path::PathBuf;

use hemi_flows::ProfileSet;
use hemi_store::{SeriesFilter, Store};

use crate::cli::DemoArgs;
use crate::output::write_stdout;

/// Where the bundled data lives: `--data`, else `data/` beside the sources this binary
/// was built from, else `./data`.
fn data_dir(args: &DemoArgs) -> PathBuf {
    if let Some(dir) = &args.data {
        return dir.clone();
    }
    let built_from = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"));
    if built_from.is_dir() {
        built_from
    } else {
        PathBuf::from("data")
    }
}

pub async fn run(
    store: &Store,
    profiles: &ProfileSet,
    rules: &crate::watch::Rules,
    rules_dir: Option<&std::path::Path>,
    playbooks_dir: Option<&std::path::Path>,
    args: &DemoArgs,
) -> anyhow::Result<()> {
    let dir = data_dir(args);
    let files = super::import::expand_paths(&[
        dir.join("reference"),
        dir.join("flows"),
        dir.join("context"),
    ])?;
    eprintln!(
        "importing {} bundled tables from {}",
        files.len(),
        dir.display()
    );
    let report = super::import::import_files(store, profiles, &files, None).await?;
    super::import::warn_after_import(store, rules, &report).await?;
    let seconds: f64 = report.iter().map(|(_, s)| s).sum();
    let rows: u64 = report.iter().map(|(o, _)| o.rows_read).sum();
    let new: u64 = report.iter().map(|(o, _)| o.new).sum();
    let mut out = String::new();
    writeln!(
        out,
        "imported {} files: {rows} rows, {new} new observations in {seconds:.2} s",
        report.len()
    )?;
    writeln!(out)?;
    writeln!(out, "headline figures (compare with the publishers' own):")?;
    let total =
        |reporting: &str, measure: &str, from: &str, to: &str, nationality: Option<&str>| {
            let filter = SeriesFilter {
                reporting: Some(reporting.into()),
                measure: Some(measure.into()),
                nationality: nationality.map(str::to_owned),
                breakdown: Some("nationality".into()),
                from: Some(from.into()),
                to: Some(to.into()),
                ..SeriesFilter::default()
            };
            async move {
                store
                    .sums(&filter, false)
                    .await
                    .map(|rows| rows.iter().map(|r| r.value).sum::<f64>())
            }
        };
    writeln!(
        out,
        "  Darién transits 2022 (Panama):        {:>9}",
        total("PAN", "darien_transits", "2022-01", "2022-12", None).await?
    )?;
    writeln!(
        out,
        "  Darién transits 2023 (Panama):        {:>9}",
        total("PAN", "darien_transits", "2023-01", "2023-12", None).await?
    )?;
    writeln!(
        out,
        "  US SW border encounters 2021-09:      {:>9}",
        total("USA", "encounters", "2021-09", "2021-09", None).await?
    )?;
    writeln!(
        out,
        "    of which Haitian:                   {:>9}",
        total("USA", "encounters", "2021-09", "2021-09", Some("HTI")).await?
    )?;
    writeln!(
        out,
        "  Mexico irregular presentations 2023:  {:>9}",
        total("MEX", "irregular_presentations", "2023-01", "2023-12", None).await?
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "next: hemi series show --reporting PAN --nationality HTI --from 2021-01 --to 2021-12"
    )?;
    write_stdout(&out)?;
    ensure_demo_admin(store).await?;
    // The L.A. Declaration as signed, so the governance pages and reports have content.
    let who = crate::governance::actor("demo", None)?;
    store
        .governance_seed(&crate::governance::seed()?, &who)
        .await
        .map_err(crate::governance::store_error)?;
    if args.no_serve {
        return Ok(());
    }
    super::serve::run(
        store.clone(),
        profiles.clone(),
        rules_dir,
        playbooks_dir,
        &crate::cli::ServeArgs {
            bind: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            secure_cookies: false,
            suppression_threshold: hemi_server::DEFAULT_SUPPRESSION_THRESHOLD,
        },
    )
    .await
}

/// Create an administrator `admin` with a generated password when no active
/// administrator exists; the password is printed this once and stored only hashed.
async fn ensure_demo_admin(store: &Store) -> anyhow::Result<()> {
    if store
        .has_active_user_with_role(hemi_server::Role::Admin.as_str())
        .await?
    {
        return Ok(());
    }
    let password = hemi_server::accounts::random_token()[..20].to_owned();
    hemi_server::accounts::add_user(
        store,
        "demo",
        "admin",
        hemi_server::Role::Admin,
        None,
        &password,
    )
    .await?;
    write_stdout(&format!(
        "\ncreated the demo administrator: user admin, password {password} (shown only now)\n"
    ))
}
