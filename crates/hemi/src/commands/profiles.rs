//! `hemi profiles`: the publisher formats this node can read.

use hemi_app::Config;
use hemi_flows::ProfileKind;

use crate::cli::OutputArgs;
use crate::output::{print_table, Table};

pub fn run(config: &Config, output: OutputArgs) -> anyhow::Result<()> {
    let mut table = Table::new(&[
        "name",
        "publisher",
        "file_name",
        "measures",
        "recodes",
        "duplicates",
    ]);
    for p in config.profiles.all() {
        let measures = match p.kind {
            ProfileKind::Countries => "(country reference)".to_owned(),
            ProfileKind::Observations => p
                .values
                .iter()
                .map(|v| v.measure.as_str())
                .collect::<Vec<_>>()
                .join(","),
        };
        let recodes = p
            .recode
            .iter()
            .map(|r| format!("{}->{}", r.from, r.to))
            .collect::<Vec<_>>()
            .join(",");
        table.push(vec![
            p.name.clone().into(),
            p.source.publisher.clone().into(),
            p.recognise.file_name.clone().into(),
            measures.into(),
            recodes.into(),
            format!("{:?}", p.duplicates).to_lowercase().into(),
        ]);
    }
    print_table(&table, output.format)
}
