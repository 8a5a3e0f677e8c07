//! Railway rules (railway.toml / railway.json). Each file holds one rule; what they share
//! lives in the Railway model (`formats::railway`).

mod context;
mod healthcheck_on_websocket_path;
mod lint;
mod port_hardcoded;
mod sleep_drops_sockets;
mod start_command_binding;
mod unknown_key;
mod websocket_server_without_ws_library;

pub use context::*;
pub use lint::*;
/// RWY001, which `wscfg init railway` uses to make a start command listen where Railway
/// routes.
pub use start_command_binding::META as START_COMMAND_BINDING;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;

/// Reported by the loader when a manifest is not valid TOML / JSON.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "RWY000",
    name: "syntax-error",
    format: Some(Format::Railway),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "railway.toml / railway.json is not valid TOML / JSON (or cannot be read)",
};

/// Rules over the Railway model, in the order they run.
pub static RULES: &[&dyn for<'a> Rule<RailwayContext<'a>>] = &[
    &start_command_binding::StartCommandBinding,
    &port_hardcoded::PortHardcoded,
    &healthcheck_on_websocket_path::HealthcheckOnWebsocketPath,
    &sleep_drops_sockets::SleepDropsSockets,
    &websocket_server_without_ws_library::WebsocketServerWithoutWsLibrary,
    &unknown_key::UnknownKey,
];
