//! The project view: one pass over the files of a run builds a small graph of the
//! deployment — WebSocket clients (where the browser connects, with which protocol), server
//! endpoints (which route, which protocol), where the app listens (Dockerfile) and what the
//! edge forwards to (fly.toml services) — and the APP rules ask it questions that no single
//! file can answer.

/// Which app-side file a path is: detection, so it lives with the formats.
pub use crate::formats::app_kind as kind;
pub mod comments;
pub mod compose;
pub mod deps;
pub mod docker;
pub mod evidence;
pub mod manifest_evidence;
pub mod nginx;
pub mod scan;
pub mod servers;
pub mod start;
pub mod start_command;
pub mod url;

use crate::formats::Format;
use crate::formats::fly::FlyDoc;
use crate::source::{FileId, SourceDb, Span};
use kind::Kind;
use scan::{Client, Endpoint, EnvVar, Facts, Protocol, Target};
use std::path::{Path, PathBuf};

/// A fly.toml of the run, parsed.
pub struct FlyApp {
    pub file: FileId,
    pub dir: PathBuf,
    pub doc: FlyDoc,
}

/// A Dockerfile of the run with the ports it shows, judged with the `PORT` of the fly.toml
/// next to it when there is one.
pub struct Dockerfile {
    pub file: FileId,
    pub dir: PathBuf,
}

/// Where a client's URL comes from: a literal in the code or a `.env` value.
#[derive(Clone, Debug)]
pub struct ResolvedUrl {
    pub url: String,
    pub file: FileId,
    pub span: Span,
    /// `Some(name)` when the URL is the value of an environment variable.
    pub var: Option<String>,
}

/// The port an app listens on, where that is written.
pub struct AppPort {
    pub file: FileId,
    pub span: Span,
    pub port: u16,
    /// "api/Dockerfile CMD starts uvicorn on port 8000".
    pub what: String,
}

pub struct ProjectView<'a> {
    pub db: &'a SourceDb,
    /// Every checked file of the run with its format.
    pub checked: &'a [(FileId, Format)],
    /// The app-side files of the run with their kinds.
    pub files: Vec<(FileId, Kind)>,
    pub facts: Facts,
    pub fly: Vec<FlyApp>,
    pub dockerfiles: Vec<Dockerfile>,
    /// The models of the run's nginx configurations (one per root), when a client may be
    /// routed through them.
    pub nginx: &'a [crate::formats::nginx::NginxContext<'a>],
}

fn dir_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// What reading the app-side files and fly.toml files of a run gave, owned (no borrow of
/// the run's files), so the engine builds it once, before the per-format lint, and both the
/// deployment manifests' rules (through [`evidence::WsCodeEvidence`]) and the APP rules use it.
#[derive(Default)]
pub struct Scan {
    pub files: Vec<(FileId, Kind)>,
    pub facts: Facts,
    pub fly: Vec<FlyApp>,
    pub dockerfiles: Vec<Dockerfile>,
}

/// What one file gave.
enum FileScan {
    App(FileId, Kind, Facts),
    Fly(Box<FlyApp>),
    Nothing,
}

impl Scan {
    /// Reads every checked file once, in parallel: app-side files are scanned, fly.toml
    /// files parsed. The result is in the order of `checked`.
    pub fn build(db: &SourceDb, checked: &[(FileId, Format)]) -> Scan {
        use rayon::prelude::*;
        let per_file: Vec<FileScan> = checked
            .par_iter()
            .map(|&(file, format)| {
                let src = db.get(file);
                match format {
                    Format::App => match kind::by_name(&src.path) {
                        Some(kind) => {
                            let mut facts = Facts::default();
                            scan::scan(file, kind, &src.text, &mut facts);
                            FileScan::App(file, kind, facts)
                        }
                        None => FileScan::Nothing,
                    },
                    Format::Fly => match crate::formats::fly::parse(&src.text) {
                        Ok(doc) => FileScan::Fly(Box::new(FlyApp {
                            file,
                            dir: dir_of(&src.path),
                            doc,
                        })),
                        Err(_) => FileScan::Nothing,
                    },
                    _ => FileScan::Nothing,
                }
            })
            .collect();
        let mut out = Scan::default();
        for f in per_file {
            match f {
                FileScan::App(file, kind, facts) => {
                    if kind == Kind::Dockerfile {
                        out.dockerfiles.push(Dockerfile {
                            file,
                            dir: dir_of(&db.get(file).path),
                        });
                    }
                    out.files.push((file, kind));
                    out.facts.extend(facts);
                }
                FileScan::Fly(app) => out.fly.push(*app),
                FileScan::Nothing => {}
            }
        }
        out
    }

    /// Where the project serves WebSockets, for the deployment manifests' rules.
    pub fn websocket_evidence(&self, db: &SourceDb) -> evidence::WsCodeEvidence {
        evidence::WsCodeEvidence::build(db, self)
    }
}

