//! Apache httpd configuration (httpd.conf, apache2.conf, sites-enabled/*.conf): a small
//! directive parser (directives, `<Section …>` blocks, `\` continuations, `#` comment lines)
//! that locates every word, and the questions Apache rules ask of it: the `ProxyPass`
//! directives of each context, which ones carry WebSockets, and which modules are loaded.

use std::path::Path;

use crate::fix::Edit;
use crate::formats::SyntaxError;
use crate::formats::head::Head;
use crate::formats::ws_path::websocket_path_segment;
use crate::source::{FileId, SourceDb, SourceFile, Span};

pub fn is_config_name(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("httpd.conf" | "apache2.conf")
    )
}

/// `.conf` files (and files under `sites-available/`, `sites-enabled/`, `conf.d/`) whose
/// content is Apache's: checked before nginx claims those names.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    let in_conf_dir = head.path().parent().is_some_and(|p| {
        p.components().any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("sites-available" | "sites-enabled" | "conf.d" | "conf-enabled" | "apache2")
            )
        })
    });
    if !(name.ends_with(".conf") || in_conf_dir || named) || name.ends_with(".md") {
        return false;
    }
    looks_like_apache(head.text())
}

/// Section tags and directives only Apache writes this way.
pub fn looks_like_apache(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        let word = l.split_whitespace().next().unwrap_or("");
        matches!(
            word,
            "<VirtualHost"
                | "<IfModule"
                | "<Directory"
                | "<Location"
                | "<LocationMatch"
                | "ProxyPass"
                | "ProxyPassMatch"
                | "ProxyPassReverse"
                | "LoadModule"
                | "ServerName"
                | "DocumentRoot"
                | "RewriteEngine"
        ) && !l.trim_end().ends_with(';')
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Directive {
    pub name: Word,
    pub args: Vec<Word>,
    /// The directive line(s), or a section's opening tag.
    pub span: Span,
    /// A section's directives (`<VirtualHost>`), `None` for a plain directive.
    pub children: Option<Vec<Directive>>,
}

impl Directive {
    pub fn is(&self, name: &str) -> bool {
        self.name.text.eq_ignore_ascii_case(name)
    }
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|w| w.text.as_str())
    }
}

#[derive(Clone, Debug, Default)]
pub struct ApacheConfig {
    pub roots: Vec<Directive>,
    pub comments: Vec<Span>,
}

/// Words of one logical line; `"…"` quotes group words (with `\"` inside).
fn words(pieces: &[(usize, &str)]) -> Vec<Word> {
    let mut out = Vec::new();
    for &(start, piece) in pieces {
        let b = piece.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let ws = i;
            let mut value = String::new();
            if b[i] == b'"' {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == b'"' {
                        i += 1;
                    }
                    let c = piece[i..].chars().next().unwrap_or(' ');
                    value.push(c);
                    i += c.len_utf8();
                }
                i = (i + 1).min(b.len());
            } else {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    let c = piece[i..].chars().next().unwrap_or(' ');
                    value.push(c);
                    i += c.len_utf8();
                }
            }
            out.push(Word {
                text: value,
                span: Span::new(start + ws, start + i),
            });
        }
    }
    out
}

