//! The `opsdeck` binary: parses the command line (sanitising hostile usage
//! errors) and hands it to [`opsdeck::commands::run`], whose exit status it returns.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = opsdeck::cli::Cli::parse_clean();
    opsdeck::commands::run(cli)
}
