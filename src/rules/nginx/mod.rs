//! nginx rules. Each file holds one rule; what they share lives in the nginx model.

mod backend;
mod connection_header_missing;
mod connection_upgrade_hardcoded;
mod connection_upgrade_map_undefined;
mod cors_headers_on_websocket;
mod http2_cleartext_listen;
mod inherited_headers_dropped;
mod keepalive_connection_cleared;
mod lint;
mod missing_host_header;
mod proxy_http_version;
mod read_timeout_short;
mod screen;
mod socketio_upstream_not_sticky;
mod syntax_error;
mod upgrade_header_missing;
mod upgrade_needs_proxy_pass;
mod websocket_bypassed_by_redirect;
mod websocket_location_shadowed;

pub use lint::lint;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;

/// Reported by the loader (a file that does not parse) and by [`syntax_error`] (what
/// `nginx -t` refuses in one that does).
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "NGX000",
    name: "syntax-error",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the file is not valid nginx configuration syntax (or cannot be read)",
};

pub static INCLUDE_NOT_FOUND: RuleMeta = RuleMeta {
    code: "NGX090",
    name: "include-not-found",
    format: Some(Format::Nginx),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "an `include` names a file that does not exist, so its directives go unchecked",
};

pub static INCLUDE_CYCLE: RuleMeta = RuleMeta {
    code: "NGX091",
    name: "include-cycle",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "files include each other in a cycle",
};

pub static INCLUDE_OUTSIDE_ROOT: RuleMeta = RuleMeta {
    code: "NGX092",
    name: "include-outside-root",
    format: Some(Format::Nginx),
    severity: Severity::Info,
    fix: FixAvailability::None,
    summary: "an `include` points outside the checked directory, so wscfg does not read it",
};

pub static NOT_UTF8: RuleMeta = RuleMeta {
    code: "NGX093",
    name: "not-utf8",
    format: Some(Format::Nginx),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "the file is not UTF-8: nginx accepts it, wscfg checks it with the invalid bytes replaced and writes no fix to it",
};

/// The NGX093 finding for a file read with invalid bytes replaced, at the first of them.
pub fn not_utf8(
    db: &crate::source::SourceDb,
    file: crate::source::FileId,
    at: usize,
    message: &str,
) -> crate::diagnostic::Diagnostic {
    lint::finding(crate::formats::nginx::problem::LoadProblem::not_utf8(
        db, file, at, message,
    ))
}

/// Rules over the nginx model, in the order they run.
pub static RULES: &[&dyn for<'a> Rule<NginxContext<'a>>] = &[
    &syntax_error::SyntaxError,
    &proxy_http_version::ProxyHttpVersion,
    &upgrade_header_missing::UpgradeHeaderMissing,
    &connection_header_missing::ConnectionHeaderMissing,
    &inherited_headers_dropped::InheritedHeadersDropped,
    &connection_upgrade_map_undefined::ConnectionUpgradeMapUndefined,
    &read_timeout_short::ReadTimeoutShort,
    &websocket_location_shadowed::WebsocketLocationShadowed,
    &connection_upgrade_hardcoded::ConnectionUpgradeHardcoded,
    &keepalive_connection_cleared::KeepaliveConnectionCleared,
    &upgrade_needs_proxy_pass::UpgradeNeedsProxyPass,
    &http2_cleartext_listen::Http2CleartextListen,
    &cors_headers_on_websocket::CorsHeadersOnWebsocket,
    &socketio_upstream_not_sticky::SocketioUpstreamNotSticky,
    &websocket_bypassed_by_redirect::WebsocketBypassedByRedirect,
    &missing_host_header::MissingHostHeader,
];
