//! Manifest: the one place for editing and reading Cargo manifests as
//! `toml_edit` documents (foundation: imports only `name`). `render`,
//! `eject`, `migrate` and `package` all edit manifests through these
//! helpers, so a formatting rule (key order, decor, CRLF) is fixed once.
//!
//! - [`edit`]: key paths, in-place insertion (tables and inline tables),
//!   empty-table removal, line endings.
//! - [`tables`]: dependency tables ([`TableId`]), managed entries, sources.

pub mod edit;
pub mod tables;

pub use edit::{
    ensure_implicit, ensure_path, get_path, get_path_mut, inline_push, inline_remove, insert_at,
    insert_formatted, platform_key, prune_empty_tables, remove_empty_tables, replace_keeping_key,
    with_line_endings_of,
};
pub use tables::{
    DepKind, Source, TableId, insert_source, is_managed, is_managed_in, real_tables,
    same_dependency,
};
