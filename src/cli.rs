//! Command-line definitions (clap). Behaviour lives in the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "wscfg",
    version,
    about = "Lint, fix and explain deployment configuration that breaks WebSocket connections"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Report problems (exit 0 clean, 1 findings, 2 error)
    Check(CheckArgs),
    /// Apply fixes in place and print the diff
    Fix(CheckArgs),
    /// Print a rule's page
    Explain {
        /// Rule code or name, e.g. NGX001 or proxy-http-version
        rule: String,
    },
    /// List every rule
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        output_format: RulesFormat,
    },
    /// Run the language server (LSP over standard input/output) for editors
    Server {
        /// Accepted for editor clients that pass it; standard input/output is the only transport
        #[arg(long, hide = true)]
        stdio: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files or directories; `-` reads standard input
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Also apply fixes marked unsafe (they change behaviour beyond the finding)
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the diff every available fix would make; write nothing
    #[arg(long)]
    pub diff: bool,
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output_format: OutputFormat,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Exit 0 even when there are findings
    #[arg(long)]
    pub exit_zero: bool,
    /// Lowest severity that makes the exit code 1
    #[arg(long, default_value = "info")]
    pub fail_on: crate::diagnostic::Severity,
    /// Configuration file (default: wscfg.toml or .wscfg.toml found upward from the path)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Only these rules (codes or names, comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (codes or names, comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Format of standard input
    #[arg(long, value_name = "FORMAT")]
    pub stdin_format: Option<String>,
    /// Name to report for standard input
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Parent contexts of an nginx fragment checked alone, e.g. `http,server`
    #[arg(long)]
    pub context: Option<String>,
    /// Target nginx version, e.g. 1.22 (overrides [nginx] version)
    #[arg(long)]
    pub nginx_version: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Concise,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
