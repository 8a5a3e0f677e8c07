//! What `include` files wscfg could not read (missing here, outside the checked directories)
//! may set for a location. nginx reads them in the deployment, so a directive wscfg finds
//! unset may be set there: the rules stay quiet about what such an include could answer.

use super::load::is_packaged;
use super::model::NginxContext;
use super::tree::{Context, NodeId};
use crate::diagnostic::{Diagnostic, clip};

/// An `include` wscfg did not read that may set a directive for a location.
pub struct UnreadInclude {
    pub include: NodeId,
    /// It sits in the location or an enclosing location: written for it, so the rules
    /// leave what it may set to it. An include at the server or http level (TLS settings,
    /// shared snippets) is named in the finding instead.
    pub in_location: bool,
}

impl NginxContext<'_> {
    /// The innermost unread include that may set the scalar directive `name`
    /// (`proxy_http_version`, `proxy_read_timeout`, …) for `loc`: one in a level inside the
    /// level that visibly sets it, or in any level when none does. The level that sets it
    /// cannot set it again (nginx rejects a duplicate), and an outer level cannot override it.
    pub fn unread_include_setting(&self, loc: NodeId, name: &str) -> Option<UnreadInclude> {
        let set_at = self.effective(loc, name).and_then(|d| self.tree.parent(d));
        self.proxy_levels(loc)
            .take_while(|&level| Some(level) != set_at)
            .find_map(|level| {
                Some(UnreadInclude {
                    include: self.unread_include_in(level)?,
                    in_location: self.tree.node(level).context() == Context::Location,
                })
            })
    }

    /// A finding about `name` that an unread include in an outer level could still answer
    /// says so: its message ends with the condition, and the include is labelled.
    pub fn unless_unread_sets(&self, d: Diagnostic, include: NodeId, name: &str) -> Diagnostic {
        let mut d = d.label(
            self.file(include),
            self.dir(include).span(),
            format!("not read by wscfg: the finding holds unless this sets `{name}`"),
        );
        d.message.push_str(&format!(
            " (unless `{}`, which wscfg could not read, sets `{name}`)",
            clip(self.text(include))
        ));
        d
    }

    /// Whether an unread include may add a `proxy_set_header` that applies to `loc`: one in
    /// the innermost level with headers, or in a level inside it (which would then replace
    /// them all), or in any level when none has headers.
    pub fn unread_include_may_set_headers(&self, loc: NodeId) -> bool {
        let effective = self.header_levels(loc).first().map(|l| l.level);
        let levels: Vec<NodeId> = self.proxy_levels(loc).collect();
        let through = effective
            .and_then(|e| levels.iter().position(|&l| l == e))
            .map_or(levels.len(), |i| i + 1);
        levels[..through]
            .iter()
            .any(|&level| self.unread_include_in(level).is_some())
    }

    /// A directly contained `include` whose file wscfg did not read. The files the nginx
    /// package ships (`proxy_params`, `mime.types`, …) do not count: their content is known,
    /// and none sets an HTTP version, a timeout, `Upgrade` or `Connection` (Debian's
    /// `proxy_params` sets `Host`, `X-Real-IP` and `X-Forwarded-*`).
    fn unread_include_in(&self, level: NodeId) -> Option<NodeId> {
        self.tree.children_named(level, "include").find(|&inc| {
            self.tree.unread_includes.binary_search(&inc).is_ok()
                && !self.dir(inc).arg(0).is_some_and(is_packaged)
        })
    }
}
