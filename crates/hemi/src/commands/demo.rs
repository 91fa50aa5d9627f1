//! `hemi demo`: build a database from the bundled data, show headline figures, create a
//! demo administrator, and serve. Run again, it says what it found instead of redoing it:
//! identical tables are recognised by their hash, the declaration is seeded once, and the
//! administrator's password is printed only when it is created.

use std::fmt::Write;
use std::path::PathBuf;

use hemi_app::flows::{expand_paths, ImportOptions};
use hemi_core::Role;
use hemi_store::SeriesFilter;
use tokio::net::TcpListener;

use super::Context;
use crate::cli::DemoArgs;
use crate::output::write_stdout;

/// The demo administrator's login name.
const DEMO_ADMIN: &str = "admin";

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

/// `listener` is bound before anything is imported when the demo will serve.
pub async fn run(
    cx: Context,
    args: &DemoArgs,
    listener: Option<TcpListener>,
) -> anyhow::Result<()> {
    let dir = data_dir(args);
    let files = expand_paths(&[
        dir.join("reference"),
        dir.join("flows"),
        dir.join("context"),
    ])?;
    eprintln!(
        "importing {} bundled tables from {}",
        files.len(),
        dir.display()
    );
    let report = super::import::import_with_bar(&cx, &files, ImportOptions::default()).await?;
    if report.files.iter().all(|l| l.outcome.identical) {
        eprintln!("the bundled tables are already imported (identical files)");
    }
    super::import::warn_after_import(&cx, &report).await?;
    let seconds: f64 = report.files.iter().map(|l| l.seconds).sum();
    let rows: u64 = report.files.iter().map(|l| l.outcome.rows_read).sum();
    let new: u64 = report.files.iter().map(|l| l.outcome.new).sum();
    let mut out = String::new();
    writeln!(
        out,
        "imported {} files: {rows} rows, {new} new observations in {seconds:.2} s",
        report.files.len()
    )?;
    writeln!(out)?;
    writeln!(out, "headline figures (compare with the publishers' own):")?;
    let store = cx.app.store();
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
    for (label, reporting, measure, from, to, nationality) in [
        (
            "Darién transits 2022 (Panama):      ",
            "PAN",
            "darien_transits",
            "2022-01",
            "2022-12",
            None,
        ),
        (
            "Darién transits 2023 (Panama):      ",
            "PAN",
            "darien_transits",
            "2023-01",
            "2023-12",
            None,
        ),
        (
            "US SW border encounters 2021-09:    ",
            "USA",
            "encounters",
            "2021-09",
            "2021-09",
            None,
        ),
        (
            "  of which Haitian:                 ",
            "USA",
            "encounters",
            "2021-09",
            "2021-09",
            Some("HTI"),
        ),
        (
            "Mexico irregular presentations 2023:",
            "MEX",
            "irregular_presentations",
            "2023-01",
            "2023-12",
            None,
        ),
    ] {
        writeln!(
            out,
            "  {label}  {:>9}",
            total(reporting, measure, from, to, nationality).await?
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "next: hemi series show --reporting PAN --nationality HTI --from 2021-01 --to 2021-12"
    )?;
    write_stdout(&out)?;

    // The L.A. Declaration as signed, so the governance pages and reports have content.
    if cx.app.seed_declaration(&cx.actor).await? {
        eprintln!("recorded the L.A. Declaration as signed, with its first commitments");
    } else {
        eprintln!("the L.A. Declaration is already recorded");
    }
    super::pathways::load_demo_caseload(&cx).await?;
    ensure_demo_admin(&cx).await?;
    super::registry::load_demo(&cx).await?;
    super::appointments::load_demo(&cx).await?;

    let Some(listener) = listener else {
        return Ok(());
    };
    super::serve::serve_with(cx.app, listener, hemi_server::ServerConfig::default()).await
}

/// Create the administrator `admin` with a generated password, printed this once and
/// stored only hashed; when it exists, say how to reset its password.
async fn ensure_demo_admin(cx: &Context) -> anyhow::Result<()> {
    if cx.app.store().user_by_name(DEMO_ADMIN).await?.is_some() {
        eprintln!(
            "the demo administrator `{DEMO_ADMIN}` exists; reset its password with `hemi users passwd {DEMO_ADMIN} --password-stdin`"
        );
        return Ok(());
    }
    // 20 random hex digits (80 bits) pass the password rule; the check is kept so a
    // stricter rule can never leave the demo without an administrator.
    let password = (0..10)
        .map(|_| hemi_app::accounts::random_token()[..20].to_owned())
        .find(|p| hemi_app::accounts::check_password(p, DEMO_ADMIN).is_ok())
        .ok_or_else(|| {
            anyhow::anyhow!("could not generate a demo password the password rule accepts")
        })?;
    cx.app
        .add_user(DEMO_ADMIN, Role::Admin, None, None, &password, &cx.actor)
        .await?;
    write_stdout(&format!(
        "\ncreated the demo administrator: user {DEMO_ADMIN}, password {password} (shown only now)\n"
    ))
}
