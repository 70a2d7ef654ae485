//! The registries' ownership rule, emulated: "Only the owners of foo may
//! create the foo::bar crate" (RFC 3243). No registry's owner list is
//! looked at (that needs its web API); what decides is what the resolved
//! manifests say offline: the code host and owner (user or organisation)
//! of each package's `repository`, and of its `homepage` and
//! `documentation` where they point at a code host or its pages. URLs are
//! normalised first (`git+`, `ssh://`, `git@host:owner/repo`, `http`/`https`,
//! `www.`, case of host and owner, `.git`, a trailing `/`, a
//! `/tree/<branch>/<dir>` suffix), so a child in its root's repository (a
//! monorepo folder) or in another repository of the same organisation is
//! silent, and a child of another owner still warns.
//! Needs a resolved `cargo metadata` (registry manifests are not read).

use super::{Declaration, Plan, Source};
use crate::diagnostic::Diagnostic;
use crate::name::DeclName;

/// Code hosts whose first path segment is the owner (user or group).
const FORGES: &[&str] = &[
    "github.com",
    "gitlab.com",
    "codeberg.org",
    "bitbucket.org",
    "git.sr.ht",
    "sr.ht",
];

/// Hosts of forge pages, `<owner>.github.io`: the owner is the subdomain.
const PAGES: &[(&str, &str)] = &[
    (".github.io", "github.com"),
    (".gitlab.io", "gitlab.com"),
    (".codeberg.page", "codeberg.org"),
];

/// An owner as a URL names it: a code host and a user or organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub host: String,
    pub owner: String,
    /// The repository, when the URL names one.
    pub repo: Option<String>,
    /// The manifest field it came from.
    pub field: &'static str,
}

impl Owner {
    fn same_owner(&self, other: &Owner) -> bool {
        self.host == other.host && self.owner == other.owner
    }

    fn same_repo(&self, other: &Owner) -> bool {
        self.same_owner(other) && self.repo.is_some() && self.repo == other.repo
    }

    /// `github.com/tokio-rs (per `repository`)`.
    fn describe(&self) -> String {
        format!("{}/{} (per `{}`)", self.host, self.owner, self.field)
    }
}

/// The owner a URL names, normalised; `None` for a URL that names none
/// (a site that is no code host, a documentation host).
pub fn owner_of(url: &str, field: &'static str) -> Option<Owner> {
    let url = url.trim();
    let url = url.strip_prefix("git+").unwrap_or(url);
    // `git@github.com:owner/repo.git`, scp-like ssh.
    let (host, path) = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/').unwrap_or((rest, "")),
        None => {
            let (host, path) = url.split_once(':')?;
            if host.contains('/') {
                return None;
            }
            (host, path)
        }
    };
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.to_ascii_lowercase());
    if let Some((suffix, forge)) = PAGES.iter().find(|(suffix, _)| host.ends_with(suffix)) {
        let owner = host.strip_suffix(suffix)?.to_owned();
        return Some(Owner {
            host: (*forge).to_owned(),
            owner,
            repo: segments.next(),
            field,
        });
    }
    // Any host counts for `repository` (a self-hosted forge); `homepage`
    // and `documentation` only on a known forge, where a path names an owner.
    if field != "repository" && !FORGES.contains(&host.as_str()) {
        return None;
    }
    let owner = segments.next()?;
    let repo = segments
        .next()
        .map(|r| r.strip_suffix(".git").unwrap_or(&r).to_owned());
    // `~user` on sourcehut; `host/name.git` names no owner but itself.
    let owner = owner.strip_prefix('~').unwrap_or(&owner);
    let owner = match repo {
        Some(_) => owner,
        None => owner.strip_suffix(".git").unwrap_or(owner),
    }
    .to_owned();
    Some(Owner {
        host,
        owner,
        repo,
        field,
    })
}

/// Every owner a package's manifest names.
fn owners(package: &cargo_metadata::Package) -> Vec<Owner> {
    [
        ("repository", package.repository.as_deref()),
        ("homepage", package.homepage.as_deref()),
        ("documentation", package.documentation.as_deref()),
    ]
    .into_iter()
    .filter_map(|(field, url)| owner_of(url?, field))
    .collect()
}

/// What the comparison of one child with its root found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The same repository, or the same owner: these two.
    Same {
        repo: bool,
        root: Owner,
        child: Owner,
    },
    /// Different owners: every one each manifest names.
    Differs { root: Vec<Owner>, child: Vec<Owner> },
    /// A side names no owner at all: the packages without one.
    Unknown { missing: Vec<String> },
    /// `foreign = true` on every declaration.
    Foreign,
}

