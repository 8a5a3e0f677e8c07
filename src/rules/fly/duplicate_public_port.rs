//! FLY008 duplicate-public-port: one public port declared by two services (or twice).

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::rules::{FixAvailability, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "FLY008",
    name: "duplicate-public-port",
    format: Some(Format::Fly),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the same public port is declared twice (http_service and services, or two services)",
};

pub struct DuplicatePublicPort;

struct Declared {
    protocol: String,
    range: (i64, i64),
    span: Span,
    what: String,
    service: usize,
}

impl<'a> Rule<FlyContext<'a>> for DuplicatePublicPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &FlyContext<'a>, out: &mut Vec<Diagnostic>) {
        let mut seen: Vec<Declared> = Vec::new();
        for (i, s) in cx.doc.services.iter().enumerate() {
            for p in &s.ports {
                let Some(range) = p.range() else { continue };
                let span = p
                    .port
                    .as_ref()
                    .or(p.start_port.as_ref())
                    .map_or(p.anchor, |n| n.span());
                let what = if p.implied.is_some() {
                    format!("{} (which always takes ports 80 and 443)", s.describe())
                } else {
                    s.describe()
                };
                let d = Declared {
                    protocol: s.protocol().to_ascii_lowercase(),
                    range,
                    span,
                    what,
                    service: i,
                };
                if let Some(first) = seen.iter().find(|o| {
                    o.protocol == d.protocol && o.range.0 <= d.range.1 && d.range.0 <= o.range.1
                }) {
                    let port = d.range.0.max(first.range.0);
                    let by = if first.service == d.service {
                        format!("twice by {}", d.what)
                    } else {
                        format!("by {} and again by {}", first.what, d.what)
                    };
                    out.push(
                        META.diag(
                            cx.file,
                            d.span,
                            format!(
                                "public {} port {port} is declared {by}: the docs put additional services on \
                                 different ports, and which service receives the connection is not defined, \
                                 so clients may reach the wrong one",
                                d.protocol
                            ),
                        )
                        .label(cx.file, first.span, "first declared here")
                        .help("give each service its own public port (or merge the two services)"),
                    );
                    continue;
                }
                seen.push(d);
            }
        }
    }
}
