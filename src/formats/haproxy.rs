//! HAProxy's `haproxy.cfg`: a small line-based parser (sections, directive lines, words with
//! quotes and escapes, `#` comments), every word located, and the questions HAProxy rules ask
//! of it: the effective `mode` and timeouts of a proxy, and which proxies carry WebSockets.

use std::path::Path;

use crate::formats::SyntaxError;
use crate::formats::head::Head;
use crate::formats::ws_path::websocket_path_segment;
use crate::source::{FileId, SourceDb, SourceFile, Span};

/// Keywords that open a section.
pub const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "resolvers",
    "peers",
    "userlist",
    "mailers",
    "program",
    "http-errors",
    "ring",
    "cache",
    "crt-store",
    "traces",
    "log-forward",
    "fcgi-app",
];

/// Template suffixes that deployment tools put after the real name (`haproxy.cfg.tpl`,
/// `haproxy.cfg.j2`): the file is still an HAProxy configuration.
const TEMPLATE_SUFFIXES: &[&str] = &[".tpl", ".tmpl", ".template", ".j2", ".jinja", ".erb"];

pub fn is_config_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let name = TEMPLATE_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    name == "haproxy.cfg" || name.ends_with(".cfg") && name.contains("haproxy")
}

/// Other `.cfg` files the user names, when they hold `frontend`/`backend`/`listen` sections.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    named && head.name().ends_with(".cfg") && looks_like_haproxy(head.text())
}

pub fn looks_like_haproxy(text: &str) -> bool {
    text.lines().any(|l| {
        let w = l.split_whitespace().next().unwrap_or("");
        matches!(w, "frontend" | "backend" | "listen") && !l.starts_with([' ', '\t'])
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Line {
    pub words: Vec<Word>,
    /// From the first word to the end of the last.
    pub span: Span,
}

impl Line {
    pub fn keyword(&self) -> &str {
        &self.words[0].text
    }
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.words.get(i).map(|w| w.text.as_str())
    }
    /// The words after the keyword, joined (`timeout tunnel 1h` → `tunnel 1h`).
    pub fn is(&self, words: &[&str]) -> bool {
        words
            .iter()
            .enumerate()
            .all(|(i, w)| self.arg(i).is_some_and(|a| a.eq_ignore_ascii_case(w)))
    }
}

#[derive(Clone, Debug)]
pub struct Section {
    pub header: Line,
    pub lines: Vec<Line>,
}

impl Section {
    pub fn kind(&self) -> &str {
        self.header.keyword()
    }
    pub fn name(&self) -> Option<&Word> {
        self.header.words.get(1).filter(|w| w.text != "from")
    }
    pub fn name_str(&self) -> &str {
        self.name().map_or("", |w| w.text.as_str())
    }
    /// `from NAME` on the header: the defaults section it inherits from.
    pub fn from(&self) -> Option<&str> {
        let w = &self.header.words;
        w.iter()
            .position(|w| w.text == "from")
            .and_then(|i| w.get(i + 1))
            .map(|w| w.text.as_str())
    }
    pub fn is_proxy(&self) -> bool {
        matches!(self.kind(), "frontend" | "backend" | "listen")
    }
    /// The last line starting with `words`.
    pub fn find(&self, words: &[&str]) -> Option<&Line> {
        self.lines.iter().rev().find(|l| l.is(words))
    }
}

#[derive(Clone, Debug, Default)]
pub struct HaproxyConfig {
    pub sections: Vec<Section>,
    pub comments: Vec<Span>,
}

/// Splits one line into words. HAProxy reads `"…"` (with `\` escapes), `'…'` (verbatim) and
/// `\x` outside quotes; an unquoted `#` starts a comment.
fn split_line(
    text: &str,
    start: usize,
    comments: &mut Vec<Span>,
) -> Result<Vec<Word>, SyntaxError> {
    let b = text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' || b[i] == b'\r' {
            i += 1;
            continue;
        }
        if b[i] == b'#' {
            comments.push(Span::new(start + i, start + text.trim_end().len()));
            break;
        }
        let ws = i;
        let mut value = String::new();
        while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\r' | b'#') {
            match b[i] {
                b'\\' if i + 1 < b.len() => {
                    let c = text[i + 1..].chars().next().unwrap_or(' ');
                    value.push(c);
                    i += 1 + c.len_utf8();
                }
                q @ (b'"' | b'\'') => {
                    let open = i;
                    i += 1;
                    loop {
                        let Some(c) = text[i..].chars().next() else {
                            return Err(SyntaxError {
                                message: format!("unterminated {} quote", q as char),
                                span: Span::new(start + open, start + open + 1),
                            });
                        };
                        i += c.len_utf8();
                        if c == q as char {
                            break;
                        }
                        if let Some(n) = text[i..].chars().next().filter(|_| c == '\\' && q == b'"')
                        {
                            value.push(n);
                            i += n.len_utf8();
                            continue;
                        }
                        value.push(c);
                    }
                }
                _ => {
                    let c = text[i..].chars().next().unwrap_or(' ');
                    value.push(c);
                    i += c.len_utf8();
                }
            }
        }
        words.push(Word {
            text: value,
            span: Span::new(start + ws, start + i),
        });
    }
    Ok(words)
}

