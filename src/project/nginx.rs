//! Following a client's WebSocket URL through the nginx configurations of the run, with the
//! nginx model's own answers: which server blocks answer the URL's host, which location
//! nginx selects for its path, and whether that location hands the connection on as a
//! WebSocket (it proxies, and passes `Upgrade` and `Connection` to the upstream).

use crate::config::Config;
use crate::formats::nginx::tree::{Context, NodeId, Tree};
use crate::formats::nginx::upstream::TargetKind;
use crate::formats::nginx::{NginxContext, load};
use crate::source::{FileId, SourceDb, Span};

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
        .filter(|&n| cx.tree.node(n).context() == Context::Server)
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

/// One address a location hands its requests to: the `proxy_pass` URL's own host and port,
/// or a `server` of the `upstream` block it names. Only addresses with a written port.
#[derive(Clone, Debug)]
pub struct ProxyAddr {
    /// The directive the address is written in (`proxy_pass` or the upstream's `server`).
    pub node: NodeId,
    /// The host, lower-cased, without brackets (`127.0.0.1`, `api`, `::1`).
    pub host: String,
    pub port: u16,
    /// The port's digits in the file of `node` (the whole address when they cannot be told).
    pub port_span: Span,
    /// The span holds exactly the digits.
    pub exact: bool,
    /// "`proxy_pass http://127.0.0.1:8000`", "`server api:8000` of `upstream backend`".
    pub written: String,
    /// The `upstream` block, when the address is one of its servers.
    pub upstream: Option<NodeId>,
}

/// Where a location's `proxy_pass` sends requests, as addresses with ports: the URL's own
/// authority, or each primary (not `backup`/`down`) server of the upstream block it names.
/// Variables, unix sockets and addresses without a port give nothing.
pub fn proxy_addresses(cx: &NginxContext<'_>, loc: NodeId) -> Vec<ProxyAddr> {
    let Some(target) = cx.proxy_target(loc) else {
        return Vec::new();
    };
    match target.kind {
        TargetKind::Upstream(up) => {
            let name = cx.dir(up).arg(0).unwrap_or("").to_owned();
            cx.primary_servers(up)
                .into_iter()
                .filter_map(|s| {
                    let mut a = address(cx, s)?;
                    let args: Vec<&str> = cx.dir(s).args.iter().map(|w| w.value.as_str()).collect();
                    a.written = format!("`server {}` of `upstream {name}`", args.join(" "));
                    a.upstream = Some(up);
                    Some(a)
                })
                .collect()
        }
        TargetKind::Name | TargetKind::Ip => address(cx, target.node).into_iter().collect(),
        TargetKind::Variable | TargetKind::Unix => Vec::new(),
    }
}

/// The address in the first argument of `node` (a URL or `host:port`).
fn address(cx: &NginxContext<'_>, node: NodeId) -> Option<ProxyAddr> {
    let word = cx.dir(node).args.first()?;
    let value = word.value.as_str();
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .unwrap_or(value);
    let scheme_len = value.len() - rest.len();
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        (h, after.strip_prefix(':')?)
    } else {
        authority.rsplit_once(':')?
    };
    let port_num: u16 = port.parse().ok()?;
    if host.is_empty() || host.contains('$') {
        return None;
    }
    // The digits' offset in the value, then in the file: exact only when the word is written
    // as its value (unquoted, or quoted without escapes).
    let in_value = scheme_len + authority.len() - port.len();
    let src = &cx.source(node).text;
    let raw = &src[word.span().range()];
    let lead = usize::from(word.quoted());
    let at = word.span().start + lead + in_value;
    let exact = raw.get(lead + in_value..lead + in_value + port.len()) == Some(port);
    let port_span = if exact {
        Span::new(at, at + port.len())
    } else {
        word.span()
    };
    Some(ProxyAddr {
        node,
        host: host.to_ascii_lowercase(),
        port: port_num,
        port_span,
        exact,
        written: format!("`{} {}`", cx.tree.name(node), value),
        upstream: None,
    })
}

/// `127.0.0.1` (any of 127/8), `localhost`, `::1`: the machine nginx runs on.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
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
