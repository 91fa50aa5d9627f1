//! `hemi users add|list|disable|token|role|passwd`: accounts of the web app, changed
//! through `hemi_app`'s account workflows (each audited, with the operator as actor).
//! Passwords come from standard input only, so they never appear in shell history or
//! the process list.

use std::io::BufRead;

use hemi_app::AppError;
use hemi_core::Role;

use super::Context;
use crate::cli::UsersCommand;
use crate::output::{print_table, write_stdout, Cell, Table};

fn role(name: &str) -> hemi_app::Result<Role> {
    // clap offers only the role names, so this fails only if the two lists part.
    Role::parse(name).ok_or_else(|| {
        AppError::invalid(
            "role",
            format!("{name:?} is not a role"),
            "`hemi users add --help` lists them",
        )
    })
}

/// One line of standard input, without its line end.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(AppError::invalid(
            "password",
            "no password on standard input",
            "pipe it in: printf '%s\\n' \"$PASSWORD\" | hemi users add NAME --role ROLE --password-stdin",
        )
        .into());
    }
    Ok(password)
}

pub async fn run(cx: &Context, command: &UsersCommand) -> anyhow::Result<()> {
    let app = &cx.app;
    match command {
        UsersCommand::Add(args) => {
            let role = role(&args.role)?;
            let password = password_from_stdin()?;
            app.add_user(
                &args.name,
                role,
                args.country.as_deref(),
                args.office.as_deref(),
                &password,
                &cx.actor,
            )
            .await?;
            eprintln!("added {} ({})", args.name, role.as_str());
            Ok(())
        }
        UsersCommand::List(output) => {
            let mut table = Table::new(&["name", "role", "country", "office", "created", "status"]);
            for u in app.users().await? {
                table.push(vec![
                    u.name.into(),
                    u.role.into(),
                    Cell::opt(u.country),
                    Cell::opt(u.office),
                    hemi_app::time::rfc3339_seconds(u.created_at).into(),
                    if u.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    }
                    .into(),
                ]);
            }
            print_table(&table, output.format)
        }
        UsersCommand::Disable { name } => {
            app.disable_user(name, &cx.actor).await?;
            eprintln!("disabled {name}: its sessions ended and its API tokens stopped working");
            Ok(())
        }
        UsersCommand::Token { name, label } => {
            let token = app.issue_api_token(name, label, &cx.actor).await?;
            eprintln!(
                "API token for {name} (shown once; send it as 'Authorization: Bearer TOKEN'):"
            );
            write_stdout(&format!("{token}\n"))
        }
        UsersCommand::Role(args) => {
            let role = role(&args.role)?;
            app.set_user_role(
                &args.name,
                role,
                args.country.as_deref(),
                args.office.as_deref(),
                &cx.actor,
            )
            .await?;
            eprintln!("{} is now {}", args.name, role.as_str());
            Ok(())
        }
        UsersCommand::Passwd(args) => {
            let password = password_from_stdin()?;
            app.set_password(&args.name, &password, None, &cx.actor)
                .await?;
            eprintln!("changed the password of {}; its sessions ended", args.name);
            Ok(())
        }
    }
}
