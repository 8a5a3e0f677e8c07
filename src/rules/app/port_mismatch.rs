//! APP005: the edge forwards to one port, the app listens on another: fly.toml
//! `internal_port` against the Dockerfile's server, docker-compose `ports`/`expose` against
//! the server of the service's build directory, and Railway (which routes to `$PORT`)
//! against a port the code hard-codes.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::formats::Format;
use crate::project::kind::{Kind, Lang};
use crate::project::start::start_commands;
use crate::project::{ProjectView, compose, docker, nginx};
use crate::rules::{FixAvailability, Rule, RuleMeta};
use crate::source::{FileId, Span};
use std::path::Path;

pub static META: RuleMeta = RuleMeta {
    code: "APP005",
    name: "port-mismatch",
    format: Some(Format::App),
    severity: Severity::Error,
    fix: FixAvailability::Always,
    summary: "the port the app listens on differs from the port the edge forwards to",
};

pub struct PortMismatch;

impl Rule<ProjectView<'_>> for PortMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
        fly(cx, out);
        compose_ports(cx, out);
        railway(cx, out);
        nginx_upstreams(cx, out);
    }
}

/// Where a `proxy_pass` address leads in this repository, when that is unambiguous: a
/// compose service built from a project directory (by any name the compose network knows it
/// by, that no other service has, with no `command`/`entrypoint`/`PORT` override) gives that
/// directory's app; a loopback address
/// gives the repository's app when every listen port the repository shows is the same one
/// and no compose file publishes the proxied port on the host.
fn app_behind(
    cx: &ProjectView<'_>,
    addr: &nginx::ProxyAddr,
    services: &[(FileId, compose::ComposeService)],
    hosts: &[Vec<String>],
    published: &[u16],
    listens: &[crate::project::AppPort],
) -> Option<(crate::project::AppPort, String)> {
    let is_host = |h: &String| h.eq_ignore_ascii_case(&addr.host);
    let named: Vec<_> = services
        .iter()
        .filter(|(_, s)| s.hosts.iter().any(is_host))
        .collect();
    // The name must be one service's, built or not.
    let owners = hosts.iter().filter(|hs| hs.iter().any(is_host)).count();
    if let ([(file, service)], 1) = (named.as_slice(), owners) {
        if service.overrides_start {
            return None;
        }
        let listen = cx.listen_port_in(&service.context)?;
        let known_as = if service.name.eq_ignore_ascii_case(&addr.host) {
            String::new()
        } else {
            format!(", reached as `{}`", addr.host)
        };
        return Some((
            listen,
            format!(
                "compose service `{}`{known_as} ({})",
                service.name,
                cx.show(*file)
            ),
        ));
    }
    if !named.is_empty() || !nginx::is_loopback(&addr.host) || published.contains(&addr.port) {
        return None;
    }
    let first = listens.first()?;
    if listens.iter().any(|l| l.port != first.port) {
        return None; // several apps on several ports: which one nginx means is unknown
    }
    Some((
        crate::project::AppPort {
            file: first.file,
            span: first.span,
            port: first.port,
            what: first.what.clone(),
        },
        "the loopback address, where this repository's only app runs".to_owned(),
    ))
}

/// nginx `proxy_pass` (directly or through an `upstream` block) to an address of this
/// repository's app, on a port the app does not listen on.
fn nginx_upstreams(cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
    if cx.nginx.is_empty() {
        return;
    }
    let mut services = Vec::new();
    let mut hosts = Vec::new();
    let mut published = Vec::new();
    for &(file, kind) in &cx.files {
        if kind == Kind::Compose {
            let src = cx.db.get(file);
            let found = compose::read(&src.path, &src.text);
            services.extend(found.built.into_iter().map(|s| (file, s)));
            published.extend(found.published);
            hosts.extend(found.hosts);
        }
    }
    let listens = cx.all_listen_ports();
    let mut seen = std::collections::HashSet::new();
    for ngx in cx.nginx {
        for loc in ngx.proxied_locations() {
            for addr in nginx::proxy_addresses(ngx, loc) {
                let file = ngx.file(addr.node);
                if !seen.insert((file, addr.port_span.start, addr.port_span.end)) {
                    continue; // an upstream used by several locations, or a second root
                }
                let Some((listen, whose)) =
                    app_behind(cx, &addr, &services, &hosts, &published, &listens)
                else {
                    continue;
                };
                if listen.port == addr.port {
                    continue;
                }
                let fix = addr.exact.then(|| {
                    Fix::unsafe_(
                        format!("proxy to port {}", listen.port),
                        vec![Edit::replace(file, addr.port_span, listen.port.to_string())],
                    )
                });
                let mut d = META
                    .diag(
                        file,
                        addr.port_span,
                        format!(
                            "nginx sends {} to {}:{} ({}), {whose}, but that app listens on {}: {}; nginx gets connection refused and answers 502 to requests and WebSocket handshakes",
                            ngx.describe(loc),
                            addr.host,
                            addr.port,
                            addr.written,
                            listen.port,
                            listen.what,
                        ),
                    )
                    .label(listen.file, listen.span, format!("the server listens on {} here", listen.port))
                    .help("make the two agree: proxy to the port the server listens on, or start the server on the port nginx proxies to");
                if addr.upstream.is_some() {
                    d = d.label(
                        ngx.file(loc),
                        ngx.header_span(loc),
                        format!("{} proxies to this upstream", ngx.describe(loc)),
                    );
                }
                out.push(d.fix(fix));
            }
        }
    }
}

