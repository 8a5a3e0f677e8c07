//! NGX005 connection-upgrade-map-undefined: a header uses a variable nothing defines.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::nginx::NginxContext;
use crate::formats::nginx::model::VarSource;
use crate::formats::nginx::values::variables_in;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "NGX005",
    name: "connection-upgrade-map-undefined",
    format: Some(Format::Nginx),
    severity: Severity::Error,
    fix: FixAvailability::Always,
    summary: "Upgrade/Connection header uses a variable that no map defines; nginx -t fails",
};

pub struct ConnectionUpgradeMapUndefined;

impl<'a> Rule<NginxContext<'a>> for ConnectionUpgradeMapUndefined {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &NginxContext<'a>, out: &mut Vec<Diagnostic>) {
        for h in cx.tree.all() {
            if cx.tree.name(h) != "proxy_set_header" {
                continue;
            }
            let d = cx.dir(h);
            let is_upgrade_header = d.arg(0).is_some_and(|n| {
                n.eq_ignore_ascii_case("connection") || n.eq_ignore_ascii_case("upgrade")
            });
            let Some(value) = d
                .args
                .get(1)
                .filter(|v| is_upgrade_header && !v.is_templated())
            else {
                continue;
            };
            for var in variables_in(&value.value) {
                if cx.variable(var) != VarSource::Undefined {
                    continue;
                }
                let fix = cx
                    .connection_map_edit(var)
                    .flatten()
                    .map(|e| Fix::safe(format!("add the `${var}` map to the http block"), vec![e]));
                out.push(
                    META.diag(
                        cx.file(h),
                        value.span(),
                        format!(
                            "`${var}` is not defined by any map, geo or set in this \
                             configuration; nginx -t fails with `unknown \"{var}\" variable`"
                        ),
                    )
                    .help(format!(
                        "define it in the http block: `map $http_upgrade ${var} {{ default upgrade; '' close; }}`"
                    ))
                    .fix(fix),
                );
            }
        }
    }
}
