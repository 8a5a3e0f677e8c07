//! What wscfg knows about the WebSocket servers behind a proxy: how often each one sends
//! something on an idle socket by default (a ping, a heartbeat, a keep-alive message), and
//! whether its handshake compares `Origin` with `Host`. A proxy's idle timeout only closes a
//! socket the backend leaves silent, and a proxy that rewrites `Host` only breaks servers that
//! compare the two, so the timeout rules (NGX006, K8S001, HAP001, AWS001) and NGX015 ask this
//! module which server they are looking at and what it does.
//!
//! Every default below was read in the server's own source (the rule pages cite file and
//! line); a server whose behaviour was not verified says `Unknown`.

use std::path::Path;

use crate::project::deps::{Ecosystem, ProjectDeps, search_dirs, source_of};
use crate::source::SourceDb;

/// What a server sends on a socket nobody uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pings {
    /// Something every `ms` milliseconds by default; `setting` changes it.
    Every {
        ms: u64,
        setting: &'static str,
    },
    /// Nothing unless the application asks; `setting` is how it asks.
    Never {
        setting: &'static str,
    },
    Unknown,
}

/// Whether the opening handshake is refused when `Origin` names another host than `Host`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginCheck {
    /// By default; `how` says what is compared.
    AgainstHost {
        how: &'static str,
    },
    /// The server does not look at `Host` for this (`how`: what it does instead).
    NotAgainstHost {
        how: &'static str,
    },
    Unknown,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Server {
    pub name: &'static str,
    pub pings: Pings,
    pub origin: OriginCheck,
}

const fn server(name: &'static str, pings: Pings, origin: OriginCheck) -> Server {
    Server {
        name,
        pings,
        origin,
    }
}
const fn every(ms: u64, setting: &'static str) -> Pings {
    Pings::Every { ms, setting }
}
const fn never(setting: &'static str) -> Pings {
    Pings::Never { setting }
}
const fn checks(how: &'static str) -> OriginCheck {
    OriginCheck::AgainstHost { how }
}
const fn ignores(how: &'static str) -> OriginCheck {
    OriginCheck::NotAgainstHost { how }
}