/// fly.toml `internal_port` against the server the Dockerfile next to it starts.
fn fly(cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
    for app in &cx.fly {
        let fly_port = app
            .doc
            .env
            .iter()
            .find(|v| v.name == "PORT")
            .and_then(|v| v.value.parse().ok());
        let started = cx
            .dockerfile_in(&app.dir)
            .and_then(|d| Some((d, docker::ports(&cx.db.get(d.file).text, fly_port).listen?)));
        let Some((dockerfile, listen)) = started else {
            fly_env_port(cx, app, out);
            continue;
        };
        let forwarded = forwarded_elsewhere(app, listen.port);
        for p in forwarded {
            out.push(
                    META.diag(
                        app.file,
                        p.entry.value,
                        format!(
                            "internal_port {} is not where the app listens: {} {}; the proxy's requests and WebSocket upgrades get connection refused",
                            p.value,
                            cx.show(dockerfile.file),
                            listen.what,
                        ),
                    )
                    .label(dockerfile.file, listen.span, format!("the server listens on {} here", listen.port))
                    .help("make the two agree: set internal_port to the port the server listens on, or start the server on internal_port")
                    .fix(Some(Fix::unsafe_(
                        format!("set internal_port to {}", listen.port),
                        vec![Edit::replace(app.file, p.entry.value, listen.port.to_string())],
                    ))),
                );
        }
    }
}

/// The fly.toml's `internal_port`s when none of them is `port`; none when one is (one
/// service forwarding to the listening port is enough: others may be metrics).
fn forwarded_elsewhere(
    app: &crate::project::FlyApp,
    port: u16,
) -> Vec<&crate::formats::fly::model::Spanned<i64>> {
    let forwarded: Vec<_> = app
        .doc
        .services
        .iter()
        .filter_map(|s| s.internal_port.as_ref())
        .collect();
    if forwarded.iter().any(|p| p.value == i64::from(port)) {
        return Vec::new();
    }
    forwarded
}

/// fly.toml `[env] PORT` differs from every `internal_port` while the code deployed from
/// the fly.toml's directory listens on `$PORT` (with a fallback number) and nowhere else:
/// Fly sets `[env]` in the Machine's environment, so the server listens on `PORT` and the
/// proxy forwards to a port where nothing listens. A Dockerfile that starts the server is
/// judged by [`fly`] instead.
fn fly_env_port(cx: &ProjectView<'_>, app: &crate::project::FlyApp, out: &mut Vec<Diagnostic>) {
    let Some(env) = app.doc.env.iter().rfind(|v| v.name == "PORT") else {
        return;
    };
    let Ok(port) = env.value.parse::<u16>() else {
        return;
    };
    let under = |file: FileId| cx.path(file).starts_with(&app.dir);
    let Some(reads) = cx.facts.env_listens.iter().find(|l| under(l.file)) else {
        return;
    };
    // A port written as a number elsewhere in the code: which server the proxy needs is
    // not known.
    if cx.facts.listens.iter().any(|l| under(l.file)) {
        return;
    }
    for p in forwarded_elsewhere(app, port) {
        out.push(
            META.diag(
                app.file,
                p.entry.value,
                format!(
                    "internal_port {} is not where the app listens: [env] sets PORT = \"{port}\" and {} listens on $PORT ({}); the proxy's requests and WebSocket upgrades get connection refused",
                    p.value,
                    cx.show(reads.file),
                    reads.what,
                ),
            )
            .label(app.file, env.value_span, format!("the app listens on {port}"))
            .help("make the two agree: set internal_port to the PORT in [env], or PORT to internal_port")
            .fix(Some(Fix::unsafe_(
                format!("set internal_port to {port}"),
                vec![Edit::replace(app.file, p.entry.value, port.to_string())],
            ))),
        );
    }
}

