//! Recognising nginx configuration files in a tree.

use crate::formats::head::Head;
use std::path::Path;

/// Extensions of the template files an nginx configuration is rendered from (Jinja2, Go
/// templates, Hestia, ERB, envsubst).
const TEMPLATE_EXTENSIONS: &[&str] = &[
    ".j2",
    ".jinja",
    ".jinja2",
    ".tmpl",
    ".tpl",
    ".stpl",
    ".erb",
    ".template",
];

/// The name of the file a template renders: `site.conf.j2` gives `site.conf`.
fn rendered_name(name: &str) -> (&str, bool) {
    TEMPLATE_EXTENSIONS
        .iter()
        .find_map(|e| name.strip_suffix(e).filter(|n| !n.is_empty()))
        .map_or((name, false), |n| (n, true))
}

/// Files that are nginx configuration by their name or location alone.
pub fn by_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (name, _) = rendered_name(name);
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
    let (name, template) = rendered_name(head.name());
    // A template named for nginx (`nginx.tmpl`, `nginx-vhost.tpl`) or kept in an `nginx`
    // directory (Hestia's `templates/web/nginx/*.tpl`).
    let nginx_template = template
        && (name.starts_with("nginx") || path.components().any(|c| c.as_os_str() == "nginx"));
    let conf = name.ends_with(".conf") || nginx_template;
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
    super::parser::parse_limited(text, super::parser::DEFAULT_MAX_DEPTH).is_ok_and(|p| {
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
        assert!(by_name(Path::new("roles/web/templates/nginx.conf.j2")));
        assert!(by_name(Path::new("etc/sites-available/app.erb")));
        assert_eq!(
            rendered_name("default.conf.template"),
            ("default.conf", true)
        );
        assert_eq!(rendered_name(".tpl"), (".tpl", false));
    }
}
