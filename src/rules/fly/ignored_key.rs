//! FLY006 ignored-key: a key flyctl does not read, in the sections where users put
//! WebSocket settings.

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::fly::FlyContext;
use crate::formats::fly::model::{
    CONCURRENCY_KEYS, Entry, HTTP_OPTIONS_KEYS, HTTP_SERVICE_KEYS, PORT_KEYS, SERVICE_KEYS,
    ServiceKind,
};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "FLY006",
    name: "ignored-key",
    format: Some(Format::Fly),
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a key flyctl ignores in [http_service] or [[services]], so the setting never reaches the proxy",
};

pub struct IgnoredKey;

/// Keys people put in `[http_service]` expecting a port or protocol of their own.
const PORT_LIKE: &[&str] = &[
    "protocol",
    "ports",
    "port",
    "handlers",
    "tcp_options",
    "internal_ports",
    "websocket",
    "websockets",
];

fn report(
    cx: &FlyContext<'_>,
    out: &mut Vec<Diagnostic>,
    keys: &[Entry],
    known: &[&str],
    place: &str,
    help: &str,
) {
    for k in keys.iter().filter(|k| !known.contains(&k.name.as_str())) {
        out.push(
            META.diag(
                cx.file,
                k.key,
                format!("flyctl ignores `{}` in {place}: it is not a setting there, so it never reaches the proxy", k.name),
            )
            .help(help.to_owned()),
        );
    }
}

impl<'a> Rule<FlyContext<'a>> for IgnoredKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &FlyContext<'a>, out: &mut Vec<Diagnostic>) {
        for s in &cx.doc.services {
            let (place, known) = match s.kind {
                ServiceKind::Http => ("[http_service]", HTTP_SERVICE_KEYS),
                ServiceKind::Services(_) => ("[[services]]", SERVICE_KEYS),
            };
            let (port_like, other): (Vec<Entry>, Vec<Entry>) =
                s.keys.iter().cloned().partition(|k| {
                    s.kind == ServiceKind::Http && PORT_LIKE.contains(&k.name.as_str())
                });
            report(
                cx,
                out,
                &port_like,
                known,
                place,
                "[http_service] always listens on ports 80 and 443 with the `http` handler; a WebSocket port \
                 or protocol of its own needs a [[services]] section with [[services.ports]]",
            );
            report(
                cx,
                out,
                &other,
                known,
                place,
                &format!("the keys flyctl reads here are: {}", known.join(", ")),
            );
            let opts_help = format!("http_options takes: {}", HTTP_OPTIONS_KEYS.join(", "));
            report(
                cx,
                out,
                &s.http_option_keys,
                HTTP_OPTIONS_KEYS,
                "[http_service.http_options]",
                &opts_help,
            );
            if let Some(c) = &s.concurrency {
                report(
                    cx,
                    out,
                    &c.keys,
                    CONCURRENCY_KEYS,
                    &format!("the concurrency of {}", s.describe()),
                    "concurrency takes: type (\"connections\" or \"requests\"), hard_limit, soft_limit",
                );
            }
            for p in &s.ports {
                let where_ = format!("[[services.ports]] ({})", p.describe());
                report(
                    cx,
                    out,
                    &p.keys,
                    PORT_KEYS,
                    &where_,
                    &format!("a ports entry takes: {}", PORT_KEYS.join(", ")),
                );
                report(
                    cx,
                    out,
                    &p.http_option_keys,
                    HTTP_OPTIONS_KEYS,
                    &format!("the http_options of {where_}"),
                    &opts_help,
                );
            }
        }
    }
}
