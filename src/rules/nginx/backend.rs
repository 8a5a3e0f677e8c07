//! Which WebSocket server answers a location, for the rules whose verdict depends on it
//! (NGX006: does it ping? NGX015: does it compare Origin with Host?).

use crate::formats::nginx::NginxContext;
use crate::formats::nginx::model::WsLocation;
use crate::formats::nginx::upstream::TargetKind;
use crate::project::servers::{self, Identified};
use std::cell::OnceCell;

/// Asks once per configuration for the servers the project around it depends on.
pub struct Backends<'c, 'a> {
    cx: &'c NginxContext<'a>,
    project: OnceCell<Vec<Identified>>,
}

impl<'c, 'a> Backends<'c, 'a> {
    pub fn new(cx: &'c NginxContext<'a>) -> Self {
        Backends {
            cx,
            project: OnceCell::new(),
        }
    }

    /// The servers wscfg believes answer a WebSocket location: the one its path belongs to
    /// (`/cable`, `/socket.io/`), else the one its upstream group or host names, else those
    /// the project around the configuration depends on.
    pub fn behind(&self, ws: &WsLocation) -> Vec<Identified> {
        let cx = self.cx;
        let name = cx.proxy_target(ws.node).map(|t| {
            let host = t.authority.rsplit_once(':').map_or(t.authority, |(h, _)| h);
            match t.kind {
                TargetKind::Upstream(_) => ("upstream group", host),
                TargetKind::Unix => ("socket", t.authority),
                _ => ("proxied host", host),
            }
        });
        let project = self
            .project
            .get_or_init(|| servers::around(cx.db, &cx.db.get(cx.tree.root_file).path));
        servers::behind(ws.uri.as_deref(), name.as_slice(), project)
    }
}
