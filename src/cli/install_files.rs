//! The files an installation puts beside the binary, generated from the command-line
//! definitions so they never drift from it: shell completion scripts (clap_complete) and man
//! pages (clap_mangen).

use super::Cli;
use super::run::EXIT_CLEAN;
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// Prints the completion script of `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<u8, String> {
    // Rendered into memory first: clap_complete panics on a failed write (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "wscfg", &mut script);
    print(&script)
}

/// Prints wscfg.1, or writes wscfg.1 and one wscfg-COMMAND.1 per visible command into `out_dir`.
pub fn manpage(out_dir: Option<&Path>) -> Result<u8, String> {
    let command = Cli::command();
    match out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .and_then(|()| clap_mangen::generate_to(command, dir))
                .map_err(|e| format!("cannot write man pages to {}: {e}", dir.display()))?;
            Ok(EXIT_CLEAN)
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| format!("cannot render the man page: {e}"))?;
            print(&page)
        }
    }
}

fn print(bytes: &[u8]) -> Result<u8, String> {
    std::io::stdout()
        .lock()
        .write_all(bytes)
        .map_err(|e| format!("cannot write to standard output: {e}"))?;
    Ok(EXIT_CLEAN)
}