impl<'a> ProjectView<'a> {
    /// The view over a scan already made, with the run's nginx models.
    pub fn from_scan(
        db: &'a SourceDb,
        checked: &'a [(FileId, Format)],
        scan: Scan,
        nginx: &'a [crate::formats::nginx::NginxContext<'a>],
    ) -> Self {
        ProjectView {
            db,
            checked,
            files: scan.files,
            facts: scan.facts,
            fly: scan.fly,
            dockerfiles: scan.dockerfiles,
            nginx,
        }
    }

    pub fn path(&self, file: FileId) -> &'a Path {
        &self.db.get(file).path
    }

    /// A file's path for messages.
    pub fn show(&self, file: FileId) -> String {
        self.path(file).display().to_string()
    }

    pub fn servers(&self, flavour: Protocol) -> impl Iterator<Item = &Endpoint> {
        self.facts
            .endpoints
            .iter()
            .filter(move |e| e.flavour == flavour)
    }

    pub fn clients(&self, flavour: Protocol) -> impl Iterator<Item = &Client> {
        self.facts
            .clients
            .iter()
            .filter(move |c| c.flavour == flavour)
    }

    /// The value a build would give an environment variable: a production `.env` file's
    /// value first, then `.env`, then any other `.env*` file.
    pub fn env_value(&self, name: &str) -> Option<&EnvVar> {
        let rank = |v: &&EnvVar| {
            let file = self.path(v.file).file_name().and_then(|n| n.to_str());
            match file.unwrap_or("") {
                n if url::env_file_is_production(n) && n != ".env" => 0,
                ".env" => 1,
                _ => 2,
            }
        };
        self.facts
            .env
            .iter()
            .filter(|v| v.name == name)
            .min_by_key(rank)
    }

    /// Where a client connects, if a literal or a `.env` value says so.
    pub fn resolve(&self, client: &Client) -> Option<ResolvedUrl> {
        match &client.target {
            Target::Literal { text, span } => Some(ResolvedUrl {
                url: text.clone(),
                file: client.file,
                span: *span,
                var: None,
            }),
            Target::Env(name) => self.env_value(name).map(|v| ResolvedUrl {
                url: v.value.clone(),
                file: v.file,
                span: v.value_span,
                var: Some(name.clone()),
            }),
            Target::Unknown => None,
        }
    }

    /// Environment variables some client passes to `new WebSocket()`/`io()`.
    pub fn client_vars(&self) -> impl Iterator<Item = &str> {
        self.facts.clients.iter().filter_map(|c| match &c.target {
            Target::Env(n) => Some(n.as_str()),
            _ => None,
        })
    }

    /// The Dockerfile that builds the app of a directory (the one next to its fly.toml).
    pub fn dockerfile_in(&self, dir: &Path) -> Option<&Dockerfile> {
        self.dockerfiles.iter().find(|d| {
            d.dir == dir
                && self.path(d.file).file_name().and_then(|n| n.to_str()) == Some("Dockerfile")
        })
    }

    /// Where the app built from `dir` listens: the server its Dockerfile starts, else the
    /// one port the code under `dir` listens on (written as a number).
    pub fn listen_port_in(&self, dir: &Path) -> Option<AppPort> {
        if let Some(d) = self.dockerfile_in(dir)
            && let Some(l) = docker::ports(&self.db.get(d.file).text, None).listen
        {
            return Some(AppPort {
                file: d.file,
                span: l.span,
                port: l.port,
                what: format!("{} {}", self.show(d.file), l.what),
            });
        }
        let mut code = self
            .facts
            .listens
            .iter()
            .filter(|l| self.path(l.file).starts_with(dir));
        let first = code.next()?;
        if code.any(|l| l.port != first.port) {
            return None; // several servers: nothing to compare with one port
        }
        Some(AppPort {
            file: first.file,
            span: first.span,
            port: first.port,
            what: format!("{} listens with {}", self.show(first.file), first.what),
        })
    }

    /// Every place the repository says an app listens, with its port: each Dockerfile's
    /// start command, each Procfile line, each port the code listens on (written as a number)
    /// and each server's own `port` option.
    pub fn all_listen_ports(&self) -> Vec<AppPort> {
        let mut out = Vec::new();
        for d in &self.dockerfiles {
            if let Some(l) = docker::ports(&self.db.get(d.file).text, None).listen {
                out.push(AppPort {
                    file: d.file,
                    span: l.span,
                    port: l.port,
                    what: format!("{} {}", self.show(d.file), l.what),
                });
            }
        }
        for s in start::start_commands(self) {
            if !s.source.starts_with("Procfile") {
                continue;
            }
            let text = &self.db.get(s.file).text[s.span.range()];
            if let Some(l) =
                docker::command_listen(&s.cmd, s.offset, (s.span, text), &s.source, None)
            {
                out.push(AppPort {
                    file: s.file,
                    span: l.span,
                    port: l.port,
                    what: format!("{} {}", self.show(s.file), l.what),
                });
            }
        }
        for l in &self.facts.listens {
            out.push(AppPort {
                file: l.file,
                span: l.span,
                port: l.port,
                what: format!("{} listens with {}", self.show(l.file), l.what),
            });
        }
        for e in &self.facts.endpoints {
            if let Some(port) = e.port {
                out.push(AppPort {
                    file: e.file,
                    span: e.span,
                    port,
                    what: format!("{} listens on {port}", self.describe_endpoint(e)),
                });
            }
        }
        out
    }

    /// One endpoint for messages: "FastAPI/Starlette route `/ws/{room}` (backend/main.py)".
    pub fn describe_endpoint(&self, e: &Endpoint) -> String {
        match &e.path {
            Some(p) => format!("{} endpoint `{p}` in {}", e.framework, self.show(e.file)),
            None => format!("{} server in {}", e.framework, self.show(e.file)),
        }
    }
}

/// Where a `package.json` stops being JSON (npm refuses to install from it).
pub fn json_error(text: &str) -> Option<(Span, String)> {
    let e = serde_json::from_str::<serde_json::Value>(text).err()?;
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (line_start + e.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    Some((
        Span::new(at, end),
        format!("package.json is not valid JSON: {e}"),
    ))
}
