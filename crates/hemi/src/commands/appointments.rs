//! `hemi appointments`: the publicly verifiable appointment lottery (register, open a
//! draw with its commitment, draw with the public value, verify from the published
//! files) and its fairness month (the three policies side by side over one simulated
//! caseload).

use std::sync::Arc;

use anyhow::Context as _;
use hemi_allocation::fairness::SimulationOptions;
use hemi_app::allocation::draws::{DrawVerification, DrawView};
use hemi_app::allocation::files;

use super::{rounded, Context};
use crate::cli::{AppointmentsCommand, DrawTable, FairnessArgs, FairnessView, ShowDrawArgs};
use crate::output::{print_table, Cell, Table};
use crate::progress::Bar;

/// True for the subcommands that need no database.
pub fn without_store(command: &AppointmentsCommand) -> bool {
    matches!(command, AppointmentsCommand::Fairness(_))
}

pub async fn run_files(command: &AppointmentsCommand) -> anyhow::Result<()> {
    match command {
        AppointmentsCommand::Fairness(args) => fairness(args).await,
        _ => unreachable!("the other subcommands need the store"),
    }
}

pub async fn run(cx: &Context, command: &AppointmentsCommand) -> anyhow::Result<()> {
    match command {
        AppointmentsCommand::Fairness(_) => run_files(command).await,
        AppointmentsCommand::Register(args) => {
            let text = std::fs::read_to_string(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let done = cx
                .app
                .register_households(text, &args.file.display().to_string(), &cx.actor)
                .await?;
            eprintln!("registered {} households ({} people)", done.households, done.people);
            Ok(())
        }
        AppointmentsCommand::Open(args) => {
            let text = std::fs::read_to_string(&args.policy)
                .with_context(|| format!("cannot read {}", args.policy.display()))?;
            let draw = cx
                .app
                .open_draw(&text, &args.policy.display().to_string(), &args.public_value_source, &cx.actor)
                .await?;
            // The id on stdout for scripts; the rest for people.
            crate::output::write_stdout(&format!("{}\n", draw.id))?;
            eprintln!(
                "draw {} opened for {}: {} households ({} people) registered up to {}\ncommitment {}\npublic value to come from: {}",
                draw.id, draw.draw_date, draw.households, draw.people, draw.registration_closed_on, draw.commitment, draw.public_value_source
            );
            Ok(())
        }
        AppointmentsCommand::Draw(args) => {
            let view = cx.app.run_draw(args.draw_id, &args.public_value, &cx.actor).await?;
            eprintln!("draw {} run: seed {}", args.draw_id, view.draw.seed.as_deref().unwrap_or(""));
            show(&view, DrawTable::Selections, args.output.format)
        }
        AppointmentsCommand::Verify(args) => match cx.app.verify_draw(args.draw_id).await? {
            DrawVerification::Verified(v) => {
                crate::output::write_stdout(&format!(
                    "draw {}: verified: commitment {} matches, seed {}, {} selections re-run bit for bit\n",
                    args.draw_id, v.commitment, v.seed, v.selections
                ))
            }
            DrawVerification::Failed { difference } => {
                anyhow::bail!("draw {}: VERIFICATION FAILED: {difference}", args.draw_id)
            }
        },
        AppointmentsCommand::Show(args) => show_draw(cx, args).await,
        AppointmentsCommand::Draws(output) => {
            let mut t = Table::new(&["id", "draw_date", "closed_on", "households", "people", "commitment", "drawn"]);
            for d in cx.app.draws().await? {
                t.push(vec![
                    Cell::Int(d.id),
                    d.draw_date.into(),
                    d.registration_closed_on.into(),
                    Cell::Int(d.households),
                    Cell::Int(d.people),
                    d.commitment.into(),
                    (if d.drawn_at.is_some() { "yes" } else { "no" }).into(),
                ]);
            }
            print_table(&t, output.format)
        }
        AppointmentsCommand::Publish(args) => {
            let view = cx.app.draw_view(args.draw_id).await?;
            std::fs::create_dir_all(&args.out_dir)
                .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
            for (name, content) in &view.files {
                let path = args.out_dir.join(name);
                std::fs::write(&path, content).with_context(|| format!("cannot write {}", path.display()))?;
            }
            eprintln!("wrote {} files of draw {} to {}", view.files.len(), args.draw_id, args.out_dir.display());
            Ok(())
        }
    }
}

async fn show_draw(cx: &Context, args: &ShowDrawArgs) -> anyhow::Result<()> {
    let view = cx.app.draw_view(args.draw_id).await?;
    let d = &view.draw;
    eprintln!(
        "draw {} for {}: {} households ({} people) registered up to {}; commitment {}; public value from {}{}",
        d.id,
        d.draw_date,
        d.households,
        d.people,
        d.registration_closed_on,
        d.commitment,
        d.public_value_source,
        match (&d.public_value, &d.seed) {
            (Some(v), Some(s)) => format!(": {v:?}; seed {s}"),
            _ => " (not drawn yet)".into(),
        }
    );
    show(&view, args.view, args.output.format)
}

fn show(view: &DrawView, table: DrawTable, format: crate::cli::Format) -> anyhow::Result<()> {
    let t = match table {
        DrawTable::Selections => {
            let result = view
                .files
                .iter()
                .find(|(n, _)| n == "result.csv")
                .map(|(_, c)| c.as_str())
                .unwrap_or("");
            let mut t = Table::new(&["order", "household_id", "port", "phase"]);
            for line in result.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                if f.len() == 4 {
                    t.push(vec![
                        Cell::Int(f[0].parse().unwrap_or(0)),
                        f[1].into(),
                        f[2].into(),
                        f[3].into(),
                    ]);
                }
            }
            t
        }
        DrawTable::Bands | DrawTable::Nationality => {
            let mut t = Table::new(&[
                "group",
                "households_registered",
                "people_registered",
                "households_selected",
                "people_selected",
                "selection_rate_percent",
                "selection_probability_percent",
            ]);
            if let Some(stats) = &view.statistics {
                let rows = if table == DrawTable::Bands {
                    &stats.by_wait_band
                } else {
                    &stats.by_nationality
                };
                for g in rows {
                    t.push(vec![
                        g.group.clone().into(),
                        g.households_registered.into(),
                        g.people_registered.into(),
                        g.households_selected.into(),
                        g.people_selected.into(),
                        percent(g.selection_rate),
                        g.selection_probability.map(percent).unwrap_or(Cell::Empty),
                    ]);
                }
            }
            t
        }
    };
    print_table(&t, format)
}