static SOCKET_IO: Server = server(
    "Socket.IO",
    every(25_000, "the server's `pingInterval` option"),
    ignores("it accepts any Origin unless `allowRequest` says otherwise"),
);
static SOCKJS: Server = server(
    "SockJS",
    every(25_000, "the server's `heartbeat_delay` option"),
    OriginCheck::Unknown,
);
static ACTION_CABLE: Server = server(
    "Rails Action Cable",
    every(3_000, "`ActionCable::Server::Connections::BEAT_INTERVAL`"),
    checks(
        "with `allow_same_origin_as_host` (on by default) it accepts an Origin equal to \
              the scheme and Host of the request, or one listed in `allowed_request_origins`",
    ),
);
static PHOENIX: Server = server(
    "Phoenix channels/LiveView",
    every(
        30_000,
        "the client's `heartbeatIntervalMs`; the server answers each heartbeat",
    ),
    OriginCheck::Unknown,
);
static SIGNALR: Server = server(
    "ASP.NET Core SignalR",
    every(15_000, "`HubOptions.KeepAliveInterval`"),
    OriginCheck::Unknown,
);
static UVICORN: Server = server(
    "uvicorn",
    every(20_000, "`--ws-ping-interval`"),
    ignores("uvicorn does not look at Origin; only the application could"),
);
static DAPHNE: Server = server(
    "daphne",
    every(20_000, "`--ping-interval`"),
    ignores(
        "daphne does not look at Origin; Django Channels' `AllowedHostsOriginValidator` \
              compares it with `ALLOWED_HOSTS`, not with Host",
    ),
);
static HYPERCORN: Server = server(
    "hypercorn",
    never("`websocket_ping_interval` (unset by default)"),
    OriginCheck::Unknown,
);
static PYTHON_WEBSOCKETS: Server = server(
    "the Python `websockets` server",
    every(20_000, "`serve(ping_interval=…)`"),
    ignores("it checks Origin only against an `origins` list the application passes"),
);
static PYTHON_SOCKET_IO: Server = server(
    "python-socketio",
    every(25_000, "the server's `ping_interval` argument"),
    OriginCheck::Unknown,
);
static MATTERMOST: Server = server(
    "Mattermost",
    every(60_000, "`pingInterval`, a constant of the server"),
    OriginCheck::Unknown,
);
static MASTODON_STREAMING: Server = server(
    "Mastodon's streaming server",
    every(30_000, "a constant of `streaming/index.js`"),
    ignores("its `ws` server checks the access token, not Origin"),
);
static JUPYTER: Server = server(
    "Jupyter Server",
    every(30_000, "the `ws_ping_interval` setting"),
    checks(
        "`check_origin` accepts an Origin whose host equals Host, or one allowed by \
              `allow_origin`/`allow_origin_pat`",
    ),
);
static CODE_SERVER: Server = server(
    "code-server (VS Code remote)",
    every(5_000, "VS Code's `KeepAliveSendTime` constant"),
    checks("since 4.10.1 it refuses a handshake whose Origin does not match Host"),
);
static WEBPACK_DEV_SERVER: Server = server(
    "webpack-dev-server",
    every(1_000, "`WebsocketServer.heartbeatInterval`"),
    OriginCheck::Unknown,
);
static NODE_WS: Server = server(
    "the Node `ws` server",
    never("a `setInterval` calling `ws.ping()`"),
    ignores("it passes Origin to `verifyClient` and accepts every handshake without one"),
);
static GRAPHQL_WS: Server = server(
    "graphql-ws",
    every(12_000, "the `keepAlive` argument of `useServer`"),
    OriginCheck::Unknown,
);
static SUBSCRIPTIONS_TRANSPORT_WS: Server = server(
    "subscriptions-transport-ws",
    never("the server's `keepAlive` option (unset by default)"),
    OriginCheck::Unknown,
);
static GORILLA: Server = server(
    "gorilla/websocket",
    never("a ticker calling `WriteControl(PingMessage, …)`"),
    checks(
        "`Upgrader` without `CheckOrigin` accepts an Origin only when its host equals \
              Host",
    ),
);
static CODER_WEBSOCKET: Server = server(
    "coder/websocket (nhooyr.io/websocket)",
    never("calls to `Conn.Ping`"),
    checks(
        "`Accept` authorizes an Origin whose host equals Host, or one matching \
              `OriginPatterns`",
    ),
);
static SPRING: Server = server(
    "Spring WebSocket",
    Pings::Unknown,
    checks(
        "without `setAllowedOrigins` its `OriginHandshakeInterceptor` accepts same-origin \
              requests only",
    ),
);

/// A server wscfg believes is behind a proxy, and why.
#[derive(Clone, Debug)]
pub struct Identified {
    pub server: &'static Server,
    /// "the location path `/cable`", "requirements.txt depends on `uvicorn`".
    pub why: String,
}

/// The server a request path belongs to, for paths only one server uses by default.
fn by_path(path: &str) -> Option<&'static Server> {
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('~') && !s.starts_with('^'))
        .map(|s| s.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '_'))
        .collect();
    let has = |s: &str| segments.contains(&s);
    let starts = |p: &[&str]| segments.starts_with(p);
    if has("socket.io") {
        Some(&SOCKET_IO)
    } else if has("sockjs") || has("sockjs-node") {
        Some(&SOCKJS)
    } else if has("cable") {
        Some(&ACTION_CABLE)
    } else if api_version_then(&segments, &["websocket"])
        || api_version_then(&segments, &["users", "websocket"])
    {
        // Mattermost's own nginx guide routes `~ /api/v[0-9]+/(users/)?websocket$`.
        Some(&MATTERMOST)
    } else if starts(&["api", "v1", "streaming"]) {
        Some(&MASTODON_STREAMING)
    } else if starts(&["live", "websocket"]) || starts(&["socket", "websocket"]) || has("phoenix") {
        Some(&PHOENIX)
    } else if starts(&["api", "kernels"]) || starts(&["terminals", "websocket"]) {
        Some(&JUPYTER)
    } else if has("signalr") || has("hub") || has("hubs") {
        Some(&SIGNALR)
    } else {
        None
    }
}

/// `/api/v<N>/<rest>`, for any version number.
fn api_version_then(segments: &[&str], rest: &[&str]) -> bool {
    match segments {
        ["api", version, tail @ ..] => {
            version
                .strip_prefix('v')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                && tail == rest
        }
        _ => false,
    }
}

