//! APP003: the code declares WebSocket routes, uvicorn runs them (Dockerfile, Procfile), and
//! no WebSocket implementation is installed.
//!
//! Split with RWY005: RWY005 judges a Railway `startCommand` on its own (it needs no routes);
//! APP003 judges the start commands of Dockerfiles and Procfiles, except next to a Railway
//! manifest that sets `startCommand` (Railway runs that one), so one missing library is
//! reported once.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::project::ProjectView;
use crate::project::deps::{self as project_deps, ProjectDeps};
use crate::project::scan::Protocol;
use crate::project::start::start_commands;
use crate::project::start_command::{self, Invocation};
use crate::rules::{FixAvailability, Rule, RuleMeta};
use crate::source::SourceDb;
use std::path::Path;

pub static META: RuleMeta = RuleMeta {
    code: "APP003",
    name: "uvicorn-without-websocket-library",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "uvicorn serves the project's WebSocket routes but no `websockets`/`wsproto`/`uvicorn[standard]` is installed",
};

pub struct UvicornWithoutWebsocketLibrary;

/// The project's Python dependencies for a file, with the files wscfg holds read from its
/// copy (so a fix applied in this run counts).
fn deps_for(cx: &ProjectView, file: &Path) -> ProjectDeps {
    let mut deps = ProjectDeps::for_manifest(cx.db, file, None);
    for f in &mut deps.python.files {
        let Some(id) = cx.db.find(&f.path) else {
            continue;
        };
        let text = cx.db.get(id).text.clone();
        let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        f.deps = match name {
            "pyproject.toml" => project_deps::parse_pyproject(&text),
            "Pipfile" => project_deps::parse_pipfile(&text),
            n if n.starts_with("requirements") => project_deps::parse_requirements(&text).0,
            _ => continue,
        };
        f.text = text;
    }
    deps
}

/// A Railway manifest next to the file that sets `startCommand`: RWY005 judges that command.
fn railway_starts_it(db: &SourceDb, dir: &Path) -> bool {
    ["railway.toml", "railway.json"].iter().any(|n| {
        db.find(&dir.join(n))
            .is_some_and(|f| db.get(f).text.contains("startCommand"))
    })
}

impl Rule<ProjectView<'_>> for UvicornWithoutWebsocketLibrary {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        let routes: Vec<_> = cx
            .servers(Protocol::Plain)
            .filter(|e| e.framework.contains("Starlette"))
            .collect();
        let Some(route) = routes.first() else {
            return;
        };
        for start in start_commands(cx) {
            let path = cx.path(start.file);
            let dir = path.parent().unwrap_or(Path::new(""));
            if railway_starts_it(cx.db, dir) {
                continue;
            }
            let parsed = start_command::parse(&start.cmd);
            let Some(word) = parsed.simple.iter().find_map(|s| {
                Invocation::find(s).and_then(|i| i.runs_uvicorn().map(|w| w.span.clone()))
            }) else {
                continue;
            };
            let deps = deps_for(cx, path);
            if deps.python.is_empty() || deps.uvicorn_websocket_support().is_some() {
                continue;
            }
            let mut d = META
                .diag(
                    start.file,
                    start.span_of(word),
                    format!(
                        "{} runs uvicorn for the WebSocket route `{}` ({}), but the dependencies ({}) install no WebSocket implementation: uvicorn answers every handshake with 400 \"Unsupported upgrade request\"",
                        start.source,
                        route.path.as_deref().unwrap_or("?"),
                        cx.show(route.file),
                        deps.python.describe(),
                    ),
                )
                .label(route.file, route.span, "a WebSocket route uvicorn must upgrade")
                .help("depend on `uvicorn[standard]` (or add `websockets`)");
            if let Some((f, dep)) = deps.python.find("uvicorn")
                && let Some(id) = cx.db.find(&f.path)
            {
                d = d.label(
                    id,
                    dep.span,
                    "no `[standard]` extra, and no `websockets`/`wsproto` beside it",
                );
                let is_requirements = f
                    .path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("requirements"));
                let text = &cx.db.get(id).text;
                let named = &text[dep.span.range()];
                if is_requirements && dep.extras.is_empty() && named.eq_ignore_ascii_case("uvicorn")
                {
                    d = d.fix(Some(Fix::safe(
                        "depend on `uvicorn[standard]`",
                        vec![Edit::insert(id, dep.span.end, "[standard]")],
                    )));
                }
            }
            out.push(d);
        }
    }
}