fn percent(share: f64) -> Cell {
    rounded(Some(100.0 * share), 2)
}

async fn fairness(args: &FairnessArgs) -> anyhow::Result<()> {
    let options = SimulationOptions {
        initial_pool_households: args.initial_pool,
        arrivals_per_day: args.arrivals_per_day,
        abandonment_per_day: args.abandonment_per_day,
        places_per_day_people: args.places_per_day,
        days: args.days,
        seed: args.seed,
        ..SimulationOptions::default()
    };
    let bar = Arc::new(Bar::count());
    let report = files::fairness_report(options, bar.clone()).await;
    bar.finish();
    let report = report?;
    let table = match args.view {
        FairnessView::Summary => {
            let mut t = Table::new(&[
                "policy",
                "longest_waiting_share_percent",
                "households_drawn",
                "median_wait_days",
                "p90_wait_days",
                "never_drawn_percent",
                "gave_up_before_drawn_percent",
            ]);
            for p in &report.policies {
                t.push(vec![
                    p.name.clone().into(),
                    rounded(Some(f64::from(p.longest_waiting_share_permille) / 10.0), 1),
                    p.households_drawn.into(),
                    rounded(Some(p.median_wait_days), 1),
                    rounded(Some(p.p90_wait_days), 1),
                    percent(p.share_never_drawn),
                    percent(p.share_abandoned_before_drawn),
                ]);
            }
            t
        }
        FairnessView::Waiting => {
            let mut t = Table::new(&["policy", "waited_days", "households_drawn"]);
            for p in &report.policies {
                for (band, n) in &p.waiting_days_histogram {
                    t.push(vec![
                        p.name.clone().into(),
                        band.clone().into(),
                        (*n).into(),
                    ]);
                }
            }
            t
        }
        FairnessView::Nationality | FairnessView::HouseholdSize => {
            let mut t = Table::new(&["policy", "group", "households", "drawn", "rate_percent"]);
            for p in &report.policies {
                let rows = if args.view == FairnessView::Nationality {
                    &p.by_nationality
                } else {
                    &p.by_household_size
                };
                for r in rows {
                    t.push(vec![
                        p.name.clone().into(),
                        r.group.clone().into(),
                        r.households.into(),
                        r.drawn.into(),
                        percent(r.rate),
                    ]);
                }
            }
            t
        }
    };
    print_table(&table, args.output.format)?;
    eprintln!(
        "simulated {} days from {}: {} households waiting on day 1, {} arrivals a day, {} places a day (seed {}); every day drawn with the real lottery under each policy",
        report.options.days,
        report.options.first_day,
        report.options.initial_pool_households,
        report.options.arrivals_per_day,
        report.options.places_per_day_people,
        report.options.seed
    );
    Ok(())
}

/// The demo's allocation caseload (a draw, a placement plan), loaded once.
pub async fn load_demo(cx: &Context) -> anyhow::Result<()> {
    let loaded = cx.app.load_allocation_demo(&cx.actor).await?;
    if let Some(id) = loaded.draw_id {
        eprintln!("drew the demo appointment draw {id}: /draws/{id}");
    }
    if let Some(id) = loaded.plan_id {
        eprintln!("solved the demo placement plan {id}: /placement");
    }
    Ok(())
}