pub fn parse(text: &str) -> Result<ApacheConfig, SyntaxError> {
    let mut cfg = ApacheConfig::default();
    // Open sections: (directive, children so far).
    let mut stack: Vec<(Directive, Vec<Directive>)> = Vec::new();
    let mut roots = Vec::new();
    let mut offset = 0;
    let mut pending: Vec<(usize, &str)> = Vec::new();
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if pending.is_empty() && line.trim_start().starts_with('#') {
            let lead = line.len() - line.trim_start().len();
            cfg.comments
                .push(Span::new(start + lead, start + line.len()));
            continue;
        }
        if let Some(body) = line.strip_suffix('\\') {
            pending.push((start, body));
            continue;
        }
        pending.push((start, line));
        let pieces = std::mem::take(&mut pending);
        let ws = words(&pieces);
        let Some(first) = ws.first() else { continue };
        let span = Span::new(first.span.start, ws.last().map_or(0, |w| w.span.end));
        if let Some(name) = first.text.strip_prefix("</") {
            let name = name.trim_end_matches('>');
            let Some((mut open, children)) = stack.pop() else {
                return Err(SyntaxError {
                    message: format!("`</{name}>` closes no open section"),
                    span: first.span,
                });
            };
            if !open.name.text.eq_ignore_ascii_case(name) {
                return Err(SyntaxError {
                    message: format!(
                        "`</{name}>` closes `<{}>`, opened on an earlier line",
                        open.name.text
                    ),
                    span: first.span,
                });
            }
            open.children = Some(children);
            match stack.last_mut() {
                Some((_, siblings)) => siblings.push(open),
                None => roots.push(open),
            }
            continue;
        }
        if let Some(name) = first.text.strip_prefix('<') {
            let mut args: Vec<Word> = ws[1..].to_vec();
            let mut name = Word {
                text: name.to_owned(),
                span: Span::new(first.span.start + 1, first.span.end),
            };
            // The tag ends at `>`: on the name (`<IfModule>`) or the last argument.
            let closed = match args.last_mut() {
                Some(last) => strip_gt(last),
                None => strip_gt(&mut name),
            };
            if !closed {
                return Err(SyntaxError {
                    message: format!("`<{}` is missing its closing `>`", name.text),
                    span,
                });
            }
            args.retain(|a| !a.text.is_empty());
            stack.push((
                Directive {
                    name,
                    args,
                    span,
                    children: None,
                },
                Vec::new(),
            ));
            continue;
        }
        let d = Directive {
            name: first.clone(),
            args: ws[1..].to_vec(),
            span,
            children: None,
        };
        match stack.last_mut() {
            Some((_, siblings)) => siblings.push(d),
            None => roots.push(d),
        }
    }
    if let Some((open, _)) = stack.pop() {
        return Err(SyntaxError {
            message: format!("`<{}>` is never closed", open.name.text),
            span: open.span,
        });
    }
    cfg.roots = roots;
    Ok(cfg)
}

fn strip_gt(w: &mut Word) -> bool {
    if let Some(t) = w.text.strip_suffix('>') {
        w.text = t.to_owned();
        w.span = Span::new(w.span.start, w.span.end - 1);
        true
    } else {
        false
    }
}

pub fn parses(text: &str) -> bool {
    parse(text).is_ok()
}

// ---------------------------------------------------------------- model

pub struct ApacheContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    pub cfg: &'a ApacheConfig,
}

/// One `ProxyPass` / `ProxyPassMatch`, read in its context.
#[derive(Clone, Debug)]
pub struct ProxyPass<'a> {
    pub dir: &'a Directive,
    /// The URL path it maps (the `<Location>` path when written inside one).
    pub path: String,
    pub path_span: Span,
    /// The backend URL, or `!` for an exclusion.
    pub url: Option<&'a Word>,
    pub regex: bool,
    /// Index of the first `key=value` argument.
    pub params_from: usize,
    /// Enclosing sections, outermost first.
    pub within: Vec<&'a Directive>,
}

impl ProxyPass<'_> {
    pub fn scheme(&self) -> Option<String> {
        let u = self.url?.text.to_ascii_lowercase();
        u.split_once("://").map(|(s, _)| s.to_owned())
    }
    /// A `key=value` parameter (`upgrade=websocket`).
    pub fn param(&self, key: &str) -> Option<&str> {
        self.dir.args.iter().skip(self.params_from).find_map(|w| {
            let (k, v) = w.text.split_once('=')?;
            k.eq_ignore_ascii_case(key).then_some(v)
        })
    }
    pub fn is_websocket_url(&self) -> bool {
        matches!(self.scheme().as_deref(), Some("ws" | "wss"))
    }
    pub fn upgrades_websocket(&self) -> bool {
        self.param("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket") || v == "ANY" || v == "NONE")
    }
    /// The path names a WebSocket endpoint (`/ws`, `/socket.io/`, `^/(chat/ws)$`).
    pub fn websocket_path(&self) -> Option<String> {
        let plain: String = self
            .path
            .chars()
            .map(|c| if "^$()?*+[]|\\".contains(c) { '/' } else { c })
            .collect();
        websocket_path_segment(&plain)
    }
    pub fn is_catch_all(&self) -> bool {
        !self.regex && self.path == "/" && self.url.is_some_and(|u| u.text != "!")
    }
}

