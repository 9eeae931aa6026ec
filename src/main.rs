use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = opsdeck::cli::Cli::parse();
    opsdeck::commands::run(cli)
}
