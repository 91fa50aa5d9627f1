//! `hemi registry ...`: the migrant registry. File mode (`synth`, `dedupe`,
//! `linkage-eval`, `keygen`) needs no database and calls `hemi_app::registry::files`;
//! the rest runs the stored registry's workflows on `App` with the key file given by
//! `--registry-key-file` / `HEMI_REGISTRY_KEY_FILE`.

use std::path::Path;

use hemi_app::registry::files::{self, EvalDataset, Preset};
use hemi_app::registry::persons::PersonInput;
use hemi_app::registry::RegistryKeys;
use hemi_app::{App, AppError};

use super::Context;
use crate::cli::{
    EvalDatasetArg, Format, PresetArg, RegistryCommand, RegistryEvalArgs, RegistryPermitCommand,
    RegistryReviewCommand, RegistryStatsTable,
};
use crate::output::{print_table, write_stdout, Cell, Table};

/// Run a file-mode command.
pub async fn run_files(command: &RegistryCommand) -> anyhow::Result<()> {
    match command {
        RegistryCommand::Synth(args) => {
            let summary = files::synthesise(
                args.people,
                args.dup_rate,
                args.seed,
                args.out.clone(),
                args.truth.clone(),
            )
            .await?;
            eprintln!(
                "wrote {} records of {} people to {}{}",
                summary.records,
                summary.people,
                args.out.display(),
                args.truth
                    .as_ref()
                    .map(|t| format!(", the truth to {}", t.display()))
                    .unwrap_or_default()
            );
            Ok(())
        }
        RegistryCommand::Dedupe(args) => {
            let preset = match args.preset {
                PresetArg::Auto => Preset::Auto,
                PresetArg::Registry => Preset::Registry,
                PresetArg::Febrl => Preset::Febrl,
            };
            let s = files::dedupe_file(args.input.clone(), args.out.clone(), preset).await?;
            eprintln!(
                "records: {}\nclusters: {}\npairs compared: {}\nreview items: {}\npreset: {}\ntime: {:.2} s",
                s.records,
                s.clusters,
                s.pairs_compared,
                s.review_items,
                match s.preset {
                    Preset::Febrl => "febrl",
                    _ => "registry",
                },
                s.seconds
            );
            if s.dates_treated_as_missing > 0 {
                eprintln!(
                    "dates of birth that are not dates, treated as missing: {}",
                    s.dates_treated_as_missing
                );
            }
            eprintln!("wrote {}", args.out.display());
            Ok(())
        }
        RegistryCommand::LinkageEval(args) => linkage_eval(args).await,
        RegistryCommand::Keygen(args) => keygen(&args.out, &args.label),
        _ => unreachable!("not a file-mode command"),
    }
}

fn keygen(out: &Path, label: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(out).map_err(|e| {
        AppError::invalid(
            "--out",
            format!("{} cannot be created: {e}", out.display()),
            "name a new file; an existing key file is never overwritten",
        )
    })?;
    file.write_all(RegistryKeys::generate(label).as_bytes())?;
    eprintln!(
        "wrote a new registry key file to {} (keep it secret and backed up)",
        out.display()
    );
    Ok(())
}

/// Give the app its registry keys from the key file, if one is named.
pub fn load_keys(app: &App, key_file: Option<&Path>) -> anyhow::Result<()> {
    // Like the default database `hemi.db`, the demo's key file in the working directory
    // is used when none is named, so the tour's commands find the demo's registry.
    let default = Path::new(DEFAULT_KEY_FILE);
    let path = key_file.or_else(|| default.exists().then_some(default));
    if let Some(path) = path {
        app.set_registry_keys(RegistryKeys::load(path)?);
    }
    Ok(())
}

/// The key file used when none is named and it exists in the working directory (the
/// demo writes it there).
pub const DEFAULT_KEY_FILE: &str = "hemi-registry.keys";

fn json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    write_stdout(&(serde_json::to_string_pretty(value)? + "\n"))
}

