//! FLY004 soft-limit-not-below-hard: the soft limit is never reached before the hard one.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "FLY004",
    name: "soft-limit-not-below-hard",
    format: Some(Format::Fly),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "concurrency soft_limit is not below hard_limit, so load never shifts before Machines refuse it",
};

pub struct SoftLimitNotBelowHard;

impl<'a> Rule<FlyContext<'a>> for SoftLimitNotBelowHard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &FlyContext<'a>, out: &mut Vec<Diagnostic>) {
        for s in &cx.doc.services {
            let Some(c) = &s.concurrency else { continue };
            let (Some(soft), Some(hard)) = (c.soft(), c.hard()) else {
                continue;
            };
            if soft < hard {
                continue;
            }
            let primary = c
                .soft_limit
                .as_ref()
                .map(|s| s.span())
                .or(c.legacy.as_ref().map(|l| l.entry.value))
                .unwrap_or(c.anchor);
            let mut d = META
                .diag(
                    cx.file,
                    primary,
                    format!(
                        "{} has soft_limit = {soft} and hard_limit = {hard}: a Machine stops getting new \
                         traffic at the hard limit before it is ever deprioritized at the soft one, so load \
                         does not move to other Machines first (and autostop measures spare capacity \
                         against the soft limit)",
                        s.describe()
                    ),
                )
                .help(format!(
                    "set soft_limit below hard_limit, e.g. soft_limit = {}",
                    (hard * 4 / 5).max(1)
                ));
            if let Some(h) = &c.hard_limit {
                d = d.label(cx.file, h.span(), "hard limit here");
            }
            out.push(d);
        }
    }
}
