//! Small helpers over the URLs and routes the scans find: split a `ws://` URL, tell a
//! local/internal host from a public one, and match a client path against a server route.

/// The parts of `scheme://host[:port]/path` (a path alone gives no scheme or host).
#[derive(Debug, PartialEq, Eq)]
pub struct UrlParts<'a> {
    pub scheme: Option<&'a str>,
    pub host: &'a str,
    pub port: Option<&'a str>,
    /// Byte range of `host[:port]` in the URL.
    pub authority: std::ops::Range<usize>,
    pub path: &'a str,
}

pub fn split(url: &str) -> UrlParts<'_> {
    let Some((scheme, rest)) = url.split_once("://") else {
        let path = url.split(['?', '#']).next().unwrap_or("");
        return UrlParts {
            scheme: None,
            host: "",
            port: None,
            authority: 0..0,
            path,
        };
    };
    let start = scheme.len() + 3;
    let auth_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..auth_len];
    let (host, port) = if let Some(close) = authority.strip_prefix('[').and_then(|a| a.find(']')) {
        let host = &authority[..close + 2];
        (host, authority[close + 2..].strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let path_and_more = &rest[auth_len..];
    let path = path_and_more.split(['?', '#']).next().unwrap_or("");
    UrlParts {
        scheme: Some(scheme),
        host,
        port,
        authority: start..start + auth_len,
        path,
    }
}

/// A host browsers of other people never reach: loopback, private addresses, and
/// single-label names (`backend`, compose service names).
pub fn is_local_host(host: &str) -> bool {
    let h = host
        .trim_matches(|c| c == '[' || c == ']')
        .to_ascii_lowercase();
    if h.is_empty() || h.contains('$') || h.contains('{') || h.contains('<') {
        return true; // not a literal host: nothing can be said
    }
    if h == "localhost" || h.ends_with(".localhost") || h == "host.docker.internal" {
        return true;
    }
    if h == "::1" || h == "0.0.0.0" || h.starts_with("127.") || h.starts_with("10.") {
        return true;
    }
    if h.starts_with("192.168.") || h.ends_with(".local") || h.ends_with(".internal") {
        return true;
    }
    if let Some(rest) = h.strip_prefix("172.")
        && let Some(second) = rest.split('.').next().and_then(|s| s.parse::<u8>().ok())
    {
        return (16..=31).contains(&second);
    }
    !h.contains('.') && !h.contains(':')
}

/// Whether a `.env*` file is read by production builds: `.env`, `.env.production`,
/// `.env.production.local`, `.env.prod`, `.env.staging` — not development, test, local or
/// example files.
pub fn env_file_is_production(name: &str) -> bool {
    if name == ".env" {
        return true;
    }
    let Some(rest) = name.strip_prefix(".env.") else {
        return false;
    };
    let first = rest.split('.').next().unwrap_or("");
    matches!(first, "production" | "prod" | "staging" | "live")
}

/// Variables frameworks inline into browser bundles.
pub fn is_public_var(name: &str) -> bool {
    [
        "NEXT_PUBLIC_",
        "VITE_",
        "REACT_APP_",
        "PUBLIC_",
        "NUXT_PUBLIC_",
        "EXPO_PUBLIC_",
        "VUE_APP_",
        "GATSBY_",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg<'a> {
    Lit(&'a str),
    /// One segment whose value is not known (a parameter, a `${…}`, a regex).
    Any,
    /// The rest of the path (`{p:path}`, `.*`).
    Rest,
}

fn client_segments(path: &str) -> Vec<Seg<'_>> {
    path.trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.contains("${") || s.contains('{') {
                Seg::Any
            } else {
                Seg::Lit(s)
            }
        })
        .collect()
}

fn route_segments(route: &str) -> Vec<Seg<'_>> {
    route
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.ends_with(":path}") || s == ".*" || s == "*" || s.starts_with("*") {
                Seg::Rest
            } else if s.starts_with(':')
                || s.contains('{')
                || s.contains('<')
                || s.contains(|c| "()[]\\+*?|".contains(c))
            {
                Seg::Any
            } else {
                Seg::Lit(s)
            }
        })
        .collect()
}

/// Whether a client path can reach a server route. Unknown parts match anything and a
/// trailing slash is not held against either side.
pub fn path_matches(client: &str, route: &str) -> bool {
    let c = client_segments(client);
    let r = route_segments(route);
    let mut i = 0;
    for seg in &r {
        match seg {
            Seg::Rest => return true,
            Seg::Any => {
                if i >= c.len() {
                    return false;
                }
            }
            Seg::Lit(l) => match c.get(i) {
                Some(Seg::Lit(x)) if x == l => {}
                Some(Seg::Any) => {}
                _ => return false,
            },
        }
        i += 1;
    }
    // Go's `"/ws/"` pattern is a prefix.
    i == c.len() || route.ends_with('/') && route.len() > 1 && !route.contains('{')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let u = split("ws://api.example.com:8000/ws/room?x=1");
        assert_eq!(
            (u.host, u.port, u.path),
            ("api.example.com", Some("8000"), "/ws/room")
        );
        assert_eq!(
            &"ws://api.example.com:8000/ws/room?x=1"[u.authority],
            "api.example.com:8000"
        );
        let u = split("ws://[::1]:9000/");
        assert_eq!((u.host, u.port), ("[::1]", Some("9000")));
        assert_eq!(split("/ws/chat").path, "/ws/chat");
    }

    #[test]
    fn local_hosts() {
        for h in [
            "localhost",
            "127.0.0.1",
            "[::1]",
            "backend",
            "10.0.0.4",
            "172.20.0.2",
            "${host}",
        ] {
            assert!(is_local_host(h), "{h}");
        }
        for h in ["api.example.com", "8.8.8.8", "172.40.0.1"] {
            assert!(!is_local_host(h), "{h}");
        }
    }

    #[test]
    fn routes() {
        assert!(path_matches(
            "/ws/${room}/${user}",
            "/ws/{room_id}/{user_id}"
        ));
        assert!(path_matches("/ws/lobby/42/", "/ws/{room_id}/{user_id}"));
        assert!(!path_matches("/ws/lobby", "/ws/{room_id}/{user_id}"));
        assert!(!path_matches("/socket", "/ws"));
        assert!(path_matches("/ws/chat/lobby/", "/ws/chat/(?P<room>\\w+)/"));
        assert!(path_matches("/live/websocket", "/live/websocket"));
        assert!(path_matches("/ws/anything", "/ws/"));
        assert!(path_matches("/files/a/b", "/files/{p:path}"));
        assert!(env_file_is_production(".env.production.local"));
        assert!(!env_file_is_production(".env.development"));
        assert!(!env_file_is_production(".env.example"));
    }
}
