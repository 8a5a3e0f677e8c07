//! Apache httpd rules. Each file holds one rule; what they share lives in the Apache model
//! (`formats::apache`).

mod lint;
mod websocket_proxypass_broken;

pub use lint::lint;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;
use crate::formats::apache::ApacheContext;

/// Reported by the loader when the configuration's sections do not nest.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "APA000",
    name: "syntax-error",
    format: Some(Format::Apache),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the Apache configuration cannot be parsed (or cannot be read)",
};

pub static RULES: &[&dyn for<'a> Rule<ApacheContext<'a>>] =
    &[&websocket_proxypass_broken::WebsocketProxypassBroken];
