//! FLY005 force-https-without-http: `force_https` on a port without the `http` handler.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "FLY005",
    name: "force-https-without-http",
    format: Some(Format::Fly),
    severity: Severity::Error,
    fix: FixAvailability::Always,
    summary: "force_https on a port without the `http` handler fails the deploy",
};

pub struct ForceHttpsWithoutHttp;

impl<'a> Rule<FlyContext<'a>> for ForceHttpsWithoutHttp {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &FlyContext<'a>, out: &mut Vec<Diagnostic>) {
        let ed = cx.editor();
        for s in &cx.doc.services {
            for p in s.ports.iter().filter(|p| p.implied.is_none()) {
                let Some(f) = p.force_https.as_ref().filter(|f| f.value) else {
                    continue;
                };
                if p.has_handler("http") {
                    continue;
                }
                let handlers = p.handlers.as_ref().map_or_else(
                    || "no handlers".to_owned(),
                    |h| format!("handlers = {}", h.describe()),
                );
                let mut d = META
                    .diag(
                        cx.file,
                        f.entry.key.cover(f.entry.value),
                        format!(
                            "{} of {} sets force_https = true with {handlers}: the redirect is an HTTP \
                             response, so it is only allowed with the `http` handler and the deploy fails",
                            p.describe(),
                            s.describe()
                        ),
                    )
                    .help("remove `force_https` from this port (or add the `http` handler if it serves plain HTTP pages)")
                    .fix(
                        ed.delete_entry(&f.entry)
                            .map(|e| Fix::safe("remove `force_https`", vec![e])),
                    );
                if let Some(h) = &p.handlers {
                    d = d.label(cx.file, h.entry.value, "no `http` here");
                }
                out.push(d);
            }
        }
    }
}
