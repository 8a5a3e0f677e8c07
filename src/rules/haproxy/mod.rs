//! HAProxy rules (haproxy.cfg). Each file holds one rule; what they share lives in the
//! HAProxy model (`formats::haproxy`).

mod lint;
mod tunnel_timeout_missing;

pub use lint::lint;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;
use crate::formats::haproxy::HaproxyContext;

/// Reported by the loader when haproxy.cfg cannot be read as sections of directive lines.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "HAP000",
    name: "syntax-error",
    format: Some(Format::Haproxy),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "haproxy.cfg cannot be parsed (or cannot be read)",
};

pub static RULES: &[&dyn for<'a> Rule<HaproxyContext<'a>>] =
    &[&tunnel_timeout_missing::TunnelTimeoutMissing];
