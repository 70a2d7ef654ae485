//! `cargo facade remove 'acme::http'… [--dev|--build]`: removes declarations
//! as `cargo remove` removes dependencies (toml_edit, in the member of the
//! current folder or `-p`), then runs `sync` on the result, which drops the
//! managed entry or the facade that no one declares any more. Both are
//! written, or neither.

use std::collections::BTreeMap;

use toml_edit::{DocumentMut, Item};

use super::{lock_unless, sync, target_member};
use crate::diagnostic::{Diagnostic, InputErrors};
use crate::manifest::{DepKind, TableId, get_path_mut, remove_empty_tables};
use crate::name::DeclName;
use crate::shell::Shell;
use crate::{Exit, Options};

/// What `remove` removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveOptions {
    pub names: Vec<String>,
    pub kind: DepKind,
    /// The member to edit (default: the package of the current folder).
    pub package: Option<String>,
    pub dry_run: bool,
}

/// Runs `remove`.
pub fn run(opts: &RemoveOptions, options: &Options, shell: &mut Shell) -> anyhow::Result<Exit> {
    let _lock = lock_unless(opts.dry_run, options, shell)?;
    let (ws, manifest_path, text) = target_member(opts.package.as_deref(), options, shell)?;
    let Ok(mut doc) = text.parse::<DocumentMut>() else {
        // The plan reports the syntax error with its place.
        return sync::run_edited(opts.dry_run, &BTreeMap::new(), options, shell);
    };
    let member = ws
        .members
        .iter()
        .find(|m| m.manifest_path == manifest_path)
        .map_or("", |m| m.name.as_str());
    let table = TableId {
        target: None,
        kind: opts.kind,
    };
    let path = table.mirror_path();
    let mut missing = Vec::new();
    for name in &opts.names {
        let Ok(wanted) = DeclName::parse(name) else {
            missing.push(name.clone());
            continue;
        };
        let declarations = get_path_mut(doc.as_item_mut(), &path).and_then(Item::as_table_like_mut);
        let key = declarations.as_ref().and_then(|t| {
            t.iter()
                .map(|(key, _)| key)
                .find(|key| DeclName::parse(key).ok().as_ref() == Some(&wanted))
                .map(str::to_owned)
        });
        match (declarations, key) {
            (Some(declarations), Some(key)) => {
                declarations.remove(&key);
                shell.status(
                    "Removing",
                    format!(
                        "`{wanted}` from {} of {member}",
                        table.display("package.metadata.facade.")
                    ),
                );
            }
            _ => missing.push(name.clone()),
        }
    }
    if !missing.is_empty() {
        let quoted: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
        shell.diagnostic(
            &Diagnostic::error(format!(
                "{} {} not declared in {} of `{member}` ({})",
                quoted.join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                table.display("package.metadata.facade."),
                shell.display_path(&manifest_path)
            ))
            .help("`cargo facade list` shows what each member declares; `--dev` and `--build` pick the other tables"),
        );
        return Err(InputErrors {
            count: missing.len(),
        }
        .into());
    }
    remove_empty_tables(&mut doc, &path, 1);
    let mut edited = BTreeMap::new();
    edited.insert(manifest_path, doc.to_string());
    sync::run_edited(opts.dry_run, &edited, options, shell)
}
