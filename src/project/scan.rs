//! Targeted scans of app-side files: no parsers, a few patterns per language that find the
//! places a WebSocket connection is opened (client URLs), answered (server endpoints) and
//! where the app listens (ports). Every fact keeps the byte span it was read from.

use super::kind::{Kind, Lang};
use crate::source::{FileId, Span};
use regex::Regex;
use std::sync::LazyLock;

/// The protocol spoken over the socket. Socket.IO, Phoenix channels and Action Cable add
/// their own framing, so each only talks to its own kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Plain,
    SocketIo,
    Phoenix,
    ActionCable,
}

impl Protocol {
    pub fn describe(self) -> &'static str {
        match self {
            Protocol::Plain => "plain WebSocket",
            Protocol::SocketIo => "Socket.IO",
            Protocol::Phoenix => "Phoenix channels",
            Protocol::ActionCable => "Action Cable",
        }
    }
}

/// Where a client connects to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A string literal; `${…}` parts are kept as written.
    Literal { text: String, span: Span },
    /// `process.env.NAME`, `import.meta.env.NAME`.
    Env(String),
    /// No argument (same origin) or an expression the scan cannot follow.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub file: FileId,
    /// The call (`new WebSocket(`, `io(`).
    pub span: Span,
    pub flavour: Protocol,
    pub call: &'static str,
    pub target: Target,
    /// Socket.IO only: the call sets `transports: ["websocket"]`, so it never long-polls.
    pub websocket_only: bool,
    /// Socket.IO only: the `path` option (the HTTP path of the Engine.IO requests; the URL's
    /// own path is the namespace), with where it is written.
    pub sio_path: Option<(String, Span)>,
    /// The call names no URL (`io()`, `io({ … })`): it connects to the page's own origin.
    pub same_origin: bool,
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub file: FileId,
    pub span: Span,
    pub flavour: Protocol,
    /// What serves it: "FastAPI/Starlette", "ws", "Socket.IO (Node)", …
    pub framework: &'static str,
    /// The route as the server declares it (`/ws/{room_id}`), when the scan finds one.
    pub path: Option<String>,
    /// The port the server itself listens on (`new WebSocketServer({ port: 8080 })`,
    /// `websockets.serve(handler, host, 8765)`), when the code says so.
    pub port: Option<u16>,
}

/// A port the code itself listens on, written as a number (`server.listen(3001)`,
/// `uvicorn.run(app, port=8001)`, `http.ListenAndServe(":8080", nil)`).
#[derive(Clone, Debug)]
pub struct ListenPort {
    pub file: FileId,
    /// The number.
    pub span: Span,
    pub port: u16,
    /// The call, for messages: "`server.listen(3001)`".
    pub what: String,
}

/// A `ws://` URL written in a client-facing place.
#[derive(Clone, Debug)]
pub struct WsUrl {
    pub file: FileId,
    /// The URL.
    pub span: Span,
    pub url: String,
    /// The variable it is assigned to, for `.env` files.
    pub var: Option<String>,
}

/// `NAME=value` in a `.env` file.
#[derive(Clone, Debug)]
pub struct EnvVar {
    pub file: FileId,
    pub name: String,
    pub value: String,
    pub value_span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub clients: Vec<Client>,
    pub endpoints: Vec<Endpoint>,
    pub ws_urls: Vec<WsUrl>,
    pub env: Vec<EnvVar>,
    pub listens: Vec<ListenPort>,
    /// Ports taken from `$PORT` with a number as the fallback (`process.env.PORT || 3000`),
    /// in files that start a server: `port` and `span` are the fallback's.
    pub env_listens: Vec<ListenPort>,
}

impl Facts {
    /// Adds the facts of another file (scanned on its own) after these.
    pub fn extend(&mut self, other: Facts) {
        self.clients.extend(other.clients);
        self.endpoints.extend(other.endpoints);
        self.ws_urls.extend(other.ws_urls);
        self.env.extend(other.env);
        self.listens.extend(other.listens);
        self.env_listens.extend(other.env_listens);
    }
}

macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| Regex::new($pat).expect("valid regex"));
    };
}

