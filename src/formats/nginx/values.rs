//! Values nginx attaches meaning to: time intervals and variables.

/// Parses nginx time syntax (`90`, `3600s`, `1h30m`, `1d`, `500ms`) into milliseconds.
pub fn parse_time_ms(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let ms: u64 = match unit {
            "ms" => 1,
            "" | "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            "M" => 2_592_000_000,
            "y" => 31_536_000_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(ms)?)?;
    }
    Some(total)
}

/// Renders milliseconds the way people write nginx times.
pub fn format_ms(ms: u64) -> String {
    if !ms.is_multiple_of(1000) {
        format!("{ms}ms")
    } else {
        format!("{}s", ms / 1000)
    }
}

/// Names of variables (`$name` or `${name}`) referenced in an nginx value.
pub fn variables_in(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'{') {
            if let Some(n) = value[i + 1..].find('}') {
                out.push(&value[i + 1..i + 1 + n]);
                i += n + 2;
            }
            continue;
        }
        let n = value[i..]
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .count();
        if n > 0 && !b[i].is_ascii_digit() {
            out.push(&value[i..i + n]);
        }
        i += n;
    }
    out
}

/// Variables nginx itself provides (core, proxy, upstream, ssl, realip and the usual modules),
/// and the prefixed families. Anything else must be defined by map, geo, set and friends.
pub fn is_builtin_variable(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "http_",
        "arg_",
        "cookie_",
        "sent_http_",
        "sent_trailer_",
        "upstream_http_",
        "upstream_cookie_",
        "upstream_trailer_",
        "ssl_",
        "proxy_protocol_",
        "geoip_",
        "jwt_",
        "realip_",
        "limit_",
        "upstream_",
        "secure_link",
        "invalid_referer",
    ];
    const NAMES: &[&str] = &[
        "args",
        "binary_remote_addr",
        "body_bytes_sent",
        "bytes_sent",
        "connection",
        "connection_requests",
        "connection_time",
        "connections_active",
        "connections_reading",
        "connections_waiting",
        "connections_writing",
        "content_length",
        "content_type",
        "document_root",
        "document_uri",
        "fastcgi_path_info",
        "fastcgi_script_name",
        "gzip_ratio",
        "host",
        "hostname",
        "is_args",
        "msec",
        "nginx_version",
        "pid",
        "pipe",
        "proxy_add_x_forwarded_for",
        "proxy_host",
        "proxy_port",
        "query_string",
        "realpath_root",
        "remote_addr",
        "remote_port",
        "remote_user",
        "request",
        "request_body",
        "request_body_file",
        "request_completion",
        "request_filename",
        "request_id",
        "request_length",
        "request_method",
        "request_time",
        "request_uri",
        "scheme",
        "server_addr",
        "server_name",
        "server_port",
        "server_protocol",
        "status",
        "tcpinfo_rtt",
        "tcpinfo_rttvar",
        "tcpinfo_snd_cwnd",
        "tcpinfo_rcv_space",
        "time_iso8601",
        "time_local",
        "uri",
        "date_gmt",
        "date_local",
        "http2",
        "http3",
        "binary_remote_addr",
        "modern_browser",
        "ancient_browser",
        "msie",
        "uid_got",
        "uid_set",
        "uid_reset",
        "memcached_key",
        "gzip_ratio",
        "spdy",
        "realip_remote_addr",
        "embedded_variable",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
        || NAMES.contains(&name)
        || name.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time_ms("60"), Some(60_000));
        assert_eq!(parse_time_ms("3600s"), Some(3_600_000));
        assert_eq!(parse_time_ms("1h30m"), Some(5_400_000));
        assert_eq!(parse_time_ms("1d"), Some(86_400_000));
        assert_eq!(parse_time_ms("500ms"), Some(500));
        assert_eq!(parse_time_ms("5x"), None);
        assert_eq!(parse_time_ms("$t"), None);
        assert_eq!(format_ms(120_000), "120s");
    }

    #[test]
    fn variables() {
        assert_eq!(
            variables_in("$connection_upgrade ${a}b $1 x$http_upgrade"),
            ["connection_upgrade", "a", "http_upgrade"]
        );
        assert!(is_builtin_variable("http_upgrade"));
        assert!(!is_builtin_variable("connection_upgrade"));
    }
}
