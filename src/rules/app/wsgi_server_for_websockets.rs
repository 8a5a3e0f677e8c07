//! APP004: WebSocket code started with a server that cannot hold a WebSocket: a Django
//! Channels project served through its WSGI module, or Flask-SocketIO/flask-sock under
//! gunicorn's default sync worker.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::project::ProjectView;
use crate::project::scan::Endpoint;
use crate::project::start::start_commands;
use crate::project::start_command::{self, Invocation};
use crate::rules::{FixAvailability, Rule, RuleMeta};
use std::path::Path;

pub static META: RuleMeta = RuleMeta {
    code: "APP004",
    name: "wsgi-server-for-websockets",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a WebSocket app (Django Channels, Flask-SocketIO, flask-sock) is started with a WSGI server or sync workers",
};

pub struct WsgiServerForWebsockets;

/// Worker classes that hold long-lived connections.
fn async_worker(class: &str) -> bool {
    let c = class.to_ascii_lowercase();
    [
        "eventlet", "gevent", "uvicorn", "gthread", "tornado", "aiohttp",
    ]
    .iter()
    .any(|w| c.contains(w))
}

impl Rule<ProjectView<'_>> for WsgiServerForWebsockets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        let channels: Vec<&Endpoint> = cx
            .facts
            .endpoints
            .iter()
            .filter(|e| e.framework == "Django Channels")
            .collect();
        let flask: Vec<&Endpoint> = cx
            .facts
            .endpoints
            .iter()
            .filter(|e| e.framework == "Flask-SocketIO" || e.framework == "flask-sock")
            .collect();
        if channels.is_empty() && flask.is_empty() {
            return;
        }
        for start in start_commands(cx) {
            let dir = cx.path(start.file).parent().unwrap_or(Path::new(""));
            let parsed = start_command::parse(&start.cmd);
            for simple in &parsed.simple {
                let Some(inv) = Invocation::find(simple) else {
                    continue;
                };
                let program = inv.program_name();
                if program != "gunicorn" && program != "uwsgi" {
                    continue;
                }
                // A config file may set the worker class: nothing certain then.
                if inv.has_flag(&["-c", "--config"]) || dir.join("gunicorn.conf.py").is_file() {
                    continue;
                }
                let worker = inv
                    .option(&["-k", "--worker-class"])
                    .iter()
                    .find_map(|o| o.text().map(str::to_owned));
                let threads = inv
                    .option(&["--threads"])
                    .iter()
                    .find_map(|o| o.text().and_then(|t| t.parse::<u32>().ok()))
                    .unwrap_or(1);
                let target = inv
                    .positional(&[
                        "-k",
                        "--worker-class",
                        "-b",
                        "--bind",
                        "-w",
                        "--workers",
                        "--threads",
                        "-t",
                        "--timeout",
                        "--log-level",
                        "--access-logfile",
                        "--error-logfile",
                        "--chdir",
                        "--max-requests",
                        "--max-requests-jitter",
                        "--keep-alive",
                        "--graceful-timeout",
                        "--pythonpath",
                        "-e",
                        "--env",
                    ])
                    .map(|(_, w)| w);
                if let Some(channels_route) = channels.first()
                    && (program == "uwsgi"
                        || target.is_some_and(|w| {
                            w.text.contains(".wsgi")
                                && worker.as_deref().is_none_or(|k| !k.contains("uvicorn"))
                        }))
                {
                    let (span, what) = match target {
                        Some(w) if program == "gunicorn" => (
                            start.span_of(w.span.clone()),
                            format!("gunicorn serves `{}`", w.text),
                        ),
                        _ => (
                            start.span_of(inv.words[inv.program].span.clone()),
                            "uwsgi serves the WSGI application".to_owned(),
                        ),
                    };
                    out.push(
                        META.diag(
                            start.file,
                            span,
                            format!(
                                "{}: {what}, but the project routes WebSockets with Django Channels ({}); WSGI has no WebSocket support, so every handshake gets 404",
                                start.source,
                                cx.describe_endpoint(channels_route),
                            ),
                        )
                        .label(channels_route.file, channels_route.span, "a Channels WebSocket route")
                        .help("serve the ASGI application: `daphne proj.asgi:application`, `uvicorn proj.asgi:application`, or gunicorn with `-k uvicorn.workers.UvicornWorker proj.asgi:application`"),
                    );
                    continue;
                }
                let Some(flask_ep) = flask.first() else {
                    continue;
                };
                if program != "gunicorn"
                    || worker.as_deref().is_some_and(async_worker)
                    || threads > 1
                {
                    continue;
                }
                let span = match inv.option(&["-k", "--worker-class"]).first() {
                    Some(o) => start.span_of(
                        o.value
                            .as_ref()
                            .map_or(o.flag.span.clone(), |(w, _)| w.span.clone()),
                    ),
                    None => start.span_of(inv.words[inv.program].span.clone()),
                };
                let worker_desc = match &worker {
                    Some(k) => format!("the `{k}` worker"),
                    None => "its default sync worker".to_owned(),
                };
                out.push(
                    META.diag(
                        start.file,
                        span,
                        format!(
                            "{}: gunicorn runs {worker_desc} with one thread, but the app serves WebSockets with {}; a sync worker holds one request at a time, so each socket blocks the worker (or the upgrade fails)",
                            start.source,
                            cx.describe_endpoint(flask_ep),
                        ),
                    )
                    .label(flask_ep.file, flask_ep.span, format!("{} endpoint", flask_ep.framework))
                    .help("run gunicorn with `-k eventlet -w 1` or `-k gevent -w 1` (Flask-SocketIO), or with `--threads 100` (flask-sock, or Flask-SocketIO with simple-websocket)"),
                );
            }
        }
    }
}