// JS / TS.
re!(
    JS_SIO_CLIENT_IMPORT,
    r#"(?:from\s*|require\s*\(\s*)["']socket\.io-client["']"#
);
re!(
    JS_SIO_SERVER_IMPORT,
    r#"(?:from\s*|require\s*\(\s*)["']socket\.io["']"#
);
re!(
    JS_WS_IMPORT,
    r#"(?:from\s*|require\s*\(\s*)["'](?:ws|isomorphic-ws)["']"#
);
re!(
    JS_NEW_WEBSOCKET,
    r#"\bnew\s+(?:WebSocket|ReconnectingWebSocket)\s*\(\s*"#
);
re!(JS_IO_CALL, r#"\b(?:io|io\.connect|connect)\s*\(\s*"#);
re!(
    JS_WS_SERVER,
    r#"\bnew\s+(?:WebSocketServer|WebSocket\.Server|WS\.Server)\s*\("#
);
re!(
    JS_SIO_SERVER,
    r#"\bnew\s+(?:Server|SocketIOServer|IOServer)\s*\(|require\s*\(\s*["']socket\.io["']\s*\)\s*\("#
);
re!(
    JS_WS_ONLY,
    r#"\btransports\s*:\s*\[\s*["'`]websocket["'`]\s*,?\s*\]"#
);
re!(JS_PATH_OPT, r#"\bpath\s*:\s*["'`]([^"'`]*)["'`]"#);
re!(
    JS_ENV_ARG,
    r#"^(?:process\.env\.|import\.meta\.env\.)([A-Za-z_][A-Za-z0-9_]*)"#
);
re!(STRING_ARG, r#"^(["'`])([^"'`\n]*)["'`]"#);
re!(JS_WS_LITERAL, r#"["'`](ws://[^"'`\s]*)["'`]"#);
// Python.
re!(
    PY_WS_ROUTE,
    r#"@\s*\w+\.websocket(?:_route)?\s*\(\s*(?:path\s*=\s*)?["']([^"']*)["']"#
);
re!(
    PY_ADD_WS_ROUTE,
    r#"\.add_(?:api_)?websocket_route\s*\(\s*["']([^"']*)["']|\bWebSocketRoute\s*\(\s*["']([^"']*)["']"#
);
re!(
    PY_WEBSOCKETS_SERVE,
    r#"\bwebsockets\.(?:asyncio\.server\.)?serve\s*\(|\bfrom\s+websockets(?:\.asyncio)?(?:\.server)?\s+import\s+[^\n]*\bserve\b"#
);
re!(
    PY_SIO_SERVER,
    r#"\bsocketio\.(?:Async)?Server\s*\(|\bSocketIO\s*\(\s*\w"#
);
re!(
    PY_FLASK_SOCKETIO,
    r#"\bfrom\s+flask_socketio\s+import\b|\bimport\s+flask_socketio\b"#
);
re!(
    PY_FLASK_SOCK_ROUTE,
    r#"@\s*\w+\.route\s*\(\s*["']([^"']*)["']"#
);
re!(PY_FLASK_SOCK_IMPORT, r#"\bfrom\s+flask_sock\s+import\b"#);
re!(PY_CHANNELS, r#"\bwebsocket_urlpatterns\s*=\s*\["#);
re!(PY_DJANGO_PATH, r#"\b(re_)?path\s*\(\s*r?["']([^"']*)["']"#);
// Go.
re!(
    GO_PLAIN_IMPORT,
    r#""(?:github\.com/gorilla/websocket|nhooyr\.io/websocket|github\.com/coder/websocket|golang\.org/x/net/websocket|github\.com/gobwas/ws)""#
);
re!(
    GO_SIO_IMPORT,
    r#""github\.com/(?:googollee/go-socket\.io|zishang520/socket\.io[^"]*)""#
);
re!(
    GO_HANDLE,
    r#"\b(?:HandleFunc|Handle|GET|Get|Any)\s*\(\s*"([^"]+)""#
);
// Ruby / Elixir.
re!(
    RB_CABLE,
    r#"mount\s+ActionCable\.server\s*=>\s*["']([^"']+)["']"#
);
re!(EX_SOCKET, r#"(?m)^\s*socket\s+"([^"]+)"\s*,"#);
// Listen ports written as numbers.
re!(
    JS_LISTEN,
    r#"\.listen\s*\(\s*(?:(\d{2,5})\s*[,)]|\{[^}]*?\bport\s*:\s*(\d{2,5})\b)"#
);
re!(JS_PORT_OPT, r#"\bport\s*:\s*(\d{2,5})\b"#);
re!(
    JS_ENV_PORT,
    r#"\bprocess\.env\.PORT\s*(?:\|\||\?\?)\s*["']?(\d{2,5})\b"#
);
re!(
    PY_ENV_PORT,
    r#"\bos\.(?:environ\.get|getenv)\(\s*["']PORT["']\s*,\s*["']?(\d{2,5})\b"#
);
re!(PY_RUN, r#"\b[A-Za-z_][\w.]*\.run(?:_app)?\s*\("#);
re!(PY_PORT_KW, r#"\bport\s*=\s*(\d{2,5})\s*[,)\s]"#);
re!(
    PY_SERVE_CALL,
    r#"\b(?:websockets\.(?:asyncio\.server\.)?)?serve\s*\("#
);
re!(
    PY_SERVE_POSITIONAL_PORT,
    r#"^[^,()]+,\s*(?:["'][^"']*["']|None)\s*,\s*(\d{2,5})\s*(?:,|$)"#
);
re!(
    GO_LISTEN,
    r#"\b(?:ListenAndServe(?:TLS)?|Run|Listen|Start)\s*\(\s*"[\w.\-]*:(\d{2,5})""#
);
// .env
re!(
    ENV_LINE,
    r#"(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#]*))"#
);

/// Scans one file of the given kind.
pub fn scan(file: FileId, kind: Kind, text: &str, out: &mut Facts) {
    match kind {
        Kind::Source(Lang::Js) => scan_js(file, text, out),
        Kind::Source(Lang::Python) => scan_python(file, text, out),
        Kind::Source(Lang::Go) => scan_go(file, text, out),
        Kind::Source(Lang::Ruby) => {
            for c in RB_CABLE.captures_iter(text) {
                let m = c.get(0).expect("match");
                out.endpoints.push(Endpoint {
                    port: None,
                    file,
                    span: Span::new(m.start(), m.end()),
                    flavour: Protocol::ActionCable,
                    framework: "Action Cable",
                    path: Some(c[1].to_owned()),
                });
            }
        }
        Kind::Source(Lang::Elixir) => {
            for c in EX_SOCKET.captures_iter(text) {
                let m = c.get(1).expect("group");
                out.endpoints.push(Endpoint {
                    port: None,
                    file,
                    span: Span::new(m.start() - 1, m.end() + 1),
                    flavour: Protocol::Phoenix,
                    framework: "Phoenix",
                    path: Some(format!("{}/websocket", c[1].trim_end_matches('/'))),
                });
            }
        }
        Kind::Env => scan_env(file, text, out),
        _ => {}
    }
    if let Kind::Source(lang) = kind {
        scan_listens(file, lang, text, out);
        scan_env_listens(file, lang, text, out);
    }
}

/// The line around `at`, trimmed and shortened, for messages.
fn line_around(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[start..end].trim();
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(57).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

fn listen(file: FileId, text: &str, start: usize, end: usize, out: &mut Facts) {
    if let Ok(port) = text[start..end].parse::<u16>() {
        out.listens.push(ListenPort {
            file,
            span: Span::new(start, end),
            port,
            what: format!("`{}`", line_around(text, start)),
        });
    }
}

/// `$PORT` with a fallback number, in a file that starts a server.
fn scan_env_listens(file: FileId, lang: Lang, text: &str, out: &mut Facts) {
    let (fallback, serves) = match lang {
        Lang::Js => (&JS_ENV_PORT, text.contains(".listen(")),
        Lang::Python => (
            &PY_ENV_PORT,
            PY_RUN.is_match(text) || PY_SERVE_CALL.is_match(text),
        ),
        _ => return,
    };
    if !serves {
        return;
    }
    for c in fallback.captures_iter(text) {
        let n = c.get(1).expect("group");
        if let Ok(port) = n.as_str().parse::<u16>() {
            out.env_listens.push(ListenPort {
                file,
                span: Span::new(n.start(), n.end()),
                port,
                what: format!("`{}`", line_around(text, n.start())),
            });
        }
    }
}

/// Ports the code listens on, written as numbers.
fn scan_listens(file: FileId, lang: Lang, text: &str, out: &mut Facts) {
    match lang {
        Lang::Js => {
            for c in JS_LISTEN.captures_iter(text) {
                let n = c.get(1).or(c.get(2)).expect("group");
                listen(file, text, n.start(), n.end(), out);
            }
            for m in JS_WS_SERVER.find_iter(text) {
                if let Some(n) = JS_PORT_OPT
                    .captures(call_args(text, m.end()))
                    .and_then(|c| c.get(1))
                {
                    listen(file, text, m.end() + n.start(), m.end() + n.end(), out);
                }
            }
        }
        Lang::Python => {
            for m in PY_RUN.find_iter(text) {
                let closed = format!("{})", call_args(text, m.end()));
                if let Some(n) = PY_PORT_KW.captures(&closed).and_then(|c| c.get(1)) {
                    listen(file, text, m.end() + n.start(), m.end() + n.end(), out);
                }
            }
            for m in PY_SERVE_CALL.find_iter(text) {
                if let Some((start, end)) = serve_port(text, m.end()) {
                    listen(file, text, start, end, out);
                }
            }
        }
        Lang::Go => {
            for c in GO_LISTEN.captures_iter(text) {
                let n = c.get(1).expect("group");
                listen(file, text, n.start(), n.end(), out);
            }
        }
        Lang::Ruby | Lang::Elixir => {}
    }
}

/// Where the port argument of `websockets.serve(handler, host, port)` (or `port=`) is.
fn serve_port(text: &str, args_at: usize) -> Option<(usize, usize)> {
    let args = call_args(text, args_at);
    let closed = format!("{args})");
    let n = PY_PORT_KW
        .captures(&closed)
        .and_then(|c| c.get(1))
        .or_else(|| {
            PY_SERVE_POSITIONAL_PORT
                .captures(args)
                .and_then(|c| c.get(1))
        })?;
    Some((args_at + n.start(), args_at + n.end()))
}

/// The port a server call's options give (`{ port: 8080 }`), as a number.
fn js_port_opt(args: &str) -> Option<u16> {
    JS_PORT_OPT.captures(args)?[1].parse().ok()
}

fn target_at(text: &str, at: usize) -> Target {
    let rest = &text[at..];
    if let Some(c) = STRING_ARG.captures(rest) {
        let m = c.get(2).expect("group");
        return Target::Literal {
            text: m.as_str().to_owned(),
            span: Span::new(at + m.start(), at + m.end()),
        };
    }
    if let Some(c) = JS_ENV_ARG.captures(rest) {
        return Target::Env(c[1].to_owned());
    }
    Target::Unknown
}

/// The text of a call's argument list: from `at` up to the parenthesis that closes it
/// (bounded, strings not looked into).
fn call_args(text: &str, at: usize) -> &str {
    let mut depth = 1usize;
    let end = (at + 2000).min(text.len());
    for (i, b) in text.as_bytes()[at..end].iter().enumerate() {
        match b {
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return &text[at..at + i];
                }
            }
            _ => {}
        }
    }
    let mut cut = end;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[at..cut]
}

fn scan_js(file: FileId, text: &str, out: &mut Facts) {
    let sio_client = JS_SIO_CLIENT_IMPORT.is_match(text);
    let sio_server = JS_SIO_SERVER_IMPORT.is_match(text);
    let ws_lib = JS_WS_IMPORT.is_match(text);
    for m in JS_NEW_WEBSOCKET.find_iter(text) {
        let call = text[m.start()..m.end()].trim_end();
        let call_end = call.len() + m.start();
        out.clients.push(Client {
            file,
            span: Span::new(m.start(), call_end),
            flavour: Protocol::Plain,
            call: "new WebSocket(…)",
            target: target_at(text, m.end()),
            websocket_only: true,
            sio_path: None,
            same_origin: false,
        });
    }
    if sio_client {
        for m in JS_IO_CALL.find_iter(text) {
            // `socket.connect()` and `db.connect(` are not the io() factory.
            let before = text[..m.start()].chars().next_back();
            if before.is_some_and(|c| c == '.' || c.is_alphanumeric() || c == '_') {
                continue;
            }
            let call = text[m.start()..m.end()].trim_end();
            let args = call_args(text, m.end());
            let sio_path = JS_PATH_OPT.captures(args).map(|c| {
                let g = c.get(1).expect("group");
                (
                    g.as_str().to_owned(),
                    Span::new(m.end() + g.start(), m.end() + g.end()),
                )
            });
            let first = args.trim_start();
            out.clients.push(Client {
                file,
                span: Span::new(m.start(), m.start() + call.len()),
                flavour: Protocol::SocketIo,
                call: "io(…)",
                target: target_at(text, m.end()),
                websocket_only: JS_WS_ONLY.is_match(args),
                sio_path,
                same_origin: first.is_empty() || first.starts_with('{'),
            });
        }
    }
    if sio_server {
        for m in JS_SIO_SERVER.find_iter(text) {
            let args = call_args(text, m.end());
            out.endpoints.push(Endpoint {
                port: None,
                file,
                span: Span::new(m.start(), m.end()),
                flavour: Protocol::SocketIo,
                framework: "Socket.IO (Node)",
                path: Some(
                    JS_PATH_OPT
                        .captures(args)
                        .map_or("/socket.io/".to_owned(), |c| c[1].to_owned()),
                ),
            });
        }
    }
    if ws_lib || !sio_server {
        for m in JS_WS_SERVER.find_iter(text) {
            let args = call_args(text, m.end());
            out.endpoints.push(Endpoint {
                port: js_port_opt(args),
                file,
                span: Span::new(m.start(), m.end()),
                flavour: Protocol::Plain,
                framework: "ws (Node)",
                path: JS_PATH_OPT.captures(args).map(|c| c[1].to_owned()),
            });
        }
    }
    for c in JS_WS_LITERAL.captures_iter(text) {
        let m = c.get(1).expect("group");
        out.ws_urls.push(WsUrl {
            file,
            span: Span::new(m.start(), m.end()),
            url: m.as_str().to_owned(),
            var: None,
        });
    }
}

fn scan_python(file: FileId, text: &str, out: &mut Facts) {
    let mut plain = |span: Span, framework: &'static str, path: Option<String>| {
        out.endpoints.push(Endpoint {
            port: None,
            file,
            span,
            flavour: Protocol::Plain,
            framework,
            path,
        })
    };
    for c in PY_WS_ROUTE.captures_iter(text) {
        let m = c.get(0).expect("match");
        plain(
            Span::new(m.start(), m.end()),
            "FastAPI/Starlette",
            Some(c[1].to_owned()),
        );
    }
    for c in PY_ADD_WS_ROUTE.captures_iter(text) {
        let m = c.get(0).expect("match");
        let path = c.get(1).or(c.get(2)).map(|p| p.as_str().to_owned());
        plain(Span::new(m.start(), m.end()), "Starlette", path);
    }
    if let Some(m) = PY_WEBSOCKETS_SERVE.find(text) {
        plain(Span::new(m.start(), m.end()), "websockets", None);
    }
    if let Some(list) = PY_CHANNELS.find(text) {
        let body = call_args(text, list.end());
        for c in PY_DJANGO_PATH.captures_iter(body) {
            let m = c.get(0).expect("match");
            let raw = &c[2];
            let path = if c.get(1).is_some() {
                raw.trim_start_matches('^').trim_end_matches('$').to_owned()
            } else {
                raw.to_owned()
            };
            plain(
                Span::new(list.end() + m.start(), list.end() + m.end()),
                "Django Channels",
                Some(format!("/{}", path.trim_start_matches('/'))),
            );
        }
    }
    if PY_FLASK_SOCK_IMPORT.is_match(text) {
        // flask-sock routes are `@sock.route(…)` on the Sock object; Flask's own are
        // `@app.route`. Only routes whose handler takes the socket (`def x(ws)`) count.
        for c in PY_FLASK_SOCK_ROUTE.captures_iter(text) {
            let m = c.get(0).expect("match");
            let after = &text[m.end()..(m.end() + 300).min(text.len())];
            let takes_ws = after
                .find("def ")
                .and_then(|i| after[i..].find('(').map(|j| &after[i + j + 1..]))
                .is_some_and(|args| args.trim_start().starts_with("ws"));
            if takes_ws {
                out.endpoints.push(Endpoint {
                    port: None,
                    file,
                    span: Span::new(m.start(), m.end()),
                    flavour: Protocol::Plain,
                    framework: "flask-sock",
                    path: Some(c[1].to_owned()),
                });
            }
        }
    }
    let flask_socketio = PY_FLASK_SOCKETIO.is_match(text);
    for m in PY_SIO_SERVER.find_iter(text) {
        out.endpoints.push(Endpoint {
            port: None,
            file,
            span: Span::new(m.start(), m.end()),
            flavour: Protocol::SocketIo,
            framework: if flask_socketio {
                "Flask-SocketIO"
            } else {
                "python-socketio"
            },
            path: Some("/socket.io/".to_owned()),
        });
    }
}

fn scan_go(file: FileId, text: &str, out: &mut Facts) {
    let (flavour, framework) = if GO_SIO_IMPORT.is_match(text) {
        (Protocol::SocketIo, "go-socket.io")
    } else if GO_PLAIN_IMPORT.is_match(text) {
        (Protocol::Plain, "Go WebSocket library")
    } else {
        return;
    };
    let mut any = false;
    for c in GO_HANDLE.captures_iter(text) {
        let m = c.get(0).expect("match");
        any = true;
        out.endpoints.push(Endpoint {
            port: None,
            file,
            span: Span::new(m.start(), m.end()),
            flavour,
            framework,
            path: Some(c[1].to_owned()),
        });
    }
    if !any {
        let m = GO_PLAIN_IMPORT
            .find(text)
            .or_else(|| GO_SIO_IMPORT.find(text))
            .expect("matched above");
        out.endpoints.push(Endpoint {
            port: None,
            file,
            span: Span::new(m.start(), m.end()),
            flavour,
            framework,
            path: None,
        });
    }
}

fn scan_env(file: FileId, text: &str, out: &mut Facts) {
    for c in ENV_LINE.captures_iter(text) {
        let Some(v) = c.get(2).or(c.get(3)).or(c.get(4)) else {
            continue;
        };
        let name = c[1].to_owned();
        if v.as_str().starts_with("ws://") {
            out.ws_urls.push(WsUrl {
                file,
                span: Span::new(v.start(), v.end()),
                url: v.as_str().to_owned(),
                var: Some(name.clone()),
            });
        }
        out.env.push(EnvVar {
            file,
            name,
            value: v.as_str().to_owned(),
            value_span: Span::new(v.start(), v.end()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: Kind, text: &str) -> Facts {
        let mut f = Facts::default();
        scan(FileId(0), kind, text, &mut f);
        f
    }

    #[test]
    fn socketio_client_path_option_and_same_origin() {
        let text = "import { io } from \"socket.io-client\";\nexport const a = io({ path: \"/board-sync\" });\nexport const b = io(\"https://board.example.com/admin\");\n";
        let f = facts(Kind::Source(Lang::Js), text);
        assert_eq!(f.clients.len(), 2, "{:?}", f.clients);
        let (path, span) = f.clients[0].sio_path.clone().unwrap();
        assert_eq!(
            (path.as_str(), &text[span.range()]),
            ("/board-sync", "/board-sync")
        );
        assert!(f.clients[0].same_origin);
        assert!(f.clients[1].sio_path.is_none());
        assert!(!f.clients[1].same_origin);
    }

    #[test]
    fn socketio_client_and_plain_client() {
        let f = facts(
            Kind::Source(Lang::Js),
            "import { io } from \"socket.io-client\";\nconst s = io(process.env.NEXT_PUBLIC_WS_URL, { transports: [\"websocket\"] });\nsocket.connect();\nconst w = new WebSocket(`wss://${host}/ws/${room}`);\n",
        );
        assert_eq!(f.clients.len(), 2, "{:?}", f.clients);
        let sio = f
            .clients
            .iter()
            .find(|c| c.flavour == Protocol::SocketIo)
            .unwrap();
        assert_eq!(sio.target, Target::Env("NEXT_PUBLIC_WS_URL".into()));
        assert!(sio.websocket_only);
        let plain = f
            .clients
            .iter()
            .find(|c| c.flavour == Protocol::Plain)
            .unwrap();
        assert!(
            matches!(&plain.target, Target::Literal { text, .. } if text == "wss://${host}/ws/${room}")
        );
    }

    #[test]
    fn io_without_the_client_library_is_not_socketio() {
        let f = facts(Kind::Source(Lang::Js), "const r = io(x);\n");
        assert!(f.clients.is_empty());
    }

    #[test]
    fn python_servers() {
        let f = facts(
            Kind::Source(Lang::Python),
            "@app.websocket(\"/ws/{room_id}/{user_id}\")\nasync def ws(websocket): ...\nsio = socketio.AsyncServer(async_mode='asgi')\n",
        );
        assert_eq!(f.endpoints.len(), 2);
        assert_eq!(
            f.endpoints[0].path.as_deref(),
            Some("/ws/{room_id}/{user_id}")
        );
        assert_eq!(f.endpoints[1].flavour, Protocol::SocketIo);
        let f = facts(
            Kind::Source(Lang::Python),
            "websocket_urlpatterns = [\n    re_path(r\"^ws/chat/(?P<room>\\w+)/$\", consumers.Chat.as_asgi()),\n]\n",
        );
        assert_eq!(
            f.endpoints[0].path.as_deref(),
            Some("/ws/chat/(?P<room>\\w+)/")
        );
    }

    #[test]
    fn listen_ports_written_as_numbers() {
        let ports = |kind, text: &str| {
            let f = facts(kind, text);
            f.listens
                .iter()
                .map(|l| (l.port, text[l.span.range()].to_owned()))
                .collect::<Vec<_>>()
        };
        let js = Kind::Source(Lang::Js);
        assert_eq!(
            ports(
                js,
                "server.listen(3001, () => {});\napp.listen(process.env.PORT || 3000);\n"
            ),
            [(3001, "3001".to_owned())]
        );
        assert_eq!(
            ports(
                js,
                "import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: 8080 });\n"
            ),
            [(8080, "8080".to_owned())]
        );
        let f = facts(
            js,
            "import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: 8080 });\n",
        );
        assert_eq!(f.endpoints[0].port, Some(8080));
        assert_eq!(
            ports(
                js,
                "await fastify.listen({ port: 4000, host: '0.0.0.0' })\n"
            ),
            [(4000, "4000".to_owned())]
        );
        let py = Kind::Source(Lang::Python);
        assert_eq!(
            ports(
                py,
                "if __name__ == \"__main__\":\n    uvicorn.run(\"main:app\", host=\"0.0.0.0\", port=8001)\n"
            ),
            [(8001, "8001".to_owned())]
        );
        assert!(
            ports(
                py,
                "uvicorn.run(app, port=int(os.environ.get(\"PORT\", 8000)))\n"
            )
            .is_empty()
        );
        assert_eq!(
            ports(
                py,
                "async with websockets.serve(handler, \"0.0.0.0\", 8765):\n"
            ),
            [(8765, "8765".to_owned())]
        );
        let go = Kind::Source(Lang::Go);
        assert_eq!(
            ports(go, "log.Fatal(http.ListenAndServe(\":8080\", nil))\n"),
            [(8080, "8080".to_owned())]
        );
    }

    #[test]
    fn ports_from_env_with_a_fallback_in_files_that_serve() {
        let env_ports = |kind, text: &str| {
            let f = facts(kind, text);
            f.env_listens.iter().map(|l| l.port).collect::<Vec<_>>()
        };
        let js = Kind::Source(Lang::Js);
        assert_eq!(
            env_ports(
                js,
                "const port = process.env.PORT ?? '3000';
app.listen(port);
"
            ),
            [3000]
        );
        // Read, but no server started in the file: a client's configuration, say.
        assert!(
            env_ports(
                js,
                "export const port = process.env.PORT || 3000;
"
            )
            .is_empty()
        );
        let py = Kind::Source(Lang::Python);
        assert_eq!(
            env_ports(
                py,
                "uvicorn.run(app, port=int(os.environ.get(\"PORT\", 8000)))\n"
            ),
            [8000]
        );
    }

    #[test]
    fn node_servers_and_env() {
        let f = facts(
            Kind::Source(Lang::Js),
            "import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ server, path: '/live' });\n",
        );
        assert_eq!(f.endpoints[0].path.as_deref(), Some("/live"));
        let f = facts(
            Kind::Source(Lang::Js),
            "const { Server } = require(\"socket.io\");\nconst io = new Server(httpServer, { cors: {} });\n",
        );
        assert_eq!(f.endpoints[0].flavour, Protocol::SocketIo);
        let f = facts(
            Kind::Env,
            "# api\nNEXT_PUBLIC_WS_URL=\"ws://api.example.com/ws\"\nOTHER=1\n",
        );
        assert_eq!(f.ws_urls.len(), 1);
        assert_eq!(f.ws_urls[0].var.as_deref(), Some("NEXT_PUBLIC_WS_URL"));
        assert_eq!(f.env.len(), 2);
    }
}
