//! `hemi placement`: solve an instance given as files (objective, proved upper bound,
//! gap, the plan written as CSV), write synthetic instances in the same layout, and
//! work on stored instances: plans, explanations, occupancy, overrides with a reason.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use hemi_allocation::placement::{SolveOptions, SynthFiles, SynthOptions};
use hemi_app::allocation::files::{self, NamedReader, PlacementFiles};
use hemi_app::allocation::plans::OverrideRequest;
use hemi_app::allocation::PlacementFileNames;
use hemi_store::allocation::{InstanceFiles, PlanRow};

use super::{rounded, Context};
use crate::cli::{PlacementCommand, PlacementSolveArgs, PlacementSynthArgs};
use crate::output::{print_table, Cell, Table};
use crate::progress::Bar;

/// True for the subcommands that read and write files only (no database is opened).
pub fn without_store(command: &PlacementCommand) -> bool {
    matches!(
        command,
        PlacementCommand::Solve(_) | PlacementCommand::Synth(_)
    )
}

/// The file-only subcommands.
pub async fn run_files(command: &PlacementCommand) -> anyhow::Result<()> {
    match command {
        PlacementCommand::Solve(args) => solve(args).await,
        PlacementCommand::Synth(args) => synth(args).await,
        _ => unreachable!("the other subcommands need the store"),
    }
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn plan_table(plans: &[PlanRow]) -> Table {
    let mut t = Table::new(&[
        "plan",
        "instance",
        "objective",
        "upper_bound",
        "gap_percent",
        "placed",
        "unplaced",
        "based_on",
        "household_id",
        "reason",
        "by",
    ]);
    for p in plans {
        t.push(vec![
            Cell::Int(p.id),
            Cell::Int(p.instance_id),
            rounded(Some(p.objective), 4),
            rounded(p.upper_bound, 4),
            rounded(p.relative_gap.map(|g| 100.0 * g), 4),
            Cell::Int(p.households_placed),
            Cell::Int(p.households_unplaced),
            p.based_on.map(Cell::Int).unwrap_or(Cell::Empty),
            Cell::opt(p.household_id.clone()),
            Cell::opt(p.reason.clone()),
            p.created_by.clone().into(),
        ]);
    }
    t
}

pub async fn run(cx: &Context, command: &PlacementCommand) -> anyhow::Result<()> {
    match command {
        PlacementCommand::Solve(_) | PlacementCommand::Synth(_) => run_files(command).await,
        PlacementCommand::Store(args) => {
            let files = InstanceFiles {
                households_csv: read_text(&args.households)?,
                sites_csv: read_text(&args.sites)?,
                arcs_csv: read_text(&args.arcs)?,
            };
            let names = PlacementFileNames {
                households: args.households.display().to_string(),
                sites: args.sites.display().to_string(),
                arcs: args.arcs.display().to_string(),
            };
            let row = cx
                .app
                .store_placement_instance(&args.name, files, names, &cx.actor)
                .await?;
            crate::output::write_stdout(&format!("{}\n", row.id))?;
            eprintln!(
                "instance {} stored: {} households ({} people), {} sites ({} places), {} arcs",
                row.id, row.households, row.people, row.sites, row.capacity_people, row.arcs
            );
            Ok(())
        }
        PlacementCommand::Instances(output) => {
            let mut t = Table::new(&[
                "instance",
                "name",
                "households",
                "people",
                "sites",
                "capacity_people",
                "arcs",
                "by",
            ]);
            for i in cx.app.placement_instances().await? {
                t.push(vec![
                    Cell::Int(i.id),
                    i.name.into(),
                    Cell::Int(i.households),
                    Cell::Int(i.people),
                    Cell::Int(i.sites),
                    Cell::Int(i.capacity_people),
                    Cell::Int(i.arcs),
                    i.created_by.into(),
                ]);
            }
            print_table(&t, output.format)
        }
        PlacementCommand::Plan(args) => {
            let bar = Arc::new(Bar::count());
            let plan = cx
                .app
                .solve_stored_instance(args.instance_id, args.allow_partial, &cx.actor, bar.clone())
                .await;
            bar.finish();
            print_table(&plan_table(&[plan?]), args.output.format)
        }
        PlacementCommand::Plans(output) => print_table(
            &plan_table(&cx.app.placement_plans(None).await?),
            output.format,
        ),
        PlacementCommand::Show(args) => {
            let detail = cx.app.placement_plan(args.plan_id).await?;
            let mut t = Table::new(&[
                "site_id",
                "capacity_people",
                "people",
                "households",
                "free_people",
                "score_total",
            ]);
            for o in &detail.occupancy {
                t.push(vec![
                    o.site_id.clone().into(),
                    Cell::Int(o.capacity_people.into()),
                    o.people.into(),
                    (o.households as u64).into(),
                    Cell::Int(i64::from(o.capacity_people) - o.people as i64),
                    rounded(Some(o.score_total), 4),
                ]);
            }
            print_table(&t, args.output.format)?;
            let p = &detail.plan;
            eprintln!(
                "plan {} of instance {} ({}): objective {:.4}{}; {} placed, {} unplaced",
                p.id,
                detail.instance.id,
                detail.instance.name,
                p.objective,
                p.upper_bound
                    .map(|b| format!(", bound {b:.4}"))
                    .unwrap_or_default(),
                p.households_placed,
                p.households_unplaced
            );
            Ok(())
        }
        PlacementCommand::Explain(args) => {
            let e = cx
                .app
                .explain_placement(args.plan_id, &args.household_id)
                .await?;
            let mut t = Table::new(&[
                "site_id",
                "score",
                "score_change",
                "free_people",
                "people_to_displace",
                "estimated_objective_change",
            ]);
            for a in &e.alternatives {
                t.push(vec![
                    a.site_id.clone().into(),
                    rounded(Some(a.score), 4),
                    rounded(Some(a.score_change), 4),
                    Cell::Int(a.free_people),
                    a.people_to_displace.into(),
                    rounded(Some(a.estimated_objective_change), 4),
                ]);
            }
            eprintln!(
                "household {} ({} people) is at {} with score {} (rank {} of {} candidates); next-best alternatives:",
                e.household_id,
                e.size_people,
                e.site_id.as_deref().unwrap_or("no site"),
                e.score.map(|s| format!("{s:.4}")).unwrap_or_else(|| "-".into()),
                e.rank_among_candidates.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                e.candidates
            );
            print_table(&t, args.output.format)
        }
        PlacementCommand::Override(args) => {
            let request = OverrideRequest {
                household_id: args.household.clone(),
                site_id: args.site.clone(),
                reason: args.reason.clone(),
            };
            let done = cx
                .app
                .override_placement(args.plan_id, &request, &cx.actor)
                .await?;
            eprintln!(
                "household {} moved from {} to {}: objective {:.4} -> {:.4}",
                args.household,
                done.from_site.as_deref().unwrap_or("no site"),
                if args.site.is_empty() {
                    "no site"
                } else {
                    &args.site
                },
                done.previous_objective,
                done.evaluation.objective
            );
            print_table(&plan_table(&[done.plan]), args.output.format)
        }
    }
}

/// A file opened for reading, named as the user typed it.
pub fn open(path: &Path) -> anyhow::Result<NamedReader> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(NamedReader {
        name: path.display().to_string(),
        reader: Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
    })
}

