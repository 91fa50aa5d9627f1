//! `hemi export`: observations of the selected series in an exchange format.

use std::io::Write;

use anyhow::Context;
use hemi_flows::{write_export, ExportFormat, ExportRow};
use hemi_store::Store;

use super::filter;
use crate::cli::{ExportArgs, ExportFormatArg};

pub async fn run(store: &Store, args: &ExportArgs) -> anyhow::Result<()> {
    let f = filter(&args.select, args.nationality.as_ref(), Some(&args.periods))?;
    let rows: Vec<ExportRow> = store.observations(&f).await?;
    let format = match args.format {
        ExportFormatArg::Csv => ExportFormat::TidyCsv,
        ExportFormatArg::SdmxCsv => ExportFormat::SdmxCsv,
        ExportFormatArg::Hxl => ExportFormat::Hxl,
    };
    match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            write_export(&rows, format, &mut out)?;
            out.flush()?;
            eprintln!("wrote {} observations to {}", rows.len(), path.display());
        }
        None => {
            let stdout = std::io::stdout();
            match write_export(&rows, format, stdout.lock()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
    }
    Ok(())
}