impl<'a> ApacheContext<'a> {
    pub fn all(&self) -> Vec<(&'a Directive, Vec<&'a Directive>)> {
        fn walk<'a>(
            list: &'a [Directive],
            within: &mut Vec<&'a Directive>,
            out: &mut Vec<(&'a Directive, Vec<&'a Directive>)>,
        ) {
            for d in list {
                out.push((d, within.clone()));
                if let Some(c) = &d.children {
                    within.push(d);
                    walk(c, within, out);
                    within.pop();
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.cfg.roots, &mut Vec::new(), &mut out);
        out
    }

    /// Every `ProxyPass` / `ProxyPassMatch` in file order.
    pub fn proxy_passes(&self) -> Vec<ProxyPass<'a>> {
        self.all()
            .into_iter()
            .filter(|(d, _)| d.is("ProxyPass") || d.is("ProxyPassMatch"))
            .filter_map(|(d, within)| {
                let regex = d.is("ProxyPassMatch");
                let location = within
                    .last()
                    .filter(|s| s.is("Location") || s.is("LocationMatch"));
                let (path, path_span, url, params_from) = match location {
                    Some(loc) => {
                        let w = loc.args.first()?;
                        (w.text.clone(), w.span, d.args.first(), 1)
                    }
                    None => {
                        let w = d.args.first()?;
                        (w.text.clone(), w.span, d.args.get(1), 2)
                    }
                };
                Some(ProxyPass {
                    dir: d,
                    path,
                    path_span,
                    url,
                    regex: regex || location.is_some_and(|l| l.is("LocationMatch")),
                    params_from,
                    within,
                })
            })
            .collect()
    }

    /// Whether the file loads modules itself (a complete httpd.conf), and whether
    /// `module` (`proxy_wstunnel_module`) is among them.
    pub fn loads_module(&self, module: &str) -> Option<bool> {
        let loads: Vec<&Directive> = self
            .all()
            .into_iter()
            .map(|(d, _)| d)
            .filter(|d| d.is("LoadModule"))
            .collect();
        if loads.is_empty() {
            return None;
        }
        Some(loads.iter().any(|d| d.arg(0) == Some(module)))
    }

    /// A `RewriteCond %{HTTP:Upgrade} websocket` anywhere in the file.
    pub fn rewrites_upgrades(&self) -> Option<&'a Directive> {
        self.all().into_iter().map(|(d, _)| d).find(|d| {
            d.is("RewriteCond")
                && d.arg(0)
                    .is_some_and(|a| a.eq_ignore_ascii_case("%{HTTP:Upgrade}"))
                && d.arg(1)
                    .is_some_and(|a| a.to_ascii_lowercase().contains("websocket"))
        })
    }
}

/// What the file shows about the httpd version it runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionHint {
    /// At least this (major, minor, patch).
    pub at_least: (u32, u32, u32),
    /// Why, in words: "`upgrade=websocket` on `ProxyPass /live` (line 9)".
    pub why: String,
}

/// `2.4.62` (or `2.4.62-alpine`) as a version triple.
fn version_triple(s: &str) -> Option<(u32, u32, u32)> {
    let core = s.split(['-', '_']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u32>().ok());
    let v = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(v)
}

/// `FROM httpd:2.4.62` (any registry prefix, any `-suffix`) in a Dockerfile's text.
pub fn dockerfile_httpd_version(text: &str) -> Option<(u32, u32, u32)> {
    text.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        if !w.next()?.eq_ignore_ascii_case("FROM") {
            return None;
        }
        let mut image = w.next()?;
        while image.starts_with("--") {
            image = w.next()?;
        }
        let (name, tag) = image
            .split_once('@')
            .map_or(image, |(i, _)| i)
            .rsplit_once(':')?;
        (name == "httpd" || name.ends_with("/httpd"))
            .then(|| version_triple(tag))
            .flatten()
    })
}

