//! The questions nginx rules ask, answered with nginx's own semantics: which directive is in
//! effect where (inheritance), which variables exist, which locations carry WebSockets.

use super::ast::{Directive, Word};
use super::location::Modifier;
use super::regex_sample;
use super::settings::Settings as NginxSettings;
use super::tree::{Context, NodeId, Tree};
use super::values;
use crate::source::{FileId, SourceDb, SourceFile, Span};
use regex::Regex;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Why wscfg treats a location as carrying WebSocket connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsReason {
    /// It passes an `Upgrade` header to its upstream.
    SetsUpgrade,
    /// It proxies and inherits `proxy_set_header Upgrade` from an outer level (at this
    /// `path:line`).
    InheritsUpgrade(String),
    /// Its path names a well-known WebSocket endpoint.
    Path(&'static str),
    /// It serves a path listed in `websocket-paths`.
    Configured(String),
}

impl WsReason {
    pub fn describe(&self) -> String {
        match self {
            WsReason::SetsUpgrade => "it passes an Upgrade header".into(),
            WsReason::InheritsUpgrade(at) => {
                format!("it proxies and inherits the Upgrade header set at {at}")
            }
            WsReason::Path(seg) => format!("its path names the WebSocket endpoint `{seg}`"),
            WsReason::Configured(p) => format!("it serves `{p}`, listed in websocket-paths"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct WsLocation {
    pub node: NodeId,
    pub server: Option<NodeId>,
    /// A URI this location is meant to serve: its prefix, its exact path, a sample its regex
    /// matches, or the configured path. `None` for named locations.
    pub uri: Option<String>,
    pub reason: WsReason,
}

/// Path segments that name WebSocket endpoints in real deployments.
const WS_SEGMENTS: &[&str] = &[
    "ws",
    "wss",
    "websocket",
    "websockets",
    "socket.io",
    "sockjs",
    "sockjs-node",
    "cable",
    "hmr",
    "graphql-ws",
    "subscriptions",
    // XMPP over WebSocket (RFC 7395; Prosody's mod_websocket) and Jitsi Videobridge's
    // Colibri WebSockets: both endpoints answer nothing but WebSocket handshakes.
    "xmpp-websocket",
    "colibri-ws",
];

/// WebSocket endpoints whose clients fall back to ordinary HTTP requests on the same path
/// (Socket.IO long-polling, SockJS xhr-streaming and polling).
const HTTP_FALLBACK_SEGMENTS: &[&str] = &["socket.io", "sockjs", "sockjs-node"];

/// A level whose `proxy_set_header` (or `add_header`) directives apply to a location.
#[derive(Clone, Debug)]
pub struct HeaderLevel {
    pub level: NodeId,
    pub headers: Vec<NodeId>,
}

/// Where a variable comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarSource {
    Builtin,
    Defined(NodeId),
    /// Not defined in what wscfg can see, and the file is a fragment whose parent might.
    Unknown,
    /// Not defined anywhere in a complete configuration: nginx -t fails.
    Undefined,
}

pub struct NginxContext<'a> {
    pub tree: Tree<'a>,
    pub db: &'a SourceDb,
    pub settings: &'a NginxSettings,
    variables: FxHashMap<&'a str, NodeId>,
    regexes: FxHashMap<NodeId, OnceLock<Option<Regex>>>,
    ws: Vec<WsLocation>,
    pub(super) selection: super::location::SelectionCache<'a>,
    /// Built on first use: every `listen` by address and port (for merged socket options).
    pub(super) sockets: OnceLock<super::listen::SocketIndex>,
    /// Built on first use: http `upstream` blocks by lower-cased name.
    pub(super) upstreams: OnceLock<std::collections::HashMap<String, NodeId>>,
    /// Built on first use: the variable of a `map $http_upgrade` whose empty case is `''`.
    pub(super) keepalive_map: OnceLock<Option<String>>,
}

impl<'a> NginxContext<'a> {
    pub fn new(tree: Tree<'a>, db: &'a SourceDb, settings: &'a NginxSettings) -> Self {
        // A slot for each regex location only (not one per directive of the configuration).
        let regexes = tree
            .all()
            .filter(|&n| {
                tree.node(n).context() == Context::Location
                    && tree
                        .dir(n)
                        .and_then(super::location::pattern)
                        .is_some_and(|p| p.is_regex())
            })
            .map(|n| (n, OnceLock::new()))
            .collect();
        let mut cx = NginxContext {
            tree,
            db,
            settings,
            variables: FxHashMap::default(),
            regexes,
            ws: Vec::new(),
            selection: Default::default(),
            sockets: OnceLock::new(),
            upstreams: OnceLock::new(),
            keepalive_map: OnceLock::new(),
        };
        cx.variables = cx.collect_variables();
        cx.ws = cx.find_websocket_locations();
        cx
    }

    pub fn root_context(&self) -> Context {
        self.tree.node(self.tree.root()).context()
    }

    /// The configuration is whole (it has the main context), so anything not defined in it
    /// is not defined at all.
    pub fn is_complete(&self) -> bool {
        self.root_context() == Context::Main
    }

    /// Levels above what wscfg sees default to nginx's defaults: true when the root is the
    /// main file or an http-level file (sites-available/…, conf.d/…), whose parent is the
    /// stock http block; false for server- or location-level snippets.
    pub fn outer_levels_are_defaults(&self) -> bool {
        matches!(self.root_context(), Context::Main | Context::Http)
    }

    pub fn file(&self, node: NodeId) -> FileId {
        self.tree.node(node).file
    }
    pub fn source(&self, node: NodeId) -> &'a SourceFile {
        self.db.get(self.file(node))
    }
    pub fn dir(&self, node: NodeId) -> &'a Directive {
        self.tree
            .dir(node)
            .expect("the synthetic root has no directive")
    }
    /// Span for labelling a block: `location ~ ^/ws/` without the body.
    pub fn header_span(&self, node: NodeId) -> Span {
        self.tree
            .dir(node)
            .map_or(Span::empty(0), Directive::header_span)
    }
    pub fn text(&self, node: NodeId) -> &'a str {
        self.source(node).slice(self.dir(node).span())
    }
    /// `path:line` of a node, for messages that point elsewhere.
    pub fn position(&self, node: NodeId) -> String {
        let src = self.source(node);
        let start = self.tree.dir(node).map_or(0, |d| d.span().start);
        format!("{}:{}", src.path.display(), src.line_col(start).line)
    }

    pub fn websocket_locations(&self) -> &[WsLocation] {
        &self.ws
    }

    /// The WebSocket locations that hand the connection to an upstream with `proxy_pass`;
    /// the header, version and timeout rules are about these.
    pub fn proxied_websocket_locations(&self) -> impl Iterator<Item = &WsLocation> {
        self.ws.iter().filter(|w| {
            self.tree
                .children_named(w.node, "proxy_pass")
                .next()
                .is_some()
        })
    }

    /// The directive that sets `name` for `node`: its own, else the closest enclosing level's
    /// (normal nginx inheritance for scalar directives).
    pub fn effective(&self, node: NodeId, name: &str) -> Option<NodeId> {
        self.proxy_levels(node)
            .find_map(|level| self.tree.children_named(level, name).next_back())
    }

    /// The location, its enclosing locations, server and http levels, innermost first.
    pub fn proxy_levels(&self, node: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let root = self.tree.root();
        self.tree
            .ancestors(node)
            .filter(move |&a| a == root || self.tree.node(a).context().is_proxy_level())
    }

    /// Every level with `proxy_set_header` directives, innermost first. Only the first one is
    /// in effect: nginx inherits the headers of an outer level only if a level sets none.
    pub fn header_levels(&self, node: NodeId) -> Vec<HeaderLevel> {
        self.directive_levels(node, "proxy_set_header")
    }

    /// Every level with `add_header` directives, innermost first. `add_header` follows the
    /// same rule as `proxy_set_header`: only the innermost level that has any is in effect.
    pub fn add_header_levels(&self, node: NodeId) -> Vec<HeaderLevel> {
        self.directive_levels(node, "add_header")
    }

    /// The levels that have `name` directives, innermost first, for array-like directives
    /// that are inherited only by a level that has none of its own.
    pub fn directive_levels(&self, node: NodeId, name: &str) -> Vec<HeaderLevel> {
        self.proxy_levels(node)
            .filter_map(|level| {
                let headers: Vec<NodeId> = self.tree.children_named(level, name).collect();
                (!headers.is_empty()).then_some(HeaderLevel { level, headers })
            })
            .collect()
    }

    /// The `add_header` directives that apply to a location's responses: the effective
    /// level's, and those in `if` blocks of the location itself (applied when their
    /// condition holds).
    pub fn add_headers_in_effect(&self, loc: NodeId) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = self
            .add_header_levels(loc)
            .into_iter()
            .next()
            .map(|l| l.headers)
            .unwrap_or_default();
        for c in self.tree.children(loc) {
            if self.tree.node(*c).context() == Context::If {
                out.extend(self.tree.children_named(*c, "add_header"));
            }
        }
        out
    }

    /// Every location that hands its requests to `proxy_pass`.
    pub fn proxied_locations(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.tree.all().filter(|&n| {
            self.tree.node(n).context() == Context::Location
                && self.tree.children_named(n, "proxy_pass").next().is_some()
        })
    }

    /// Whether a location serves nothing but WebSocket handshakes: its own path names a
    /// WebSocket-only endpoint (`/ws`, `/cable`, `/_next/webpack-hmr`, …) or lies under a
    /// path listed in `websocket-paths`. Socket.IO and SockJS paths do not count: their
    /// polling and streaming transports are ordinary HTTP requests to the same path. A
    /// location like `/`, `/api/` or `/graphql` serves ordinary requests too.
    pub fn is_websocket_only(&self, loc: NodeId) -> bool {
        let Some(uri) = self.intended_uri(loc) else {
            return false;
        };
        let dedicated = ws_segment(&uri).is_some_and(|seg| !HTTP_FALLBACK_SEGMENTS.contains(&seg));
        dedicated
            || self
                .settings
                .websocket_paths
                .iter()
                .any(|p| uri.starts_with(p.as_str()))
    }

    /// The `proxy_set_header NAME value` of a level that decides what nginx sends (header
    /// names are case-insensitive): the last one with a value, else the last empty one.
    /// nginx compiles every entry but skips one whose value is the empty string
    /// (`ngx_http_proxy_init_headers`), so `Connection "upgrade"; Connection "";` sends
    /// `Connection: upgrade` (measured on nginx 1.22.1, tests/nginx_e2e.rs).
    pub fn header_in(&self, level: &HeaderLevel, name: &str) -> Option<NodeId> {
        let mut named = self.headers_named(level, name);
        let last = named.next()?;
        if self.header_value(last).is_some_and(|v| !v.value.is_empty()) {
            return Some(last);
        }
        Some(
            named
                .find(|&h| self.header_value(h).is_some_and(|v| !v.value.is_empty()))
                .unwrap_or(last),
        )
    }

    /// The `proxy_set_header NAME …` entries of a level, last first.
    pub fn headers_named<'s>(
        &'s self,
        level: &'s HeaderLevel,
        name: &'s str,
    ) -> impl Iterator<Item = NodeId> + 's {
        level.headers.iter().rev().copied().filter(move |&h| {
            self.dir(h)
                .arg(0)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// An empty `proxy_set_header NAME ""` of a level that nginx skips because another entry
    /// of the same name has a value: it neither clears nor replaces that header.
    pub fn ignored_empty_header(&self, level: &HeaderLevel, name: &str) -> Option<NodeId> {
        let sent = self.header_in(level, name)?;
        self.headers_named(level, name)
            .find(|&h| h != sent && self.header_value(h).is_some_and(|v| v.value.is_empty()))
    }

    pub fn header_value(&self, header: NodeId) -> Option<&'a Word> {
        self.dir(header).args.get(1)
    }

    pub fn variable(&self, name: &str) -> VarSource {
        if let Some(&n) = self.variables.get(name) {
            VarSource::Defined(n)
        } else if values::is_builtin_variable(name) {
            VarSource::Builtin
        } else if self.is_complete() {
            VarSource::Undefined
        } else {
            VarSource::Unknown
        }
    }

    /// Whether a Connection header value lets the upgrade through: a literal containing
    /// `upgrade`, the client's own `$http_connection`, or a map/set variable that yields
    /// `upgrade`. `None` when that cannot be known (a variable defined outside the files).
    pub fn connection_carries_upgrade(&self, value: &str) -> Option<bool> {
        let vars = values::variables_in(value);
        if value.to_ascii_lowercase().contains("upgrade") && vars.is_empty() {
            return Some(true);
        }
        if vars.is_empty() {
            return Some(false);
        }
        let mut answer = Some(false);
        for v in vars {
            match (v, self.variable(v)) {
                ("http_connection", _) => return Some(true),
                (_, VarSource::Defined(def)) => {
                    if self.definition_yields_upgrade(def) {
                        return Some(true);
                    }
                }
                (_, VarSource::Builtin) => {}
                (_, VarSource::Unknown | VarSource::Undefined) => answer = None,
            }
        }
        answer
    }

    fn definition_yields_upgrade(&self, def: NodeId) -> bool {
        let d = self.dir(def);
        let mentions = |s: &str| {
            let s = s.to_ascii_lowercase();
            s.contains("upgrade") || s.contains("$http_connection")
        };
        match d.name() {
            "map" => self.tree.children(def).iter().any(|&c| {
                self.tree
                    .dir(c)
                    .is_some_and(|e| e.args.iter().any(|a| mentions(&a.value)))
            }),
            _ => d.args.iter().skip(1).any(|a| mentions(&a.value)),
        }
    }

    /// Variables defined by map, geo, set and the modules that define them, anywhere.
    fn collect_variables(&self) -> FxHashMap<&'a str, NodeId> {
        let mut out = FxHashMap::default();
        for n in self.tree.all() {
            let Some(d) = self.tree.dir(n) else { continue };
            let var = match d.name() {
                "map" | "split_clients" | "map_hash" => d.arg(1),
                "geo" => d.args.last().map(|w| w.value.as_str()),
                "set" | "js_set" | "perl_set" | "auth_request_set" | "set_real_ip_from_var" => {
                    d.arg(0)
                }
                name if name.starts_with("set_by_lua") => d.arg(0),
                _ => None,
            };
            if let Some(v) = var.and_then(|v| v.strip_prefix('$')) {
                out.entry(v).or_insert(n);
            }
        }
        out
    }

    fn find_websocket_locations(&self) -> Vec<WsLocation> {
        let mut out: Vec<WsLocation> = Vec::new();
        for n in self.tree.all() {
            if self.tree.node(n).context() != Context::Location {
                continue;
            }
            let sets_upgrade = self.tree.children_named(n, "proxy_set_header").any(|h| {
                self.dir(h)
                    .arg(0)
                    .is_some_and(|a| a.eq_ignore_ascii_case("upgrade"))
            });
            let uri = if sets_upgrade || self.may_name_websocket_path(n) {
                self.intended_uri(n)
            } else {
                None
            };
            let reason = if sets_upgrade {
                Some(WsReason::SetsUpgrade)
            } else {
                uri.as_deref()
                    .filter(|u| !names_plain_http_endpoint(u))
                    .and_then(ws_segment)
                    .map(WsReason::Path)
            };
            if let Some(reason) = reason {
                out.push(WsLocation {
                    node: n,
                    server: self.server_of(n),
                    uri,
                    reason,
                });
            }
        }
        self.add_inheriting_locations(&mut out);
        for path in &self.settings.websocket_paths {
            for server in self.tree.all() {
                if self.tree.node(server).context() != Context::Server {
                    continue;
                }
                if let Some(loc) = self.select_location(server, path)
                    && !out.iter().any(|w| w.node == loc)
                {
                    out.push(WsLocation {
                        node: loc,
                        server: Some(server),
                        uri: Some(path.clone()),
                        reason: WsReason::Configured(path.clone()),
                    });
                }
            }
        }
        out.sort_by_key(|w| w.node);
        out
    }

    /// Adds the proxied locations that inherit an outer `proxy_set_header Upgrade`, in servers
    /// with no WebSocket location of their own: there the server- or http-level idiom is
    /// what carries the upgrade (`location / { proxy_pass …; }` below it). Where the server
    /// has one (`/ws/`, `/socket.io/`), the shared headers are just shared, and its other
    /// locations serve ordinary requests.
    fn add_inheriting_locations(&self, out: &mut Vec<WsLocation>) {
        let with_own: rustc_hash::FxHashSet<Option<NodeId>> =
            out.iter().map(|w| w.server).collect();
        for n in self.tree.all() {
            if self.tree.node(n).context() != Context::Location {
                continue;
            }
            let server = self.server_of(n);
            if with_own.contains(&server) {
                continue;
            }
            if let Some(h) = self.inherited_upgrade(n) {
                out.push(WsLocation {
                    node: n,
                    server,
                    uri: self.intended_uri(n),
                    reason: WsReason::InheritsUpgrade(self.position(h)),
                });
            }
        }
    }

    /// The outer `proxy_set_header Upgrade …` a proxied location inherits (it sets no
    /// headers of its own): the server- or http-level WebSocket idiom makes every proxied
    /// location below it pass upgrades.
    fn inherited_upgrade(&self, loc: NodeId) -> Option<NodeId> {
        self.tree.children_named(loc, "proxy_pass").next()?;
        let level = self.header_levels(loc).into_iter().next()?;
        if level.level == loc {
            return None;
        }
        self.header_in(&level, "Upgrade")
            .filter(|&h| self.header_value(h).is_some_and(|v| !v.value.is_empty()))
    }

    /// A regex location's sample URI is only worth computing (compiling the regex) when the
    /// pattern spells one of the WebSocket segments; the sample is built from its literals.
    fn may_name_websocket_path(&self, loc: NodeId) -> bool {
        match self.location_pattern(loc) {
            Some(p) if p.is_regex() => {
                let lower = p.path.to_ascii_lowercase();
                WS_SEGMENTS.iter().any(|w| lower.contains(w)) || lower.contains("webpack-hmr")
            }
            _ => true,
        }
    }

    /// The URI a location is written for: its path, or for a regex a URI it matches.
    pub fn intended_uri(&self, loc: NodeId) -> Option<String> {
        let p = self.location_pattern(loc)?;
        match p.modifier {
            Modifier::Named => None,
            Modifier::Exact | Modifier::Prefix | Modifier::PrefixNoRegex => Some(p.path.to_owned()),
            Modifier::Regex { case_insensitive } => {
                let re = self.compiled_regex(loc, p.path, case_insensitive)?;
                regex_sample::sample_uri(p.path, re)
            }
        }
    }

    pub(super) fn compiled_regex(
        &self,
        loc: NodeId,
        pattern: &str,
        case_insensitive: bool,
    ) -> Option<&Regex> {
        // Callers ask only about nodes whose pattern is a regex, and each has a slot.
        self.regexes
            .get(&loc)?
            .get_or_init(|| regex_sample::compile(pattern, case_insensitive))
            .as_ref()
    }
}

