//! Which services carry WebSockets: comments in or right above a service's block, env vars
//! whose names say so and whose value is the service's internal port, the ports the project
//! lists in wscfg.toml (`[fly] websocket-ports`), and, for an app with one service, what the
//! file says about the whole app (its name, `PHX_HOST`, the comment at its top).

use super::Settings as FlySettings;
use super::model::{FlyDoc, Service, WsReason};
use crate::source::Span;

/// The comments of a TOML text (from `#` to the end of the line), skipping `#` inside
/// strings. The text is known to parse, so strings are well formed.
pub fn comments(text: &str) -> Vec<Span> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
                let end = if end > i && b[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                };
                out.push(Span::new(i, end));
                i = end;
            }
            q @ (b'"' | b'\'') => {
                let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
                i = if triple {
                    let close = if q == b'"' { "\"\"\"" } else { "'''" };
                    let mut j = i + 3;
                    loop {
                        match text[j..].find(close) {
                            None => break b.len(),
                            Some(n) => {
                                let at = j + n;
                                if q == b'"' && escaped(b, at) {
                                    j = at + 1;
                                    continue;
                                }
                                // A closing run may hold up to two extra quotes.
                                let mut end = at + 3;
                                while b.get(end) == Some(&q) && end < at + 5 {
                                    end += 1;
                                }
                                break end;
                            }
                        }
                    }
                } else {
                    let mut j = i + 1;
                    while j < b.len() && b[j] != q && b[j] != b'\n' {
                        if q == b'"' && b[j] == b'\\' {
                            j += 1;
                        }
                        j += 1;
                    }
                    (j + 1).min(b.len())
                };
            }
            _ => i += 1,
        }
    }
    out
}

/// Whether the quote at `at` is preceded by an odd number of backslashes.
fn escaped(b: &[u8], at: usize) -> bool {
    let mut n = 0;
    while at > n && b[at - n - 1] == b'\\' {
        n += 1;
    }
    n % 2 == 1
}

/// The word in a comment that names WebSockets, if any: `websocket(s)`, `web socket`,
/// `socket.io`, `ws`/`wss` as words (`ws://` included).
pub fn websocket_word(comment: &str) -> Option<String> {
    let lower = comment.to_ascii_lowercase();
    for needle in [
        "websocket",
        "web socket",
        "web-socket",
        "socket.io",
        "socketio",
    ] {
        if let Some(at) = lower.find(needle) {
            return Some(comment[at..at + needle.len()].to_owned());
        }
    }
    let mut start = None;
    for (i, c) in comment
        .char_indices()
        .chain(std::iter::once((comment.len(), ' ')))
    {
        let word_char = c.is_ascii_alphanumeric() || c == '_';
        match (start, word_char) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let token = &comment[s..i];
                if token.eq_ignore_ascii_case("ws") || token.eq_ignore_ascii_case("wss") {
                    return Some(token.to_owned());
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

/// A name part (of an env var or an app name) that says WebSockets.
const WEBSOCKET_NAME_PARTS: &[&str] = &[
    "WS",
    "WSS",
    "WEBSOCKET",
    "WEBSOCKETS",
    "SOCKET",
    "SOCKETS",
    "SOCKETIO",
    "REALTIME",
];

/// The first `_`/`-`/`.`-separated part of a name that says WebSockets: WS, WSS,
/// WEBSOCKET(S), SOCKET(S), SOCKETIO or REALTIME (`REALTIME_PORT`, `league-bingo-ws`).
pub fn websocket_name_part(name: &str) -> Option<&str> {
    name.split(['_', '-', '.']).find(|part| {
        WEBSOCKET_NAME_PARTS
            .iter()
            .any(|w| part.eq_ignore_ascii_case(w))
    })
}

/// An env var name that says it is about WebSockets.
pub fn websocket_env_name(name: &str) -> bool {
    websocket_name_part(name).is_some()
}

/// Evidence about the whole app, used only when it has one service (with several, the file
/// does not say which one carries the sockets): its name, Phoenix's `PHX_HOST`, then the
/// comment block at the top of the file.
fn app_reason(text: &str, comments: &[Span], doc: &FlyDoc) -> Option<WsReason> {
    if doc.services.len() != 1 {
        return None;
    }
    if let Some(app) = &doc.app
        && let Some(word) = websocket_name_part(&app.value)
    {
        return Some(WsReason::AppName {
            word: word.to_owned(),
            span: app.span(),
        });
    }
    if let Some(phx) = doc.env.iter().find(|e| e.name == "PHX_HOST") {
        return Some(WsReason::Phoenix {
            span: phx.key.cover(phx.value_span),
        });
    }
    top_comments(text, comments).find_map(|c| {
        websocket_word(&text[c.range()]).map(|word| WsReason::FileComment { span: *c, word })
    })
}

/// The comments of the block the file starts with (blank lines allowed inside it).
fn top_comments<'a>(text: &str, comments: &'a [Span]) -> impl Iterator<Item = &'a Span> {
    let mut code = text.len();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim();
        if !content.is_empty() && !content.starts_with('#') {
            code = at;
            break;
        }
        at += line.len();
    }
    within(comments, 0, code)
}

