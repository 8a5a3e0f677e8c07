use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = wscfg::cli::Cli::parse();
    ExitCode::from(wscfg::run(cli))
}
