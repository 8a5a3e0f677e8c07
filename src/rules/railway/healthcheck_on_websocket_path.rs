//! RWY003 healthcheck-on-websocket-path: the health check points at a WebSocket endpoint.

use super::RailwayContext;
use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::formats::ws_path::websocket_path_segment;
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "RWY003",
    name: "healthcheck-on-websocket-path",
    format: Some(Format::Railway),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "healthcheckPath is a WebSocket endpoint, which cannot answer Railway's HTTP 200 check",
};

pub struct HealthcheckOnWebsocketPath;

impl<'a> Rule<RailwayContext<'a>> for HealthcheckOnWebsocketPath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RailwayContext<'a>, out: &mut Vec<Diagnostic>) {
        for env in cx.environments() {
            let Some((path, f)) = cx.healthcheck_path(&env) else {
                continue;
            };
            if f.env != env.name {
                continue;
            }
            let Some(seg) = websocket_path_segment(path) else {
                continue;
            };
            out.push(
                META.diag(
                    cx.file,
                    f.node.span,
                    format!(
                        "healthcheckPath `{path}`{} is a WebSocket endpoint (`{seg}`): Railway's health check \
                         is a plain HTTP GET that must get 200, which a WebSocket route does not answer \
                         (it expects an Upgrade), so the deploy never becomes healthy",
                        env.suffix()
                    ),
                )
                .help(
                    "add a plain HTTP route that returns 200 when the app is ready (e.g. `/health`) and \
                     point healthcheckPath at it; the WebSocket route keeps working beside it",
                ),
            );
        }
    }
}
