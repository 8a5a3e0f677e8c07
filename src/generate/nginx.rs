//! `wscfg init nginx`: a server block, a snippet to paste (map + location) or a complete
//! nginx.conf that proxies WebSockets correctly, each WebSocket line with the reason it is
//! there. The text is parsed by wscfg's nginx parser, loaded into the nginx model (location
//! selection must send the WebSocket path to a location the model sees as proxying
//! WebSockets, and ordinary paths elsewhere) and linted by every NGX rule before it is shown.

use super::{Generated, Writer, internal_error, plain_word, require_clean};
use crate::config::NginxSettings;
use crate::formats::Format;
use crate::formats::nginx::model::WsReason;
use crate::formats::nginx::tree::{Context, Tree};
use crate::formats::nginx::{NginxContext, load, parser};
use crate::source::SourceDb;
use std::path::{Path, PathBuf};

/// What the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A file for the http block: the map, the upstream and the server block(s).
    Server,
    /// The pieces to paste into an existing configuration, marked with where they go.
    Snippet,
    /// A complete nginx.conf (events and http blocks) that `nginx -c` runs as it is.
    Full,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub server_names: Vec<String>,
    /// `--listen` as given; `None` means 80, or 443 with TLS.
    pub listen: Option<String>,
    /// `--ws-path`; `None` means `/socket.io/` with `--socketio`, else `/ws`.
    pub ws_path: Option<String>,
    pub http_path: String,
    pub upstream: String,
    pub upstreams: u16,
    pub socketio: bool,
    pub tls: bool,
    pub cert: Option<String>,
    pub key: Option<String>,
    pub shape: Shape,
}

/// Idle time a WebSocket may have before nginx closes it.
const READ_TIMEOUT: &str = "3600s";
/// nginx's default is 512; every socket holds two connections.
const WORKER_CONNECTIONS: u32 = 4096;
const DEFAULT_UPSTREAM: &str = "127.0.0.1:8000";

impl Default for Options {
    fn default() -> Self {
        Options {
            server_names: vec!["_".into()],
            listen: None,
            ws_path: None,
            http_path: "/".into(),
            upstream: DEFAULT_UPSTREAM.into(),
            upstreams: 1,
            socketio: false,
            tls: false,
            cert: None,
            key: None,
            shape: Shape::Server,
        }
    }
}

impl Options {
    /// The options, once checked.
    pub fn validated(self) -> Result<Options, String> {
        self.validate()?;
        Ok(self)
    }

    fn validate(&self) -> Result<(), String> {
        for name in &self.server_names {
            plain_word("--server-name", name, &['$', '~'])?;
        }
        if let Some(l) = &self.listen {
            plain_word("--listen", l, &['$'])?;
            if self.listen_port().is_none() {
                return Err(format!(
                    "--listen `{l}` names no port: give PORT, ADDRESS:PORT or [IPv6]:PORT"
                ));
            }
        }
        for (flag, path) in [
            ("--ws-path", self.ws_path()),
            ("--http-path", &self.http_path),
        ] {
            plain_word(flag, path, &['$'])?;
            if !path.starts_with('/') {
                return Err(format!("{flag} `{path}` must start with `/`"));
            }
        }
        plain_word("--upstream", &self.upstream, &['$'])?;
        if self.upstream.starts_with("http://") || self.upstream.starts_with("https://") {
            return Err(format!(
                "--upstream takes an address (HOST:PORT or unix:/path), not a URL: `{}`",
                self.upstream
            ));
        }
        if self.upstreams == 0 {
            return Err("--upstreams must be at least 1".into());
        }
        self.servers()?;
        for (flag, v) in [("--cert", &self.cert), ("--key", &self.key)] {
            if let Some(v) = v {
                if !self.tls {
                    return Err(format!("{flag} is only used with --tls"));
                }
                plain_word(flag, v, &['$'])?;
            }
        }
        Ok(())
    }

    pub fn ws_path(&self) -> &str {
        match &self.ws_path {
            Some(p) => p,
            None if self.socketio => "/socket.io/",
            None => "/ws",
        }
    }

    /// WebSocket and ordinary requests share one location.
    fn combined(&self) -> bool {
        self.ws_path() == self.http_path
    }

    fn listen(&self) -> String {
        match &self.listen {
            Some(l) => l.clone(),
            None if self.tls => "443".into(),
            None => "80".into(),
        }
    }

