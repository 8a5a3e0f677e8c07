//! Whether a URL path names a WebSocket endpoint, asked by every format that routes paths.

/// Path segments that name WebSocket endpoints in real deployments.
const WS_SEGMENTS: &[&str] = &[
    "ws",
    "wss",
    "websocket",
    "websockets",
    "socket",
    "socket.io",
    "sockjs",
    "cable",
    "graphql-ws",
    "subscriptions",
];

/// The segment of `path` that names a WebSocket endpoint, if any (`/ws`, `/socket.io/`,
/// `/api/chat-ws`, `wss://…`).
pub fn websocket_path_segment(path: &str) -> Option<String> {
    let lower = path.trim().to_ascii_lowercase();
    if lower.starts_with("ws://") || lower.starts_with("wss://") {
        return Some(lower.split("://").next().unwrap_or("ws").to_owned() + "://");
    }
    let path_part = lower.split(['?', '#']).next().unwrap_or("");
    path_part
        .split('/')
        .find(|seg| {
            WS_SEGMENTS.contains(seg)
                || seg.ends_with("-ws")
                || seg.ends_with("_ws")
                || seg.ends_with(".ws")
                || seg.starts_with("ws-")
                || seg.starts_with("ws_")
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_paths() {
        assert_eq!(websocket_path_segment("/ws"), Some("ws".into()));
        assert_eq!(
            websocket_path_segment("/socket.io/?EIO=4"),
            Some("socket.io".into())
        );
        assert_eq!(
            websocket_path_segment("/api/chat-ws"),
            Some("chat-ws".into())
        );
        assert_eq!(websocket_path_segment("/health"), None);
        assert_eq!(websocket_path_segment("/news"), None);
    }
}
