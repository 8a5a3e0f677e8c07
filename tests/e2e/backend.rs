//! The two backends nginx proxies to in the end-to-end tests, both in the test process on
//! 127.0.0.1 with a port from the OS:
//! - [`WsBackend`], a WebSocket echo server that behaves like a real one (RFC 6455 §4.2.1):
//!   it completes the opening handshake only for an HTTP/1.1 GET carrying `Upgrade: websocket`,
//!   `Connection: upgrade`, `Sec-WebSocket-Version: 13` and a key, and otherwise answers with
//!   an HTTP error, as servers do. It records every request head it receives, so a test can
//!   say what nginx actually sent upstream.
//! - [`PlainBackend`], an ordinary HTTP server that answers every request with a recognisable
//!   200, for "the request landed in the other location".
//!
//! Every response carries `X-Backend: ws-echo` or `X-Backend: plain`, so the client can tell
//! a status produced by a backend from one produced by nginx itself.
//!
//! The WebSocket backend can also speak the protocols of nginx's other `*_pass` modules
//! ([`Protocol`]): uwsgi (the request arrives as a uwsgi packet, the answer is raw HTTP) and
//! FastCGI (records; the answer is a CGI `Status:` header in FCGI_STDOUT). It completes the
//! handshake the same way in each, so a test can see which module carries the tunnel.

