//! NGX008 connection-upgrade-hardcoded: `proxy_set_header Connection "upgrade"` (a literal)
//! where ordinary HTTP requests are proxied too.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::tree::NodeId;
use crate::formats::nginx::values::variables_in;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX008",
    name: "connection-upgrade-hardcoded",
    format: Some(Format::Nginx),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "a literal `Connection: upgrade` is sent on ordinary requests too",
};

pub struct ConnectionUpgradeHardcoded;

impl<'a> Rule<NginxContext<'a>> for ConnectionUpgradeHardcoded {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        // Each proxied location's effective Connection header, when it is a literal carrying
        // `upgrade`, grouped by that header (reported in file order).
        let mut by_header: Vec<(NodeId, Vec<NodeId>)> = Vec::new();
        let mut index: std::collections::HashMap<NodeId, usize> = std::collections::HashMap::new();
        // A `Connection ""` beside the literal, which nginx skips (it does not clear the
        // header), by the literal it leaves in effect.
        let mut skipped: std::collections::HashMap<NodeId, NodeId> =
            std::collections::HashMap::new();
        for l in cx.proxied_locations() {
            let Some(level) = cx.header_levels(l).into_iter().next() else {
                continue;
            };
            let Some(h) = cx.header_in(&level, "Connection") else {
                continue;
            };
            if let Some(empty) = cx.ignored_empty_header(&level, "Connection") {
                skipped.insert(h, empty);
            }
            let literal_upgrade = cx.header_value(h).is_some_and(|v| {
                !v.is_templated()
                    && variables_in(&v.value).is_empty()
                    && v.value.to_ascii_lowercase().contains("upgrade")
            });
            if !literal_upgrade {
                continue;
            }
            let i = *index.entry(h).or_insert_with(|| {
                by_header.push((h, Vec::new()));
                by_header.len() - 1
            });
            by_header[i].1.push(l);
        }
        by_header.sort_by_key(|(h, _)| *h);
        for (h, affected) in by_header {
            let Some(value) = cx.header_value(h) else {
                continue;
            };
            let plain: Vec<NodeId> = affected
                .iter()
                .copied()
                .filter(|&l| !cx.is_websocket_only(l))
                .collect();
            if plain.is_empty() {
                continue;
            }
            let keepalive = affected.iter().any(|&l| cx.keepalive_for(l).is_some());
            let fix = cx.connection_variable(keepalive).and_then(|(var, map)| {
                let mut edits: Vec<_> = map.into_iter().collect();
                edits.push(cx.replace_arg(h, 1, &format!("${var}"))?);
                Some(Fix::safe(
                    format!("use `${var}`, which is `upgrade` only for upgrade requests"),
                    edits,
                ))
            });
            let names: Vec<String> = plain.iter().map(|&l| cx.describe(l)).collect();
            let mut d = META
                .diag(
                    cx.file(h),
                    value.span(),
                    format!(
                        "`{}` sends `Connection: {}` on every request {} proxies, ordinary ones \
                         included, not only on WebSocket handshakes",
                        cx.text(h),
                        value.value,
                        names.join(" and "),
                    ),
                )
                .help(if keepalive {
                    "let the client's Upgrade header decide: `map $http_upgrade \
                     $connection_upgrade_keepalive { default upgrade; '' ''; }` in the http block \
                     and `proxy_set_header Connection $connection_upgrade_keepalive;` (the \
                     upstream has a keepalive cache, so ordinary requests get no Connection header)"
                } else {
                    "let the client's Upgrade header decide: `map $http_upgrade \
                     $connection_upgrade { default upgrade; '' close; }` in the http block and \
                     `proxy_set_header Connection $connection_upgrade;`"
                })
                .fix(fix);
            if let Some(&empty) = skipped.get(&h) {
                d = d.label(
                    cx.file(empty),
                    cx.dir(empty).span(),
                    "nginx skips a header whose value is empty: this line neither clears nor \
                     replaces the literal Connection header nginx sends",
                );
            }
            for &l in &plain {
                let why = if cx.tree.parent(h) == Some(l) {
                    "this location also serves ordinary HTTP requests"
                } else {
                    "inherits the header and serves ordinary HTTP requests"
                };
                d = d.label(cx.file(l), cx.header_span(l), why);
            }
            out.push(d);
        }
    }
}
