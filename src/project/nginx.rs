//! Following a client's WebSocket URL through the nginx configurations of the run, with the
//! nginx model's own answers: which server blocks answer the URL's host, which location
//! nginx selects for its path, and whether that location hands the connection on as a
//! WebSocket (it proxies, and passes `Upgrade` and `Connection` to the upstream).

use crate::config::Config;
use crate::formats::nginx::tree::{Context, NodeId, Tree};
use crate::formats::nginx::{NginxContext, load};
use crate::source::{FileId, SourceDb};

/// The nginx configurations of a run, loaded once for the project view.
pub struct Loaded {
    loaded: Option<load::Loaded>,
}

impl Loaded {
    /// Loads the checked nginx files (with what they include); nothing when `wanted` is false.
    pub fn load(db: &mut SourceDb, nginx_files: &[FileId], config: &Config, wanted: bool) -> Self {
        let loaded = (wanted && !nginx_files.is_empty())
            .then(|| load::load_limited(db, nginx_files, &config.nginx, &config.limits));
        Loaded { loaded }
    }

    /// One model per root configuration.
    pub fn contexts<'a>(&'a self, db: &'a SourceDb, config: &'a Config) -> Vec<NginxContext<'a>> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        l.roots
            .iter()
            .map(|&(root, context)| {
                let tree = Tree::build_limited(
                    &l.parsed,
                    &l.includes,
                    root,
                    context,
                    config.limits.max_includes,
                );
                NginxContext::new(tree, db, &config.nginx)
            })
            .collect()
    }
}

/// What nginx does with a WebSocket handshake for a path in one server block.
pub enum Routed {
    /// The selected location proxies it and passes `Upgrade` and `Connection`.
    WebSocket(NodeId),
    /// The selected location does not: it serves files, or proxies without the headers.
    NotWebSocket { loc: NodeId, proxies: bool },
    /// No location matches: the server's own settings answer (404 or a static file).
    NoLocation,
}

/// The server blocks that answer `host`: those whose `server_name` names it (exactly, or
/// with a leading or trailing `*` / leading `.` wildcard). A local or computed host (or none,
/// a same-origin URL) is answered by any server with locations. Redirect-only servers (a
/// `return` at server level) and servers without locations are left out.
pub fn servers_for(cx: &NginxContext<'_>, host: Option<&str>) -> Vec<NodeId> {
    let servers: Vec<NodeId> = cx
        .tree
        .all()
        .filter(|&n| cx.tree.node(n).context == Context::Server)
        .filter(|&s| cx.child_locations(s).next().is_some())
        .filter(|&s| cx.tree.children_named(s, "return").next().is_none())
        .collect();
    let Some(host) = host else {
        return servers;
    };
    let host = host.to_ascii_lowercase();
    servers
        .into_iter()
        .filter(|&s| {
            cx.tree.children_named(s, "server_name").any(|d| {
                cx.dir(d)
                    .args
                    .iter()
                    .any(|w| server_name_matches(&w.value.to_ascii_lowercase(), &host))
            })
        })
        .collect()
}

fn server_name_matches(name: &str, host: &str) -> bool {
    if let Some(suffix) = name.strip_prefix("*.") {
        return host.ends_with(&format!(".{suffix}"));
    }
    if let Some(base) = name.strip_prefix('.') {
        return host == base || host.ends_with(name);
    }
    if let Some(prefix) = name.strip_suffix(".*") {
        return host.starts_with(&format!("{prefix}."));
    }
    name == host
}

/// Where nginx sends a handshake for `path` in `server`.
pub fn route(cx: &NginxContext<'_>, server: NodeId, path: &str) -> Routed {
    let Some(loc) = cx.select_location(server, path) else {
        return Routed::NoLocation;
    };
    let proxies = cx.tree.children_named(loc, "proxy_pass").next().is_some();
    let levels = cx.header_levels(loc);
    let passes = |name: &str| {
        levels
            .first()
            .is_some_and(|l| cx.header_in(l, name).is_some())
    };
    if proxies && passes("upgrade") && passes("connection") {
        Routed::WebSocket(loc)
    } else {
        Routed::NotWebSocket { loc, proxies }
    }
}

/// The path nginx would see for a client path with `${…}` parts (each becomes one segment).
pub fn sample_path(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        out.push('x');
        rest = rest[at..].find('}').map_or("", |e| &rest[at + e + 1..]);
    }
    out.push_str(rest);
    if out.is_empty() { "/".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_and_sample_paths() {
        assert!(server_name_matches("*.example.com", "chat.example.com"));
        assert!(!server_name_matches("*.example.com", "example.com"));
        assert!(server_name_matches(".example.com", "example.com"));
        assert!(server_name_matches("chat.*", "chat.example.com"));
        assert!(!server_name_matches("chat.example.com", "api.example.com"));
        assert_eq!(sample_path("/ws/${room}/live"), "/ws/x/live");
        assert_eq!(sample_path(""), "/");
    }
}
