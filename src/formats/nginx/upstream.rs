//! Where a location hands its requests: the `*_pass` directive in effect, the `proxy_pass`
//! target and the `upstream` group it names (with that group's servers, balancing method and
//! keepalive cache).

use super::model::NginxContext;
use super::tree::{Context, NodeId};

/// The module that produces a location's response when it hands the request on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handoff {
    Proxy,
    FastCgi,
    Uwsgi,
    Scgi,
    Grpc,
}

impl Handoff {
    pub fn directive(self) -> &'static str {
        match self {
            Handoff::Proxy => "proxy_pass",
            Handoff::FastCgi => "fastcgi_pass",
            Handoff::Uwsgi => "uwsgi_pass",
            Handoff::Scgi => "scgi_pass",
            Handoff::Grpc => "grpc_pass",
        }
    }

    fn from_directive(name: &str) -> Option<Handoff> {
        Some(match name {
            "proxy_pass" => Handoff::Proxy,
            "fastcgi_pass" => Handoff::FastCgi,
            "uwsgi_pass" => Handoff::Uwsgi,
            "scgi_pass" => Handoff::Scgi,
            "grpc_pass" => Handoff::Grpc,
            _ => return None,
        })
    }

    /// Whether nginx can switch the connection to a tunnel when the backend answers 101.
    /// The proxy, uwsgi and scgi modules set `u->upgrade` on a 101 answer to a request that
    /// carried `Upgrade` (observed on nginx 1.22.1 for all three). FastCGI has no way to carry
    /// the client's bytes after the response has started, and gRPC speaks HTTP/2 to the
    /// backend, which has no 101 (RFC 9113 §8.6); the gRPC module also clears `Upgrade` and
    /// `Connection`.
    pub fn can_tunnel(self) -> bool {
        matches!(self, Handoff::Proxy | Handoff::Uwsgi | Handoff::Scgi)
    }
}

/// What a `proxy_pass` URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// An `upstream` block of that name.
    Upstream(NodeId),
    /// A host name resolved by DNS (`backend`, `app:3000`, `localhost:8000`).
    Name,
    /// An IPv4 or IPv6 literal.
    Ip,
    /// `http://unix:/path.sock`
    Unix,
    /// The URL is built from variables at request time.
    Variable,
}

#[derive(Clone, Debug)]
pub struct ProxyTarget<'a> {
    /// The `proxy_pass` directive.
    pub node: NodeId,
    /// `backend`, `127.0.0.1:9000`, … (host and port as written, without scheme and path).
    pub authority: &'a str,
    pub kind: TargetKind,
}

impl<'a> NginxContext<'a> {
    /// The `*_pass` directive of a location (content handlers are not inherited).
    pub fn handoff(&self, loc: NodeId) -> Option<(NodeId, Handoff)> {
        self.tree
            .children(loc)
            .iter()
            .rev()
            .find_map(|&c| Handoff::from_directive(self.tree.name(c)).map(|h| (c, h)))
    }

    /// The `proxy_pass` target of a location, if it has one.
    pub fn proxy_target(&self, loc: NodeId) -> Option<ProxyTarget<'a>> {
        let node = self.tree.children_named(loc, "proxy_pass").next_back()?;
        let url = self.dir(node).arg(0)?;
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .unwrap_or(url);
        if url.starts_with('$') || rest.starts_with('$') {
            return Some(ProxyTarget {
                node,
                authority: rest,
                kind: TargetKind::Variable,
            });
        }
        if rest.starts_with("unix:") {
            return Some(ProxyTarget {
                node,
                authority: rest,
                kind: TargetKind::Unix,
            });
        }
        let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
        let kind = if authority.contains('$') {
            TargetKind::Variable
        } else if let Some(up) = self.upstream_named(authority) {
            TargetKind::Upstream(up)
        } else if is_ip_literal(authority) {
            TargetKind::Ip
        } else {
            TargetKind::Name
        };
        Some(ProxyTarget {
            node,
            authority,
            kind,
        })
    }

    /// The http `upstream` block a `proxy_pass` host names. nginx compares names without
    /// regard to case, and a URL naming a block cannot carry a port.
    pub fn upstream_named(&self, name: &str) -> Option<NodeId> {
        if name.contains(':') && !name.starts_with('[') {
            return None;
        }
        let index = self.upstreams.get_or_init(|| {
            let mut map = std::collections::HashMap::new();
            for n in self.tree.all() {
                if self.tree.node(n).context() != Context::Upstream
                    || self
                        .tree
                        .ancestors(n)
                        .any(|a| self.tree.name(a) == "stream")
                {
                    continue;
                }
                if let Some(name) = self.tree.dir(n).and_then(|d| d.arg(0)) {
                    map.entry(name.to_ascii_lowercase()).or_insert(n);
                }
            }
            map
        });
        index.get(&name.to_ascii_lowercase()).copied()
    }

    /// The upstream group a location proxies to.
    pub fn proxied_upstream(&self, loc: NodeId) -> Option<NodeId> {
        match self.proxy_target(loc)?.kind {
            TargetKind::Upstream(up) => Some(up),
            _ => None,
        }
    }

    /// `server` entries of an upstream that take requests in normal operation: not `backup`,
    /// not `down`.
    pub fn primary_servers(&self, upstream: NodeId) -> Vec<NodeId> {
        self.tree
            .children_named(upstream, "server")
            .filter(|&s| {
                !self
                    .dir(s)
                    .args
                    .iter()
                    .skip(1)
                    .any(|a| a.value == "backup" || a.value == "down")
            })
            .collect()
    }

    /// Whether an upstream has `backup` servers (which `ip_hash` and `hash` refuse).
    pub fn has_backup_servers(&self, upstream: NodeId) -> bool {
        self.tree
            .children_named(upstream, "server")
            .any(|s| self.dir(s).args.iter().skip(1).any(|a| a.value == "backup"))
    }

    /// The directive that pins a client to one server: `ip_hash`, `hash`, or a `sticky`
    /// (NGINX Plus, nginx-sticky-module).
    pub fn sticky_balancing(&self, upstream: NodeId) -> Option<NodeId> {
        self.tree.children(upstream).iter().copied().find(|&c| {
            matches!(
                self.tree.name(c),
                "ip_hash" | "hash" | "sticky" | "sticky_route" | "sticky_cookie_insert"
            )
        })
    }

    /// The `keepalive` cache of an upstream, if it has one.
    pub fn upstream_keepalive(&self, upstream: NodeId) -> Option<NodeId> {
        self.tree.children_named(upstream, "keepalive").next_back()
    }

    /// The `keepalive` of the upstream group a location proxies to.
    pub fn keepalive_for(&self, loc: NodeId) -> Option<NodeId> {
        self.proxied_upstream(loc)
            .and_then(|up| self.upstream_keepalive(up))
    }
}

fn is_ip_literal(authority: &str) -> bool {
    if authority.starts_with('[') {
        return true;
    }
    let host = authority.split(':').next().unwrap_or(authority);
    host.parse::<std::net::Ipv4Addr>().is_ok()
}
