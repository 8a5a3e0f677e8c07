//! The rewrite phases (ngx_http_rewrite_module) as they treat one request: the server-level
//! `return`, `rewrite`, `if` and `break` run before any location is chosen, then the chosen
//! location's own ones run (they are not inherited). `rewrite … last` in a location starts a
//! new location search; `redirect`, `permanent`, a replacement starting with `http://`,
//! `https://` or `$scheme`, and `return` end the request there.
//!
//! Only what can be known from the configuration is evaluated: `if` conditions on `$scheme`,
//! `$https`, `$uri`, `$request_uri`, `$request_method` and `$http_upgrade`; anything else makes
//! the answer "unknown" rather than a guess.

use super::model::NginxContext;
use super::regex_sample;
use super::tree::NodeId;
use super::values::variables_in;

/// The request a WebSocket client sends.
#[derive(Clone, Debug)]
pub struct WsRequest {
    pub uri: String,
    pub https: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Catch {
    /// `return CODE [text]` or `return URL`.
    Return,
    /// `rewrite … redirect|permanent` or to an absolute URL: a 301/302 the WebSocket client
    /// cannot follow.
    Redirect,
    /// `rewrite … last` sent the request to a location search with another URI.
    Rewrite,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The request reaches this location's content handler, with the URI it then has.
    /// `rewritten_by` is the last rewrite that changed the URI on the way.
    Reaches {
        location: NodeId,
        rewritten_by: Option<NodeId>,
    },
    /// A directive ends the request before any location handles it.
    Caught { by: NodeId, catch: Catch },
    /// No location matches the URI.
    NoLocation,
    /// Something wscfg cannot evaluate decides.
    Unknown,
}

enum Step {
    /// The level's directives ran to the end.
    Next(String),
    /// `break`, `rewrite … break`, or `rewrite … last` at the server level: no more
    /// rewrite directives in this phase.
    Stop(String),
    /// `rewrite … last` in a location: a new location search with this URI.
    Search(String),
    Caught(NodeId, Catch),
    Unknown,
}

/// nginx allows 10 URI changes per request before it answers 500.
const MAX_URI_CHANGES: usize = 10;

impl NginxContext<'_> {
    /// What happens to a WebSocket handshake for `req` arriving at `server`.
    pub fn route(&self, server: NodeId, req: &WsRequest) -> Route {
        let mut rewritten_by = None;
        let mut uri = match self.run_rewrites(server, req.uri.clone(), req, &mut rewritten_by, true)
        {
            Step::Next(u) | Step::Stop(u) | Step::Search(u) => u,
            Step::Caught(by, catch) => return Route::Caught { by, catch },
            Step::Unknown => return Route::Unknown,
        };
        for _ in 0..MAX_URI_CHANGES {
            let Some(location) = self.select_location(server, &uri) else {
                return Route::NoLocation;
            };
            match self.run_rewrites(location, uri.clone(), req, &mut rewritten_by, false) {
                Step::Next(_) | Step::Stop(_) => {
                    return Route::Reaches {
                        location,
                        rewritten_by,
                    };
                }
                Step::Search(u) => uri = u,
                Step::Caught(by, catch) => return Route::Caught { by, catch },
                Step::Unknown => return Route::Unknown,
            }
        }
        Route::Unknown
    }

    /// Whether a server or location has directives of the rewrite phases at all (`return`,
    /// `rewrite`, `if`, `break`): without them a request passes the phase untouched.
    pub fn has_rewrite_directives(&self, level: NodeId) -> bool {
        // By name, so a server with thousands of locations answers from its index.
        ["return", "rewrite", "if", "break"]
            .iter()
            .any(|name| self.tree.children_named(level, name).next().is_some())
    }

