//! APP006: the path a WebSocket client opens matches no route of the project's server, or
//! the project's nginx sends it to a location that does not carry WebSockets (or to none).

use crate::diagnostic::{Diagnostic, Severity};
use crate::formats::Format;
use crate::project::nginx::{self, Routed};
use crate::project::scan::Client;
use crate::project::scan::Protocol;
use crate::project::{ProjectView, ResolvedUrl, url};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "APP006",
    name: "websocket-path-unrouted",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the path a WebSocket client opens matches no WebSocket route of the server, or nginx routes it to no WebSocket location",
};

pub struct WebsocketPathUnrouted;

impl Rule<ProjectView<'_>> for WebsocketPathUnrouted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        app_routes(cx, out);
        nginx_routes(cx, out);
        socketio_nginx_routes(cx, out);
    }
}

/// The HTTP path a Socket.IO client's requests use: its `path` option (default
/// `/socket.io`) with the trailing slash the client adds. The URL's own path is the
/// namespace, never sent as the HTTP path.
pub fn socketio_http_path(option: Option<&str>) -> String {
    let p = option.unwrap_or("/socket.io").trim_end_matches('/');
    if p.starts_with('/') {
        format!("{p}/")
    } else {
        format!("/{p}/")
    }
}

/// A Socket.IO client through the project's nginx: its Engine.IO path must reach a location
/// that proxies and passes `Upgrade`/`Connection`. Without the headers the connection works
/// over HTTP long-polling but never upgrades (or fails outright when the client allows only
/// the websocket transport); a location that does not proxy, or none, never connects.
fn socketio_nginx_routes(cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
    if cx.nginx.is_empty() {
        return;
    }
    for c in cx.clients(Protocol::SocketIo) {
        let (host, u) = if c.same_origin {
            (None, None)
        } else {
            let Some(u) = cx.resolve(c) else { continue };
            let parts = url::split(&u.url);
            if parts.scheme.is_none() && !u.url.starts_with('/') {
                continue; // an expression, not a URL
            }
            let host = Some(parts.host)
                .filter(|h| parts.scheme.is_some() && !h.contains("${") && !url::is_local_host(h))
                .map(str::to_owned);
            if parts.scheme.is_some() && parts.host.contains("${") {
                continue; // the host is computed: any server may answer, or none of these
            }
            (host, Some(u))
        };
        let path = socketio_http_path(c.sio_path.as_ref().map(|(p, _)| p.as_str()));
        let path_from = match &c.sio_path {
            Some(_) => "its `path` option".to_owned(),
            None => "Socket.IO's default path".to_owned(),
        };
        for ngx in cx.nginx {
            for server in nginx::servers_for(ngx, host.as_deref()) {
                let d = match nginx::route(ngx, server, &path) {
                    Routed::WebSocket(_) => continue,
                    Routed::NotWebSocket { loc, .. }
                        if ngx.websocket_locations().iter().any(|w| w.node == loc) =>
                    {
                        continue; // a WebSocket location: the NGX rules judge its headers
                    }
                    Routed::NotWebSocket { loc, proxies } => {
                        let what = match (proxies, c.websocket_only) {
                            (true, false) => "proxies it without passing the `Upgrade` and `Connection` headers: Socket.IO connects over HTTP long-polling and works, but its upgrade to WebSocket never succeeds, so every message costs an HTTP request and latency and server load grow",
                            (true, true) => "proxies it without passing the `Upgrade` and `Connection` headers, and the client allows only the websocket transport (`transports: [\"websocket\"]`): it never connects",
                            (false, _) => "does not proxy it (it serves files or answers itself): neither the long-polling requests nor the WebSocket handshake reach the Socket.IO server, and the client never connects",
                        };
                        META.diag(
                            c.file,
                            c.span,
                            format!(
                                "Socket.IO client `{}` requests `{path}` ({path_from}), but nginx ({}) selects {} for that path, which {what}",
                                c.call,
                                ngx.position(loc),
                                ngx.describe(loc),
                            ),
                        )
                        .label(ngx.file(loc), ngx.header_span(loc), format!("nginx selects this location for `{path}`"))
                        .help(format!("proxy `{path}` with WebSocket headers: `location {path} {{ proxy_pass …; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; }}`"))
                    }
                    Routed::NoLocation => META
                        .diag(
                            c.file,
                            c.span,
                            format!(
                                "Socket.IO client `{}` requests `{path}` ({path_from}), but no location of the nginx server at {} matches that path: nginx answers the polling requests and the handshake itself (404 or a static file) and the client never connects",
                                c.call,
                                ngx.position(server),
                            ),
                        )
                        .label(ngx.file(server), ngx.header_span(server), format!("no location here matches `{path}`"))
                        .help(format!("add `location {path} {{ proxy_pass …; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; }}`")),
                };
                let mut d = d;
                if let Some((p, span)) = &c.sio_path {
                    d = d.label(c.file, *span, format!("the client's path `{p}`"));
                }
                if let Some(u) = &u {
                    d = with_url(d, c, u);
                }
                out.push(d);
            }
        }
    }
}

