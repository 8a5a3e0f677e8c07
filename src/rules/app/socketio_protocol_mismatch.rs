//! APP001: a Socket.IO client against a plain WebSocket server, or the other way round.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::project::ProjectView;
use crate::project::scan::Protocol;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "APP001",
    name: "socketio-protocol-mismatch",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a Socket.IO client talks to a plain WebSocket server (or a plain client to a Socket.IO server)",
};

pub struct SocketioProtocolMismatch;

impl Rule<ProjectView<'_>> for SocketioProtocolMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        for (client, server) in [
            (Protocol::SocketIo, Protocol::Plain),
            (Protocol::Plain, Protocol::SocketIo),
        ] {
            // Only when the project's servers all speak the other protocol: a project with
            // both kinds of server gives no answer about which one a client talks to.
            if cx.servers(client).next().is_some() {
                continue;
            }
            let servers: Vec<_> = cx.servers(server).collect();
            let Some(first) = servers.first() else {
                continue;
            };
            for c in cx.clients(client) {
                let resolved = cx.resolve(c);
                let target = resolved
                    .as_ref()
                    .map(|u| match &u.var {
                        Some(v) => format!(" to `{}` (`{v}`)", u.url),
                        None => format!(" to `{}`", u.url),
                    })
                    .unwrap_or_default();
                let help = match client {
                    Protocol::SocketIo => {
                        "use the browser's `WebSocket` (or a plain WebSocket library) against this server, or serve Socket.IO on the backend (python-socketio, socket.io)"
                    }
                    _ => {
                        "connect with `socket.io-client` (`io(url)`), or add a plain WebSocket endpoint to the server"
                    }
                };
                let mut d = META
                    .diag(
                        c.file,
                        c.span,
                        format!(
                            "{} client `{}` connects{target}, but the project's only WebSocket server speaks {}: {}; the two protocols cannot talk to each other",
                            client.describe(),
                            c.call,
                            server.describe(),
                            cx.describe_endpoint(first),
                        ),
                    )
                    .help(help);
                if let Some(u) = resolved.filter(|u| u.file != c.file) {
                    d = d.label(u.file, u.span, format!("the URL `{}` is set here", u.url));
                }
                for s in servers.iter().take(3) {
                    d = d.label(
                        s.file,
                        s.span,
                        format!("{} serves {} here", s.framework, server.describe()),
                    );
                }
                out.push(d);
            }
        }
    }
}
