//! Recognising nginx configuration files in a tree.

use crate::formats::head::Head;
use std::path::Path;

/// Files that are nginx configuration by their name or location alone.
pub fn by_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == "nginx.conf" || name.ends_with(".nginx") || name.ends_with(".nginx.conf") {
        return true;
    }
    let in_nginx_dir = path.parent().is_some_and(|p| {
        p.components().any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("sites-available" | "sites-enabled")
            )
        })
    });
    in_nginx_dir && !name.starts_with('.') && !name.ends_with(".md")
}

/// `*.conf` files whose text has `server`, `location` or `http` blocks or proxy directives, or
/// which sit in a `conf.d/` directory. A `*.conf` file the user names is also nginx when its
/// text reads as nginx statements (h5bp-style snippets of `add_header` lines), so another
/// tool's `.conf` (supervisord's INI) is not mistaken for it.
pub fn by_content(head: &Head<'_>, named: bool) -> bool {
    let path = head.path();
    let name = head.name();
    let conf = name.ends_with(".conf") || name.ends_with(".conf.template");
    if !(conf || named) {
        return false;
    }
    if conf
        && path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|d| d == "conf.d")
    {
        return true;
    }
    let text = head.text();
    looks_like_nginx(text) || conf && named && reads_as_statements(text)
}

/// The text parses as nginx and every top-level name looks like a directive name.
fn reads_as_statements(text: &str) -> bool {
    super::parser::parse_with_limit(text, super::parser::DEFAULT_MAX_DEPTH).is_ok_and(|p| {
        !p.roots.is_empty()
            && p.roots.iter().all(|&r| {
                p.get(r)
                    .name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            })
    })
}

/// A block opener `server {`, `location … {`, `http {` or `upstream … {` at a line start.
pub fn looks_like_nginx(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        let word = l.split_whitespace().next().unwrap_or("");
        matches!(
            word,
            "server" | "location" | "http" | "upstream" | "events" | "map" | "types"
        ) && l.contains('{')
            || (word.starts_with("proxy_") || word == "include") && l.trim_end().ends_with(';')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_sniffing() {
        assert!(looks_like_nginx("server {\n listen 80;\n}"));
        assert!(looks_like_nginx("  location /ws/ {"));
        assert!(!looks_like_nginx("[server]\nport = 80"));
        assert!(!looks_like_nginx("server = foo"));
    }

    #[test]
    fn names() {
        assert!(by_name(Path::new("deploy/nginx.conf")));
        assert!(by_name(Path::new("etc/sites-available/app")));
        assert!(!by_name(Path::new("etc/sites-available/README.md")));
        assert!(!by_name(Path::new("app.conf")));
    }
}