impl<'a> ApacheContext<'a> {
    pub fn source(&self) -> &'a SourceFile {
        self.db.get(self.file)
    }

    /// What the configuration (or a Dockerfile `FROM httpd:…` beside it) proves about the
    /// httpd version: `ProxyWebsocketFallbackToProxyHttp` exists since 2.4.48 (an older httpd
    /// refuses to start on it) unless an `<IfVersion>` guards it. A `ProxyPass … upgrade=`
    /// parameter proves nothing: mod_proxy_wstunnel read it long before 2.4.47.
    pub fn version_hint(&self) -> Option<VersionHint> {
        let src = self.source();
        if let Some((d, _)) = self.all().into_iter().find(|(d, within)| {
            d.is("ProxyWebsocketFallbackToProxyHttp") && !within.iter().any(|s| s.is("IfVersion"))
        }) {
            return Some(VersionHint {
                at_least: (2, 4, 48),
                why: format!(
                    "this file sets `ProxyWebsocketFallbackToProxyHttp` (line {})",
                    src.line_col(d.name.span.start).line
                ),
            });
        }
        let dockerfile = src.path.parent()?.join("Dockerfile");
        let text = &self.db.get(self.db.find(&dockerfile)?).text;
        let v = dockerfile_httpd_version(text)?;
        Some(VersionHint {
            at_least: v,
            why: format!(
                "{} builds on httpd {}.{}.{}",
                dockerfile.display(),
                v.0,
                v.1,
                v.2
            ),
        })
    }

    /// The directive that follows `d` in the same context, when it starts on the next line.
    fn next_sibling_on_next_line(&self, d: &'a Directive) -> Option<&'a Directive> {
        let all = self.all();
        let i = all.iter().position(|(x, _)| std::ptr::eq(*x, d))?;
        let (next, within) = all.get(i + 1)?;
        let same_context = within.len() == all[i].1.len();
        let src = self.source();
        let next_line = src.line_end(d.span.end) + src.newline().len();
        (same_context && src.line_start(next.span.start) == next_line).then_some(*next)
    }

    /// Start of the line holding `offset`, moved up over the comment lines written directly
    /// above it (they describe it and travel with it).
    fn attached_start(&self, offset: usize) -> usize {
        let src = self.source();
        let mut start = src.line_start(offset);
        while start > 0 {
            let prev = src.line_start(start - 1);
            if !src.text[prev..start].trim_start().starts_with('#') {
                break;
            }
            start = prev;
        }
        start
    }

    /// Edits moving `pp` (with the `ProxyPassReverse` for the same path written on the next
    /// line, and the comments directly above it) to just above `before` (and the comments
    /// directly above that). `None` unless `before` comes first in the file.
    pub fn move_proxy_pass_before(
        &self,
        pp: &ProxyPass<'a>,
        before: &Directive,
    ) -> Option<Vec<Edit>> {
        let src = self.source();
        let text = src.text.as_str();
        let mut last = pp.dir;
        if let Some(rev) = self.next_sibling_on_next_line(pp.dir).filter(|r| {
            r.is("ProxyPassReverse") && r.arg(0) == Some(pp.path.as_str()) && pp.params_from == 2
        }) {
            last = rev;
        }
        let start = self.attached_start(pp.dir.span.start);
        let at = self.attached_start(before.span.start);
        if at >= start {
            return None;
        }
        let end = src.line_end(last.span.end);
        let block = &text[start..end];
        let nl = src.newline();
        let mut del = Span::new(start, (end + nl.len()).min(text.len()));
        if end == text.len() {
            // The last line has no line break: take the one before it instead.
            del = Span::new(start.saturating_sub(nl.len()).max(at + 1), end);
        }
        // A blank line left between the previous line and a closing tag or another blank
        // line goes with the block, and keeps it apart from what it lands above.
        let mut sep = "";
        if del.start > 0 && del.end < text.len() {
            let prev = src.line_start(del.start - 1);
            let after = src.text[del.end..].lines().next().unwrap_or("").trim();
            if prev > at
                && src.text[prev..del.start].trim().is_empty()
                && (after.is_empty() || after.starts_with("</"))
            {
                del = Span::new(prev, del.end);
                sep = &text[prev..start];
            }
        }
        Some(vec![
            Edit::insert(self.file, at, format!("{block}{nl}{sep}")),
            Edit::delete(self.file, del),
        ])
    }

    /// An edit appending ` param` after the last word of `pp`.
    pub fn append_param(&self, pp: &ProxyPass<'a>, param: &str) -> Edit {
        Edit::insert(self.file, pp.dir.span.end, format!(" {param}"))
    }
}

