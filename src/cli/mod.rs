//! Command-line definitions (clap). Behaviour lives in the library.

pub mod init;
pub mod install_files;
pub mod run;

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
    /// Write a WebSocket-ready configuration (`init nginx|fly|railway`); with no platform,
    /// look at the project and say what to run
    Init(InitArgs),
    /// Run the language server (LSP over standard input/output) for editors
    Server {
        /// Accepted for editor clients that pass it; standard input/output is the only transport
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// Print the completion script of a shell, e.g. `wscfg completions bash >
    /// ~/.local/share/bash-completion/completions/wscfg`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory (packaging)
    #[command(hide = true)]
    Manpage {
        /// Write wscfg.1 and wscfg-COMMAND.1 here instead of printing wscfg.1
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
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
    /// it are still printed). Info findings are advice (an include wscfg did not read) and do
    /// not fail a run unless asked.
    #[arg(
        long = "severity",
        visible_alias = "fail-on",
        default_value = "warning",
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
    /// Target nginx version, e.g. 1.22 (overrides [nginx] version); picks the directives
    /// nginx knows (default: the newest stable release)
    #[arg(long)]
    pub nginx_version: Option<String>,
    /// Larger files are reported, not read (bytes, or with a K, M or G suffix)
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = crate::workspace::parse_size)]
    pub max_file_size: u64,
    /// Blocks nested deeper than this are a syntax error (at most 1024)
    #[arg(long, value_name = "N", default_value_t = crate::workspace::DEFAULT_MAX_DEPTH, value_parser = parse_depth)]
    pub max_depth: usize,
    /// Files one configuration may read through `include`, counting a file each time it is
    /// included
    #[arg(long, value_name = "N", default_value_t = crate::workspace::DEFAULT_MAX_INCLUDES)]
    pub max_includes: usize,
    /// Read included files and `extend`ed configuration that resolve outside the checked
    /// directories (by default they are reported, not read); their text is never quoted
    #[arg(long)]
    pub allow_include_outside_root: bool,
    /// Check files reached through symbolic links in directories, and let `fix` write
    /// through a symbolic link to its target (by default links are skipped and not written)
    #[arg(long)]
    pub follow_symlinks: bool,
}

fn parse_depth(s: &str) -> Result<usize, String> {
    let n: usize = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (1..=crate::workspace::MAX_MAX_DEPTH).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "must be between 1 and {}",
            crate::workspace::MAX_MAX_DEPTH
        ))
    }
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

/// `wscfg init`: the output flags shared by every platform.
#[derive(Args, Debug, Clone)]
pub struct InitArgs {
    #[command(subcommand)]
    pub platform: Option<InitPlatform>,
    /// Where to write (default: the platform's usual file; a snippet goes to standard
    /// output); `-` writes to standard output
    #[arg(short, long, global = true, value_name = "PATH", display_order = 100)]
    pub output: Option<PathBuf>,
    /// Replace the file if it exists
    #[arg(long, global = true, display_order = 101)]
    pub force: bool,
    /// Print the diff from the existing file to the generated one; write nothing
    #[arg(long, global = true, conflicts_with = "force", display_order = 102)]
    pub diff: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum InitPlatform {
    /// An nginx server block (default), a snippet to paste, or a complete nginx.conf
    Nginx(InitNginxArgs),
    /// A fly.toml
    Fly(InitFlyArgs),
    /// A railway.toml
    Railway(InitRailwayArgs),
}

#[derive(Args, Debug, Clone)]
pub struct InitNginxArgs {
    /// server_name (repeat for several names; default `_`, any name)
    #[arg(long, value_name = "NAME")]
    pub server_name: Vec<String>,
    /// Port or address to listen on (default 80, or 443 with --tls)
    #[arg(long, value_name = "PORT|ADDR:PORT")]
    pub listen: Option<String>,
    /// Path of the WebSocket endpoint (default /ws, or /socket.io/ with --socketio)
    #[arg(long, value_name = "PATH")]
    pub ws_path: Option<String>,
    /// Path of ordinary HTTP requests; the same as --ws-path makes one shared location
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub http_path: String,
    /// Address of the app (HOST:PORT or unix:/path)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8000")]
    pub upstream: String,
    /// Number of app instances, on consecutive ports from --upstream's
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub upstreams: u16,
    /// The app is a Socket.IO server: its path, and sticky sessions across instances
    #[arg(long)]
    pub socketio: bool,
    /// HTTPS (and wss://) on 443, with plain HTTP redirected
    #[arg(long)]
    pub tls: bool,
    /// Certificate chain for --tls (default: certbot's path for the server name)
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub cert: Option<PathBuf>,
    /// Private key for --tls (default: certbot's path for the server name)
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub key: Option<PathBuf>,
    /// Only the pieces to paste into an existing configuration (the map and the locations)
    #[arg(long, conflicts_with = "full")]
    pub snippet: bool,
    /// A complete nginx.conf (events and http blocks) that `nginx -c` runs as it is
    #[arg(long)]
    pub full: bool,
}

#[derive(Args, Debug, Clone)]
pub struct InitFlyArgs {
    /// Fly app name (default: the current directory's name)
    #[arg(long, value_name = "NAME")]
    pub app: Option<String>,
    /// The port the app listens on inside the Machine
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    pub http_port: u16,
    /// A port of its own for WebSockets (a TCP service with TLS, public on the same number)
    #[arg(long, value_name = "PORT", conflicts_with = "same_port")]
    pub ws_port: Option<u16>,
    /// WebSockets on the HTTP port, through [http_service] (the default)
    #[arg(long)]
    pub same_port: bool,
    /// primary_region, e.g. ams (default: none written; flyctl picks one at launch)
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct InitRailwayArgs {
    /// The app's start command, e.g. "uvicorn app.main:app" (made to listen on 0.0.0.0:$PORT);
    /// default: none, Railway's builder detects it
    #[arg(long, value_name = "COMMAND")]
    pub start: Option<String>,
    /// A plain HTTP route that answers 200, for Railway's deploy-time health check
    #[arg(long, value_name = "PATH", default_value = "/health")]
    pub health_path: String,
}
