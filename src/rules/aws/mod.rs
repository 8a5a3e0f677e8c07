//! AWS load balancer rules (CloudFormation templates). Each file holds one rule; what they
//! share lives in the AWS model (`formats::aws`).

mod alb_idle_timeout_short;
mod context;
mod lint;

pub use context::*;
pub use lint::*;

use super::{FixAvailability, Rule, RuleMeta};
use crate::diagnostic::Severity;
use crate::formats::Format;

/// Reported by the loader when the template is not valid YAML or JSON.
pub static SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "AWS000",
    name: "syntax-error",
    format: Some(Format::Aws),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the CloudFormation template is not valid YAML or JSON (or cannot be read)",
};

pub static RULES: &[&dyn for<'a> Rule<AwsContext<'a>>] =
    &[&alb_idle_timeout_short::AlbIdleTimeoutShort];
