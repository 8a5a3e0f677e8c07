//! What every format's driver shares: the files of one run, and the per-file skeleton
//! (parse → syntax finding → the format's context → its rules).

use super::RuleMeta;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::formats::SyntaxError;
use crate::project::evidence::WsCodeEvidence;
use crate::source::{FileId, SourceDb, SourceFile};
use rustc_hash::FxHashSet;
use std::sync::Mutex;

/// One group of files of one format that share a configuration, and the project view.
pub struct Run<'a> {
    pub files: &'a [FileId],
    pub config: &'a Config,
    /// Where the project's code serves WebSockets (manifests mark their services from it).
    pub ws: &'a WsCodeEvidence,
    /// Files of the run that are there for the project view only (see
    /// `engine::Session::add_context_files`): empty when every file was named.
    pub context: &'a FxHashSet<FileId>,
    /// Files a driver reached from a named file (an nginx include), whose findings are
    /// reported although no one named them.
    pub reached: &'a Mutex<FxHashSet<FileId>>,
}

/// Parses each file on its own: a file that does not parse gets `syntax`'s finding (unless
/// the configuration turned it off); the model of one that does is handed to `check`.
pub fn per_file<M>(
    db: &SourceDb,
    run: &Run<'_>,
    syntax: &'static RuleMeta,
    parse: impl Fn(&SourceFile) -> Result<M, SyntaxError>,
    mut check: impl FnMut(FileId, &M, &mut Vec<Diagnostic>),
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for &file in run.files {
        match parse(db.get(file)) {
            Ok(model) => check(file, &model, &mut out),
            Err(e) => syntax.report(run.config, file, e.span, e.message, &mut out),
        }
    }
    out
}
