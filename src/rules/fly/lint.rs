//! The fly.toml driver: each file loaded on its own, its services marked from the project
//! view, then its rules.

use super::{RULES, SYNTAX_ERROR};
use crate::diagnostic::Diagnostic;
use crate::formats::SyntaxError;
use crate::formats::fly::model::{FlyDoc, WsReason};
use crate::formats::fly::{FlyContext, load};
use crate::project::evidence::{WsCodeEvidence, WsServer};
use crate::rules::driver::{Run, per_file};
use crate::source::SourceDb;

/// Lints the fly.toml files of a run, each on its own; `run.ws` is where the project serves
/// WebSockets (services the file says nothing about are marked from it).
pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let db: &SourceDb = db;
    let settings = &run.config.fly;
    per_file(
        db,
        run,
        &SYNTAX_ERROR,
        |src| {
            let mut doc = load(&src.text, settings)
                .map_err(|(span, message)| SyntaxError { message, span })?;
            from_project(
                &mut doc,
                crate::project::evidence::manifest_dir(&src.path),
                run.ws,
            );
            Ok(doc)
        },
        |file, doc, out| {
            let cx = FlyContext {
                file,
                src: db.get(file),
                doc,
                settings,
            };
            crate::rules::run(RULES, &cx, run.config, out);
        },
    )
}

/// Marks the services the project shows serving WebSockets, where nothing in the file or
/// wscfg.toml said so: a WebSocket server in the code under `dir` (the fly.toml's directory)
/// whose file listens on the service's internal_port, or, for an app with one service, a
/// server whose file names no other port.
pub fn from_project(doc: &mut FlyDoc, dir: &std::path::Path, ws: &WsCodeEvidence) {
    let servers: Vec<_> = ws.under(dir).collect();
    if servers.is_empty() {
        return;
    }
    let single = doc.services.len() == 1;
    for s in doc.services.iter_mut().filter(|s| s.websocket.is_none()) {
        let internal = s.internal_port.as_ref().map(|p| p.value);
        let on_port =
            |w: &&&WsServer| internal.is_some_and(|i| w.ports.iter().any(|p| i64::from(*p) == i));
        let chosen = servers.iter().find(on_port).or_else(|| {
            single
                .then(|| servers.iter().find(|w| w.ports.is_empty()))
                .flatten()
        });
        if let Some(w) = chosen {
            s.websocket = Some(WsReason::Project {
                file: w.file,
                span: w.span,
                because: w.because(dir),
            });
        }
    }
}