/// One registry or git child compared with its root.
#[derive(Debug, Clone)]
pub struct Ownership {
    pub name: DeclName,
    pub root_package: String,
    pub child_package: String,
    pub verdict: Verdict,
    /// The declarations a warning points at, one warning each: those that
    /// are not `foreign`, each place once.
    decls: Vec<Declaration>,
}

impl Ownership {
    /// One line: what was compared and what it showed.
    pub fn summary(&self) -> String {
        let pair = format!(
            "`{}` (package `{}`) and root `{}` (package `{}`)",
            self.name,
            self.child_package,
            self.name.root(),
            self.root_package
        );
        match &self.verdict {
            Verdict::Same {
                repo: true,
                root,
                child,
            } => format!(
                "{pair}: same repository, {}/{}/{} (child `{}`, root `{}`)",
                root.host,
                root.owner,
                root.repo.as_deref().unwrap_or_default(),
                child.field,
                root.field
            ),
            Verdict::Same { root, child, .. } => format!(
                "{pair}: same owner, {}/{} (child `{}`, root `{}`)",
                root.host, root.owner, child.field, root.field
            ),
            Verdict::Differs { root, child } => format!(
                "{pair}: different owners, child {} vs root {}",
                list(child),
                list(root)
            ),
            Verdict::Unknown { missing } => format!(
                "{pair}: not compared, {} names no repository, homepage or documentation on a code host",
                missing
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Verdict::Foreign => format!("{pair}: not compared, declared `foreign = true`"),
        }
    }

    /// The warnings, for a child whose owner differs or cannot be told: one
    /// per declaration, at its own line.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.decls
            .iter()
            .filter_map(|decl| self.warning(decl))
            .collect()
    }

    fn warning(&self, decl: &Declaration) -> Option<Diagnostic> {
        let message = match &self.verdict {
            Verdict::Same { .. } | Verdict::Foreign => return None,
            Verdict::Differs { root, child } => format!(
                "`{}` is package `{}` of owner {}, but root `{}` is of {}",
                self.name,
                self.child_package,
                list(child),
                self.name.root(),
                list(root)
            ),
            Verdict::Unknown { .. } => format!("cannot compare owners: {}", self.summary()),
        };
        Some(
            Diagnostic::warning(message)
                .label(decl.key.clone().with_text("declared here"))
                .note(
                    "compared: the code host and owner (user or organisation) of the `repository`, \
                     `homepage` and `documentation` URLs of both manifests, normalised; the registry's \
                     owner lists are not looked at",
                )
                .note("RFC 3243: \"Only the owners of foo may create the foo::bar crate\"")
                .help(
                    "if the child is meant to come from another owner, add `foreign = true` to its \
                     declaration",
                ),
        )
    }
}

fn list(owners: &[Owner]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for owner in owners {
        let text = owner.describe();
        if !seen.contains(&text) {
            seen.push(text);
        }
    }
    seen.join(", ")
}

/// Every registry or git child declared beside its root, compared with the
/// root: the facades' children in plan order, then those of members whose
/// facade is elided.
pub fn ownership(plan: &Plan, metadata: &cargo_metadata::Metadata) -> Vec<Ownership> {
    let package = |name: &str| metadata.packages.iter().find(|p| p.name.as_str() == name);
    // (namespace, root package, child name, child package, its source): the
    // facades' first, then those of members whose facade is elided (the
    // root presents the children itself, and still only its owners may
    // publish them).
    let mut pairs: Vec<(&str, &str, &str, &str, &Source)> = Vec::new();
    for facade in &plan.facades {
        let Some(root) = &facade.root_crate else {
            continue;
        };
        for child in &facade.children {
            pairs.push((
                &facade.root,
                &root.package,
                &child.name,
                &child.dep.package,
                &child.dep.source,
            ));
        }
    }
    for (index, consumer) in plan.consumers.iter().enumerate() {
        let elided = consumer
            .entries
            .values()
            .flatten()
            .filter(|e| e.facade().is_none());
        for entry in elided {
            let decls = plan.declarations_of(index);
            let Some(root) = decls
                .iter()
                .find(|d| d.name.child().is_none() && d.name.root() == entry.root)
            else {
                continue;
            };
            for child in decls.iter().filter(|d| d.name.root() == entry.root) {
                if let Some(name) = child.name.child() {
                    pairs.push((
                        &entry.root,
                        &root.spec.package,
                        name,
                        &child.spec.package,
                        &child.spec.source,
                    ));
                }
            }
        }
    }
    let mut out: Vec<Ownership> = Vec::new();
    for (root, root_package_name, child, child_package_name, source) in pairs {
        if matches!(source, Source::Path(_)) {
            continue;
        }
        let name = DeclName::Child {
            root: root.to_owned(),
            child: child.to_owned(),
        };
        if out.iter().any(|o| o.name == name) {
            continue;
        }
        let (Some(root_package), Some(child_package)) =
            (package(root_package_name), package(child_package_name))
        else {
            continue;
        };
        let mut decls: Vec<Declaration> = Vec::new();
        for d in &plan.declarations {
            let same_place = |o: &Declaration| {
                o.key.file.path() == d.key.file.path() && o.key.span == d.key.span
            };
            if d.name == name && !d.spec.foreign && !decls.iter().any(same_place) {
                decls.push(d.clone());
            }
        }
        let verdict = if decls.is_empty() {
            Verdict::Foreign
        } else {
            compare(root_package, child_package)
        };
        out.push(Ownership {
            name,
            root_package: root_package_name.to_owned(),
            child_package: child_package_name.to_owned(),
            verdict,
            decls,
        });
    }
    out
}