/// Run a command on the stored registry.
pub async fn run(cx: &Context, command: &RegistryCommand) -> anyhow::Result<()> {
    let app = &cx.app;
    let actor = &cx.actor;
    match command {
        RegistryCommand::Register(args) => {
            let input = PersonInput {
                given_name: args.given_name.clone(),
                second_given_name: args.second_given_name.clone(),
                first_surname: args.first_surname.clone(),
                second_surname: args.second_surname.clone(),
                sex: args.sex.clone(),
                date_of_birth: args.date_of_birth.clone(),
                nationality: args.nationality.clone(),
                document_type: args.document_type.clone(),
                document_number: args.document_number.clone(),
                document_issuer: args.document_issuer.clone(),
                phone: args.phone.clone(),
                municipality: args.municipality.clone(),
                household_id: args.household_id.clone(),
                relationship: String::new(),
                office: args.office.clone(),
            };
            let r = app.register_person(&input, actor).await?;
            let mut table = Table::new(&[
                "person_id",
                "person",
                "matched_existing",
                "compared_with",
                "queued_for_review",
            ]);
            table.push(vec![
                r.person_id.clone().into(),
                r.cluster_id.clone().into(),
                if r.matched_existing { "yes" } else { "no" }.into(),
                Cell::Int(r.candidates as i64),
                r.queued_for_review
                    .iter()
                    .map(|(other, p, _)| format!("{other} ({p:.3})"))
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into(),
            ]);
            print_table(&table, args.output.format)
        }
        RegistryCommand::Search(args) => {
            let hits = app.search_persons(&args.query, actor).await?;
            let mut table = Table::new(&[
                "person_id",
                "name",
                "date_of_birth",
                "nationality",
                "office",
                "person",
                "score",
            ]);
            for h in hits {
                table.push(vec![
                    h.person_id.into(),
                    h.display_name.into(),
                    h.date_of_birth.into(),
                    h.nationality.into(),
                    h.office.into(),
                    h.cluster_id.into(),
                    Cell::Float(h.score),
                ]);
            }
            print_table(&table, args.output.format)
        }
        RegistryCommand::Show(args) => {
            let record = app.show_person(&args.person_id, actor).await?;
            if args.output.format == Format::Json {
                return json(&record);
            }
            let p = &record.record.person;
            let doc = p.documents.first();
            let mut fields = Table::new(&["field", "value"]);
            for (name, value) in [
                ("person_id", record.record.person_id.clone()),
                ("person", record.record.cluster_id.clone()),
                ("other_records", record.same_person.join(" ")),
                ("name", record.record.display_name.clone()),
                (
                    "sex",
                    p.sex.map(|s| s.code().to_owned()).unwrap_or_default(),
                ),
                (
                    "date_of_birth",
                    p.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                ),
                (
                    "nationality",
                    p.nationalities
                        .iter()
                        .map(|n| n.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                (
                    "document",
                    doc.map(|d| format!("{} {}", d.document_type.as_str(), d.number))
                        .unwrap_or_default(),
                ),
                ("phone", p.contact.phone.clone()),
                ("municipality", p.contact.municipality.clone()),
                (
                    "household",
                    p.household
                        .as_ref()
                        .map(|h| h.household_id.clone())
                        .unwrap_or_default(),
                ),
                ("office", record.record.office.clone()),
                ("registered_by", record.record.registered_by.clone()),
            ] {
                fields.push(vec![name.into(), value.into()]);
            }
            print_table(&fields, args.output.format)?;
            if !record.permits.is_empty() {
                if args.output.format == Format::Table {
                    write_stdout("\n")?;
                }
                let mut permits = Table::new(&[
                    "permit_id",
                    "record",
                    "program",
                    "state",
                    "valid_until",
                    "next_states",
                ]);
                for permit in &record.permits {
                    permits.push(vec![
                        permit.permit_id.clone().into(),
                        permit.person_id.clone().into(),
                        permit.program_id.clone().into(),
                        permit.state.clone().into(),
                        Cell::opt(permit.valid_until.clone()),
                        permit.next_states.join(" ").into(),
                    ]);
                }
                print_table(&permits, args.output.format)?;
            }
            Ok(())
        }
        RegistryCommand::Permit(p) => {
            let (view, format) = match p {
                RegistryPermitCommand::Create(a) => (
                    app.create_permit(&a.person, &a.program, actor).await?,
                    a.output.format,
                ),
                RegistryPermitCommand::Transition(a) => (
                    app.transition_permit(&a.permit_id, &a.to, &a.reason, actor)
                        .await?,
                    a.output.format,
                ),
            };
            if format == Format::Json {
                return json(&view);
            }
            let mut table = Table::new(&[
                "permit_id",
                "record",
                "program",
                "state",
                "valid_until",
                "next_states",
            ]);
            table.push(vec![
                view.permit_id.into(),
                view.person_id.into(),
                view.program_id.into(),
                view.state.into(),
                Cell::opt(view.valid_until),
                view.next_states.join(" ").into(),
            ]);
            print_table(&table, format)
        }
        RegistryCommand::Review(RegistryReviewCommand::List(args)) => {
            let items = app.review_queue(!args.all, actor).await?;
            if args.output.format == Format::Json {
                return json(&items);
            }
            let mut table = Table::new(&[
                "id",
                "record_a",
                "name_a",
                "record_b",
                "name_b",
                "reason",
                "probability",
                "decision",
                "explanation",
            ]);
            for item in items {
                let explanation = if args.explain {
                    item.explanation
                        .as_ref()
                        .map(|e| {
                            e.fields
                                .iter()
                                .map(|f| {
                                    format!(
                                        "{}={} ({:+.1})",
                                        f.comparison, f.level_name, f.partial_weight
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join("; ")
                        })
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                table.push(vec![
                    Cell::Int(item.id),
                    item.record_a.into(),
                    item.name_a.into(),
                    item.record_b.into(),
                    item.name_b.into(),
                    item.reason.into(),
                    Cell::Float((item.match_probability * 1000.0).round() / 1000.0),
                    Cell::opt(item.decision),
                    explanation.into(),
                ]);
            }
            print_table(&table, args.output.format)
        }
        RegistryCommand::Review(RegistryReviewCommand::Resolve(args)) => {
            let item = app
                .resolve_review(args.id, args.same_person, &args.reason, actor)
                .await?;
            let mut table = Table::new(&["id", "record_a", "record_b", "decision", "decided_by"]);
            table.push(vec![
                Cell::Int(item.id),
                item.record_a.into(),
                item.record_b.into(),
                Cell::opt(item.decision),
                Cell::opt(item.decided_by),
            ]);
            print_table(&table, args.output.format)
        }
        RegistryCommand::Stats(args) => {
            let stats = app.registry_statistics().await?;
            let (t, row_name, col_name) = match args.table {
                RegistryStatsTable::ByState => (&stats.by_state, "nationality", "state"),
                RegistryStatsTable::ByMonth => (&stats.by_month, "state", "month"),
            };
            let mut table = Table::new(&[
                "row_dimension",
                "row",
                "column_dimension",
                "column",
                "permits",
            ]);
            for (r, row_key) in t.row_keys.iter().enumerate() {
                for (c, col_key) in t.column_keys.iter().enumerate() {
                    table.push(vec![
                        row_name.into(),
                        row_key.clone().into(),
                        col_name.into(),
                        col_key.clone().into(),
                        Cell::Int(t.cells_people[r][c] as i64),
                    ]);
                }
            }
            print_table(&table, args.output.format)?;
            eprintln!("{}", stats.rule.text);
            Ok(())
        }
        RegistryCommand::Synth(_)
        | RegistryCommand::Dedupe(_)
        | RegistryCommand::LinkageEval(_)
        | RegistryCommand::Keygen(_) => run_files(command).await,
    }
}

async fn linkage_eval(args: &RegistryEvalArgs) -> anyhow::Result<()> {
    let chosen = if args.dataset.is_empty() && args.input.is_none() {
        vec![
            EvalDatasetArg::Febrl3,
            EvalDatasetArg::Febrl4,
            EvalDatasetArg::Synth,
        ]
    } else {
        args.dataset.clone()
    };
    let mut datasets = Vec::new();
    for d in chosen {
        match d {
            EvalDatasetArg::Febrl1 => datasets.push(EvalDataset::Febrl(1)),
            EvalDatasetArg::Febrl2 => datasets.push(EvalDataset::Febrl(2)),
            EvalDatasetArg::Febrl3 => datasets.push(EvalDataset::Febrl(3)),
            EvalDatasetArg::Febrl4 => datasets.push(EvalDataset::Febrl(4)),
            EvalDatasetArg::Synth => {
                files::check_synth(args.people, args.dup_rate)?;
                datasets.extend(args.seed.iter().map(|&seed| EvalDataset::Synth {
                    people: args.people,
                    dup_rate: args.dup_rate,
                    seed,
                }))
            }
        }
    }
    if let (Some(records), Some(truth)) = (&args.input, &args.truth) {
        datasets.push(EvalDataset::Files {
            records: records.clone(),
            truth: truth.clone(),
        });
    }
    let rows = files::linkage_eval(datasets).await?;
    let mut table = Table::new(&[
        "dataset",
        "task",
        "records",
        "precision",
        "recall",
        "f1",
        "true_pairs_found",
        "false_pairs",
        "pairs_missed",
        "seconds",
    ]);
    let four = |v: f64| Cell::Float((v * 10_000.0).round() / 10_000.0);
    for r in rows {
        table.push(vec![
            r.dataset.into(),
            r.task.into(),
            Cell::Int(r.records as i64),
            four(r.scores.precision),
            four(r.scores.recall),
            four(r.scores.f1),
            r.scores.true_positive_pairs.into(),
            r.scores.false_positive_pairs.into(),
            r.scores.false_negative_pairs.into(),
            Cell::Float((r.seconds * 100.0).round() / 100.0),
        ]);
    }
    print_table(&table, args.output.format)
}

/// The demo's registry: a key file beside the database when none is given, then about
/// 200 synthetic records with permits (once).
pub async fn load_demo(cx: &Context) -> anyhow::Result<()> {
    if !cx.app.has_registry_keys() {
        let path = std::path::PathBuf::from(DEFAULT_KEY_FILE);
        if !path.exists() {
            keygen(&path, "demo")?;
        }
        cx.app.set_registry_keys(RegistryKeys::load(&path)?);
    }
    let loaded = cx.app.load_demo_registry(180, &cx.actor).await?;
    if loaded.loaded {
        eprintln!(
            "registered {} synthetic people in the registry ({} joined an existing person, {} pairs to review, {} permits)",
            loaded.registered, loaded.matched, loaded.queued, loaded.permits
        );
    } else {
        eprintln!("the registry already holds records");
    }
    Ok(())
}
