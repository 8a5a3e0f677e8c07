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
    /// Lowest severity that makes the exit code 1: info, warning or error (findings below
    /// it are still printed)
    #[arg(
        long = "severity",
        visible_alias = "fail-on",
        default_value = "info",
        value_name = "LEVEL"
    )]
    pub fail_on: crate::diagnostic::Severity,
    /// Print how many findings each rule has instead of the findings
    #[arg(long)]
    pub statistics: bool,
    /// List fixes: those available (`check`) or those applied (`fix`)
    #[arg(long)]
    pub show_fixes: bool,
    /// Print the findings and nothing else: no summary, no diffs, no notes
    #[arg(long, short)]
    pub quiet: bool,
    /// With `fix`: exit 1 when a file was changed, even if nothing is left to report
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,
    /// Walk directories without reading .gitignore, .ignore and other ignore files
    #[arg(long)]
    pub no_ignore: bool,
    /// Skip named files in no format wscfg knows instead of failing (for pre-commit and
    /// editors that pass every matching file)
    #[arg(long)]
    pub ignore_unknown: bool,
    /// Never check paths matching this glob (repeatable; applies to named files too, so
    /// it works under pre-commit)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// A configuration file used for every checked file instead of each file's closest
    /// wscfg.toml / .wscfg.toml / pyproject.toml [tool.wscfg]; or a `KEY=VALUE` line of TOML
    /// applied on top of it, e.g. `--config 'nginx.version = "1.22"'` (repeatable)
    #[arg(long, value_name = "FILE|KEY=VALUE")]
    pub config: Vec<String>,
    /// Read no configuration file (command-line settings only)
    #[arg(long)]
    pub isolated: bool,
    /// Only these rules (codes, names, code prefixes such as NGX, or ALL; comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Also these rules, on top of the configured selection
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Skip these rules (codes, names or prefixes, comma-separated)
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
    /// Source snippets with labels and help (the default in a terminal)
    Human,
    /// One line per finding: `path:line:col: CODE [severity] message`
    Concise,
    /// The stable JSON report (version 1)
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`): annotations on pull requests
    Github,
    /// JUnit XML, for CI test reports
    Junit,
}

impl OutputFormat {
    /// Formats read by programs: nothing but the report goes to standard output.
    pub fn is_machine_readable(self) -> bool {
        !matches!(self, OutputFormat::Human | OutputFormat::Concise)
    }
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
