//! The project driver: the project view of a run (with the run's nginx models when the
//! questions need them), then the APP rules.

use super::{RULES, SYNTAX_ERROR};
use crate::diagnostic::Diagnostic;
use crate::formats::Format;
use crate::formats::app_kind::Kind;
use crate::project::scan::Protocol;
use crate::project::{ProjectView, Scan};
use crate::source::{FileId, SourceDb};

/// Runs the APP rules over the project view of a run (`scan`: [`Scan::build`] of the same
/// files). The run's nginx configurations are loaded (includes may be added to `db`) when a
/// plain WebSocket client may be routed through them.
pub fn lint(
    db: &mut SourceDb,
    checked: &[(FileId, Format)],
    scan: Scan,
    config: &crate::config::Config,
) -> Vec<Diagnostic> {
    if !checked.iter().any(|(_, f)| *f == Format::App) {
        return Vec::new();
    }
    let nginx_files: Vec<FileId> = checked
        .iter()
        .filter(|(_, f)| *f == Format::Nginx)
        .map(|(f, _)| *f)
        .collect();
    // The nginx models answer where clients' paths go (APP006) and where nginx forwards to
    // (APP005): worth loading when the project has clients or shows where an app listens.
    let wanted = scan
        .facts
        .clients
        .iter()
        .any(|c| matches!(c.flavour, Protocol::Plain | Protocol::SocketIo))
        || !scan.facts.listens.is_empty()
        || !scan.dockerfiles.is_empty()
        || scan
            .files
            .iter()
            .any(|(_, k)| matches!(k, Kind::Procfile | Kind::Compose));
    let loaded = crate::project::nginx::Loaded::load(db, &nginx_files, config, wanted);
    let db: &SourceDb = db;
    let contexts = loaded.contexts(db, config);
    let view = ProjectView::from_scan(db, checked, scan, &contexts);
    let mut out = Vec::new();
    for &(file, kind) in &view.files {
        if kind == Kind::PackageJson
            && let Some((span, message)) = crate::project::json_error(&db.get(file).text)
        {
            out.push(SYNTAX_ERROR.diag(file, span, message));
        }
    }
    for rule in RULES {
        rule.check(&view, &mut out);
    }
    out
}
