//! FLY007 legacy-concurrency-string: `concurrency = "soft,hard"`.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::formats::fly::model::ServiceKind;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "FLY007",
    name: "legacy-concurrency-string",
    format: Some(Format::Fly),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "legacy `concurrency = \"soft,hard\"` string, which flyctl silently turns into type requests",
};

pub struct LegacyConcurrencyString;

impl<'a> Rule<FlyContext<'a>> for LegacyConcurrencyString {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &FlyContext<'a>, out: &mut Vec<Diagnostic>) {
        let ed = cx.editor();
        for s in &cx.doc.services {
            let Some(l) = s.concurrency.as_ref().and_then(|c| c.legacy.as_ref()) else {
                continue;
            };
            let q = l.quote;
            let fix = match (l.soft, l.hard) {
                (Some(soft), Some(hard)) => Some(Fix::safe(
                    "write the concurrency table with type \"requests\"",
                    vec![ed.replace(
                        l.entry.value,
                        format!(
                            "{{ type = {q}requests{q}, hard_limit = {hard}, soft_limit = {soft} }}"
                        ),
                    )],
                )),
                _ => None,
            };
            let what = match (l.soft, l.hard, l.flyctl_accepts, s.kind) {
                (_, _, _, ServiceKind::Http) => {
                    "flyctl only converts this string in [[services]]; in [http_service] the file fails to load"
                        .to_owned()
                }
                (Some(soft), Some(hard), true, _) => format!(
                    "flyctl turns it into type = \"requests\", soft_limit = {soft}, hard_limit = {hard} \
                     without saying so (`requests`, not the `connections` default)"
                ),
                (Some(_), Some(_), false, _) => {
                    "flyctl cannot read it (it splits on the comma and allows no spaces), so the file \
                     fails to load"
                        .to_owned()
                }
                _ => "flyctl expects two whole numbers, \"soft,hard\", and fails to load anything else"
                    .to_owned(),
            };
            out.push(
                META.diag(
                    cx.file,
                    l.entry.value,
                    format!(
                        "{} has the legacy `concurrency = {}`: {what}",
                        s.describe(),
                        cx.src.slice(l.entry.value)
                    ),
                )
                .help("write the table form so the type and both limits are explicit")
                .fix(fix),
            );
        }
    }
}
