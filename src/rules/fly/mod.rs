//! Fly.io fly.toml rules. Each file holds one rule; what they share lives in the fly model
//! (`crate::formats::fly`).

mod autostop_drops_sockets;
mod duplicate_public_port;
mod force_https_without_http;
mod ignored_key;
mod legacy_concurrency_string;
mod lint;
mod soft_limit_not_below_hard;
mod websocket_connection_limit;
mod websocket_port_http_handler;

pub use lint::lint;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::formats::fly::model::{Service, WsReason};

/// Reported by the loader, not by a rule over the model.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "FLY000",
    name: "syntax-error",
    format: Some(Format::Fly),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the fly.toml is not valid TOML (or cannot be read)",
};

/// Rules over the fly model, in the order they run.
pub static RULES: &[&dyn for<'a> Rule<FlyContext<'a>>] = &[
    &websocket_port_http_handler::WebsocketPortHttpHandler,
    &websocket_connection_limit::WebsocketConnectionLimit,
    &autostop_drops_sockets::AutostopDropsSockets,
    &soft_limit_not_below_hard::SoftLimitNotBelowHard,
    &force_https_without_http::ForceHttpsWithoutHttp,
    &ignored_key::IgnoredKey,
    &legacy_concurrency_string::LegacyConcurrencyString,
    &duplicate_public_port::DuplicatePublicPort,
];

/// Adds the "why wscfg thinks this carries WebSockets" label and help tail every
/// WebSocket rule shares.
fn with_reason(d: Diagnostic, cx: &FlyContext<'_>, s: &Service) -> Diagnostic {
    match &s.websocket {
        Some(WsReason::Project { file, span, .. }) => d.label(
            *file,
            *span,
            "this code serves WebSockets, so the service carries them",
        ),
        Some(r) => match r.span() {
            Some(span) => d.label(cx.file, span, "this marks it as a WebSocket service"),
            None => d,
        },
        None => d,
    }
}

/// "… (a WebSocket service: …)"
fn ws_because(s: &Service) -> String {
    s.websocket.as_ref().map_or_else(String::new, |r| {
        format!(" (a WebSocket service: {})", r.describe())
    })
}
