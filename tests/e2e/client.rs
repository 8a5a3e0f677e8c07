//! A WebSocket client through nginx, recording what happened: the handshake status (101 or
//! the refusal), who answered, an echo round trip, and whether the connection survives an
//! idle period.

use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Error, Message};

/// Every single wait of the client is bounded by this.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq)]
pub enum Idle {
    /// Still open after the idle period, and a second echo went through.
    Survived,
    /// Closed by the other side after this long without traffic.
    Closed { after: Duration, close_frame: bool },
}

#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The status of the response to the upgrade request (101 when it succeeded).
    pub status: Option<u16>,
    /// The `X-Backend` header of that response: which backend answered, if any.
    pub backend: Option<String>,
    /// The echo round trip succeeded.
    pub echo: bool,
    pub idle: Option<Idle>,
    /// What went wrong on the way, if anything (connection errors and the like).
    pub error: Option<String>,
}

impl Observed {
    /// One line for tables: `101, echo ok, survived 3s idle`.
    pub fn summary(&self) -> String {
        let mut parts = vec![match self.status {
            Some(s) => format!(
                "{s}{}",
                self.backend
                    .as_deref()
                    .map(|b| format!(" (from {b})"))
                    .unwrap_or_default()
            ),
            None => "no HTTP response".to_owned(),
        }];
        if self.status == Some(101) {
            parts.push(if self.echo { "echo ok" } else { "no echo" }.to_owned());
        }
        match &self.idle {
            Some(Idle::Survived) => parts.push("survived idle".to_owned()),
            Some(Idle::Closed { after, close_frame }) => parts.push(format!(
                "closed after {:.1}s idle ({})",
                after.as_secs_f64(),
                if *close_frame {
                    "close frame"
                } else {
                    "no close frame: the client sees 1006"
                }
            )),
            None => {}
        }
        if let Some(e) = &self.error {
            parts.push(format!("error: {e}"));
        }
        parts.join(", ")
    }
}

/// Opens `ws://127.0.0.1:{port}{uri}`; on success echoes a message, then (if `idle` is given)
/// stays idle that long or until the connection closes, and echoes once more if it survived.
pub async fn probe(port: u16, uri: &str, idle: Option<Duration>) -> Observed {
    match connect(port).await {
        Ok(stream) => probe_stream(stream, port, uri, idle).await,
        Err(failed) => failed,
    }
}

/// [`probe`], sending `Origin` when given, as a browser does.
pub async fn probe_with_origin(
    port: u16,
    uri: &str,
    idle: Option<Duration>,
    origin: Option<&str>,
) -> Observed {
    match connect(port).await {
        Ok(stream) => probe_stream_with_origin(stream, port, uri, idle, origin).await,
        Err(failed) => failed,
    }
}

async fn connect(port: u16) -> Result<TcpStream, Observed> {
    match tokio::time::timeout(STEP_TIMEOUT, TcpStream::connect(("127.0.0.1", port))).await {
        Ok(Ok(s)) => Ok(s),
        other => Err(Observed {
            error: Some(format!("connect: {other:?}")),
            ..Observed::default()
        }),
    }
}

/// [`probe`] over a connection the caller opened (a TLS stream, say) to 127.0.0.1:`port`.
pub async fn probe_stream<S>(stream: S, port: u16, uri: &str, idle: Option<Duration>) -> Observed
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    probe_stream_with_origin(stream, port, uri, idle, None).await
}

/// [`probe_stream`], sending `Origin` when given.
pub async fn probe_stream_with_origin<S>(
    stream: S,
    port: u16,
    uri: &str,
    idle: Option<Duration>,
    origin: Option<&str>,
) -> Observed
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut seen = Observed::default();
    let mut request = format!("ws://127.0.0.1:{port}{uri}")
        .into_client_request()
        .expect("a valid ws:// URL");
    if let Some(o) = origin {
        request
            .headers_mut()
            .insert("Origin", o.parse().expect("a valid Origin value"));
    }
    let mut ws = match tokio::time::timeout(
        STEP_TIMEOUT,
        tokio_tungstenite::client_async(request, stream),
    )
    .await
    {
        Err(_) => {
            seen.error = Some("handshake timed out".to_owned());
            return seen;
        }
        Ok(Err(Error::Http(response))) => {
            seen.status = Some(response.status().as_u16());
            seen.backend = backend_of(response.headers());
            return seen;
        }
        Ok(Err(e)) => {
            seen.error = Some(format!("handshake: {e}"));
            return seen;
        }
        Ok(Ok((ws, response))) => {
            seen.status = Some(response.status().as_u16());
            seen.backend = backend_of(response.headers());
            ws
        }
    };
    let Some(last_traffic) = echo(&mut ws, "hello through nginx", &mut seen).await else {
        return seen;
    };
    seen.echo = true;
    let Some(idle) = idle else {
        let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
        return seen;
    };

    // Idle: read (answering pings) until the period ends or the connection closes.
    let deadline = tokio::time::Instant::from_std(last_traffic + idle);
    let mut close_frame = false;
    let closed = loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => break false,
            Ok(Some(Ok(Message::Close(_)))) => close_frame = true,
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => break true,
        }
    };
    if closed {
        seen.idle = Some(Idle::Closed {
            after: last_traffic.elapsed(),
            close_frame,
        });
        return seen;
    }
    if echo(&mut ws, "still there after the idle period", &mut seen)
        .await
        .is_some()
    {
        seen.idle = Some(Idle::Survived);
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
    seen
}

/// Sends `text` and waits for it to come back (skipping pings); returns when it arrived.
async fn echo<S>(
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
    text: &str,
    seen: &mut Observed,
) -> Option<Instant>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if let Err(e) = ws.send(Message::text(text)).await {
        seen.error = Some(format!("send: {e}"));
        return None;
    }
    let wait = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.as_str() == text => return Ok(()),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => return Err(format!("echo: got {other:?}")),
            }
        }
    };
    match tokio::time::timeout(STEP_TIMEOUT, wait).await {
        Ok(Ok(())) => Some(Instant::now()),
        Ok(Err(e)) => {
            seen.error = Some(e);
            None
        }
        Err(_) => {
            seen.error = Some("echo timed out".to_owned());
            None
        }
    }
}

fn backend_of(headers: &tokio_tungstenite::tungstenite::http::HeaderMap) -> Option<String> {
    headers
        .get("x-backend")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A plain HTTP GET through nginx (no upgrade): the status and `X-Backend` of the answer.
pub async fn plain_get(port: u16, uri: &str) -> Result<(u16, Option<String>), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let run = async {
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        let req = format!("GET {uri} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&buf);
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no status line in {text:?}"))?;
        let backend = text
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .take_while(|l| !l.is_empty())
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(n, _)| n.eq_ignore_ascii_case("x-backend"))
            })
            .map(|(_, v)| v.trim().to_owned());
        Ok((status, backend))
    };
    tokio::time::timeout(STEP_TIMEOUT, run)
        .await
        .map_err(|_| "plain GET timed out".to_owned())?
}
