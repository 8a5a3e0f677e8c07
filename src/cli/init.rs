//! `wscfg init`: the command-line flags become the generators' options; the generated text
//! is printed, diffed or written.

use super::{InitArgs, InitFlyArgs, InitNginxArgs, InitPlatform, InitRailwayArgs};
use crate::formats::Format;
use crate::generate::{self, Generated, fly, nginx, railway};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Runs `wscfg init`: generates, then prints, diffs or writes.
pub fn init(args: &InitArgs) -> Result<u8, String> {
    let generated = match &args.platform {
        None => {
            let dir = std::env::current_dir()
                .map_err(|e| format!("cannot read the current directory: {e}"))?;
            to_stdout(&generate::project::suggest(
                &generate::project::Project::scan(&dir),
            ))?;
            return Ok(crate::EXIT_CLEAN);
        }
        Some(InitPlatform::Nginx(a)) => generate::nginx::generate(&nginx::Options::from_args(a)?)?,
        Some(InitPlatform::Fly(a)) => {
            let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            generate::fly::generate(&fly::Options::from_args(a, &dir)?)?
        }
        Some(InitPlatform::Railway(a)) => {
            if args
                .output
                .as_ref()
                .is_some_and(|p| p.extension().is_some_and(|e| e == "json"))
            {
                return Err(
                    "wscfg init railway writes railway.toml (TOML); name the output \
                            file .toml"
                        .into(),
                );
            }
            // The project is where the file goes: its dependency files inform the advice.
            let project = match args.output.as_deref() {
                Some(p) if p.as_os_str() != "-" && p.is_dir() => p.to_owned(),
                Some(p) if p.as_os_str() != "-" => p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_owned),
                _ => PathBuf::from("."),
            };
            generate::railway::generate(&railway::Options::from_args(a)?, Some(&project))?
        }
    };
    for a in &generated.advice {
        eprintln!("wscfg: about this project: {a}");
    }
    emit(&generated, args)
}

/// Where the text goes.
enum Target {
    Stdout,
    File(PathBuf),
}

fn target(generated: &Generated, output: Option<&Path>) -> Target {
    match output {
        Some(p) if p.as_os_str() == "-" => Target::Stdout,
        Some(p) if p.is_dir() => match &generated.default_path {
            Some(name) => Target::File(p.join(name)),
            None => Target::File(p.join(format!("websocket.{}", extension(generated.format)))),
        },
        Some(p) => Target::File(p.to_owned()),
        None => generated
            .default_path
            .clone()
            .map_or(Target::Stdout, Target::File),
    }
}

/// The extension of a generated file written into a directory (init generates nginx, fly
/// and railway files only).
fn extension(format: Format) -> &'static str {
    match format {
        Format::Nginx => "conf",
        _ => "toml",
    }
}

fn emit(generated: &Generated, args: &InitArgs) -> Result<u8, String> {
    let path = match target(generated, args.output.as_deref()) {
        Target::Stdout if args.diff => {
            return Err(
                "--diff compares with an existing file; it cannot be used when the \
                 output is standard output (-o - or a snippet): name the file with -o PATH"
                    .into(),
            );
        }
        Target::Stdout => {
            to_stdout(&generated.text)?;
            return Ok(crate::EXIT_CLEAN);
        }
        Target::File(p) => p,
    };
    let shown = path.display().to_string();
    // Through the bounded reader: a FIFO or a device named with -o is refused, not opened.
    let existing = match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        _ => Some(
            crate::workspace::read_text(&path, crate::workspace::DEFAULT_MAX_FILE_SIZE).map_err(
                |e| {
                    format!(
                        "{}; wscfg init writes regular files only (-o - writes to standard output)",
                        e.message
                    )
                },
            )?,
        ),
    };
    if args.diff {
        let old = existing.as_deref().unwrap_or("");
        if old == generated.text {
            eprintln!("wscfg: {shown} already has exactly this content");
        } else {
            to_stdout(&crate::fix::unified_diff(&shown, old, &generated.text))?;
        }
        return Ok(crate::EXIT_CLEAN);
    }
    match &existing {
        Some(old) if *old == generated.text => {
            eprintln!("wscfg: {shown} already has exactly this content; nothing written");
            return Ok(crate::EXIT_CLEAN);
        }
        Some(_) if !args.force => {
            return Err(format!(
                "{shown} already exists; wscfg init does not overwrite it: pass --force to \
                 replace it, --diff to see what would change, or -o PATH / -o - to write \
                 elsewhere"
            ));
        }
        _ => {}
    }
    crate::engine::write_atomic(&path, &generated.text)
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    eprintln!(
        "wscfg: {} {shown} ({} configuration; the generated text passes every {} rule{})",
        if existing.is_some() {
            "replaced"
        } else {
            "wrote"
        },
        generated.format.as_str(),
        generated.format.as_str(),
        if generated.advice.is_empty() {
            ""
        } else {
            "; see the notes about this project above"
        }
    );
    for step in &generated.next_steps {
        eprintln!("  - {step}");
    }
    Ok(crate::EXIT_CLEAN)
}

/// Writes to standard output; a reader that went away (`wscfg init nginx -o - | head`) is
/// not an error.
fn to_stdout(text: &str) -> Result<(), String> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {e}"))
        }
        _ => Ok(()),
    }
}

impl nginx::Options {
    /// `wscfg init nginx`'s flags as the generator's options.
    pub fn from_args(a: &InitNginxArgs) -> Result<nginx::Options, String> {
        nginx::Options {
            server_names: if a.server_name.is_empty() {
                vec!["_".into()]
            } else {
                a.server_name.clone()
            },
            listen: a.listen.clone(),
            ws_path: a.ws_path.clone(),
            http_path: a.http_path.clone(),
            upstream: a.upstream.clone(),
            upstreams: a.upstreams,
            socketio: a.socketio,
            tls: a.tls,
            cert: a.cert.as_ref().map(|p| p.display().to_string()),
            key: a.key.as_ref().map(|p| p.display().to_string()),
            shape: if a.full {
                nginx::Shape::Full
            } else if a.snippet {
                nginx::Shape::Snippet
            } else {
                nginx::Shape::Server
            },
        }
        .validated()
    }
}

impl fly::Options {
    /// `wscfg init fly`'s flags as the generator's options; the app name defaults to the name
    /// of `dir`.
    pub fn from_args(a: &InitFlyArgs, dir: &Path) -> Result<fly::Options, String> {
        let app = match &a.app {
            Some(name) => name.clone(),
            None => fly::app_name_from_dir(dir),
        };
        fly::Options {
            app,
            http_port: a.http_port,
            ws_port: a.ws_port,
            region: a.region.clone(),
        }
        .validated()
    }
}

impl railway::Options {
    /// `wscfg init railway`'s flags as the generator's options.
    pub fn from_args(a: &InitRailwayArgs) -> Result<railway::Options, String> {
        railway::Options {
            start: a.start.clone(),
            health_path: a.health_path.clone(),
        }
        .validated()
    }
}
