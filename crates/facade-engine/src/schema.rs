//! Raw shapes of the TOML that cargo-facade reads with serde: every field
//! `Option`, unknown keys tolerated, no logic. Declarations themselves use
//! cargo's own schema (`cargo_util_schemas::manifest::InheritableDependency`)
//! so they accept exactly what Cargo accepts.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The parts of a child's or root's own `Cargo.toml` that a facade needs.
#[derive(Debug, Default, Deserialize)]
pub struct RawPackageManifest {
    pub package: Option<RawPackage>,
    pub lib: Option<RawLib>,
    pub features: Option<BTreeMap<String, toml::Value>>,
    pub dependencies: Option<BTreeMap<String, toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawPackage {
    pub name: Option<String>,
    pub autolib: Option<bool>,
    pub repository: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawLib {
    pub name: Option<String>,
    pub path: Option<String>,
    pub proc_macro: Option<bool>,
    #[serde(rename = "proc_macro")]
    pub proc_macro2: Option<bool>,
}

/// `Cargo.lock`: only the packages' names and sources.
#[derive(Debug, Default, Deserialize)]
pub struct RawLockFile {
    pub package: Option<Vec<RawLockPackage>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawLockPackage {
    pub name: Option<String>,
    pub source: Option<String>,
}
