//! Why wscfg believes a service serves WebSockets, gathered from what a manifest's project
//! shows (its start command, its dependencies), located so findings can point at it.

use std::path::{Path, PathBuf};

use crate::formats::spanned::Node;
use crate::project::deps::ProjectDeps;
use crate::project::start_command;
use crate::source::{FileId, SourceDb, Span};

#[derive(Clone, Debug)]
pub struct Evidence {
    pub what: String,
    pub file: FileId,
    pub span: Span,
}

/// What the project view says about the code a manifest deploys (its directory and below).
#[derive(Clone, Debug, Default)]
pub struct ProjectWs {
    /// WebSocket servers the code declares ("main.py:6 serves WebSockets with …").
    pub servers: Vec<Evidence>,
    /// The run read Python sources there: when it found no server in them, the project's
    /// answer is that this Python code serves no WebSockets.
    pub python_sources: bool,
}

/// Dependency files of a manifest, added to the run once (not as checked files) so labels can
/// point into them.
#[derive(Clone, Debug, Default)]
pub struct DepFiles(Vec<(PathBuf, FileId)>);

impl DepFiles {
    /// The run's copies of the dependency files of the manifest `manifest` (whose own
    /// installs map to it); [`crate::project::deps::read_into`] put them in `db`.
    pub fn register(db: &SourceDb, deps: &ProjectDeps, manifest: FileId) -> DepFiles {
        let mut out = Vec::new();
        for f in deps.python.files.iter().chain(&deps.node.files) {
            let id = if f.in_manifest {
                Some(manifest)
            } else {
                crate::project::deps::source_of(db, &f.path)
            };
            out.extend(id.map(|id| (f.path.clone(), id)));
        }
        DepFiles(out)
    }

    pub fn id(&self, path: &Path) -> Option<FileId> {
        self.0.iter().find(|(p, _)| p == path).map(|(_, f)| *f)
    }
}

/// Dependencies that serve WebSockets or Socket.IO.
pub fn from_deps(deps: &ProjectDeps, files: &DepFiles) -> Vec<Evidence> {
    deps.websocket_servers()
        .into_iter()
        .filter_map(|(f, d, what)| {
            let name = f
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let says = if f.in_manifest {
                format!("the build command installs `{}`, {what}", d.name)
            } else {
                format!("{name} depends on `{}`, {what}", d.name)
            };
            Some(Evidence {
                what: says,
                file: files.id(&f.path)?,
                span: d.span,
            })
        })
        .collect()
}

/// Packages installed by the commands in `nodes` (strings, or lists of strings): (Python?,
/// the package as written, its span in the manifest).
/// The dependencies a manifest's service runs with: the project's dependency files around
/// the manifest, plus the packages its build commands install.
pub fn manifest_deps<'n>(
    db: &SourceDb,
    manifest: &std::path::Path,
    build_commands: impl IntoIterator<Item = &'n Node>,
) -> ProjectDeps {
    let mut deps = ProjectDeps::for_manifest(db, manifest, None);
    let installs = installs_in(build_commands);
    let installs: Vec<_> = installs
        .iter()
        .map(|(p, s, sp)| (*p, s.as_str(), *sp))
        .collect();
    deps.add_manifest_installs(manifest, &installs);
    deps
}

pub fn installs_in<'n>(nodes: impl IntoIterator<Item = &'n Node>) -> Vec<(bool, String, Span)> {
    let mut out = Vec::new();
    let mut visit = |n: &Node| {
        let Some(lit) = n.as_lit() else { return };
        let parsed = start_command::parse(&lit.value);
        for simple in &parsed.simple {
            for i in start_command::installs(simple) {
                let span = match lit.content {
                    Some(c) if c.start + i.word.span.end <= c.end => {
                        Span::new(c.start + i.word.span.start, c.start + i.word.span.end)
                    }
                    _ => n.span,
                };
                out.push((i.python, i.word.text.clone(), span));
            }
        }
    };
    for n in nodes {
        match n.as_array() {
            Some(items) => items.iter().for_each(&mut visit),
            None => visit(n),
        }
    }
    out
}
