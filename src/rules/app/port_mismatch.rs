//! APP005: fly.toml forwards to one port, the container's server listens on another.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::project::{ProjectView, docker};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "APP005",
    name: "port-mismatch",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::Always,
    summary: "the port the app listens on differs from the port the edge forwards to",
};

pub struct PortMismatch;

impl Rule<ProjectView<'_>> for PortMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        for app in &cx.fly {
            let Some(dockerfile) = cx.dockerfile_in(&app.dir) else {
                continue;
            };
            let fly_port = app
                .doc
                .env
                .iter()
                .find(|v| v.name == "PORT")
                .and_then(|v| v.value.parse().ok());
            let ports = docker::ports(&cx.db.get(dockerfile.file).text, fly_port);
            let Some(listen) = ports.listen else {
                continue;
            };
            let forwarded: Vec<_> = app
                .doc
                .services
                .iter()
                .filter_map(|s| s.internal_port.as_ref())
                .collect();
            // One service forwarding to the listening port is enough: others may be metrics.
            if forwarded.is_empty() || forwarded.iter().any(|p| p.value == i64::from(listen.port)) {
                continue;
            }
            for p in forwarded {
                out.push(
                    META.diag(
                        app.file,
                        p.entry.value,
                        format!(
                            "internal_port {} is not where the app listens: {} {}; the proxy's requests and WebSocket upgrades get connection refused",
                            p.value,
                            cx.show(dockerfile.file),
                            listen.what,
                        ),
                    )
                    .label(dockerfile.file, listen.span, format!("the server listens on {} here", listen.port))
                    .help("make the two agree: set internal_port to the port the server listens on, or start the server on internal_port")
                    .fix(Some(Fix::unsafe_(
                        format!("set internal_port to {}", listen.port),
                        vec![Edit::replace(app.file, p.entry.value, listen.port.to_string())],
                    ))),
                );
            }
        }
    }
}
