//! `hemi users add|list|disable|token`: accounts of the web app. Passwords come from
//! standard input only, so they never appear in shell history or the process list.

use std::io::BufRead;

use hemi_server::accounts;
use hemi_server::Role;
use hemi_store::Store;

use crate::cli::{RoleArg, UsersCommand};
use crate::input_error::InputError;
use crate::output::{print_table, write_stdout, Cell, Table};

/// Who the audit log names for changes made here.
const CLI_ACTOR: &str = "cli";

fn role(arg: RoleArg) -> Role {
    match arg {
        RoleArg::Admin => Role::Admin,
        RoleArg::Secretariat => Role::Secretariat,
        RoleArg::WatchOfficer => Role::WatchOfficer,
        RoleArg::NationalOfficer => Role::NationalOfficer,
        RoleArg::PathwaysOfficer => Role::PathwaysOfficer,
    }
}

fn bad_input(field: &str, message: String, hint: &str) -> anyhow::Error {
    InputError::one(hemi_core::Diagnostic {
        file: "command line".into(),
        line: 0,
        field: field.into(),
        message,
        hint: hint.into(),
    })
    .into()
}

/// The account error as bad input (exit 2) or a failure (exit 1).
fn account_error(e: accounts::AccountError, field: &str) -> anyhow::Error {
    match e {
        accounts::AccountError::Invalid(message) => {
            bad_input(field, message, "see `hemi users --help`")
        }
        other => other.into(),
    }
}

pub async fn run(store: &Store, command: &UsersCommand) -> anyhow::Result<()> {
    match command {
        UsersCommand::Add(args) => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            if password.is_empty() {
                return Err(bad_input("password", "no password on standard input".into(), "pipe it in: `printf '%s\\n' \"$PW\" | hemi users add NAME --role ROLE --password-stdin`"));
            }
            accounts::add_user(
                store,
                CLI_ACTOR,
                &args.name,
                role(args.role),
                args.country.as_deref(),
                password,
            )
            .await
            .map_err(|e| account_error(e, "user"))?;
            write_stdout(&format!(
                "added {} ({})\n",
                args.name,
                role(args.role).as_str()
            ))
        }
        UsersCommand::List(output) => {
            let mut table = Table::new(&["name", "role", "country", "created", "status"]);
            for u in store.list_users().await? {
                table.push(vec![
                    u.name.into(),
                    u.role.into(),
                    Cell::opt(u.country),
                    Cell::Text(
                        humantime::format_rfc3339_seconds(
                            std::time::UNIX_EPOCH
                                + std::time::Duration::from_secs(u.created_at.max(0) as u64),
                        )
                        .to_string(),
                    ),
                    if u.disabled_at.is_some() {
                        "disabled".into()
                    } else {
                        "active".into()
                    },
                ]);
            }
            print_table(&table, output.format)
        }
        UsersCommand::Disable { name } => {
            accounts::disable_user(store, CLI_ACTOR, name)
                .await
                .map_err(|e| account_error(e, "user"))?;
            write_stdout(&format!("disabled {name}\n"))
        }
        UsersCommand::Token { name, label } => {
            let token = accounts::issue_api_token(store, CLI_ACTOR, name, label)
                .await
                .map_err(|e| account_error(e, "user"))?;
            eprintln!(
                "API token for {name} (shown once; send it as 'Authorization: Bearer TOKEN'):"
            );
            write_stdout(&format!("{token}\n"))
        }
    }
}