/// Plain WebSocket clients with the URL they connect to, when it is written out: not an
/// expression, and not a path computed as a whole (`${base}`).
fn written_urls<'v>(
    cx: &'v ProjectView<'_>,
) -> impl Iterator<Item = (&'v Client, ResolvedUrl)> + 'v {
    cx.clients(Protocol::Plain).filter_map(|c| {
        let u = cx.resolve(c)?;
        let parts = url::split(&u.url);
        let expression = parts.scheme.is_none() && !u.url.starts_with('/');
        let computed = parts.path.trim_start_matches('/').starts_with("${");
        (!expression && !computed).then_some((c, u))
    })
}

/// The client's path against the routes the project's servers declare.
fn app_routes(cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
    // Every plain server must declare its routes, or any path might be served.
    let servers: Vec<_> = cx.servers(Protocol::Plain).collect();
    if servers.is_empty() || servers.iter().any(|s| s.path.is_none()) {
        return;
    }
    for (c, u) in written_urls(cx) {
        let parts = url::split(&u.url);
        if u.var.is_none() && parts.scheme.is_some() && !url::is_local_host(parts.host) {
            continue; // a literal public host: maybe a third-party service
        }
        let path = if parts.path.is_empty() {
            "/"
        } else {
            parts.path
        };
        if servers
            .iter()
            .any(|s| url::path_matches(path, s.path.as_deref().unwrap_or("")))
        {
            continue;
        }
        let routes: Vec<String> = servers
            .iter()
            .filter_map(|s| s.path.as_ref().map(|p| format!("`{p}`")))
            .collect();
        let via = match &u.var {
            Some(v) => format!(" (`{v}` in {})", cx.show(u.file)),
            None => String::new(),
        };
        let mut d = META
                .diag(
                    c.file,
                    c.span,
                    format!(
                        "`{}` opens path `{path}`{via}, but the server routes WebSockets only at {}; the handshake gets 404/403",
                        c.call,
                        routes.join(", "),
                    ),
                )
                .help("make the client's path match a route the server declares (path parameters included)");
        if u.file != c.file || u.span != c.span {
            d = d.label(u.file, u.span, format!("the URL `{}` is set here", u.url));
        }
        for s in servers.iter().take(3) {
            d = d.label(s.file, s.span, format!("{} route", s.framework));
        }
        out.push(d);
    }
}

/// The client's URL through the project's nginx: the location nginx selects for its path in
/// each server block that answers its host must proxy it with `Upgrade` and `Connection`.
/// Locations the nginx model already treats as WebSocket locations are left to the NGX rules.
fn nginx_routes(cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
    if cx.nginx.is_empty() {
        return;
    }
    for (c, u) in written_urls(cx) {
        let parts = url::split(&u.url);
        let host = Some(parts.host).filter(|h| parts.scheme.is_some() && !url::is_local_host(h));
        let path = nginx::sample_path(parts.path);
        for ngx in cx.nginx {
            for server in nginx::servers_for(ngx, host) {
                let d = match nginx::route(ngx, server, &path) {
                    Routed::WebSocket(_) => continue,
                    Routed::NotWebSocket { loc, .. }
                        if ngx.websocket_locations().iter().any(|w| w.node == loc) =>
                    {
                        continue;
                    }
                    Routed::NotWebSocket { loc, proxies } => {
                        let what = if proxies {
                            "proxies it without passing the `Upgrade` and `Connection` headers, so the upstream sees a plain GET and never upgrades"
                        } else {
                            "does not proxy it (it serves files or answers itself), so no WebSocket server ever sees the handshake"
                        };
                        META.diag(
                            c.file,
                            c.span,
                            format!(
                                "`{}` opens `{}`{}, but nginx ({}) selects {} for that path, which {what}",
                                c.call,
                                parts.path,
                                via(cx, &u),
                                ngx.position(loc),
                                ngx.describe(loc),
                            ),
                        )
                        .label(ngx.file(loc), ngx.header_span(loc), format!("nginx selects this location for `{}`", parts.path))
                        .help("add a WebSocket location for the path (proxy_pass, proxy_http_version 1.1, proxy_set_header Upgrade $http_upgrade and Connection \"upgrade\"), or make the client use the path nginx already proxies as a WebSocket")
                    }
                    Routed::NoLocation => META
                        .diag(
                            c.file,
                            c.span,
                            format!(
                                "`{}` opens `{}`{}, but no location of the nginx server at {} matches that path: nginx answers the handshake itself (404 or a static file) and the socket never opens",
                                c.call,
                                parts.path,
                                via(cx, &u),
                                ngx.position(server),
                            ),
                        )
                        .label(ngx.file(server), ngx.header_span(server), format!("no location here matches `{}`", parts.path))
                        .help("add a WebSocket location for the path (proxy_pass, proxy_http_version 1.1, proxy_set_header Upgrade $http_upgrade and Connection \"upgrade\")"),
                };
                out.push(with_url(d, c, &u));
            }
        }
    }
}

/// " (`NEXT_PUBLIC_WS_URL` in web/.env.production)" for a URL read from an env file.
fn via(cx: &ProjectView<'_>, u: &ResolvedUrl) -> String {
    match &u.var {
        Some(v) => format!(" (`{v}` in {})", cx.show(u.file)),
        None => String::new(),
    }
}

fn with_url(d: Diagnostic, c: &Client, u: &ResolvedUrl) -> Diagnostic {
    if u.file != c.file || u.span != c.span {
        d.label(u.file, u.span, format!("the URL `{}` is set here", u.url))
    } else {
        d
    }
}