    /// The port of `--listen`: `8080`, `127.0.0.1:8080`, `[::]:8080`.
    fn listen_port(&self) -> Option<u16> {
        let l = self.listen();
        let port = match l.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && !port.contains(']') => port,
            Some(_) => return None,
            None => &l,
        };
        port.parse().ok().filter(|&p| p > 0)
    }

    /// TLS listens elsewhere than 80, so port 80 gets the redirect server.
    fn redirect_server(&self) -> bool {
        self.tls && self.listen_port() != Some(80)
    }

    /// The backend addresses, `--upstreams` of them counting up from `--upstream`'s port.
    pub fn servers(&self) -> Result<Vec<String>, String> {
        let n = self.upstreams;
        if n == 1 {
            return Ok(vec![self.upstream.clone()]);
        }
        let Some((host, port)) = self
            .upstream
            .rsplit_once(':')
            .filter(|(h, _)| !h.starts_with("unix"))
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
        else {
            return Err(format!(
                "--upstreams {n} counts ports up from the port of --upstream, and `{}` has none: \
                 give HOST:PORT",
                self.upstream
            ));
        };
        if u32::from(port) + u32::from(n) - 1 > u32::from(u16::MAX) {
            return Err(format!(
                "--upstreams {n} from port {port} goes past port 65535"
            ));
        }
        Ok((0..n).map(|i| format!("{host}:{}", port + i)).collect())
    }

    /// `upstream NAME`: from the first real server name (`example.com` → `example_com`).
    fn upstream_name(&self) -> String {
        let name = self
            .server_names
            .iter()
            .map(|n| n.trim_start_matches("*.").trim_start_matches('.'))
            .find(|n| !n.is_empty() && *n != "_" && !n.contains('*'))
            .map(|n| {
                n.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect::<String>()
            });
        match name {
            Some(n) => format!("{n}_app"),
            None => "app".into(),
        }
    }

    fn proxy_pass(&self) -> String {
        if self.upstreams > 1 {
            format!("http://{}", self.upstream_name())
        } else if let Some(path) = self.upstream.strip_prefix("unix:") {
            format!("http://unix:{path}:")
        } else {
            format!("http://{}", self.upstream)
        }
    }

    fn cert(&self) -> String {
        self.cert
            .clone()
            .unwrap_or_else(|| format!("/etc/letsencrypt/live/{}/fullchain.pem", self.cert_name()))
    }

    fn key(&self) -> String {
        self.key
            .clone()
            .unwrap_or_else(|| format!("/etc/letsencrypt/live/{}/privkey.pem", self.cert_name()))
    }

    fn cert_name(&self) -> &str {
        self.server_names
            .iter()
            .find(|n| *n != "_" && !n.contains('*'))
            .map_or("example.com", String::as_str)
    }

    /// Where the file goes without `-o`.
    fn default_path(&self) -> Option<PathBuf> {
        match self.shape {
            Shape::Full => Some("nginx.conf".into()),
            Shape::Snippet => None,
            Shape::Server => {
                let name = self
                    .server_names
                    .iter()
                    .map(|n| n.trim_start_matches("*.").trim_start_matches('.'))
                    .find(|n| !n.is_empty() && *n != "_" && !n.contains(['*', '/']));
                Some(match name {
                    Some(n) => format!("{n}.conf").into(),
                    None => "websocket.conf".into(),
                })
            }
        }
    }

    /// The command that regenerates this file (non-default flags only).
    pub fn command_line(&self) -> String {
        let mut c = String::from("wscfg init nginx");
        for n in self.server_names.iter().filter(|n| *n != "_") {
            c.push_str(&format!(" --server-name {n}"));
        }
        if let Some(l) = &self.listen {
            c.push_str(&format!(" --listen {l}"));
        }
        if let Some(p) = &self.ws_path {
            c.push_str(&format!(" --ws-path {p}"));
        }
        if self.http_path != "/" {
            c.push_str(&format!(" --http-path {}", self.http_path));
        }
        if self.upstream != DEFAULT_UPSTREAM {
            c.push_str(&format!(" --upstream {}", self.upstream));
        }
        if self.upstreams != 1 {
            c.push_str(&format!(" --upstreams {}", self.upstreams));
        }
        if self.socketio {
            c.push_str(" --socketio");
        }
        if self.tls {
            c.push_str(" --tls");
        }
        if let Some(p) = &self.cert {
            c.push_str(&format!(" --cert {p}"));
        }
        if let Some(p) = &self.key {
            c.push_str(&format!(" --key {p}"));
        }
        match self.shape {
            Shape::Full => c.push_str(" --full"),
            Shape::Snippet => c.push_str(" --snippet"),
            Shape::Server => {}
        }
        c
    }
}

