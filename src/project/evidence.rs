//! Where the project serves WebSockets, as the deployment manifests' rules ask it: the
//! server endpoints the code declares (`@app.websocket("/ws")`, `new WebSocketServer({ port
//! })`, Socket.IO servers, Django Channels routing, Phoenix `socket`, Action Cable), with the
//! ports their files listen on. A fly.toml, railway.toml or apprunner.yaml deploys the code
//! in its own directory and below, so the question is "which servers are under this
//! directory?". Owned (no borrow of the run's files), built once per lint.

use super::Scan;
use super::kind::{Kind, Lang};
use super::scan::Protocol;
use crate::project::manifest_evidence::{Evidence, ProjectWs};
use crate::source::{FileId, SourceDb, Span};
use std::path::{Path, PathBuf};

/// Labels a manifest's finding shows at most, so a project with many routes stays readable.
const MAX_EVIDENCE: usize = 3;

#[derive(Clone, Debug)]
pub struct WsServer {
    pub file: FileId,
    pub path: PathBuf,
    /// The route or server call.
    pub span: Span,
    /// 1-based line of `span`.
    pub line: usize,
    /// "the FastAPI/Starlette route `/ws/{room}`", "a ws (Node) server".
    pub what: String,
    pub flavour: Protocol,
    /// The port the server listens on when its call says so, else the ports its file
    /// listens on, written as numbers in the code.
    pub ports: Vec<u16>,
}

impl WsServer {
    /// "main.py:6 serves WebSockets with the FastAPI/Starlette route `/ws`", the path shown
    /// relative to `dir` (the manifest's directory).
    pub fn because(&self, dir: &Path) -> String {
        let shown = self.path.strip_prefix(dir).unwrap_or(&self.path);
        format!(
            "{}:{} serves WebSockets with {}",
            shown.display(),
            self.line,
            self.what
        )
    }
}

#[derive(Clone, Debug, Default)]
pub struct WsCodeEvidence {
    pub servers: Vec<WsServer>,
    /// Every source file the scan read, with its language.
    sources: Vec<(PathBuf, Lang)>,
}

impl WsCodeEvidence {
    pub fn build(db: &SourceDb, scan: &Scan) -> WsCodeEvidence {
        let servers = scan
            .facts
            .endpoints
            .iter()
            .map(|e| {
                let src = db.get(e.file);
                // The server's own port, else every port its file listens on.
                let mut ports: Vec<u16> = match e.port {
                    Some(p) => vec![p],
                    None => scan
                        .facts
                        .listens
                        .iter()
                        .filter(|l| l.file == e.file)
                        .map(|l| l.port)
                        .collect(),
                };
                ports.sort_unstable();
                ports.dedup();
                WsServer {
                    file: e.file,
                    path: src.path.clone(),
                    span: e.span,
                    line: src.line_col(e.span.start).line,
                    what: match &e.path {
                        Some(p) => format!("the {} route `{p}`", e.framework),
                        None => format!("a {} server", e.framework),
                    },
                    flavour: e.flavour,
                    ports,
                }
            })
            .collect();
        let sources = scan
            .files
            .iter()
            .filter_map(|&(f, k)| match k {
                Kind::Source(lang) => Some((db.get(f).path.clone(), lang)),
                _ => None,
            })
            .collect();
        WsCodeEvidence { servers, sources }
    }

    /// The servers whose code is in `dir` or below.
    pub fn under<'s>(&'s self, dir: &'s Path) -> impl Iterator<Item = &'s WsServer> {
        self.servers.iter().filter(move |s| s.path.starts_with(dir))
    }

    /// The servers under `dir` as evidence for a manifest's findings (a few at most).
    pub fn evidence_under(&self, dir: &Path) -> Vec<Evidence> {
        self.under(dir)
            .take(MAX_EVIDENCE)
            .map(|s| Evidence {
                what: s.because(dir),
                file: s.file,
                span: s.span,
            })
            .collect()
    }

    /// Whether the run read source files of `lang` in `dir` or below: when it did and found
    /// no server there, the project's answer is that this code serves no WebSockets.
    pub fn has_sources_under(&self, dir: &Path, lang: Lang) -> bool {
        self.sources
            .iter()
            .any(|(p, l)| *l == lang && p.starts_with(dir))
    }
}

impl WsCodeEvidence {
    /// The answer for the manifest at `manifest` (railway.toml, apprunner.yaml).
    pub fn for_manifest(&self, manifest: &Path) -> ProjectWs {
        let dir = manifest_dir(manifest);
        ProjectWs {
            servers: self.evidence_under(dir),
            python_sources: self.has_sources_under(dir, Lang::Python),
        }
    }
}

/// The directory a manifest deploys: its own (the empty path for a bare file name).
pub fn manifest_dir(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new(""))
}
