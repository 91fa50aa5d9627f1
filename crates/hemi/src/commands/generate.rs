//! `hemi generate man DIR` and `hemi generate completions SHELL`: the man pages and
//! shell completions, made from the same clap definitions as `--help` and docs/CLI.md.

use clap::CommandFactory;

use crate::cli::{Cli, GenerateCommand};

pub fn run(command: &GenerateCommand) -> anyhow::Result<()> {
    match command {
        GenerateCommand::Man { dir } => {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), dir)
                .map_err(|e| anyhow::anyhow!("cannot write man pages to {}: {e}", dir.display()))?;
            eprintln!("wrote the man pages to {}", dir.display());
            Ok(())
        }
        GenerateCommand::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "hemi", &mut out);
            crate::output::write_stdout(&String::from_utf8_lossy(&out))
        }
    }
}
