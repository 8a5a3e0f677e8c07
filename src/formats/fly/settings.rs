//! What the Fly.io model and rules need to know about the deployment (`[fly]`).

/// What the Fly.io rules need to know about the deployment (`[fly]`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Internal or public ports that carry WebSockets (`[fly] websocket-ports`).
    pub websocket_ports: Vec<u16>,
    /// Concurrency `hard_limit`s at or below this are reported on WebSocket services.
    pub low_hard_limit: u32,
    /// The `hard_limit` FLY002's fix writes; its `soft_limit` is 80% of it.
    pub target_hard_limit: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            websocket_ports: Vec::new(),
            low_hard_limit: 100,
            target_hard_limit: 1000,
        }
    }
}

impl Settings {
    /// The `soft_limit` written beside [`Settings::target_hard_limit`]: 80% of it, rounded
    /// up, the ratio flyctl itself used when it filled a missing soft limit.
    pub fn target_soft_limit(&self) -> u32 {
        (u64::from(self.target_hard_limit) * 4).div_ceil(5) as u32
    }
}