/// The server a host, upstream group or service name names (`mattermost`,
/// `mastodon-streaming`, `jupyterhub`, `code-server`).
fn by_name(name: &str) -> Option<&'static Server> {
    let lower = name.to_ascii_lowercase();
    let has = |s: &str| lower.contains(s);
    if has("mattermost") {
        Some(&MATTERMOST)
    } else if has("mastodon") && has("stream") {
        Some(&MASTODON_STREAMING)
    } else if has("jupyter") {
        Some(&JUPYTER)
    } else if has("code-server") || has("code_server") || has("codeserver") {
        Some(&CODE_SERVER)
    } else if has("webpack") {
        Some(&WEBPACK_DEV_SERVER)
    } else if has("socketio") || has("socket.io") || has("socket-io") {
        Some(&SOCKET_IO)
    } else if has("actioncable") || has("action-cable") || has("action_cable") {
        Some(&ACTION_CABLE)
    } else if has("daphne") {
        Some(&DAPHNE)
    } else if has("uvicorn") {
        Some(&UVICORN)
    } else if has("hypercorn") {
        Some(&HYPERCORN)
    } else {
        None
    }
}

/// The server a declared dependency runs (only packages that are the WebSocket server
/// itself: a framework such as FastAPI or Django Channels runs under one of these).
fn by_package(ecosystem: Ecosystem, name: &str) -> Option<&'static Server> {
    Some(match (ecosystem, name) {
        (Ecosystem::Python, "uvicorn") => &UVICORN,
        (Ecosystem::Python, "daphne") => &DAPHNE,
        (Ecosystem::Python, "hypercorn") => &HYPERCORN,
        (Ecosystem::Python, "websockets") => &PYTHON_WEBSOCKETS,
        (Ecosystem::Python, "python-socketio") => &PYTHON_SOCKET_IO,
        (Ecosystem::Node, "socket.io") => &SOCKET_IO,
        (Ecosystem::Node, "sockjs") => &SOCKJS,
        (Ecosystem::Node, "ws") => &NODE_WS,
        (Ecosystem::Node, "graphql-ws") => &GRAPHQL_WS,
        (Ecosystem::Node, "subscriptions-transport-ws") => &SUBSCRIPTIONS_TRANSPORT_WS,
        _ => return None,
    })
}

/// Go modules and Java artifacts that are WebSocket servers, as `go.mod`, `pom.xml` and
/// Gradle files name them.
const BUILD_FILE_SERVERS: &[(&str, &[&str], &Server)] = &[
    ("go.mod", &["github.com/gorilla/websocket"], &GORILLA),
    (
        "go.mod",
        &["nhooyr.io/websocket", "github.com/coder/websocket"],
        &CODER_WEBSOCKET,
    ),
    (
        "pom.xml",
        &["spring-boot-starter-websocket", "spring-websocket"],
        &SPRING,
    ),
    (
        "build.gradle",
        &["spring-boot-starter-websocket", "spring-websocket"],
        &SPRING,
    ),
    (
        "build.gradle.kts",
        &["spring-boot-starter-websocket", "spring-websocket"],
        &SPRING,
    ),
];

/// Build files read for Go and Java servers are skipped above this size.
const MAX_BUILD_FILE: u64 = 1024 * 1024;

