//! `listen` directives and the options nginx attaches to an address:port. nginx merges the
//! options of every `listen` on the same address and port (`ngx_http_add_addresses`: `ssl`,
//! `http2`, `proxy_protocol` set by one server apply to all servers on that socket), so a
//! server can speak HTTP/2 only because another server's `listen` said `http2`.

use super::model::NginxContext;
use super::tree::{Context, NodeId};
use std::collections::HashMap;

/// Every `listen` of a configuration by address and port.
pub type SocketIndex = HashMap<(String, Option<u16>), SocketListens>;

/// Every `listen` on one address and port, and whether any of them sets `ssl` / `http2`
/// (kept here so merging a socket's options does not rescan thousands of servers each time).
#[derive(Default)]
pub struct SocketListens {
    pub listens: Vec<Listen>,
    pub ssl: bool,
    pub http2: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listen {
    /// The `listen` directive; `None` for the implicit `listen *:80` of a server without one.
    pub node: Option<NodeId>,
    /// `*`, `127.0.0.1`, `[::]`, `unix:/run/app.sock`, `app.internal`.
    pub addr: String,
    pub port: Option<u16>,
    pub ssl: bool,
    pub http2: bool,
    pub quic: bool,
}

impl Listen {
    pub fn same_socket(&self, other: &Listen) -> bool {
        self.addr == other.addr && self.port == other.port
    }
    /// `*:80`, `[::]:443`, `unix:/run/app.sock`.
    pub fn display(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.addr),
            None => self.addr.clone(),
        }
    }
}

/// Reads `listen address[:port] [params]`.
pub fn parse_listen(node: NodeId, args: &[&str]) -> Option<Listen> {
    let first = *args.first()?;
    let (addr, port) = if first.starts_with("unix:") {
        (first.to_owned(), None)
    } else if let Some(rest) = first.strip_prefix('[') {
        let close = rest.find(']')?;
        let addr = format!("[{}]", &rest[..close]);
        let port = match rest[close + 1..].strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => 80,
        };
        (addr, Some(port))
    } else if first.bytes().all(|b| b.is_ascii_digit()) {
        ("*".to_owned(), Some(first.parse().ok()?))
    } else if let Some((a, p)) = first.rsplit_once(':') {
        (a.to_owned(), Some(p.parse().ok()?))
    } else {
        (first.to_owned(), Some(80))
    };
    let addr = if addr == "0.0.0.0" {
        "*".to_owned()
    } else {
        addr
    };
    let has = |p: &str| args.iter().skip(1).any(|a| *a == p);
    Some(Listen {
        node: Some(node),
        addr,
        port,
        ssl: has("ssl"),
        http2: has("http2"),
        quic: has("quic"),
    })
}

impl NginxContext<'_> {
    /// The sockets a server listens on, as written (a server without `listen` gets `*:80`).
    pub fn listens(&self, server: NodeId) -> Vec<Listen> {
        let out: Vec<Listen> = self
            .tree
            .children_named(server, "listen")
            .filter_map(|n| {
                let args: Vec<&str> = self.dir(n).args.iter().map(|w| w.value.as_str()).collect();
                parse_listen(n, &args)
            })
            .collect();
        if out.is_empty() && self.tree.node(server).context() == Context::Server {
            return vec![Listen {
                node: None,
                addr: "*".into(),
                port: Some(80),
                ssl: false,
                http2: false,
                quic: false,
            }];
        }
        out
    }

    /// Every `listen` of every server on the same socket, this one included.
    pub fn listens_on_socket(&self, socket: &Listen) -> &[Listen] {
        self.socket(socket)
            .map_or(&[][..], |s| s.listens.as_slice())
    }

    fn socket(&self, socket: &Listen) -> Option<&SocketListens> {
        let index = self.sockets.get_or_init(|| {
            let mut map = SocketIndex::new();
            for server in self.tree.all() {
                if self.tree.node(server).context() != Context::Server {
                    continue;
                }
                for l in self.listens(server) {
                    if !l.quic {
                        let entry: &mut SocketListens =
                            map.entry((l.addr.clone(), l.port)).or_default();
                        entry.ssl |= l.ssl;
                        entry.http2 |= l.http2;
                        entry.listens.push(l);
                    }
                }
            }
            map
        });
        index.get(&(socket.addr.clone(), socket.port))
    }

    /// The options a socket really has: those of every `listen` on it, merged.
    pub fn merged_listen(&self, socket: &Listen) -> Listen {
        let all = self.socket(socket);
        let mut merged = socket.clone();
        merged.ssl = all.is_some_and(|s| s.ssl) || socket.ssl;
        merged.http2 = all.is_some_and(|s| s.http2) || socket.http2;
        merged
    }

    /// The `http2 on;` directive (nginx 1.25.1 and later) in effect for a server.
    pub fn http2_directive(&self, server: NodeId) -> Option<NodeId> {
        self.effective(server, "http2")
    }

    /// Whether any `http2` directive appears: only nginx 1.25.1 or later accepts one.
    pub fn uses_http2_directive(&self) -> bool {
        self.tree.all().any(|n| {
            self.tree.name(n) == "http2" && self.tree.dir(n).is_some_and(|d| d.block().is_none())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(args: &[&str]) -> Listen {
        parse_listen(NodeId(1), args).unwrap()
    }

    #[test]
    fn addresses_and_parameters() {
        assert_eq!(l(&["80"]).display(), "*:80");
        assert_eq!(l(&["0.0.0.0:8080"]).display(), "*:8080");
        assert_eq!(l(&["127.0.0.1:8080", "http2"]).display(), "127.0.0.1:8080");
        assert!(l(&["127.0.0.1:8080", "http2"]).http2);
        assert_eq!(l(&["[::]:443", "ssl", "http2"]).display(), "[::]:443");
        assert!(l(&["[::]:443", "ssl"]).ssl);
        assert_eq!(l(&["[::]"]).port, Some(80));
        assert_eq!(l(&["localhost"]).display(), "localhost:80");
        assert_eq!(l(&["unix:/run/app.sock"]).display(), "unix:/run/app.sock");
        assert!(parse_listen(NodeId(1), &["127.0.0.1:http"]).is_none());
    }
}