async fn solve(args: &PlacementSolveArgs) -> anyhow::Result<()> {
    let input = PlacementFiles {
        households: open(&args.households)?,
        sites: open(&args.sites)?,
        arcs: open(&args.arcs)?,
    };
    let options = SolveOptions {
        allow_partial: args.allow_partial,
        ..SolveOptions::default()
    };
    let bar = Arc::new(Bar::count());
    let started = std::time::Instant::now();
    let solved = files::solve_placement_files(input, options, bar.clone()).await;
    bar.finish();
    let solved = solved?;
    let seconds = started.elapsed().as_secs_f64();
    let report = &solved.report;
    if let Some(out) = &args.out {
        let plan = hemi_allocation::placement::write_plan(&solved.instance, &report.plan);
        std::fs::write(out, plan).with_context(|| format!("cannot write {}", out.display()))?;
    }
    let mut table = Table::new(&["measure", "value"]);
    let row = |name: &str, value: Cell| vec![Cell::Text(name.to_owned()), value];
    table.push(row("objective", rounded(Some(report.objective), 6)));
    table.push(row("upper_bound", rounded(Some(report.upper_bound), 6)));
    table.push(row(
        "gap_percent",
        rounded(Some(100.0 * report.relative_gap), 4),
    ));
    table.push(row(
        "households_placed",
        (report.households_placed as u64).into(),
    ));
    table.push(row(
        "households_unplaced",
        (report.households_unplaced as u64).into(),
    ));
    table.push(row("people_placed", report.people_placed.into()));
    table.push(row("soft_ties_held", (report.soft_ties_held as u64).into()));
    table.push(row("seconds", rounded(Some(seconds), 2)));
    print_table(&table, args.output.format)?;
    if let Some(out) = &args.out {
        eprintln!(
            "plan written to {} ({} households, {} sites, {} arcs)",
            out.display(),
            solved.instance.households.len(),
            solved.instance.sites.len(),
            solved.instance.arc_count()
        );
    }
    if report.households_unplaced > 0 {
        eprintln!(
            "warning: {} households not placed (empty site in the plan): not all fit",
            report.households_unplaced
        );
    }
    Ok(())
}

async fn synth(args: &PlacementSynthArgs) -> anyhow::Result<()> {
    let options = SynthOptions {
        households: args.households,
        sites: args.sites,
        arcs_per_household: (args.arcs_per_household > 0).then_some(args.arcs_per_household),
        capacity_slack: args.capacity_slack,
        size_shift: args.size_shift,
        seed: args.seed,
    };
    let instance = files::synth_placement(options).await?;
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    let create = |name: &str| -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
        let path = args.out_dir.join(name);
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(std::io::BufWriter::new(file))
    };
    let (mut h, mut s, mut a) = (
        create("households.csv")?,
        create("sites.csv")?,
        create("arcs.csv")?,
    );
    instance
        .write_files(SynthFiles {
            households: &mut h,
            sites: &mut s,
            arcs: &mut a,
        })
        .context("cannot write the instance")?;
    for w in [&mut h, &mut s, &mut a] {
        std::io::Write::flush(w).context("cannot write the instance")?;
    }
    eprintln!(
        "wrote {}/households.csv, sites.csv, arcs.csv: {} households ({} people), {} sites ({} places), {} arcs",
        args.out_dir.display(),
        instance.households.len(),
        instance.people(),
        instance.sites.len(),
        instance.capacity_people(),
        instance.arc_count()
    );
    Ok(())
}