/// The WebSocket servers the project around `file` depends on: its Python and Node
/// dependency files (found the way [`ProjectDeps::for_manifest`] finds them) and the
/// `go.mod`, `pom.xml` or Gradle file of the nearest directory that has one. Everything is
/// asked of `db` ([`read_into`] put the build files there before linting).
pub fn around(db: &SourceDb, file: &Path) -> Vec<Identified> {
    let deps = ProjectDeps::for_manifest(db, file, None);
    let mut out = Vec::new();
    for ecosystem in [Ecosystem::Python, Ecosystem::Node] {
        for (f, d) in deps.ecosystem(ecosystem).iter() {
            if d.locked {
                continue; // a dependency of a dependency is not the server the app runs
            }
            if let Some(server) = by_package(ecosystem, &d.name) {
                let shown = f.path.file_name().map_or_else(
                    || f.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                push(&mut out, server, format!("{shown} depends on `{}`", d.name));
            }
        }
    }
    for dir in search_dirs(file, None) {
        let mut found = false;
        for (name, needles, server) in BUILD_FILE_SERVERS {
            let Some(id) = source_of(db, &dir.join(name)) else {
                continue;
            };
            found = true;
            if needles.iter().any(|n| db.get(id).text.contains(n)) {
                push(&mut out, server, format!("{name} depends on it"));
            }
        }
        if found {
            break;
        }
    }
    out
}

/// Reads the Go and Java build files [`around`] looks at for `file` into `db`, before
/// linting: a file `db` already holds (an editor's buffer) is not read again.
pub fn read_into(db: &mut SourceDb, file: &Path) {
    for dir in search_dirs(file, None) {
        let mut found = false;
        for (name, _, _) in BUILD_FILE_SERVERS {
            let path = dir.join(name);
            if source_of(db, &path).is_some() {
                found = true;
            } else if let Ok(text) = crate::workspace::read_text(&path, MAX_BUILD_FILE) {
                db.add(path, text);
                found = true;
            }
        }
        if found {
            break;
        }
    }
}

/// The servers behind one proxied route: the one its path belongs to, else the one a host,
/// upstream or service name names (`names`: what the name is, the name), else those the
/// project depends on.
pub fn behind(
    path: Option<&str>,
    names: &[(&str, &str)],
    project: &[Identified],
) -> Vec<Identified> {
    if let Some((p, server)) = path.and_then(|p| Some((p, by_path(p)?))) {
        return vec![Identified {
            server,
            why: format!("the path `{p}` is {}'s", server.name),
        }];
    }
    if let Some((what, name, server)) = names
        .iter()
        .find_map(|&(what, name)| Some((what, name, by_name(name)?)))
    {
        return vec![Identified {
            server,
            why: format!("the {what} is named `{name}`"),
        }];
    }
    project.to_vec()
}

/// Socket.IO, identified by what a proxy's WebSocket evidence says (a `/socket.io/` path).
pub fn socket_io(why: &str) -> Identified {
    Identified {
        server: &SOCKET_IO,
        why: why.to_owned(),
    }
}

/// Adds a server once (the first reason wins).
fn push(out: &mut Vec<Identified>, server: &'static Server, why: String) {
    if !out.iter().any(|i| std::ptr::eq(i.server, server)) {
        out.push(Identified { server, why });
    }
}

/// What an idle timeout does to the sockets of the identified servers.
#[derive(Debug, PartialEq, Eq)]
pub enum IdleVerdict {
    /// Each server sends something well within the timeout: the socket is never idle that
    /// long.
    KeptAlive,
    /// The timeout closes idle sockets; the sentence says what wscfg assumed about the
    /// backend and why.
    Closes(String),
}

/// Traffic every `interval` keeps a socket open through a timeout this much longer, a fifth
/// of the interval to spare for timers and latency (Socket.IO's 25 s needs 30 s).
fn keeps_alive(interval_ms: u64, timeout_ms: u64) -> bool {
    interval_ms + interval_ms / 5 <= timeout_ms
}

fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// Judges an idle timeout of `timeout_ms` against the servers identified behind it.
pub fn judge_idle(timeout_ms: u64, servers: &[Identified]) -> IdleVerdict {
    let unless = format!(
        "This holds unless the backend sends something (a ping) more often than every {}",
        seconds(timeout_ms)
    );
    let Some(first) = servers.first() else {
        return IdleVerdict::Closes(format!(
            "{unless}; wscfg could not tell which server is behind it."
        ));
    };
    let alive = |i: &Identified| match i.server.pings {
        Pings::Every { ms, .. } => Some(keeps_alive(ms, timeout_ms)),
        Pings::Never { .. } => Some(false),
        Pings::Unknown => None,
    };
    let verdicts: Vec<Option<bool>> = servers.iter().map(alive).collect();
    if verdicts.iter().all(|v| *v == Some(true)) {
        return IdleVerdict::KeptAlive;
    }
    if servers.len() > 1 && !verdicts.iter().all(|v| *v == Some(false)) {
        let names: Vec<String> = servers
            .iter()
            .map(|i| format!("{} ({})", i.server.name, i.why))
            .collect();
        return IdleVerdict::Closes(format!(
            "{unless}; the backend may be any of {}.",
            names.join(", ")
        ));
    }
    let assumed = format!(
        "The backend is taken to be {} ({})",
        first.server.name, first.why
    );
    IdleVerdict::Closes(match first.server.pings {
        Pings::Never { setting } => {
            format!("{assumed}, which sends no pings by default (add them with {setting}).")
        }
        Pings::Every { ms, setting } => format!(
            "{assumed}, which pings only every {} by default ({setting}).",
            seconds(ms)
        ),
        Pings::Unknown => format!("{assumed}, whose default pings wscfg does not know. {unless}."),
    })
}

/// Whether a handshake that reaches the backend with another host than the browser's in
/// `Host` is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum OriginVerdict {
    /// The server compares the two by default; the sentence names it and why.
    Refused(String),
    /// Every identified server ignores `Host` for this.
    Accepted,
    /// No server is known; the sentence says what the finding depends on.
    Depends(String),
}

