//! NGX003 connection-header-missing: no Connection header that carries `upgrade`.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::ast::Word;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX003",
    name: "connection-header-missing",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "WebSocket location sends no Connection header carrying `upgrade`",
};

pub struct ConnectionHeaderMissing;

const VAR: &str = "connection_upgrade";
const LINE: &str = "proxy_set_header Connection $connection_upgrade;";

impl<'a> Rule<NginxContext<'a>> for ConnectionHeaderMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for ws in cx.proxied_websocket_locations() {
            let loc = ws.node;
            if cx.unread_include_may_set_headers(loc) {
                continue;
            }
            let levels = cx.header_levels(loc);
            let existing = levels.first().and_then(|l| cx.header_in(l, "Connection"));
            let (message, edit) = match existing {
                Some(h) if cx.header_value(h).is_some_and(Word::is_templated) => continue,
                Some(h) => {
                    let value = cx.header_value(h).map_or("", |w| w.value.as_str());
                    // `Connection ""` is the keepalive idiom: NGX009 reports it, with the
                    // repair that keeps keepalive.
                    if value.is_empty() || cx.connection_carries_upgrade(value) != Some(false) {
                        continue;
                    }
                    (
                        format!(
                            "{} sends `Connection: {value}` to the upstream, which never \
                             carries `upgrade`, so the WebSocket handshake cannot pass",
                            cx.describe(loc)
                        ),
                        (cx.tree.parent(h) == Some(loc))
                            .then(|| cx.replace_arg(h, 1, "$connection_upgrade"))
                            .flatten()
                            .unwrap_or_else(|| cx.add_headers(loc, &[LINE.to_owned()])),
                    )
                }
                None => {
                    if cx.header_missing_everywhere(&levels, "Connection") != Some(true) {
                        continue;
                    }
                    (
                        format!(
                            "{} sends no Connection header carrying `upgrade` (nginx sends \
                             `Connection: close` by default), so the WebSocket handshake \
                             cannot pass",
                            cx.describe(loc)
                        ),
                        cx.add_headers(loc, &[LINE.to_owned()]),
                    )
                }
            };
            let fix = cx.connection_map_edit(VAR).map(|map| {
                let mut edits: Vec<_> = map.into_iter().collect();
                edits.push(edit);
                Fix::safe(format!("set `{LINE}` (with its map if needed)"), edits)
            });
            let mut d = META
                .diag(cx.file(loc), cx.header_span(loc), message)
                .help(format!(
                    "set `{LINE}` in this location, with `map $http_upgrade $connection_upgrade \
                     {{ default upgrade; '' close; }}` in the http block"
                ))
                .fix(fix);
            if let Some(h) = existing {
                d = d.label(cx.file(h), cx.dir(h).span(), "Connection header set here");
            }
            out.push(d);
        }
    }
}
