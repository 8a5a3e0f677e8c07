//! APA001 websocket-proxypass-broken: a WebSocket `ProxyPass` that cannot work — placed after
//! `ProxyPass /` in the same context (the first match wins), a `ws://` backend with
//! mod_proxy_wstunnel not loaded, or an `http://` backend for a WebSocket path that nothing
//! upgrades.

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::formats::Format;
use crate::formats::apache::{ApacheContext, ProxyPass};
use crate::rules::{FixAvailability, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "APA001",
    name: "websocket-proxypass-broken",
    format: Some(Format::Apache),
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "a WebSocket ProxyPass is shadowed by `ProxyPass /`, lacks mod_proxy_wstunnel, or is never upgraded",
};

/// The first httpd release whose mod_proxy_http handles `upgrade=websocket`.
const UPGRADE_SINCE: (u32, u32, u32) = (2, 4, 47);

pub struct WebsocketProxypassBroken;

fn same_context(a: &ProxyPass<'_>, b: &ProxyPass<'_>) -> bool {
    a.within.len() == b.within.len()
        && a.within
            .iter()
            .zip(&b.within)
            .all(|(x, y)| std::ptr::eq(*x, *y))
}

impl<'a> Rule<ApacheContext<'a>> for WebsocketProxypassBroken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &ApacheContext<'a>, out: &mut Vec<Diagnostic>) {
        let all = cx.proxy_passes();
        let wstunnel = cx.loads_module("proxy_wstunnel_module");
        let rewrite = cx.rewrites_upgrades();
        let version = cx.version_hint();
        for (i, pp) in all.iter().enumerate() {
            let ws_path = pp.websocket_path();
            let carries_ws = pp.is_websocket_url() || pp.upgrades_websocket() || ws_path.is_some();
            if !carries_ws || pp.url.is_none_or(|u| u.text == "!") {
                continue;
            }
            // 1. Shadowed by an earlier catch-all in the same context.
            let in_location = pp
                .within
                .last()
                .is_some_and(|s| s.is("Location") || s.is("LocationMatch"));
            if let Some(catch_all) = all[..i]
                .iter()
                .find(|c| !in_location && c.is_catch_all() && same_context(c, pp))
                .filter(|_| pp.path != "/")
            {
                out.push(
                    META.diag(
                        cx.file,
                        pp.dir.span,
                        format!(
                            "`ProxyPass {}` comes after `ProxyPass /`, which already matches \
                             every request: Apache uses the first ProxyPass that matches, so \
                             WebSocket requests for `{}` go to {} instead",
                            pp.path,
                            pp.path,
                            catch_all.url.map_or("", |u| u.text.as_str())
                        ),
                    )
                    .label(cx.file, catch_all.dir.span, "matches first")
                    .help(format!(
                        "move `ProxyPass {}` (and its ProxyPassReverse) above `ProxyPass /`: \
                         list the longest paths first",
                        pp.path
                    ))
                    .fix(cx.move_proxy_pass_before(pp, catch_all.dir).map(|edits| {
                        // Unsafe: requests for this path stop reaching the catch-all backend.
                        Fix::unsafe_(
                            format!("move `ProxyPass {}` above `ProxyPass /`", pp.path),
                            edits,
                        )
                    })),
                );
                continue;
            }
            // 2. ws:// needs mod_proxy_wstunnel.
            let guarded = pp.within.iter().any(|s| {
                s.is("IfModule")
                    && s.arg(0)
                        .is_some_and(|m| m.contains("wstunnel") && !m.starts_with('!'))
            });
            if pp.is_websocket_url() && wstunnel == Some(false) && !guarded {
                let url = pp.url.expect("checked above");
                out.push(
                    META.diag(
                        cx.file,
                        url.span,
                        format!(
                            "`ProxyPass {} {}` uses a {}:// backend, but this configuration \
                             loads its modules and not mod_proxy_wstunnel: before httpd 2.4.47 \
                             no other module handles {}:// URLs, and the handshake fails with \
                             500 (AH01144 \"No protocol handler was valid for the URL\")",
                            pp.path,
                            url.text,
                            pp.scheme().unwrap_or_default(),
                            pp.scheme().unwrap_or_default()
                        ),
                    )
                    .help(
                        "add `LoadModule proxy_wstunnel_module modules/mod_proxy_wstunnel.so` (or \
                         `a2enmod proxy_wstunnel`), or on httpd 2.4.47+ use an http:// backend \
                         with `upgrade=websocket`",
                    ),
                );
                continue;
            }
            // 3. An http(s) backend for a WebSocket path that nothing upgrades.
            let http = matches!(pp.scheme().as_deref(), Some("http" | "https"));
            if let (true, Some(seg), false, None) =
                (http, &ws_path, pp.upgrades_websocket(), rewrite)
            {
                let url = pp.url.expect("checked above");
                // A Dockerfile naming an older httpd: the parameter would stop it starting.
                let too_old = version.as_ref().is_some_and(|v| v.at_least < UPGRADE_SINCE);
                let fix = (pp.param("upgrade").is_none() && !too_old).then(|| {
                    let edit = vec![cx.append_param(pp, "upgrade=websocket")];
                    match &version {
                        Some(v) => Fix::safe(
                            format!("add `upgrade=websocket` ({}: httpd 2.4.47+)", v.why),
                            edit,
                        ),
                        None => Fix::unsafe_(
                            "add `upgrade=websocket` (mod_proxy_http upgrades only since httpd \
                             2.4.47, and nothing here shows the version)",
                            edit,
                        ),
                    }
                });
                out.push(
                    META.diag(
                        cx.file,
                        pp.dir.span,
                        format!(
                            "`ProxyPass {} {}` sends the WebSocket path `{}` (`{seg}`) to an \
                             {}:// backend without `upgrade=websocket`: mod_proxy_http forwards \
                             the handshake as a plain request and the upgrade fails",
                            pp.path,
                            url.text,
                            pp.path,
                            pp.scheme().unwrap_or_default()
                        ),
                    )
                    .label(cx.file, pp.path_span, "WebSocket path")
                    .help(format!(
                        "on httpd 2.4.47+ add `upgrade=websocket` to this ProxyPass; on older \
                         versions proxy it to ws://{} with mod_proxy_wstunnel, or route upgrades \
                         with `RewriteCond %{{HTTP:Upgrade}} websocket [NC]` and a `[P]` \
                         RewriteRule",
                        url.text.split_once("://").map_or("", |(_, r)| r)
                    ))
                    .fix(fix),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::{Applicability, apply_edits};
    use crate::formats::apache::{dockerfile_httpd_version, parse};
    use crate::source::SourceDb;

    /// The findings for `text` written as `path`, with the Dockerfile beside it on disk when
    /// there is one (the engine reads it before linting).
    fn check(path: &std::path::Path, text: &str) -> Vec<Diagnostic> {
        let cfg = parse(text).unwrap();
        let mut db = SourceDb::default();
        let file = db.add(path.to_path_buf(), text.into());
        let dockerfile = path.with_file_name("Dockerfile");
        if let Ok(text) = std::fs::read_to_string(&dockerfile) {
            db.add(dockerfile, text);
        }
        let cx = ApacheContext {
            db: &db,
            file,
            cfg: &cfg,
        };
        let mut out = Vec::new();
        WebsocketProxypassBroken.check(&cx, &mut out);
        out
    }

    fn fixed(text: &str, d: &Diagnostic) -> String {
        apply_edits(text, &d.fix.as_ref().expect("a fix").edits)
    }

    const NO_UPGRADE: &str = "<VirtualHost *:80>\n    ProxyPass /ws http://127.0.0.1:8080/ws\n    ProxyPass / http://127.0.0.1:8080/\n</VirtualHost>\n";

    #[test]
    fn dockerfile_versions() {
        assert_eq!(
            dockerfile_httpd_version("FROM httpd:2.4.62-alpine\n"),
            Some((2, 4, 62))
        );
        assert_eq!(
            dockerfile_httpd_version(
                "# build\nFROM --platform=linux/amd64 docker.io/library/httpd:2.4.41 AS web\n"
            ),
            Some((2, 4, 41))
        );
        assert_eq!(dockerfile_httpd_version("FROM httpd:2.4\n"), None);
        assert_eq!(dockerfile_httpd_version("FROM nginx:1.27.1\n"), None);
    }

    #[test]
    fn upgrade_fix_is_unsafe_without_a_version_and_safe_with_one() {
        let d = check(std::path::Path::new("site.conf"), NO_UPGRADE);
        assert_eq!(d.len(), 1);
        let fix = d[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert!(
            fixed(NO_UPGRADE, &d[0]).contains("/ws http://127.0.0.1:8080/ws upgrade=websocket\n")
        );

        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("site.conf");
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM httpd:2.4.62\nCOPY site.conf /usr/local/apache2/conf/\n",
        )
        .unwrap();
        let d = check(&conf, NO_UPGRADE);
        let fix = d[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        assert!(fix.message.contains("2.4.62"), "{}", fix.message);

        // An httpd older than 2.4.47 would refuse the parameter: no fix at all.
        std::fs::write(dir.path().join("Dockerfile"), "FROM httpd:2.4.41\n").unwrap();
        let d = check(&conf, NO_UPGRADE);
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
    }

    #[test]
    fn fallback_directive_proves_the_version_unless_ifversion_guards_it() {
        let known = format!("ProxyWebsocketFallbackToProxyHttp Off\n{NO_UPGRADE}");
        let d = check(std::path::Path::new("site.conf"), &known);
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Safe
        );
        let guarded = format!(
            "<IfVersion >= 2.4.48>\n    ProxyWebsocketFallbackToProxyHttp Off\n</IfVersion>\n{NO_UPGRADE}"
        );
        let d = check(std::path::Path::new("site.conf"), &guarded);
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
        // Another ProxyPass's `upgrade=` proves nothing (mod_proxy_wstunnel read it earlier).
        let other = NO_UPGRADE.replace(
            "    ProxyPass / ",
            "    ProxyPass /a/ ws://127.0.0.1:8080/a/ upgrade=websocket\n    ProxyPass / ",
        );
        let d = check(std::path::Path::new("site.conf"), &other);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
    }

    #[test]
    fn move_at_root_level_without_a_final_line_break() {
        let text = "ProxyPass / http://app:3000/\nProxyPass /socket.io/ ws://app:3000/socket.io/";
        let d = check(std::path::Path::new("site.conf"), text);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].fix.as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
        assert_eq!(
            fixed(text, &d[0]),
            "ProxyPass /socket.io/ ws://app:3000/socket.io/\nProxyPass / http://app:3000/"
        );
    }

    #[test]
    fn move_keeps_crlf_continuations_and_leaves_other_reverses() {
        let text = "<VirtualHost *:80>\r\n  ProxyPass / http://a/\r\n  ProxyPassReverse /cable http://b/cable\r\n  ProxyPass /cable \\\r\n      ws://b/cable\r\n</VirtualHost>\r\n";
        let d = check(std::path::Path::new("site.conf"), text);
        assert_eq!(d.len(), 1);
        let out = fixed(text, &d[0]);
        assert_eq!(
            out,
            "<VirtualHost *:80>\r\n  ProxyPass /cable \\\r\n      ws://b/cable\r\n  ProxyPass / http://a/\r\n  ProxyPassReverse /cable http://b/cable\r\n</VirtualHost>\r\n"
        );
        assert!(check(std::path::Path::new("site.conf"), &out).is_empty());
    }
}