pub fn judge_origin(servers: &[Identified]) -> OriginVerdict {
    let checks = servers.iter().find_map(|i| match i.server.origin {
        OriginCheck::AgainstHost { how } => Some((i, how)),
        _ => None,
    });
    if let Some((i, how)) = checks {
        return OriginVerdict::Refused(format!(
            "The backend is taken to be {} ({}): {how}, so a browser's handshake is refused \
             with 403.",
            i.server.name, i.why
        ));
    }
    if !servers.is_empty()
        && servers
            .iter()
            .all(|i| matches!(i.server.origin, OriginCheck::NotAgainstHost { .. }))
    {
        return OriginVerdict::Accepted;
    }
    let depends = "This breaks only a backend that compares Origin with Host (gorilla/websocket, \
                   coder/websocket, Spring WebSocket, Action Cable, Jupyter and code-server do by \
                   default)";
    OriginVerdict::Depends(match servers.first() {
        Some(i) => format!(
            "{depends}; wscfg does not know whether {} ({}) does.",
            i.server.name, i.why
        ),
        None => format!("{depends}; wscfg could not tell which server is behind it."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(server: &'static Server) -> Vec<Identified> {
        vec![Identified {
            server,
            why: "test".into(),
        }]
    }

    #[test]
    fn paths_name_their_servers() {
        assert_eq!(by_path("/cable"), Some(&ACTION_CABLE));
        assert_eq!(by_path("/socket.io/"), Some(&SOCKET_IO));
        assert_eq!(by_path("/api/v4/websocket"), Some(&MATTERMOST));
        assert_eq!(by_path("/api/v0/users/websocket"), Some(&MATTERMOST));
        assert_eq!(by_path("/api/v4/websocket/extra"), None);
        assert_eq!(by_path("/api/v1/streaming"), Some(&MASTODON_STREAMING));
        assert_eq!(by_path("/live/websocket"), Some(&PHOENIX));
        assert_eq!(by_path("/api/kernels/abc/channels"), Some(&JUPYTER));
        assert_eq!(by_path("/chathub"), None);
        assert_eq!(by_path("/ws/"), None);
        assert_eq!(by_path("/livestream"), None);
    }

    #[test]
    fn idle_verdicts_follow_the_interval() {
        assert_eq!(judge_idle(60_000, &known(&UVICORN)), IdleVerdict::KeptAlive);
        assert_eq!(
            judge_idle(30_000, &known(&SOCKET_IO)),
            IdleVerdict::KeptAlive
        );
        assert!(matches!(
            judge_idle(29_000, &known(&SOCKET_IO)),
            IdleVerdict::Closes(m) if m.contains("only every 25 s")
        ));
        assert!(matches!(
            judge_idle(60_000, &known(&MATTERMOST)),
            IdleVerdict::Closes(_)
        ));
        assert!(matches!(
            judge_idle(600_000, &known(&NODE_WS)),
            IdleVerdict::Closes(m) if m.contains("sends no pings")
        ));
        assert!(matches!(
            judge_idle(60_000, &[]),
            IdleVerdict::Closes(m) if m.contains("more often than every 60 s")
        ));
        let mixed = [known(&UVICORN), known(&NODE_WS)].concat();
        assert!(matches!(
            judge_idle(60_000, &mixed),
            IdleVerdict::Closes(m) if m.contains("any of")
        ));
    }

    #[test]
    fn origin_verdicts() {
        assert!(matches!(
            judge_origin(&known(&GORILLA)),
            OriginVerdict::Refused(_)
        ));
        assert_eq!(judge_origin(&known(&NODE_WS)), OriginVerdict::Accepted);
        assert!(matches!(
            judge_origin(&known(&MATTERMOST)),
            OriginVerdict::Depends(m) if m.contains("Mattermost")
        ));
        assert!(matches!(judge_origin(&[]), OriginVerdict::Depends(_)));
    }
}
