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

#[derive(Clone, Copy, Debug, Default)]
pub struct WsOptions {
    /// Send a ping this often while a WebSocket connection is open (an application heartbeat).
    pub ping_every: Option<Duration>,
    /// Accept the upgrade whatever the HTTP version, as Node's `ws` does (it never looks at
    /// it); by default an HTTP/1.0 request is refused as RFC 6455 §4.2.1 asks.
    pub any_http_version: bool,
}

pub struct WsBackend {
    pub port: u16,
    log: Log,
    task: JoinHandle<()>,
}

impl WsBackend {
    pub async fn start(options: WsOptions) -> WsBackend {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind backend");
        let port = listener.local_addr().unwrap().port();
        let log: Log = Arc::default();
        let task = tokio::spawn(accept_loop(listener, log.clone(), move |stream, log| {
            tokio::spawn(serve_ws(stream, log, options));
        }));
        WsBackend { port, log, task }
    }

    /// Every request head received so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
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
    None
}

async fn serve_ws(mut stream: TcpStream, log: Log, options: WsOptions) {
    let Some(req) = read_head(&mut stream).await else {
        return;
    };
    log.lock().unwrap().push(req.clone());
    if let Some((status, extra, body)) = refusal(&req, options) {
        respond(&mut stream, status, "ws-echo", extra, body).await;
        return;
    }
    let accept = derive_accept_key(req.header("Sec-WebSocket-Key").unwrap().as_bytes());
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nX-Backend: ws-echo\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    );
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
