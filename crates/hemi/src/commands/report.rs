//! `hemi report quarterly`: the Task Force's quarterly report as HTML or PDF, to a file
//! or standard output. The data is `App::quarterly_report`, rendered by the web crate's
//! `report::render`, so the file and `/reports/{quarter}` are the same document.
//!
//! The PDF is the HTML printed by headless Chromium (`--print-to-pdf`): the report's
//! charts are inline SVG, which a browser lays out and prints exactly as the web page
//! shows them; no PDF crate draws SVG charts and tables as well.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _};
use hemi_governance::Quarter;

use super::Context;
use crate::cli::{ReportCommand, ReportFormat};

/// Where to look for a Chromium when `HEMI_CHROMIUM` is not set.
const CHROMIUM_CANDIDATES: [&str; 3] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];

pub async fn run(cx: &Context, command: &ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::Quarterly(args) => {
            let quarter = Quarter::parse(&args.quarter).map_err(hemi_app::AppError::from)?;
            let report = cx.app.quarterly_report(&quarter).await?;
            let html = hemi_server::report::render(&report).into_string();
            let bytes = match args.format {
                ReportFormat::Html => html.into_bytes(),
                ReportFormat::Pdf => print_pdf(&html)?,
            };
            match &args.out {
                Some(path) => {
                    std::fs::write(path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "wrote the {} report for {quarter} to {}",
                        match args.format {
                            ReportFormat::Html => "HTML",
                            ReportFormat::Pdf => "PDF",
                        },
                        path.display()
                    );
                }
                None => match std::io::stdout().lock().write_all(&bytes) {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                    other => other?,
                },
            }
            Ok(())
        }
    }
}

fn chromium() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("HEMI_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    CHROMIUM_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .context(
            "a PDF is printed by Chromium, which was not found: install Debian's `chromium` \
             package or set HEMI_CHROMIUM to a Chromium binary (or use --format html)",
        )
}

/// The PDF Chromium prints of `html`.
fn print_pdf(html: &str) -> anyhow::Result<Vec<u8>> {
    let browser = chromium()?;
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let page = dir.path().join("report.html");
    let pdf = dir.path().join("report.pdf");
    write(&page, html.as_bytes())?;
    let output = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .with_context(|| format!("cannot run {}", browser.display()))?;
    let printed = std::fs::read(&pdf).unwrap_or_default();
    if !output.status.success() || printed.is_empty() {
        bail!(
            "{} did not print the PDF (exit {}): {}",
            browser.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(printed)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
