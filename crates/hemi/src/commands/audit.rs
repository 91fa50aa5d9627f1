//! `hemi audit verify|log|head`: the hash-chained audit log, checked by
//! `App::verify_audit_chain` from the first entry to the head.

use hemi_app::AppError;
use hemi_store::AuditFilter;

use super::Context;
use crate::cli::AuditCommand;
use crate::output::{print_table, Cell, Table};

/// Entries shown at most by one `hemi audit log`.
const MAX_LOG_ENTRIES: i64 = 10_000;

pub async fn run(cx: &Context, command: &AuditCommand) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        AuditCommand::Verify(args) => {
            let expected = args.expect_head.as_deref().map(str::trim);
            if let Some(hash) = expected {
                if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(AppError::invalid(
                        "expect_head",
                        format!("{hash:?} is not a SHA-256 hash"),
                        "give the 64 hexadecimal digits `hemi audit head` printed",
                    )
                    .into());
                }
            }
            let check = app
                .verify_audit_chain(expected.map(str::to_ascii_lowercase).as_deref())
                .await?;
            let mut table =
                Table::new(&["entries", "head_seq", "head_hash", "intact", "first_broken"]);
            table.push(vec![
                Cell::Int(check.entries),
                Cell::Int(check.head.seq),
                check.head.hash.clone().into(),
                if check.first_broken.is_none() {
                    "yes"
                } else {
                    "no"
                }
                .into(),
                check
                    .first_broken
                    .as_ref()
                    .map(|b| Cell::Int(b.seq))
                    .unwrap_or(Cell::Empty),
            ]);
            print_table(&table, args.output.format)?;
            match check.first_broken {
                // Exit 1: the log, not the caller's input, is at fault.
                Some(broken) => anyhow::bail!(
                    "the audit log is broken at entry {}: {}",
                    broken.seq,
                    broken.reason
                ),
                None => {
                    eprintln!("the audit chain is intact: {} entries", check.entries);
                    Ok(())
                }
            }
        }
        AuditCommand::Log(args) => {
            if !(1..=MAX_LOG_ENTRIES).contains(&args.limit) {
                return Err(AppError::invalid(
                    "limit",
                    format!("{} is outside 1 to {MAX_LOG_ENTRIES}", args.limit),
                    "page back with smaller limits",
                )
                .into());
            }
            let filter = AuditFilter {
                action: args.action.clone(),
                actor: args.actor.clone(),
                subject: args.subject.clone(),
                before_seq: None,
                limit: args.limit,
            };
            let mut table =
                Table::new(&["seq", "at", "actor", "action", "subject", "ip", "detail"]);
            for e in app.audit_log(&filter).await? {
                table.push(vec![
                    Cell::Int(e.seq),
                    hemi_app::time::rfc3339_seconds(e.event.at).into(),
                    e.event.actor.into(),
                    e.event.action.into(),
                    e.event.subject.into(),
                    e.event.ip.into(),
                    e.event.detail.into(),
                ]);
            }
            print_table(&table, args.output.format)
        }
        AuditCommand::Head(output) => {
            let head = app.store().audit_head().await?;
            let mut table = Table::new(&["seq", "hash"]);
            table.push(vec![Cell::Int(head.seq), head.hash.into()]);
            print_table(&table, output.format)
        }
    }
}