/// Generates, checks and returns the configuration.
pub fn generate(o: &Options) -> Result<Generated, String> {
    o.validate()?;
    let text = match o.shape {
        Shape::Server => server_file(o),
        Shape::Full => full_file(o),
        Shape::Snippet => snippet(o),
    };
    // A snippet is pasted into two blocks of an existing configuration; it is checked
    // in place, in a minimal configuration made of exactly those two blocks.
    let checked = match o.shape {
        Shape::Snippet => snippet_in_place(o),
        _ => text.clone(),
    };
    let name = o
        .default_path()
        .unwrap_or_else(|| PathBuf::from("snippet.conf"));
    verify(o, &text, &checked, &name)?;
    Ok(Generated {
        format: Format::Nginx,
        default_path: o.default_path(),
        next_steps: next_steps(o),
        advice: Vec::new(),
        text,
    })
}

fn next_steps(o: &Options) -> Vec<String> {
    let mut steps = match o.shape {
        Shape::Full => vec![
            "run it: `nginx -t -c \"$PWD/nginx.conf\"`, then `nginx -c \"$PWD/nginx.conf\"` \
             (in a container: `nginx -g 'daemon off;' -c /etc/nginx/nginx.conf`)"
                .to_owned(),
        ],
        Shape::Server => vec![
            "include it from the http block (copy it to /etc/nginx/conf.d/, or sites-available/ \
             and link it from sites-enabled/), then `nginx -t` and `nginx -s reload`"
                .to_owned(),
            "the `map` is needed once per http block: drop it if your configuration already \
             defines $connection_upgrade"
                .to_owned(),
        ],
        Shape::Snippet => Vec::new(),
    };
    if o.tls && (o.cert.is_none() || o.key.is_none()) {
        steps.push(format!(
            "the certificate paths are where certbot puts them ({}, {}); pass --cert/--key if \
             yours are elsewhere",
            o.cert(),
            o.key()
        ));
    }
    steps.push(format!(
        "the app must serve WebSockets at {} and ordinary requests at {} on {}",
        o.ws_path(),
        o.http_path,
        o.servers().unwrap_or_default().join(", ")
    ));
    steps.push("after editing it, `wscfg check` it again".to_owned());
    steps
}

fn header(w: &mut Writer, o: &Options, what: &str) {
    w.comment(&format!("{what}."));
    w.comment(&format!(
        "Generated by `{}`. Every WebSocket-related line says why it is there; `wscfg check` \
         this file after editing it.",
        o.command_line()
    ));
}

/// The http-level pieces: the map, and the upstream when there are several instances.
fn http_level(w: &mut Writer, o: &Options) {
    w.comment(
        "WebSocket: $connection_upgrade is `upgrade` when the client asks for an upgrade and \
         `close` otherwise, so ordinary requests through a WebSocket location are not sent \
         `Connection: upgrade`. nginx -t fails with `unknown \"connection_upgrade\" variable` \
         without it. It belongs in the http block, once.",
    );
    w.open("map $http_upgrade $connection_upgrade");
    w.line("default upgrade;");
    w.line("''      close;");
    w.close();
    if o.upstreams > 1 {
        w.blank();
        w.comment(&format!("The {} app instances.", o.upstreams));
        w.open(&format!("upstream {}", o.upstream_name()));
        if o.socketio {
            w.comment(
                "Socket.IO: every request of a session must reach the instance that created \
                 it (HTTP long-polling sends several before the upgrade); without this, \
                 clients get 400 \"Session ID unknown\". This hashes the whole client address \
                 (ip_hash would use only the first three octets of an IPv4 address).",
            );
            w.line("hash $remote_addr consistent;");
        } else {
            w.comment(
                "WebSocket: a socket is one long connection that stays on the instance it \
                 reached, so no sticky sessions are needed; new sockets go to the instance \
                 with the fewest open connections (round-robin counts requests, not open \
                 sockets).",
            );
            w.line("least_conn;");
        }
        for s in o.servers().unwrap_or_default() {
            w.line(&format!("server {s};"));
        }
        w.close();
    }
}