fn compare(root: &cargo_metadata::Package, child: &cargo_metadata::Package) -> Verdict {
    let (root_owners, child_owners) = (owners(root), owners(child));
    let missing: Vec<String> = [(root, &root_owners), (child, &child_owners)]
        .into_iter()
        .filter(|(_, owners)| owners.is_empty())
        .map(|(package, _)| package.name.to_string())
        .collect();
    if !missing.is_empty() {
        return Verdict::Unknown { missing };
    }
    let pairs = || {
        root_owners
            .iter()
            .flat_map(|r| child_owners.iter().map(move |c| (r, c)))
    };
    if let Some((r, c)) = pairs().find(|(r, c)| r.same_repo(c)) {
        return Verdict::Same {
            repo: true,
            root: r.clone(),
            child: c.clone(),
        };
    }
    if let Some((r, c)) = pairs().find(|(r, c)| r.same_owner(c)) {
        return Verdict::Same {
            repo: false,
            root: r.clone(),
            child: c.clone(),
        };
    }
    Verdict::Differs {
        root: root_owners,
        child: child_owners,
    }
}

/// The warnings of [`ownership`].
pub fn ownership_warnings(plan: &Plan, metadata: &cargo_metadata::Metadata) -> Vec<Diagnostic> {
    ownership(plan, metadata)
        .iter()
        .flat_map(Ownership::warnings)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(url: &str) -> String {
        owner_of(url, "repository")
            .map(|o| format!("{}/{}/{}", o.host, o.owner, o.repo.unwrap_or_default()))
            .unwrap_or_default()
    }

    #[test]
    fn urls_of_one_repository_normalise_alike() {
        for url in [
            "https://github.com/tokio-rs/tokio",
            "https://github.com/tokio-rs/tokio/",
            "https://github.com/tokio-rs/tokio.git",
            "http://www.GitHub.com/Tokio-rs/tokio",
            "https://github.com/tokio-rs/tokio/tree/master/tokio-stream",
            "git+https://github.com/tokio-rs/tokio.git",
            "git@github.com:tokio-rs/tokio.git",
            "ssh://git@github.com/tokio-rs/tokio",
            "https://github.com/tokio-rs/tokio#readme",
        ] {
            assert_eq!(at(url), "github.com/tokio-rs/tokio", "{url}");
        }
        assert_eq!(at("https://git.sr.ht/~user/repo"), "git.sr.ht/user/repo");
        assert_eq!(at("https://example.org/foo"), "example.org/foo/");
        assert_eq!(at("https://example.org/foo.git/"), "example.org/foo/");
    }

    #[test]
    fn homepages_count_only_on_a_code_host() {
        let home = |url| owner_of(url, "homepage").map(|o| format!("{}/{}", o.host, o.owner));
        assert_eq!(home("https://tokio.rs"), None);
        assert_eq!(home("https://docs.rs/tokio"), None);
        assert_eq!(
            home("https://serde-rs.github.io/json/"),
            Some("github.com/serde-rs".to_owned())
        );
        assert_eq!(
            home("https://github.com/serde-rs/serde"),
            Some("github.com/serde-rs".to_owned())
        );
    }
}