/// docker-compose: a service built from a directory forwards to container ports none of
/// which is where that directory's app listens. A service whose compose entry replaces the
/// start (`command`, `entrypoint`, `env_file`, `PORT`) may listen elsewhere: not judged.
fn compose_ports(cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
    for &(file, kind) in &cx.files {
        if kind != Kind::Compose {
            continue;
        }
        let src = cx.db.get(file);
        for service in compose::read(&src.path, &src.text).built {
            if service.overrides_start
                || service.ports.is_empty()
                || service.ports.iter().any(|p| p.port == 0)
            {
                continue;
            }
            let Some(listen) = cx.listen_port_in(&service.context) else {
                continue;
            };
            if service.ports.iter().any(|p| p.port == listen.port) {
                continue;
            }
            for p in &service.ports {
                let fix = p.exact.then(|| {
                    Fix::unsafe_(
                        format!("forward to container port {}", listen.port),
                        vec![Edit::replace(file, p.span, listen.port.to_string())],
                    )
                });
                out.push(
                    META.diag(
                        file,
                        p.span,
                        format!(
                            "compose service `{}` forwards to container port {} (`{}`), but its app listens on {}: {}; connections and WebSocket upgrades to it are refused",
                            service.name, p.port, p.written, listen.port, listen.what,
                        ),
                    )
                    .label(listen.file, listen.span, format!("the server listens on {} here", listen.port))
                    .help("forward to the port the server listens on (the part after the last `:` in `ports`), or start the server on the forwarded port")
                    .fix(fix),
                );
            }
        }
    }
}

/// Railway routes a service's traffic to the port in `$PORT`: code deployed there that
/// listens on a port written as a number is not reached. A Python listen call counts only
/// when no start command (railway `startCommand`, Procfile, Dockerfile) starts the app
/// another way (`uvicorn.run(…)` under `__main__` is then unused).
fn railway(cx: &ProjectView<'_>, out: &mut Vec<Diagnostic>) {
    let starts = start_commands(cx);
    for &(manifest, format) in cx.checked {
        if format != Format::Railway {
            continue;
        }
        let manifest_text = &cx.db.get(manifest).text;
        let dir = cx.path(manifest).parent().unwrap_or(Path::new(""));
        let started = manifest_text.contains("startCommand")
            || starts.iter().any(|s| cx.path(s.file).starts_with(dir));
        for l in &cx.facts.listens {
            let path = cx.path(l.file);
            if !path.starts_with(dir) {
                continue;
            }
            let python = crate::project::kind::by_name(path) == Some(Kind::Source(Lang::Python));
            if python && started {
                continue;
            }
            let deploy = manifest_text
                .find("[deploy]")
                .map_or(Span::new(0, 0), |at| Span::new(at, at + "[deploy]".len()));
            let fix = replace_port_with_env(cx, l.file, l.span, python);
            out.push(
                META.diag(
                    l.file,
                    l.span,
                    format!(
                        "{} listens on port {}, but Railway ({}) routes the service's traffic to the port in $PORT; unless a target port {} is set on the domain, requests and WebSocket upgrades never reach this server",
                        l.what, l.port, cx.show(manifest), l.port,
                    ),
                )
                .label(manifest, deploy, "Railway deploys this directory")
                .help(if python {
                    "listen on the port Railway gives: `port=int(os.environ.get(\"PORT\", 8000))`"
                } else {
                    "listen on the port Railway gives: `process.env.PORT` (JS) or `os.Getenv(\"PORT\")` (Go), with the fixed port as a fallback"
                })
                .fix(fix),
            );
        }
    }
}

/// `3001` → `process.env.PORT || 3001` in JS; other languages get no automatic fix.
fn replace_port_with_env(
    cx: &ProjectView<'_>,
    file: crate::source::FileId,
    span: Span,
    python: bool,
) -> Option<Fix> {
    let path = cx.path(file);
    if python || crate::project::kind::by_name(path) != Some(Kind::Source(Lang::Js)) {
        return None;
    }
    let text = &cx.db.get(file).text;
    // Only a bare number argument (`.listen(3001,`), not an option inside an object.
    let before = text[..span.start].trim_end();
    if !before.ends_with('(') {
        return None;
    }
    let port = &text[span.range()];
    Some(Fix::unsafe_(
        "listen on `process.env.PORT`",
        vec![Edit::replace(
            file,
            span,
            format!("process.env.PORT || {port}"),
        )],
    ))
}
