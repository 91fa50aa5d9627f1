//! `hemi report quarterly`: the Task Force's quarterly report as HTML or PDF.
//!
//! The PDF is the HTML printed by headless Chromium (`--print-to-pdf`): the report's
//! charts are inline SVG, which a browser lays out and prints exactly as the web page
//! shows them; no PDF crate draws SVG charts and tables as well.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use hemi_governance::Quarter;
use hemi_store::Store;

use crate::cli::{ReportCommand, ReportFormat};
use crate::input_error::InputError;
use crate::watch::Rules;

/// Where to look for a Chromium when `HEMI_CHROMIUM` is not set.
const CHROMIUM_CANDIDATES: [&str; 3] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];

pub async fn run(store: &Store, rules: &Rules, command: &ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::Quarterly(args) => {
            let quarter = Quarter::parse(&args.quarter).map_err(|e| {
                anyhow::Error::from(InputError::one(hemi_core::Diagnostic {
                    file: "command line".into(),
                    line: 0,
                    field: "QUARTER".into(),
                    message: e.to_string(),
                    hint: "write a quarter as YYYYQn, e.g. 2023Q3".into(),
                }))
            })?;
            let input = hemi_server::report::gather(store, rules, &quarter)
                .await
                .context("gathering the quarterly report's data")?;
            let html = hemi_server::report::render(&input).into_string();
            match args.format {
                ReportFormat::Html => write(&args.out, html.as_bytes())?,
                ReportFormat::Pdf => print_pdf(&html, &args.out)?,
            }
            eprintln!(
                "wrote the {} report for {quarter} to {}",
                match args.format {
                    ReportFormat::Html => "HTML",
                    ReportFormat::Pdf => "PDF",
                },
                args.out.display()
            );
            Ok(())
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
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

fn print_pdf(html: &str, out: &Path) -> anyhow::Result<()> {
    let browser = chromium()?;
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let page = dir.path().join("report.html");
    write(&page, html.as_bytes())?;
    let out_abs =
        std::path::absolute(out).with_context(|| format!("cannot resolve {}", out.display()))?;
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
        .arg(format!("--print-to-pdf={}", out_abs.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .with_context(|| format!("cannot run {}", browser.display()))?;
    let ok = output.status.success() && std::fs::metadata(&out_abs).is_ok_and(|m| m.len() > 0);
    if !ok {
        bail!(
            "{} did not print the PDF (exit {}): {}",
            browser.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
