//! RWY005 websocket-server-without-ws-library: uvicorn runs without a WebSocket implementation.

use super::RailwayContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::railway::Section;
use crate::project::start_command::Invocation;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "RWY005",
    name: "websocket-server-without-ws-library",
    format: Some(Format::Railway),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "startCommand runs uvicorn but the dependencies install no WebSocket implementation",
};

pub struct WebsocketServerWithoutWsLibrary;

impl<'a> Rule<RailwayContext<'a>> for WebsocketServerWithoutWsLibrary {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RailwayContext<'a>, out: &mut Vec<Diagnostic>) {
        let python = &cx.deps.python;
        if python.is_empty() || cx.deps.uvicorn_websocket_support().is_some() {
            return;
        }
        // The project view read the Python code this manifest deploys and found no WebSocket
        // server in it (nor a dependency that serves one): uvicorn only serves HTTP here.
        let routes = &cx.project.servers;
        if routes.is_empty() && cx.project.python_sources && cx.deps.websocket_servers().is_empty()
        {
            return;
        }
        let serving = routes
            .first()
            .map(|r| format!(" ({})", r.what))
            .unwrap_or_default();
        for env in cx.environments() {
            if !cx.overrides(&env, &[(Section::Deploy, "startCommand")]) {
                continue;
            }
            let Some(cmd) = cx.start_command(&env) else {
                continue;
            };
            for simple in &cmd.parsed.simple {
                let Some(inv) = Invocation::find(simple) else {
                    continue;
                };
                let Some(word) = inv.runs_uvicorn() else {
                    continue;
                };
                let mut d = META
                    .diag(
                        cx.file,
                        cx.command_span(&cmd, word.span.clone()),
                        format!(
                            "startCommand{} runs uvicorn{serving}, but the project's dependencies ({}) \
                             include no WebSocket implementation (`websockets`, `wsproto` or \
                             `uvicorn[standard]`): uvicorn answers every WebSocket handshake with 400 \
                             and logs \"Unsupported upgrade request\"",
                            env.suffix(),
                            python.describe()
                        ),
                    )
                    .help("depend on `uvicorn[standard]` (or add `websockets`) in the project's requirements");
                let declared = python.find("uvicorn").or_else(|| python.iter().next());
                if let Some((f, dep)) = declared
                    && let Some(file) = cx.dep_file(&f.path)
                {
                    d = d.label(
                        file,
                        dep.span,
                        "no `[standard]` extra, and no `websockets`/`wsproto` beside it",
                    );
                }
                for r in routes {
                    d = d.label(r.file, r.span, "a WebSocket route uvicorn must upgrade");
                }
                out.push(d);
            }
        }
    }
}