    /// Runs the rewrite-module directives of one level (or `if` block) in order.
    fn run_rewrites(
        &self,
        level: NodeId,
        mut uri: String,
        req: &WsRequest,
        rewritten_by: &mut Option<NodeId>,
        server_level: bool,
    ) -> Step {
        for &d in self.tree.children(level) {
            match self.tree.name(d) {
                "return" => return Step::Caught(d, Catch::Return),
                "break" => return Step::Stop(uri),
                "rewrite" => match self.apply_rewrite(d, &uri) {
                    Rewrite::NoMatch => {}
                    Rewrite::Unknown => return Step::Unknown,
                    Rewrite::Redirect => return Step::Caught(d, Catch::Redirect),
                    Rewrite::Uri(new, flag) => {
                        uri = new;
                        *rewritten_by = Some(d);
                        match flag {
                            Flag::None => {}
                            Flag::Break => return Step::Stop(uri),
                            Flag::Last if server_level => return Step::Stop(uri),
                            Flag::Last => return Step::Search(uri),
                        }
                    }
                },
                "if" => match self.condition(d, &uri, req) {
                    Some(true) => {
                        match self.run_rewrites(d, uri.clone(), req, rewritten_by, server_level) {
                            Step::Next(u) => uri = u,
                            other => return other,
                        }
                    }
                    Some(false) => {}
                    // Unknown whether it runs: a `return` inside catches the request or
                    // not at all, but a `rewrite` or `break` changes what follows.
                    None => {
                        if self
                            .tree
                            .descendants(d)
                            .iter()
                            .any(|&n| matches!(self.tree.name(n), "rewrite" | "break"))
                        {
                            return Step::Unknown;
                        }
                    }
                },
                _ => {}
            }
        }
        Step::Next(uri)
    }