/// The well-known WebSocket segment a URI names, if any.
/// Last path segments that name plain HTTP endpoints by convention (health checks, status
/// and metrics pages, SockJS's `/info`): `/ws/health` or `/ws/status` is an HTTP endpoint
/// that lives under a WebSocket prefix, not a WebSocket endpoint.
const PLAIN_HTTP_ENDPOINTS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "health-check",
    "status",
    "metrics",
    "stats",
    "ready",
    "readyz",
    "live",
    "livez",
    "ping",
    "info",
    "version",
];

/// Whether a URI's last segment names a plain HTTP endpoint (`/ws/health`, `/ws/metrics/`).
fn names_plain_http_endpoint(uri: &str) -> bool {
    uri.rsplit('/')
        .find(|seg| !seg.is_empty())
        .is_some_and(|last| {
            PLAIN_HTTP_ENDPOINTS
                .iter()
                .any(|e| last.eq_ignore_ascii_case(e))
        })
}

pub fn ws_segment(uri: &str) -> Option<&'static str> {
    if uri.contains("/_next/webpack-hmr") {
        return Some("_next/webpack-hmr");
    }
    uri.split('/').find_map(|seg| {
        WS_SEGMENTS
            .iter()
            .copied()
            .find(|w| seg.eq_ignore_ascii_case(w))
    })
}

impl NginxContext<'_> {
    /// For the header rules: `Some(true)` when no visible level sets `name` and the levels
    /// wscfg cannot see cannot matter, `Some(false)` when a level sets it (in effect or
    /// dropped by inheritance), `None` when an unseen outer level might set it.
    pub fn header_missing_everywhere(&self, levels: &[HeaderLevel], name: &str) -> Option<bool> {
        if levels.iter().any(|l| self.header_in(l, name).is_some()) {
            return Some(false);
        }
        // A header named by a template placeholder may be this one.
        let templated_name = |h: &NodeId| self.dir(*h).args.first().is_some_and(Word::is_templated);
        if levels.iter().any(|l| l.headers.iter().any(templated_name)) {
            return None;
        }
        // A visible level with its own headers hides whatever an unseen level sets.
        (!levels.is_empty() || self.outer_levels_are_defaults()).then_some(true)
    }
}