pub fn parse(text: &str) -> Result<HaproxyConfig, SyntaxError> {
    let mut cfg = HaproxyConfig::default();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let words = split_line(line, start, &mut cfg.comments)?;
        let Some(first) = words.first() else { continue };
        let span = Span::new(first.span.start, words.last().map_or(0, |w| w.span.end));
        let l = Line { words, span };
        if SECTIONS.contains(&l.keyword()) {
            cfg.sections.push(Section {
                header: l,
                lines: Vec::new(),
            });
        } else if let Some(s) = cfg.sections.last_mut() {
            s.lines.push(l);
        } else {
            return Err(SyntaxError {
                message: format!(
                    "`{}` outside any section (global, defaults, frontend, backend, listen, …)",
                    l.keyword()
                ),
                span: l.words[0].span,
            });
        }
    }
    Ok(cfg)
}

pub fn parses(text: &str) -> bool {
    parse(text).is_ok()
}

/// An HAProxy time: a number with an optional unit (`us`, `ms`, `s`, `m`, `h`, `d`), in
/// milliseconds when it has none.
pub fn parse_time_ms(s: &str) -> Option<u64> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let n: u64 = s[..digits].parse().ok()?;
    let mul = match &s[digits..] {
        "" | "ms" => return Some(n),
        "us" => return Some(n / 1000),
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(mul)
}

pub fn format_ms(ms: u64) -> String {
    match ms {
        m if m % 3_600_000 == 0 => format!("{}h", m / 3_600_000),
        m if m % 60_000 == 0 => format!("{}m", m / 60_000),
        m if m % 1000 == 0 => format!("{}s", m / 1000),
        m => format!("{m}ms"),
    }
}

// ---------------------------------------------------------------- model

pub struct HaproxyContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    pub cfg: &'a HaproxyConfig,
}

/// Why wscfg believes a proxy carries WebSockets.
#[derive(Clone, Debug)]
pub struct WsProxyEvidence {
    pub what: String,
    pub span: Span,
    /// Only Socket.IO is seen (`path_beg /socket.io/`): its clients ping every 25 s.
    pub socket_io: bool,
}

/// A `timeout` line as seen by a proxy: its value and where it is set.
#[derive(Clone, Debug)]
pub struct Timeout<'a> {
    pub ms: Option<u64>,
    pub line: &'a Line,
}