/// Comment lines, for inline suppressions.
pub fn comments(text: &str) -> Option<Vec<Span>> {
    parse(text).ok().map(|c| c.comments)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "LoadModule proxy_module modules/mod_proxy.so\n# vhost\n<VirtualHost *:80>\n    ServerName chat.example.com\n    ProxyPass / http://127.0.0.1:3000/\n    ProxyPass /ws/ \\\n        ws://127.0.0.1:3000/ws/\n    <Location \"/live\">\n        ProxyPass http://127.0.0.1:4000/live upgrade=websocket\n    </Location>\n</VirtualHost>\n";

    #[test]
    fn sections_continuations_and_spans() {
        let cfg = parse(CONF).unwrap();
        assert_eq!(cfg.roots.len(), 2);
        assert_eq!(cfg.comments.len(), 1);
        let vh = &cfg.roots[1];
        assert!(vh.is("VirtualHost"));
        assert_eq!(vh.arg(0), Some("*:80"));
        let mut db = SourceDb::default();
        let file = db.add("httpd.conf".into(), CONF.into());
        let cx = ApacheContext {
            db: &db,
            file,
            cfg: &cfg,
        };
        let pp = cx.proxy_passes();
        assert_eq!(pp.len(), 3);
        assert!(pp[0].is_catch_all());
        assert_eq!(pp[1].path, "/ws/");
        assert_eq!(
            &CONF[pp[1].url.unwrap().span.range()],
            "ws://127.0.0.1:3000/ws/"
        );
        assert!(pp[1].is_websocket_url());
        assert_eq!(pp[2].path, "/live");
        assert!(pp[2].upgrades_websocket());
        assert_eq!(cx.loads_module("proxy_wstunnel_module"), Some(false));
    }

    #[test]
    fn errors() {
        assert!(parse("<VirtualHost *:80>\n ServerName a\n").is_err());
        assert!(parse("</VirtualHost>\n").is_err());
        assert!(parse("<VirtualHost *:80>\n</Location>\n").is_err());
        assert!(parse("<VirtualHost *:80\n</VirtualHost>\n").is_err());
        assert!(looks_like_apache("<VirtualHost *:80>\n"));
        assert!(!looks_like_apache("server {\n listen 80;\n}\n"));
    }

    #[test]
    fn detection_beats_nginx_names_only_for_apache_content() {
        use crate::formats::Format;
        let dir = tempfile::tempdir().unwrap();
        let sites = dir.path().join("sites-enabled");
        std::fs::create_dir_all(&sites).unwrap();
        let apache = sites.join("chat.conf");
        std::fs::write(
            &apache,
            "<VirtualHost *:80>\n    ProxyPass / http://a/\n</VirtualHost>\n",
        )
        .unwrap();
        let nginx = sites.join("app");
        std::fs::write(&nginx, "server {\n    listen 80;\n}\n").unwrap();
        let supervisor = dir.path().join("supervisord.conf");
        std::fs::write(&supervisor, "[program:app]\ncommand=/app\n").unwrap();
        assert_eq!(Format::detect(&apache, false), Some(Format::Apache));
        assert_eq!(Format::detect(&nginx, false), Some(Format::Nginx));
        assert_eq!(Format::detect(&supervisor, true), None);
        assert_eq!(
            Format::detect(Path::new("etc/httpd/conf/httpd.conf"), false),
            Some(Format::Apache)
        );
    }
}
