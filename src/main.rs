//! `cargo facade`: the cargo subcommand. All logic lives in `facade-engine`;
//! this binary only adds the `cargo` wrapper that cargo's subcommand
//! convention needs (`cargo-facade facade <COMMAND>`).

use std::process::ExitCode;

use clap::Parser;
use facade_engine::cli::FacadeArgs;

#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::styling::Styles::styled())]
enum Cargo {
    Facade(FacadeArgs),
}

fn main() -> ExitCode {
    let Cargo::Facade(args) = match Cargo::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                facade_engine::Exit::Error.into()
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    args.execute().into()
}
