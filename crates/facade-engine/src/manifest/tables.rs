//! Dependency tables and dependency sources: which real tables a manifest
//! has, which entries cargo-facade manages in them, and how a source is
//! written as the keys of a dependency entry.

use std::path::PathBuf;

use toml_edit::{InlineTable, Item};

use crate::name::is_facade_package;

/// Cargo's dependency kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

impl DepKind {
    pub const ALL: [DepKind; 3] = [DepKind::Normal, DepKind::Dev, DepKind::Build];

    pub fn table_name(self) -> &'static str {
        match self {
            DepKind::Normal => "dependencies",
            DepKind::Dev => "dev-dependencies",
            DepKind::Build => "build-dependencies",
        }
    }
}

/// A dependency table: `[dependencies]`, `[target.'cfg(unix)'.dev-dependencies]`…
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableId {
    pub target: Option<String>,
    pub kind: DepKind,
}

impl TableId {
    /// The key path of the real table.
    pub fn real_path(&self) -> Vec<&str> {
        match &self.target {
            None => vec![self.kind.table_name()],
            Some(target) => vec!["target", target, self.kind.table_name()],
        }
    }

    /// The key path of the mirrored table under `[package.metadata.facade]`.
    pub fn mirror_path(&self) -> Vec<&str> {
        let mut path = vec!["package", "metadata", "facade"];
        path.extend(self.real_path());
        path
    }

    /// `[target.'cfg(unix)'.dependencies]` as written in a manifest.
    pub fn display(&self, prefix: &str) -> String {
        match &self.target {
            None => format!("[{prefix}{}]", self.kind.table_name()),
            Some(target) => format!("[{prefix}target.'{target}'.{}]", self.kind.table_name()),
        }
    }
}

/// Every real dependency table a manifest has.
pub fn real_tables(doc: &Item) -> Vec<TableId> {
    let mut out = Vec::new();
    for kind in DepKind::ALL {
        if doc.get(kind.table_name()).is_some() {
            out.push(TableId { target: None, kind });
        }
    }
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (platform, item) in targets.iter() {
            for kind in DepKind::ALL {
                if item.get(kind.table_name()).is_some() {
                    out.push(TableId {
                        target: Some(platform.to_owned()),
                        kind,
                    });
                }
            }
        }
    }
    out
}

/// Whether a real dependency entry is the managed entry of namespace `root`.
pub fn is_managed(root: &str, item: &Item) -> bool {
    is_managed_in(root, item, "")
}

/// [`is_managed`] for an entry of a spanned document parsed from `source`
/// (its decor is kept as spans into it): an entry of a facade package, or
/// one whose trailing comment is cargo-facade's marker (an entry of the
/// real root crate, where no facade is needed).
pub fn is_managed_in(root: &str, item: &Item, source: &str) -> bool {
    let facade = item
        .as_table_like()
        .and_then(|t| t.get("package"))
        .and_then(Item::as_str)
        .is_some_and(|p| is_facade_package(root, p));
    facade || crate::marker::is_marked_in(item, source)
}

/// Whether two dependency entries say the same thing, however written:
/// `foo = "1"`, `foo = { version = "1" }` and a `[dependencies.foo]` table
/// with `version = "1"` are one dependency; key order, spacing and
/// comments do not count.
pub fn same_dependency(a: &Item, b: &Item) -> bool {
    fn canonical(item: &Item) -> Option<std::collections::BTreeMap<&str, toml_edit::Value>> {
        if let Some(version) = item.as_str() {
            return Some([("version", version.into())].into());
        }
        let table = item.as_table_like()?;
        // `workspace = true` inherits from another table in a real entry
        // (`[workspace.dependencies]`) than in a declaration
        // (`[workspace.metadata.facade.dependencies]`): never the same.
        if table.contains_key("workspace") {
            return None;
        }
        table
            .iter()
            .filter(|(key, item)| {
                // Cargo's defaults, written out or not.
                let default = match *key {
                    "default-features" | "default_features" => Some(true),
                    "optional" => Some(false),
                    _ => None,
                };
                default.is_none() || item.as_bool() != default
            })
            .map(|(key, item)| {
                let mut written = item.as_value()?.clone();
                // Features are a set to cargo.
                if key == "features"
                    && let toml_edit::Value::Array(features) = &mut written
                {
                    features.sort_by_key(|f| f.as_str().map(str::to_owned));
                }
                Some((key, written))
            })
            .collect()
    }
    let (Some(a), Some(b)) = (canonical(a), canonical(b)) else {
        return false;
    };
    a.len() == b.len()
        && a.iter()
            .all(|(key, have)| b.get(key).is_some_and(|want| value_eq(have, want)))
}

