//! Project rules (APP): each asks the project view (`crate::project`) about a connection
//! that spans files — the client, the edge and the server — and names both ends.

mod insecure_ws_url;
mod lint;
mod port_mismatch;
mod socketio_multi_instance_without_affinity;
mod socketio_protocol_mismatch;
mod uvicorn_without_websocket_library;
mod websocket_path_unrouted;
mod wsgi_server_for_websockets;

pub use lint::lint;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;
use crate::project::ProjectView;

/// An app-side file that cannot be read (not UTF-8, too large), or a package.json that is not JSON.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "APP000",
    name: "syntax-error",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "an app-side file cannot be read, or its package.json is not valid JSON",
};

/// Rules over the project view, in the order they run.
pub static RULES: &[&dyn for<'a> Rule<ProjectView<'a>>] = &[
    &socketio_protocol_mismatch::SocketioProtocolMismatch,
    &insecure_ws_url::InsecureWsUrl,
    &uvicorn_without_websocket_library::UvicornWithoutWebsocketLibrary,
    &wsgi_server_for_websockets::WsgiServerForWebsockets,
    &port_mismatch::PortMismatch,
    &websocket_path_unrouted::WebsocketPathUnrouted,
    &socketio_multi_instance_without_affinity::SocketioMultiInstanceWithoutAffinity,
];
