//! The end-to-end suite: every case runs the real `cargo-facade` binary on
//! a fixture workspace and compiles the result with real cargo.

mod support;

mod any_state;
mod check;
mod conflicts;
mod corpus;
mod demo;
mod eject;
mod elision;
mod errors;
mod exact;
mod format_version;
mod identity;
mod list;
mod messages;
mod migrate;
mod outside;
mod package;
mod reliability;
mod rules;
mod semantics;
mod siblings;
mod sync;
mod team_tools;
mod verdicts;