    fn apply_rewrite(&self, d: NodeId, uri: &str) -> Rewrite {
        let dir = self.dir(d);
        let (Some(pattern), Some(replacement)) = (dir.arg(0), dir.arg(1)) else {
            return Rewrite::Unknown;
        };
        let Some(re) = regex_sample::compile(pattern, false) else {
            return Rewrite::Unknown;
        };
        let Some(caps) = re.captures(uri) else {
            return Rewrite::NoMatch;
        };
        let flag = match dir.arg(2) {
            None => Flag::None,
            Some("last") => Flag::Last,
            Some("break") => Flag::Break,
            Some("redirect" | "permanent") => return Rewrite::Redirect,
            Some(_) => return Rewrite::Unknown,
        };
        if ["http://", "https://", "$scheme"]
            .iter()
            .any(|p| replacement.starts_with(p))
        {
            return Rewrite::Redirect;
        }
        // $1…$9 are the captures; any other variable is unknown here.
        let mut out = String::new();
        let mut rest = replacement;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                let idx: usize = after[..digits].parse().unwrap_or(usize::MAX);
                out.push_str(caps.get(idx).map_or("", |m| m.as_str()));
                rest = &after[digits..];
            } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '{') {
                return Rewrite::Unknown;
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
        let new_uri = out.split('?').next().unwrap_or("").to_owned();
        Rewrite::Uri(new_uri, flag)
    }

    /// Evaluates an `if` condition for a WebSocket request; `None` when it depends on
    /// something else (a header, the host name, a file test, a variable set elsewhere).
    fn condition(&self, d: NodeId, uri: &str, req: &WsRequest) -> Option<bool> {
        let mut args: Vec<&str> = self.dir(d).args.iter().map(|w| w.value.as_str()).collect();
        match args.first_mut() {
            Some(&mut "(") => {
                args.remove(0);
            }
            Some(first) => *first = first.strip_prefix('(')?,
            None => return None,
        }
        match args.last_mut() {
            Some(&mut ")") => {
                args.pop();
            }
            Some(last) => *last = last.strip_suffix(')')?,
            None => return None,
        }
        let value = |var: &str| -> Option<String> {
            Some(match var.strip_prefix('$')? {
                "scheme" => if req.https { "https" } else { "http" }.to_owned(),
                "https" => if req.https { "on" } else { "" }.to_owned(),
                "uri" | "document_uri" | "request_uri" => uri.to_owned(),
                "request_method" => "GET".to_owned(),
                "http_upgrade" => "websocket".to_owned(),
                _ => return None,
            })
        };
        match args.as_slice() {
            [var] => {
                let v = value(var)?;
                Some(!v.is_empty() && v != "0")
            }
            [var, op, operand] => {
                if !variables_in(operand).is_empty() {
                    return None;
                }
                let v = value(var)?;
                match *op {
                    "=" => Some(v == *operand),
                    "!=" => Some(v != *operand),
                    "~" | "~*" | "!~" | "!~*" => {
                        let re = regex_sample::compile(operand, op.ends_with('*'))?;
                        Some(re.is_match(&v) != op.starts_with('!'))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

enum Flag {
    None,
    Last,
    Break,
}

enum Rewrite {
    NoMatch,
    Unknown,
    Redirect,
    Uri(String, Flag),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::nginx::tree::Context;

    /// The route of a WebSocket request for `uri` to the first server, described as the
    /// directive that catches it or the location it reaches.
    fn route(conf: &str, uri: &str, https: bool) -> String {
        super::super::with_context(conf, |cx| {
            let server = cx
                .tree
                .all()
                .find(|&n| cx.tree.node(n).context() == Context::Server)
                .unwrap();
            let req = WsRequest {
                uri: uri.to_owned(),
                https,
            };
            match cx.route(server, &req) {
                Route::Caught { by, catch } => format!("{catch:?} by {}", cx.text(by)),
                Route::Reaches {
                    location,
                    rewritten_by,
                } => format!(
                    "{}{}",
                    cx.describe(location),
                    rewritten_by.map_or(String::new(), |r| format!(" via {}", cx.text(r)))
                ),
                Route::NoLocation => "no location".to_owned(),
                Route::Unknown => "unknown".to_owned(),
            }
        })
    }

    fn server(body: &str) -> String {
        format!(
            "events {{}}\nhttp {{\n server {{\n listen 80;\n{body}\n location /ws/ {{ proxy_pass http://a; }}\n location / {{ proxy_pass http://b; }}\n }}\n}}\n"
        )
    }

    #[test]
    fn server_level_return_and_redirects_catch_everything() {
        assert_eq!(
            route(
                &server("return 301 https://$host$request_uri;"),
                "/ws/",
                false
            ),
            "Return by return 301 https://$host$request_uri;"
        );
        assert_eq!(
            route(
                &server("rewrite ^ https://$host$request_uri? permanent;"),
                "/ws/",
                false
            ),
            "Redirect by rewrite ^ https://$host$request_uri? permanent;"
        );
        assert_eq!(
            route(
                &server("rewrite ^/(.*)$ $scheme://example.com/$1;"),
                "/ws/",
                false
            ),
            "Redirect by rewrite ^/(.*)$ $scheme://example.com/$1;"
        );
    }

    #[test]
    fn if_conditions_on_scheme_and_uri_are_evaluated() {
        let scheme = server("if ($scheme = http) { return 301 https://$host$request_uri; }");
        assert_eq!(
            route(&scheme, "/ws/", false),
            "Return by return 301 https://$host$request_uri;"
        );
        assert_eq!(route(&scheme, "/ws/", true), "`location /ws/`");
        let uri = server("if ($request_uri !~ ^/(api|ws)/) { return 404; }");
        assert_eq!(route(&uri, "/ws/", false), "`location /ws/`");
        assert_eq!(route(&uri, "/x", false), "Return by return 404;");
        // What every WebSocket handshake carries is known: GET, Upgrade: websocket.
        let preflight = server("if ($request_method = OPTIONS) { return 204; }");
        assert_eq!(route(&preflight, "/ws/", false), "`location /ws/`");
        let guard = "events {}\nhttp { server { listen 80;\n location /ws/ { if ($http_upgrade != \"websocket\") { return 426; } proxy_pass http://a; } } }\n";
        assert_eq!(route(guard, "/ws/", false), "`location /ws/`");
        // A header the client may or may not send: unknown, so not reported.
        let header = server("if ($http_x_forwarded_proto != https) { rewrite ^ /x last; }");
        assert_eq!(route(&header, "/ws/", false), "unknown");
        let header = server("if ($http_x_forwarded_proto != https) { return 301 https://a; }");
        assert_eq!(route(&header, "/ws/", false), "`location /ws/`");
    }

    #[test]
    fn rewrites_change_the_uri_locations_see() {
        assert_eq!(
            route(&server("rewrite ^/ws/(.*)$ /app/$1 last;"), "/ws/x", false),
            "`location /` via rewrite ^/ws/(.*)$ /app/$1 last;"
        );
        assert_eq!(
            route(&server("rewrite ^/old/(.*)$ /ws/$1 last;"), "/old/x", false),
            "`location /ws/` via rewrite ^/old/(.*)$ /ws/$1 last;"
        );
        assert_eq!(
            route(&server("break; return 403;"), "/ws/", false),
            "`location /ws/`"
        );
        let in_location = "events {}\nhttp { server { listen 80;\n location /ws/ { rewrite ^/ws/(.*)$ /$1 break; proxy_pass http://a; }\n location /chat/ { rewrite ^/chat/(.*)$ /ws/$1 last; }\n location / { return 404; } } }\n";
        assert_eq!(
            route(in_location, "/ws/x", false),
            "`location /ws/` via rewrite ^/ws/(.*)$ /$1 break;"
        );
        assert_eq!(
            route(in_location, "/chat/x", false),
            "`location /ws/` via rewrite ^/ws/(.*)$ /$1 break;"
        );
        assert_eq!(route(in_location, "/other", false), "Return by return 404;");
    }
}
