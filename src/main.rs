use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = opsdeck::cli::Cli::parse_clean();
    opsdeck::commands::run(cli)
}