use futures_util::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// The head of one request a backend received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    /// `HTTP/1.0` or `HTTP/1.1` as sent on the wire.
    pub version: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn header_has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    pub fn has_upgrade_websocket(&self) -> bool {
        self.header_has_token("Upgrade", "websocket")
    }

    pub fn has_connection_upgrade(&self) -> bool {
        self.header_has_token("Connection", "upgrade")
    }

    /// One line for messages: `GET /ws/ HTTP/1.0 | Upgrade: websocket | Connection: close`.
    pub fn summary(&self) -> String {
        let show = |n: &str| format!("{n}: {}", self.header(n).unwrap_or("(absent)"));
        format!(
            "{} {} {} | {} | {}",
            self.method,
            self.target,
            self.version,
            show("Upgrade"),
            show("Connection")
        )
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// How nginx talks to the WebSocket backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Protocol {
    /// `proxy_pass`: HTTP/1.x.
    #[default]
    Http,
    /// `uwsgi_pass`.
    Uwsgi,
    /// `fastcgi_pass`.
    FastCgi,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct WsOptions {
    pub protocol: Protocol,
    /// Refuse (403) a handshake whose `Origin` host differs from its `Host` header, as
    /// gorilla/websocket's default `CheckOrigin` does.
    pub check_origin: bool,
    /// Answer ordinary requests (no `Upgrade`) with 200 and keep the connection open for the
    /// next one, as HTTP/1.1 servers do, unless the request says `Connection: close`.
    pub keep_alive: bool,
    /// Send a ping this often while a WebSocket connection is open (an application heartbeat).
    pub ping_every: Option<Duration>,
    /// Accept the upgrade whatever the HTTP version, as Node's `ws` does (it never looks at
    /// it); by default an HTTP/1.0 request is refused as RFC 6455 §4.2.1 asks.
    pub any_http_version: bool,
}

pub struct WsBackend {
    pub port: u16,
    log: Log,
    /// Bytes that reached the backend after it answered 101, per connection.
    tunnelled: Arc<Mutex<Vec<usize>>>,
    /// TCP connections accepted so far.
    connections: Arc<std::sync::atomic::AtomicUsize>,
    task: JoinHandle<()>,
}

impl WsBackend {
    pub async fn start(options: WsOptions) -> WsBackend {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind backend");
        let port = listener.local_addr().unwrap().port();
        let log: Log = Arc::default();
        let tunnelled: Arc<Mutex<Vec<usize>>> = Arc::default();
        let connections: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
        let (t, c) = (tunnelled.clone(), connections.clone());
        let task = tokio::spawn(accept_loop(listener, log.clone(), move |stream, log| {
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(serve_ws(stream, log, options, t.clone()));
        }));
        WsBackend {
            port,
            log,
            tunnelled,
            connections,
            task,
        }
    }

    /// How many TCP connections nginx opened to this backend so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Every request head received so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// For each handshake the backend accepted over FastCGI: how many bytes of the client's
    /// frames reached it afterwards (0: nginx did not tunnel).
    pub fn tunnelled(&self) -> Vec<usize> {
        self.tunnelled.lock().unwrap().clone()
    }
}

impl Drop for WsBackend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub struct PlainBackend {
    pub port: u16,
    log: Log,
    task: JoinHandle<()>,
}

impl PlainBackend {
    pub async fn start() -> PlainBackend {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind backend");
        let port = listener.local_addr().unwrap().port();
        let log: Log = Arc::default();
        let task = tokio::spawn(accept_loop(listener, log.clone(), |stream, log| {
            tokio::spawn(serve_plain(stream, log));
        }));
        PlainBackend { port, log, task }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for PlainBackend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, log: Log, serve: impl Fn(TcpStream, Log)) {
    while let Ok((stream, _)) = listener.accept().await {
        serve(stream, log.clone());
    }
}

/// Reads one request head (up to the blank line); `None` if the peer sends nothing usable
/// within a few seconds.
async fn read_head(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte: a WebSocket client sends nothing after the head before the 101, so the
    // stream is left exactly at the first frame.
    let read = async {
        while !buf.ends_with(b"\r\n\r\n") && buf.len() < 64 * 1024 {
            if stream.read(&mut byte).await.ok()? == 0 {
                return None;
            }
            buf.push(byte[0]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()??;
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target, version) = (first.next()?, first.next()?, first.next()?);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Seen {
        method: method.to_owned(),
        target: target.to_owned(),
        version: version.to_owned(),
        headers,
    })
}

async fn respond(stream: &mut TcpStream, status: &str, backend: &str, extra: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nX-Backend: {backend}\r\n{extra}Content-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// What a WebSocket server answers to a request that is not a valid opening handshake, like
/// common servers do (Python `websockets`: 426 for missing upgrade headers).
fn refusal(req: &Seen, options: WsOptions) -> Option<(&'static str, &'static str, &'static str)> {
    if req.version != "HTTP/1.1" && !options.any_http_version {
        return Some((
            "505 HTTP Version Not Supported",
            "",
            "a WebSocket handshake needs HTTP/1.1\n",
        ));
    }
    if req.method != "GET" {
        return Some(("405 Method Not Allowed", "Allow: GET\r\n", "GET only\n"));
    }
    if !req.has_upgrade_websocket() {
        return Some((
            "426 Upgrade Required",
            "Upgrade: websocket\r\n",
            "missing \"Upgrade: websocket\" header\n",
        ));
    }
    if !req.has_connection_upgrade() {
        return Some((
            "426 Upgrade Required",
            "Upgrade: websocket\r\n",
            "missing \"Connection: upgrade\" header\n",
        ));
    }
    if req.header("Sec-WebSocket-Version") != Some("13") {
        return Some((
            "426 Upgrade Required",
            "Sec-WebSocket-Version: 13\r\n",
            "unsupported WebSocket version\n",
        ));
    }
    if req.header("Sec-WebSocket-Key").is_none() {
        return Some(("400 Bad Request", "", "missing Sec-WebSocket-Key\n"));
    }
    if options.check_origin
        && let Some(origin) = req.header("Origin")
    {
        // gorilla/websocket: the Origin's host must equal the Host header (ASCII case-folded).
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        if !req
            .header("Host")
            .is_some_and(|h| h.eq_ignore_ascii_case(origin_host))
        {
            return Some(("403 Forbidden", "", "request origin not allowed\n"));
        }
    }
    None
}

async fn serve_ws(
    mut stream: TcpStream,
    log: Log,
    options: WsOptions,
    tunnelled: Arc<Mutex<Vec<usize>>>,
) {
    let req = loop {
        let req = match options.protocol {
            Protocol::Http => read_head(&mut stream).await,
            Protocol::Uwsgi => read_uwsgi(&mut stream).await,
            Protocol::FastCgi => read_fastcgi(&mut stream).await,
        };
        let Some(req) = req else {
            return;
        };
        log.lock().unwrap().push(req.clone());
        if !options.keep_alive || req.has_upgrade_websocket() {
            break req;
        }
        // An ordinary request on a persistent connection: answer and wait for the next.
        let close = req
            .header("Connection")
            .is_some_and(|c| c.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")));
        let body = "kept alive\n";
        let response = format!(
            "HTTP/1.1 200 OK\r\nX-Backend: ws-echo\r\nContent-Type: text/plain\r\n\
             Content-Length: {}\r\n{}\r\n{body}",
            body.len(),
            if close { "Connection: close\r\n" } else { "" }
        );
        if stream.write_all(response.as_bytes()).await.is_err() || close {
            let _ = stream.shutdown().await;
            return;
        }
    };
    if let Some((status, extra, body)) = refusal(&req, options) {
        match options.protocol {
            Protocol::FastCgi => {
                let head = format!(
                    "Status: {status}\r\nX-Backend: ws-echo\r\n{extra}Content-Type: text/plain\r\n\r\n{body}"
                );
                let _ = stream
                    .write_all(&fastcgi_response(head.as_bytes(), true))
                    .await;
                let _ = stream.shutdown().await;
            }
            _ => respond(&mut stream, status, "ws-echo", extra, body).await,
        }
        return;
    }
    let accept = derive_accept_key(req.header("Sec-WebSocket-Key").unwrap().as_bytes());
    let switching = format!(
        "X-Backend: ws-echo\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    if options.protocol == Protocol::FastCgi {
        // The CGI way to say 101; then wait for the client's first frame.
        let head = format!("Status: 101 Switching Protocols\r\n{switching}");
        if stream
            .write_all(&fastcgi_response(head.as_bytes(), false))
            .await
            .is_err()
        {
            return;
        }
        let mut buf = [0u8; 256];
        let n = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf))
            .await
            .map_or(0, |r| r.unwrap_or(0));
        tunnelled.lock().unwrap().push(n);
        return;
    }
    let head = format!("HTTP/1.1 101 Switching Protocols\r\n{switching}");
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let mut ws = WebSocketStream::from_raw_socket(stream, Role::Server, None).await;
    let mut ticker = options.ping_every.map(|every| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    loop {
        let tick = async {
            match ticker.as_mut() {
                Some(t) => {
                    t.tick().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            msg = ws.next() => match msg {
                Some(Ok(m @ (Message::Text(_) | Message::Binary(_)))) => {
                    if ws.send(m).await.is_err() {
                        return;
                    }
                }
                // Pings are answered by tungstenite; a close is answered and ends the stream.
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
            () = tick => {
                if ws.send(Message::Ping(Bytes::from_static(b"heartbeat"))).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn serve_plain(mut stream: TcpStream, log: Log) {
    let Some(req) = read_head(&mut stream).await else {
        return;
    };
    log.lock().unwrap().push(req);
    respond(
        &mut stream,
        "200 OK",
        "plain",
        "",
        "plain HTTP backend: no WebSocket here\n",
    )
    .await;
}

/// The request of a uwsgi packet (modifier1 0: a WSGI request, vars as CGI variables).
async fn read_uwsgi(stream: &mut TcpStream) -> Option<Seen> {
    let read = async {
        let mut head = [0u8; 4];
        stream.read_exact(&mut head).await.ok()?;
        let size = u16::from_le_bytes([head[1], head[2]]) as usize;
        let mut vars = vec![0u8; size];
        stream.read_exact(&mut vars).await.ok()?;
        let mut pairs = Vec::new();
        let mut i = 0;
        let take = |i: &mut usize| -> Option<String> {
            let n = u16::from_le_bytes([*vars.get(*i)?, *vars.get(*i + 1)?]) as usize;
            let v = String::from_utf8_lossy(vars.get(*i + 2..*i + 2 + n)?).into_owned();
            *i += 2 + n;
            Some(v)
        };
        while i < size {
            let k = take(&mut i)?;
            let v = take(&mut i)?;
            pairs.push((k, v));
        }
        Some(pairs)
    };
    let pairs = tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()??;
    Some(seen_from_cgi(&pairs))
}

/// The request of a FastCGI exchange (BEGIN_REQUEST, PARAMS, STDIN up to its empty record).
/// nginx sends one request per connection, with request id 1.
async fn read_fastcgi(stream: &mut TcpStream) -> Option<Seen> {
    let read = async {
        let mut params = Vec::new();
        loop {
            let mut h = [0u8; 8];
            stream.read_exact(&mut h).await.ok()?;
            let (kind, len, pad) = (h[1], u16::from_be_bytes([h[4], h[5]]) as usize, h[6]);
            let mut content = vec![0u8; len + pad as usize];
            stream.read_exact(&mut content).await.ok()?;
            content.truncate(len);
            match kind {
                4 => params.extend(content),
                5 if len == 0 => break,
                _ => {}
            }
        }
        let mut pairs = Vec::new();
        let mut i = 0;
        let length = |i: &mut usize| -> Option<usize> {
            let b = *params.get(*i)?;
            if b < 128 {
                *i += 1;
                Some(b as usize)
            } else {
                let v = u32::from_be_bytes(params.get(*i..*i + 4)?.try_into().ok()?);
                *i += 4;
                Some((v & 0x7fff_ffff) as usize)
            }
        };
        while i < params.len() {
            let (k, v) = (length(&mut i)?, length(&mut i)?);
            let key = String::from_utf8_lossy(params.get(i..i + k)?).into_owned();
            let value = String::from_utf8_lossy(params.get(i + k..i + k + v)?).into_owned();
            i += k + v;
            pairs.push((key, value));
        }
        Some(seen_from_cgi(&pairs))
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()?
}

/// CGI variables as the request head they stand for (`HTTP_SEC_WEBSOCKET_KEY` →
/// `Sec-Websocket-Key`; header names compare case-insensitively).
fn seen_from_cgi(pairs: &[(String, String)]) -> Seen {
    let var = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let headers = pairs
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("HTTP_")?.replace('_', "-");
            Some((name, v.clone()))
        })
        .collect();
    Seen {
        method: var("REQUEST_METHOD"),
        target: var("REQUEST_URI"),
        version: var("SERVER_PROTOCOL"),
        headers,
    }
}

/// FCGI_STDOUT with `body`, then (if `end`) the empty STDOUT and END_REQUEST records.
fn fastcgi_response(body: &[u8], end: bool) -> Vec<u8> {
    let record = |kind: u8, content: &[u8]| {
        let mut r = vec![1, kind, 0, 1];
        r.extend((content.len() as u16).to_be_bytes());
        r.extend([0, 0]);
        r.extend(content);
        r
    };
    let mut out = record(6, body);
    if end {
        out.extend(record(6, &[]));
        out.extend(record(3, &[0, 0, 0, 0, 0, 0, 0, 0]));
    }
    out
}
