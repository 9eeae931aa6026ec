//! `opsdeck completions SHELL` and `opsdeck man`: generated from the CLI
//! definition, so they never drift from it.

use clap::CommandFactory;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<u8> {
    let mut cmd = crate::cli::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "opsdeck", &mut out);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(0)
}

/// Prints the man page (roff) to stdout: `opsdeck man > opsdeck.1`.
pub fn man() -> anyhow::Result<u8> {
    let cmd = crate::cli::Cli::command();
    clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
    Ok(0)
}
