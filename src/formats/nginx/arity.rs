//! Argument counts and block shape of well-known directives, checked the way nginx checks
//! them before it looks at values: `user;` is rejected by `nginx -t` and here alike.
//! Unknown directives (third-party modules) are not judged.

use super::ast::ParsedFile;
use super::ast::SyntaxError;

#[derive(Clone, Copy)]
struct Shape {
    min: usize,
    max: usize,
    block: bool,
}

const fn s(min: usize, max: usize, block: bool) -> Shape {
    Shape { min, max, block }
}

const MANY: usize = usize::MAX;

fn shape(name: &str) -> Option<Shape> {
    Some(match name {
        // `server` is a block in http and a plain directive in upstream: not judged.
        "events" | "http" | "stream" | "mail" | "types" => s(0, 0, true),
        "location" => s(1, 2, true),
        "upstream" => s(1, 1, true),
        "map" => s(2, 2, true),
        "if" | "limit_except" => s(1, MANY, true),
        "user" | "error_log" | "keepalive_timeout" => s(1, 2, false),
        "worker_processes"
        | "pid"
        | "daemon"
        | "master_process"
        | "worker_rlimit_nofile"
        | "worker_connections"
        | "multi_accept"
        | "accept_mutex"
        | "include"
        | "root"
        | "alias"
        | "proxy_pass"
        | "fastcgi_pass"
        | "uwsgi_pass"
        | "scgi_pass"
        | "grpc_pass"
        | "proxy_http_version"
        | "proxy_buffering"
        | "proxy_request_buffering"
        | "proxy_read_timeout"
        | "proxy_send_timeout"
        | "proxy_connect_timeout"
        | "keepalive"
        | "client_max_body_size"
        | "sendfile"
        | "tcp_nopush"
        | "tcp_nodelay"
        | "default_type"
        | "charset"
        | "ssl_certificate"
        | "ssl_certificate_key"
        | "http2" => s(1, 1, false),
        "proxy_set_header" | "set" => s(2, 2, false),
        "add_header" | "rewrite" => s(2, 3, false),
        "return" => s(1, 2, false),
        "try_files" => s(2, MANY, false),
        "listen" | "server_name" | "index" | "access_log" => s(1, MANY, false),
        _ => return None,
    })
}

/// The first directive whose arguments or block shape nginx would refuse.
pub fn check(p: &ParsedFile) -> Result<(), SyntaxError> {
    for d in &p.directives {
        let Some(shape) = shape(d.name()) else {
            continue;
        };
        let n = d.args.len();
        let error = if n < shape.min || n > shape.max {
            Some((
                d.header_span(),
                "invalid number of arguments in \"{}\" directive",
            ))
        } else {
            match (shape.block, d.block().is_some()) {
                (true, false) => Some((d.span(), "directive \"{}\" has no opening \"{\"")),
                (false, true) => Some((
                    d.header_span(),
                    "directive \"{}\" is not terminated by \";\"",
                )),
                _ => None,
            }
        };
        // A template placeholder may render as any number of words.
        if let Some((span, message)) = error
            && !d.args.iter().any(super::ast::Word::is_templated)
        {
            return Err(SyntaxError {
                span,
                message: message.replace("{}", d.name()),
            });
        }
    }
    Ok(())
}
