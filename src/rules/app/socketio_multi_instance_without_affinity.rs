//! APP007: a Socket.IO server runs on several instances while its clients may long-poll.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::railway::{self, ManifestSyntax};
use crate::project::ProjectView;
use crate::project::deps::ProjectDeps;
use crate::project::scan::{Endpoint, Protocol};
use crate::rules::railway::RailwayContext;
use crate::rules::{FixAvailability, Rule, RuleMeta};
use crate::source::{FileId, Span};
use std::path::Path;

pub static META: RuleMeta = RuleMeta {
    code: "APP007",
    name: "socketio-multi-instance-without-affinity",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a Socket.IO server runs on several instances without sticky sessions while clients may use HTTP long-polling",
};

pub struct SocketioMultiInstanceWithoutAffinity;

/// A setting that makes the app run on several instances.
struct Instances {
    file: FileId,
    span: Span,
    count: i64,
    what: String,
}

/// Fly services with `min_machines_running` above 1, and Railway manifests with more than one
/// replica, in the server's directory or above it.
fn instances(cx: &ProjectView, server_dir: &Path) -> Vec<Instances> {
    let mut out = Vec::new();
    for app in cx.fly.iter().filter(|a| server_dir.starts_with(&a.dir)) {
        for s in &app.doc.services {
            if let Some(m) = s.min_machines_running.as_ref().filter(|m| m.value > 1) {
                out.push(Instances {
                    file: app.file,
                    span: m.entry.value,
                    count: m.value,
                    what: format!("`min_machines_running = {}`", m.value),
                });
            }
        }
    }
    for &(file, format) in cx.checked {
        let path = cx.path(file);
        let dir = path.parent().unwrap_or(Path::new(""));
        if format != Format::Railway || !server_dir.starts_with(dir) {
            continue;
        }
        let text = &cx.db.get(file).text;
        let flavor = ManifestSyntax::of(path, text);
        let Ok(root) = railway::parse(text, flavor) else {
            continue;
        };
        let deps = ProjectDeps::default();
        let dep_files = Default::default();
        let rcx = RailwayContext {
            db: cx.db,
            file,
            flavor,
            root: &root,
            deps: &deps,
            dep_files: &dep_files,
            project: &Default::default(),
        };
        for env in rcx.environments() {
            if let Some((n, f)) = rcx.replicas(&env).filter(|(n, _)| *n > 1) {
                let env_name = f
                    .env
                    .map(|e| format!(" (environment `{e}`)"))
                    .unwrap_or_default();
                out.push(Instances {
                    file,
                    span: f.key_span,
                    count: n,
                    what: format!("{n} replicas{env_name}"),
                });
            }
        }
    }
    out
}

impl Rule<ProjectView<'_>> for SocketioMultiInstanceWithoutAffinity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        let polling: Vec<_> = cx
            .clients(Protocol::SocketIo)
            .filter(|c| !c.websocket_only)
            .collect();
        if polling.is_empty() {
            return;
        }
        let servers: Vec<&Endpoint> = cx.servers(Protocol::SocketIo).collect();
        let mut seen = std::collections::HashSet::new();
        for server in servers {
            let dir = cx.path(server.file).parent().unwrap_or(Path::new(""));
            for inst in instances(cx, dir) {
                if !seen.insert((inst.file, inst.span)) {
                    continue;
                }
                let mut d = META
                    .diag(
                        inst.file,
                        inst.span,
                        format!(
                            "{} runs the Socket.IO server ({}) on {} instances with no sticky sessions, but clients may long-poll: each poll can reach another instance, which answers 400 \"Session ID unknown\"",
                            inst.what,
                            cx.describe_endpoint(server),
                            inst.count,
                        ),
                    )
                    .label(server.file, server.span, format!("{} server", server.framework))
                    .help("connect with `io(url, { transports: [\"websocket\"] })` so no request depends on the instance, or run one instance (or a load balancer with sticky sessions)");
                for c in polling.iter().take(3) {
                    d = d.label(
                        c.file,
                        c.span,
                        "this client starts with HTTP long-polling (default transports)",
                    );
                }
                out.push(d);
            }
        }
    }
}
