use clap::Parser;
use std::process::ExitCode;

/// mimalloc: the many small, short-lived allocations of parsing and linting cost a third
/// less than with the system allocator, and freeing a large model at the end is cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = wscfg::cli::Cli::parse();
    ExitCode::from(wscfg::run(cli))
}