impl<'a> HaproxyContext<'a> {
    pub fn source(&self) -> &'a SourceFile {
        self.db.get(self.file)
    }

    /// The defaults section a proxy takes its settings from: the one `from` names, else the
    /// last `defaults` section before it.
    pub fn defaults_of(&self, idx: usize) -> Option<&'a Section> {
        let sections = &self.cfg.sections;
        if let Some(name) = sections[idx].from() {
            return sections
                .iter()
                .find(|s| s.kind() == "defaults" && s.name_str() == name);
        }
        sections[..idx]
            .iter()
            .rev()
            .find(|s| s.kind() == "defaults")
    }

    /// The last line starting with `words` in the proxy, else in its defaults.
    pub fn effective(&self, idx: usize, words: &[&str]) -> Option<&'a Line> {
        self.cfg.sections[idx]
            .find(words)
            .or_else(|| self.defaults_of(idx).and_then(|d| d.find(words)))
    }

    /// `http` or `tcp` (HAProxy's default).
    pub fn mode(&self, idx: usize) -> (&'a str, Option<&'a Line>) {
        match self.effective(idx, &["mode"]) {
            Some(l) => (l.arg(1).unwrap_or("tcp"), Some(l)),
            None => ("tcp", None),
        }
    }

    pub fn timeout(&self, idx: usize, which: &str) -> Option<Timeout<'a>> {
        let line = self.effective(idx, &["timeout", which])?;
        Some(Timeout {
            ms: line.arg(2).and_then(parse_time_ms),
            line,
        })
    }

    fn index_of(&self, kind: &[&str], name: &str) -> Option<usize> {
        self.cfg
            .sections
            .iter()
            .position(|s| kind.contains(&s.kind()) && s.name_str() == name)
    }

    /// ACL names of a proxy that test for a WebSocket request, with the ACL line.
    fn websocket_acls(section: &'a Section) -> Vec<(&'a str, &'a Line)> {
        section
            .lines
            .iter()
            .filter(|l| l.keyword() == "acl" && l.words.len() > 2)
            .filter(|l| acl_is_websocket(l))
            .map(|l| (l.words[1].text.as_str(), l))
            .collect()
    }

    /// Every proxy that carries WebSockets, with why: (section index, evidence).
    pub fn websocket_proxies(&self) -> Vec<(usize, WsProxyEvidence)> {
        let mut out: Vec<(usize, WsProxyEvidence)> = Vec::new();
        let push = |i: usize, e: WsProxyEvidence, out: &mut Vec<(usize, WsProxyEvidence)>| {
            if !out.iter().any(|(j, _)| *j == i) {
                out.push((i, e));
            }
        };
        for (i, s) in self.cfg.sections.iter().enumerate() {
            if !s.is_proxy() {
                continue;
            }
            if let Some(name) = s
                .name()
                .filter(|n| s.kind() != "frontend" && name_is_websocket(&n.text))
            {
                push(
                    i,
                    WsProxyEvidence {
                        what: format!("the {} is named `{}`", s.kind(), name.text),
                        span: name.span,
                        socket_io: false,
                    },
                    &mut out,
                );
            }
            let acls = Self::websocket_acls(s);
            if acls.is_empty() {
                continue;
            }
            if s.kind() == "listen" {
                let (name, line) = acls[0];
                push(
                    i,
                    WsProxyEvidence {
                        what: format!("ACL `{name}` matches WebSocket requests"),
                        span: line.span,
                        socket_io: acl_is_socket_io(line),
                    },
                    &mut out,
                );
                continue;
            }
            let mut routed = false;
            for l in s.lines.iter().filter(|l| l.keyword() == "use_backend") {
                let Some(target) = l.arg(1) else { continue };
                let Some((acl, acl_line)) = acls
                    .iter()
                    .find(|(a, _)| l.words[2..].iter().any(|w| w.text == *a))
                else {
                    continue;
                };
                routed = true;
                if let Some(j) = self.index_of(&["backend", "listen"], target) {
                    push(
                        j,
                        WsProxyEvidence {
                            what: format!(
                                "frontend `{}` sends WebSocket requests (ACL `{acl}`) here",
                                s.name_str()
                            ),
                            span: l.span,
                            socket_io: acl_is_socket_io(acl_line),
                        },
                        &mut out,
                    );
                }
            }
            if !routed {
                let target = s
                    .find(&["default_backend"])
                    .and_then(|l| l.arg(1).map(|t| (t, l)));
                if let Some((j, l)) =
                    target.and_then(|(t, l)| Some((self.index_of(&["backend", "listen"], t)?, l)))
                {
                    push(
                        j,
                        WsProxyEvidence {
                            what: format!(
                                "frontend `{}` matches WebSocket requests (ACL `{}`) and \
                                     sends them to its default backend",
                                s.name_str(),
                                acls[0].0
                            ),
                            span: l.span,
                            socket_io: acls.iter().all(|(_, a)| acl_is_socket_io(a)),
                        },
                        &mut out,
                    );
                }
            }
        }
        out
    }

    /// The frontends that send traffic to backend `idx` (`use_backend` / `default_backend`).
    pub fn frontends_of(&self, idx: usize) -> Vec<usize> {
        let name = self.cfg.sections[idx].name_str();
        self.cfg
            .sections
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind() == "frontend")
            .filter(|(_, s)| {
                s.lines.iter().any(|l| {
                    matches!(l.keyword(), "use_backend" | "default_backend")
                        && l.arg(1) == Some(name)
                })
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// `hdr(Upgrade) -i websocket`, `hdr_beg(host) -i ws.`, `path_beg /ws /socket.io`, …
fn acl_is_websocket(l: &Line) -> bool {
    let args: Vec<String> = l.words[2..]
        .iter()
        .map(|w| w.text.to_ascii_lowercase())
        .collect();
    let fetch = args.first().map_or("", String::as_str);
    let values = || args[1..].iter().filter(|a| !a.starts_with('-'));
    if fetch.contains("hdr(upgrade)") || fetch.contains("req.hdr(upgrade)") {
        return true;
    }
    if fetch.contains("hdr(connection)") {
        return values().any(|v| v == "upgrade");
    }
    if fetch.starts_with("path") {
        return values().any(|v| websocket_path_segment(v).is_some());
    }
    if fetch.starts_with("hdr_beg(host)") || fetch.starts_with("hdr_dom(host)") {
        return values().any(|v| v.starts_with("ws.") || v.starts_with("ws-") || v == "ws");
    }
    false
}

/// A path ACL for Socket.IO's endpoint only.
fn acl_is_socket_io(l: &Line) -> bool {
    l.words.get(2).is_some_and(|w| w.text.starts_with("path"))
        && l.words[3..]
            .iter()
            .filter(|w| !w.text.starts_with('-'))
            .all(|w| websocket_path_segment(&w.text).as_deref() == Some("socket.io"))
}

fn name_is_websocket(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("websocket")
        || lower.contains("socketio")
        || lower.contains("socket.io")
        || lower
            .split(['-', '_', '.'])
            .any(|w| w == "ws" || w == "wss")
}

/// The comments of a file, for inline suppressions.
pub fn comments(text: &str) -> Option<Vec<Span>> {
    parse(text).ok().map(|c| c.comments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_names_with_template_suffixes() {
        for name in [
            "haproxy.cfg",
            "etc/haproxy-edge.cfg",
            "haproxy.cfg.tpl",
            "haproxy.cfg.j2",
        ] {
            assert!(is_config_name(Path::new(name)), "{name}");
        }
        for name in [
            "app.cfg",
            "haproxy.cfg.bak",
            "nginx.conf.tpl",
            "haproxy.tpl",
        ] {
            assert!(!is_config_name(Path::new(name)), "{name}");
        }
    }

    const CFG: &str = "global\n    daemon\n\ndefaults\n    mode http\n    timeout client 30s  # idle\n    timeout server 30s\n\nfrontend www\n    bind :80\n    acl is_ws hdr(Upgrade) -i WebSocket\n    use_backend chat if is_ws\n    default_backend web\n\nbackend chat\n    server s1 10.0.0.1:9000 check\n\nbackend web\n    server w1 10.0.0.2:8080\n";

    #[test]
    fn sections_words_and_spans() {
        let cfg = parse(CFG).unwrap();
        assert_eq!(cfg.sections.len(), 5);
        assert_eq!(cfg.comments.len(), 1);
        assert_eq!(&CFG[cfg.comments[0].range()], "# idle");
        let chat = &cfg.sections[3];
        assert_eq!(chat.name_str(), "chat");
        assert_eq!(
            &CFG[chat.lines[0].span.range()],
            "server s1 10.0.0.1:9000 check"
        );
        let mut db = SourceDb::default();
        let file = db.add("haproxy.cfg".into(), CFG.into());
        let cx = HaproxyContext {
            db: &db,
            file,
            cfg: &cfg,
        };
        assert_eq!(cx.mode(3).0, "http");
        assert_eq!(cx.timeout(3, "client").unwrap().ms, Some(30_000));
        assert!(cx.timeout(3, "tunnel").is_none());
        let ws = cx.websocket_proxies();
        assert_eq!(ws.len(), 1);
        assert_eq!(ws[0].0, 3);
        assert_eq!(cx.frontends_of(3), vec![2]);
    }

    #[test]
    fn quotes_times_and_errors() {
        let cfg = parse("backend b\n    http-request set-header X \"a b\\\"c\" 'd e'\n").unwrap();
        let w: Vec<&str> = cfg.sections[0].lines[0]
            .words
            .iter()
            .map(|w| w.text.as_str())
            .collect();
        assert_eq!(w, ["http-request", "set-header", "X", "a b\"c", "d e"]);
        assert!(parse("backend b\n  acl x \"open\n").is_err());
        assert!(parse("  mode http\n").is_err());
        assert_eq!(parse_time_ms("50000"), Some(50_000));
        assert_eq!(parse_time_ms("1h"), Some(3_600_000));
        assert_eq!(parse_time_ms("30s"), Some(30_000));
        assert_eq!(parse_time_ms("x"), None);
        assert!(looks_like_haproxy("frontend a\n  bind :80\n"));
        assert!(!looks_like_haproxy("[frontend]\nx=1\n"));
    }
}
