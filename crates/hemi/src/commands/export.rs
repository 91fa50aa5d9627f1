//! `hemi export`: observations of the selected series in an exchange format, to
//! standard output or a file.

use std::io::Write;

use anyhow::Context as _;
use hemi_flows::{write_export, ExportFormat};

use super::Context;
use crate::cli::{ExportArgs, ExportFormatArg};

pub async fn run(cx: &Context, args: &ExportArgs) -> anyhow::Result<()> {
    let q = super::series::query(&args.select, args.nationality.as_ref(), Some(&args.periods));
    let filter = super::series::filter(cx, &q).await?;
    let rows = cx.app.store().observations(&filter).await?;
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
            write_export(&rows, format, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} observations to {}", rows.len(), path.display());
        }
        None => match write_export(&rows, format, std::io::stdout().lock()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        },
    }
    Ok(())
}
