//! This workspace's own tasks. `cargo xtask facade <COMMAND>` is the same
//! CLI as `cargo facade <COMMAND>`, without installing anything.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("facade") => facade_engine::cli::run_from_args(args).into(),
        _ => {
            eprintln!("usage: cargo xtask facade <sync|check|list> [OPTIONS]");
            ExitCode::from(2)
        }
    }
}