/// The headers every proxied location sets.
fn forwarded_headers(w: &mut Writer) {
    w.line("proxy_set_header Host $host;");
    w.line("proxy_set_header X-Real-IP $remote_addr;");
    w.line("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
    w.line("proxy_set_header X-Forwarded-Proto $scheme;");
}

fn location_arg(path: &str) -> String {
    if path == "/" {
        "/".into()
    } else {
        format!("^~ {path}")
    }
}

/// The WebSocket location and, unless they share one, the location for ordinary requests.
fn locations(w: &mut Writer, o: &Options) {
    let ws = o.ws_path();
    if o.combined() {
        w.comment(&format!(
            "Ordinary requests and WebSocket upgrades under {ws}: the map sends \
             `Connection: close` for the former and `Connection: upgrade` for the latter."
        ));
    } else if o.socketio {
        w.comment(&format!(
            "Socket.IO at {ws}: a session starts with HTTP long-polling requests and upgrades \
             to a WebSocket on the same path, so this location serves both."
        ));
    } else {
        w.comment(&format!("WebSocket endpoint at {ws}."));
    }
    if ws != "/" {
        w.comment(
            "`^~`: when this prefix matches, nginx tries no regex location, so a regex \
             location added later cannot take WebSocket requests away from it.",
        );
    }
    w.open(&format!("location {}", location_arg(ws)));
    w.line(&format!("proxy_pass {};", o.proxy_pass()));
    w.comment(
        "WebSocket: the upgrade needs HTTP/1.1 to the backend; nginx before 1.29.7 proxies \
         with HTTP/1.0, which WebSocket servers refuse.",
    );
    w.line("proxy_http_version 1.1;");
    w.comment(
        "WebSocket: Upgrade and Connection are hop-by-hop headers, which nginx does not pass \
         on unless told to.",
    );
    w.line("proxy_set_header Upgrade $http_upgrade;");
    w.line("proxy_set_header Connection $connection_upgrade;");
    w.comment(
        "A proxy_set_header in a location drops every one set at the server or http level, \
         so all the headers this location needs are here.",
    );
    forwarded_headers(w);
    if o.socketio {
        w.comment(&format!(
            "WebSocket: nginx closes a socket when the backend sends nothing for \
             proxy_read_timeout (60s by default), without a close frame (browsers report \
             1006). Socket.IO pings every 25 seconds by default; {READ_TIMEOUT} also covers \
             a longer pingInterval."
        ));
    } else {
        w.comment(&format!(
            "WebSocket: nginx closes a socket when the backend sends nothing for \
             proxy_read_timeout (60s by default), without a close frame (browsers report \
             1006). Allow {READ_TIMEOUT} of silence, or have the app ping more often than \
             this."
        ));
    }
    w.line(&format!("proxy_read_timeout {READ_TIMEOUT};"));
    w.line(&format!("proxy_send_timeout {READ_TIMEOUT};"));
    w.close();
    if !o.combined() {
        w.blank();
        w.comment(&format!("Ordinary HTTP requests under {}.", o.http_path));
        w.open(&format!("location {}", o.http_path));
        w.line(&format!("proxy_pass {};", o.proxy_pass()));
        forwarded_headers(w);
        w.close();
    }
}

fn server_names(o: &Options) -> String {
    format!("server_name {};", o.server_names.join(" "))
}

/// The server blocks: the redirect from plain HTTP (with TLS) and the one that proxies.
fn servers(w: &mut Writer, o: &Options) {
    if o.redirect_server() {
        let target = match o.listen_port() {
            Some(443) | None => "https://$host$request_uri".to_owned(),
            Some(p) => format!("https://$host:{p}$request_uri"),
        };
        w.comment("Plain HTTP moves to HTTPS.");
        w.open("server");
        w.line("listen 80;");
        w.line(&server_names(o));
        w.comment(
            "WebSocket: browsers refuse ws:// from an https page (mixed content), and \
             WebSocket clients need not follow this redirect (RFC 6455; browsers do not), so \
             they must connect to wss:// directly.",
        );
        w.line(&format!("return 301 {target};"));
        w.close();
        w.blank();
    }
    w.open("server");
    if o.tls {
        w.line(&format!("listen {} ssl;", o.listen()));
        w.line(&server_names(o));
        w.blank();
        w.comment(
            "WebSocket: clients connect with wss://, which this certificate serves; nginx \
             terminates TLS and speaks plain HTTP/1.1 to the app.",
        );
        w.line(&format!("ssl_certificate {};", o.cert()));
        w.line(&format!("ssl_certificate_key {};", o.key()));
    } else {
        w.line(&format!("listen {};", o.listen()));
        w.line(&server_names(o));
    }
    w.blank();
    locations(w, o);
    w.close();
}

fn server_file(o: &Options) -> String {
    let mut w = Writer::new("    ");
    header(
        &mut w,
        o,
        "nginx server configuration for WebSockets: a file for the http block (conf.d/, \
         sites-available/)",
    );
    w.blank();
    http_level(&mut w, o);
    w.blank();
    servers(&mut w, o);
    w.finish()
}

fn full_file(o: &Options) -> String {
    let mut w = Writer::new("    ");
    header(
        &mut w,
        o,
        "Complete nginx.conf for WebSockets: `nginx -c /path/to/nginx.conf` runs it as it is",
    );
    w.blank();
    w.line("worker_processes auto;");
    w.comment(
        "WebSocket: each open socket holds two file descriptors (client and backend) for its \
         whole life; this lets every worker use all its connections.",
    );
    w.line(&format!("worker_rlimit_nofile {};", WORKER_CONNECTIONS * 2));
    w.blank();
    w.open("events");
    w.comment(&format!(
        "WebSocket: every open socket counts twice here (the client connection and the one to \
         the backend) for as long as it is open; nginx's default of 512 caps a worker at \
         about 256 sockets, {WORKER_CONNECTIONS} at about {}.",
        WORKER_CONNECTIONS / 2
    ));
    w.line(&format!("worker_connections {WORKER_CONNECTIONS};"));
    w.close();
    w.blank();
    w.open("http");
    http_level(&mut w, o);
    w.blank();
    servers(&mut w, o);
    w.close();
    w.finish()
}

fn snippet(o: &Options) -> String {
    let mut w = Writer::new("    ");
    header(
        &mut w,
        o,
        "nginx snippet for WebSockets: paste each part where it says",
    );
    w.blank();
    w.comment("1. Into the http block (once per configuration):");
    w.blank();
    http_level(&mut w, o);
    w.blank();
    w.comment(&format!(
        "2. Into the server block that serves {}:",
        o.server_names.join(" ")
    ));
    w.blank();
    locations(&mut w, o);
    w.finish()
}

/// The snippet pasted where it says: a minimal complete configuration with its two parts.
fn snippet_in_place(o: &Options) -> String {
    let mut w = Writer::new("    ");
    w.line("events {}");
    w.open("http");
    http_level(&mut w, o);
    w.open("server");
    w.line(&format!("listen {};", o.listen()));
    w.line(&server_names(o));
    locations(&mut w, o);
    w.close();
    w.close();
    w.finish()
}

/// Parser, rules and model, in that order; any complaint is an internal error.
fn verify(o: &Options, text: &str, checked: &str, name: &Path) -> Result<(), String> {
    let problem = |p: String| internal_error(Format::Nginx, &p, text);
    parser::parse(text).map_err(|e| problem(format!("does not parse: {}", e.message)))?;
    require_clean(Format::Nginx, name, checked)?;
    check_model(o, checked, name).map_err(problem)
}

/// The nginx model agrees with what the template meant: the WebSocket path selects a
/// location that proxies WebSockets (it passes `Upgrade`), and the ordinary path selects a
/// proxying location of its own.
fn check_model(o: &Options, text: &str, name: &Path) -> Result<(), String> {
    let mut db = SourceDb::default();
    let file = db.add(name.to_owned(), text.to_owned());
    let settings = NginxSettings::default();
    let loaded = load::load(&mut db, &[file], &settings);
    if let Some(p) = loaded.problems.first() {
        return Err(format!("does not load: {}", p.message));
    }
    let &[(root, context)] = loaded.roots.as_slice() else {
        return Err("does not load as one configuration".into());
    };
    let tree = Tree::build(&loaded.parsed, &loaded.includes, root, context);
    let cx = NginxContext::new(tree, &db, &settings);
    let proxying: Vec<_> = cx
        .tree
        .all()
        .filter(|&n| {
            cx.tree.node(n).context() == Context::Server && cx.child_locations(n).next().is_some()
        })
        .collect();
    let &[server] = proxying.as_slice() else {
        return Err(format!(
            "has {} server blocks with locations; expected one",
            proxying.len()
        ));
    };
    let ws_uri = o.ws_path();
    let ws = cx
        .select_location(server, ws_uri)
        .ok_or_else(|| format!("has no location for {ws_uri}"))?;
    let is_ws = cx
        .proxied_websocket_locations()
        .any(|w| w.node == ws && w.reason == WsReason::SetsUpgrade);
    if !is_ws {
        return Err(format!(
            "sends {ws_uri} to {}, which the model does not see as proxying WebSockets",
            cx.describe(ws)
        ));
    }
    let http_uri = &o.http_path;
    let http = cx
        .select_location(server, http_uri)
        .ok_or_else(|| format!("has no location for {http_uri}"))?;
    if cx.tree.children_named(http, "proxy_pass").next().is_none() {
        return Err(format!("does not proxy {http_uri}"));
    }
    if (http == ws) != o.combined() {
        return Err(format!(
            "sends {http_uri} to {}, expected {} location",
            cx.describe(http),
            if o.combined() { "the same" } else { "another" }
        ));
    }
    let servers = cx.tree.children_named(server, "listen").count();
    if servers != 1 {
        return Err("the proxying server block should listen once".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(f: impl FnOnce(&mut Options)) -> Options {
        let mut o = Options::default();
        f(&mut o);
        o
    }

    #[test]
    fn listen_ports() {
        assert_eq!(opts(|_| {}).listen_port(), Some(80));
        assert_eq!(opts(|o| o.tls = true).listen_port(), Some(443));
        for (l, p) in [
            ("8080", Some(8080)),
            ("127.0.0.1:8443", Some(8443)),
            ("[::]:80", Some(80)),
            ("[::1]", None),
            ("localhost", None),
            ("0", None),
        ] {
            assert_eq!(opts(|o| o.listen = Some(l.into())).listen_port(), p, "{l}");
        }
    }

    #[test]
    fn upstream_servers_count_up() {
        let o = opts(|o| o.upstreams = 3);
        assert_eq!(
            o.servers().unwrap(),
            ["127.0.0.1:8000", "127.0.0.1:8001", "127.0.0.1:8002"]
        );
        assert!(
            opts(|o| {
                o.upstreams = 2;
                o.upstream = "unix:/run/app.sock".into();
            })
            .servers()
            .is_err()
        );
        assert!(
            opts(|o| {
                o.upstreams = 3;
                o.upstream = "10.0.0.1:65534".into();
            })
            .servers()
            .is_err()
        );
        assert_eq!(
            opts(|o| o.upstream = "unix:/run/app.sock".into()).proxy_pass(),
            "http://unix:/run/app.sock:"
        );
    }

    #[test]
    fn names_from_server_name() {
        let o = opts(|o| o.server_names = vec!["*.example.com".into(), "example.com".into()]);
        assert_eq!(o.upstream_name(), "example_com_app");
        assert_eq!(o.default_path(), Some("example.com.conf".into()));
        assert_eq!(opts(|_| {}).default_path(), Some("websocket.conf".into()));
        assert_eq!(opts(|_| {}).upstream_name(), "app");
    }

    #[test]
    fn bad_values_are_refused() {
        for o in [
            opts(|o| o.ws_path = Some("ws".into())),
            opts(|o| o.ws_path = Some("/ws; return 200".into())),
            opts(|o| o.http_path = "/$x".into()),
            opts(|o| o.server_names = vec!["~^(?<x>.+)$".into()]),
            opts(|o| o.upstream = "http://127.0.0.1:8000".into()),
            opts(|o| o.listen = Some("localhost".into())),
            opts(|o| o.cert = Some("/c.pem".into())),
        ] {
            assert!(generate(&o).is_err(), "{o:?}");
        }
    }

    #[test]
    fn the_model_check_catches_a_broken_template() {
        // The same text with the upgrade headers removed from the WebSocket location: the
        // rules fire, and the model no longer sees a WebSocket location at the path.
        let o = opts(|_| {});
        let good = server_file(&o);
        let broken = good.replace("proxy_set_header Upgrade $http_upgrade;\n", "");
        assert!(verify(&o, &good, &good, Path::new("websocket.conf")).is_ok());
        let err = verify(&o, &broken, &broken, Path::new("websocket.conf")).unwrap_err();
        assert!(err.starts_with("internal error"), "{err}");
        assert!(err.contains("NGX002"), "{err}");
        assert!(check_model(&o, &broken, Path::new("websocket.conf")).is_err());
    }
}