/// Two values of a dependency entry (strings, booleans, arrays of them)
/// equal however they are quoted or spaced.
pub fn value_eq(a: &toml_edit::Value, b: &toml_edit::Value) -> bool {
    use toml_edit::Value;
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.value() == b.value(),
        (Value::Boolean(a), Value::Boolean(b)) => a.value() == b.value(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| value_eq(a, b))
        }
        _ => false,
    }
}

/// Where a dependency comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// An absolute, lexically normalised directory.
    Path(PathBuf),
    Registry {
        registry: Option<String>,
    },
    Git {
        url: String,
        branch: Option<String>,
        tag: Option<String>,
        rev: Option<String>,
    },
}

/// The keys that name `source` in a dependency table (`path`, `registry`,
/// `git` and its reference); `path` writes a path source's folder as the
/// table's reader needs it.
pub fn insert_source(
    table: &mut InlineTable,
    source: &Source,
    path: impl FnOnce(&std::path::Path) -> String,
) {
    match source {
        Source::Path(dir) => {
            table.insert("path", path(dir).into());
        }
        Source::Registry { registry } => {
            if let Some(registry) = registry {
                table.insert("registry", registry.as_str().into());
            }
        }
        Source::Git {
            url,
            branch,
            tag,
            rev,
        } => {
            table.insert("git", url.as_str().into());
            for (key, reference) in [("branch", branch), ("tag", tag), ("rev", rev)] {
                if let Some(reference) = reference {
                    table.insert(key, reference.as_str().into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_dependency_however_written() {
        let doc: toml_edit::DocumentMut = "[a]\nfoo = \"1\"\n[b]\nfoo = { version = \"1\" }\n\
             [c.foo]\nversion = \"1\" # kept\n[d]\nfoo = { features = [\"x\",\"y\"], version = \"1\" }\n\
             [e.foo]\nversion = \"1\"\nfeatures = [ \"x\", \"y\" ]\n[f]\nfoo = { version = \"1.0\" }\n"
            .parse()
            .unwrap();
        let foo = |t: &str| &doc[t]["foo"];
        assert!(same_dependency(foo("a"), foo("b")));
        assert!(same_dependency(foo("b"), foo("c")));
        assert!(same_dependency(foo("d"), foo("e")));
        assert!(!same_dependency(foo("a"), foo("d")));
        assert!(!same_dependency(foo("a"), foo("f")));
        let doc: toml_edit::DocumentMut = "[a]\nfoo = { version = \"1\", features = [\"y\", \"x\"] }\n\
             [b.foo]\nversion = \"1\"\nfeatures = [\"x\", \"y\"]\ndefault-features = true\noptional = false\n\
             [c]\nfoo = { workspace = true }\n[d]\nfoo = { workspace = true }\n\
             [e]\nfoo = { version = \"1\", features = [\"x\", \"y\"], optional = true }\n"
            .parse()
            .unwrap();
        let foo = |t: &str| &doc[t]["foo"];
        assert!(same_dependency(foo("a"), foo("b")));
        assert!(!same_dependency(foo("c"), foo("d")));
        assert!(!same_dependency(foo("b"), foo("e")));
    }
}
