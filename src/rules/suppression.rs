//! Rules about wscfg's own inline suppressions (`# wscfg: ignore CODE -- reason`). They are
//! reported by the engine (`src/suppress.rs`) for every format that has comments.

use super::{FixAvailability, RuleMeta};
use crate::diagnostic::Severity;

pub static UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
    code: "WSC001",
    name: "unused-suppression",
    format: None,
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    summary: "a `# wscfg: ignore` comment names a rule that reports nothing there",
};

pub static SUPPRESSION_WITHOUT_REASON: RuleMeta = RuleMeta {
    code: "WSC002",
    name: "suppression-without-reason",
    format: None,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a `# wscfg: ignore` comment gives no reason after `--`",
};

pub static INVALID_SUPPRESSION: RuleMeta = RuleMeta {
    code: "WSC003",
    name: "invalid-suppression",
    format: None,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a `# wscfg:` comment names an unknown rule or directive, or applies to no line",
};

pub static META: &[&RuleMeta] = &[
    &UNUSED_SUPPRESSION,
    &SUPPRESSION_WITHOUT_REASON,
    &INVALID_SUPPRESSION,
];
