//! Why wscfg believes a service serves WebSockets, gathered from what a manifest's project
//! shows (its start command, its dependencies), located so findings can point at it.

use std::path::{Path, PathBuf};

use crate::formats::project_deps::ProjectDeps;
use crate::source::{FileId, SourceDb, Span};

#[derive(Clone, Debug)]
pub struct Evidence {
    pub what: String,
    pub file: FileId,
    pub span: Span,
}

/// Dependency files of a manifest, added to the run once (not as checked files) so labels can
/// point into them.
#[derive(Clone, Debug, Default)]
pub struct DepFiles(Vec<(PathBuf, FileId)>);

impl DepFiles {
    pub fn register(db: &mut SourceDb, deps: &ProjectDeps) -> DepFiles {
        let mut out = Vec::new();
        for f in deps.python.files.iter().chain(&deps.node.files) {
            let id = match db.find(&f.path) {
                Some(id) if db.get(id).text == f.text => id,
                _ => db.add(f.path.clone(), f.text.clone()),
            };
            out.push((f.path.clone(), id));
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
            Some(Evidence {
                what: format!("{name} depends on `{}`, {what}", d.name),
                file: files.id(&f.path)?,
                span: d.span,
            })
        })
        .collect()
}
