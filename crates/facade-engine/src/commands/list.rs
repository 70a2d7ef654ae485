//! `cargo facade list [--format json]`: the plan, printed by
//! [`crate::list`]; nothing is rendered or written.

use std::collections::BTreeMap;

use super::{Planned, planned};
use crate::list::{self, ListFormat};
use crate::shell::Shell;
use crate::{Exit, Options};

/// Runs `list`.
pub fn run(format: ListFormat, options: &Options, shell: &mut Shell) -> anyhow::Result<Exit> {
    let Planned { ws, plan, .. } =
        planned(options, shell, false, &BTreeMap::new(), |_, _, _, _| {
            Ok(Vec::new())
        })?;
    list::print(&ws, &plan, format, shell)?;
    Ok(Exit::Success)
}