/// The comments (sorted by position) that lie within `start..end`.
fn within(comments: &[Span], start: usize, end: usize) -> impl Iterator<Item = &Span> {
    let from = comments.partition_point(|c| c.start < start);
    comments[from..]
        .iter()
        .take_while(move |c| c.start < end)
        .filter(move |c| c.end <= end)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// Comments on the lines right above `at` (no blank line between), nearest first.
fn comments_above<'a>(text: &str, at: usize, comments: &'a [Span]) -> Vec<&'a Span> {
    let mut out = Vec::new();
    let mut line = line_start(text, at);
    while line > 0 {
        let prev = line_start(text, line - 1);
        let content = text[prev..line].trim();
        if !content.starts_with('#') {
            break;
        }
        out.extend(within(comments, prev, line));
        line = prev;
    }
    out
}

/// Why this service carries WebSockets, if wscfg can tell.
fn reason(
    text: &str,
    comments: &[Span],
    doc: &FlyDoc,
    s: &Service,
    cfg: &FlySettings,
) -> Option<WsReason> {
    let ports = s.internal_port.iter().map(|p| p.value).chain(
        s.ports
            .iter()
            .filter_map(|p| p.range())
            .filter(|(a, b)| a == b)
            .map(|(a, _)| a),
    );
    for p in ports {
        if cfg.websocket_ports.iter().any(|w| i64::from(*w) == p) {
            return Some(WsReason::Configured(p));
        }
    }
    // Comments inside the block: on the lines of the service's own tables, header lines
    // included (a trailing `# ws` on `[[services]]` counts).
    let mut candidates: Vec<&Span> = Vec::new();
    for body in &s.bodies {
        let start = line_start(text, body.start);
        let end = text[body.end..]
            .find('\n')
            .map_or(text.len(), |n| body.end + n);
        candidates.extend(within(comments, start, end));
    }
    for h in &s.headers {
        candidates.extend(comments_above(text, h.start, comments));
    }
    if s.headers.is_empty() {
        candidates.extend(comments_above(text, s.anchor.start, comments));
    }
    candidates.sort();
    for c in candidates {
        if let Some(word) = websocket_word(&text[c.range()]) {
            return Some(WsReason::Comment { span: *c, word });
        }
    }
    let internal = s.internal_port.as_ref().map(|p| p.value);
    internal
        .and_then(|port| {
            doc.env
                .iter()
                .find(|e| websocket_env_name(&e.name) && e.value.trim().parse::<i64>() == Ok(port))
        })
        .map(|e| WsReason::Env {
            name: e.name.clone(),
            span: e.key.cover(e.value_span),
        })
        .or_else(|| app_reason(text, comments, doc))
}

/// Marks the services that carry WebSockets.
pub fn detect(text: &str, doc: &mut FlyDoc, cfg: &FlySettings) {
    let comments = comments(text);
    let reasons: Vec<Option<WsReason>> = doc
        .services
        .iter()
        .map(|s| reason(text, &comments, doc, s, cfg))
        .collect();
    for (s, r) in doc.services.iter_mut().zip(reasons) {
        s.websocket = r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings() {
        let t = "a = \"x # y\" # real\nb = '''\n# not\n''' # two\nc = \"q\\\"#\" #3\n";
        let got: Vec<&str> = comments(t).iter().map(|s| &t[s.range()]).collect();
        assert_eq!(got, vec!["# real", "# two", "#3"]);
    }

    #[test]
    fn websocket_words() {
        assert_eq!(
            websocket_word("# WebSocket server").as_deref(),
            Some("WebSocket")
        );
        assert_eq!(
            websocket_word("# wss://chat.example.com").as_deref(),
            Some("wss")
        );
        assert_eq!(
            websocket_word("# socket.io on 3001").as_deref(),
            Some("socket.io")
        );
        assert_eq!(websocket_word("# the WS port").as_deref(), Some("WS"));
        assert_eq!(websocket_word("# news feed, flows"), None);
        assert_eq!(websocket_word("# WS_PORT below"), None);
    }

    #[test]
    fn websocket_name_parts() {
        assert_eq!(websocket_name_part("league-bingo-ws"), Some("ws"));
        assert_eq!(websocket_name_part("socket-server"), Some("socket"));
        assert_eq!(websocket_name_part("chat-realtime"), Some("realtime"));
        assert_eq!(websocket_name_part("REALTIME_PORT"), Some("REALTIME"));
        assert_eq!(websocket_name_part("news-feed"), None);
        assert_eq!(websocket_name_part("wsgi-app"), None);
    }

    #[test]
    fn top_comments_stop_at_the_first_setting() {
        let t = "# WebSocket relay\n\n# more\napp = 'x'\n# ws below\n";
        let got: Vec<&str> = top_comments(t, &comments(t))
            .map(|c| &t[c.range()])
            .collect();
        assert_eq!(got, vec!["# WebSocket relay", "# more"]);
    }

    #[test]
    fn websocket_env_names() {
        assert!(websocket_env_name("WS_PORT"));
        assert!(websocket_env_name("WEBSOCKET_PORT"));
        assert!(websocket_env_name("SOCKET_PORT"));
        assert!(!websocket_env_name("PORT"));
        assert!(!websocket_env_name("NEWS_PORT"));
    }
}
