//! What the nginx model needs to know about the deployment (built from `[nginx]` and the
//! command line by the configuration layer).

use super::tree::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IncludeMapping {
    pub from: String,
    pub to: String,
}

/// What the nginx model needs to know about the deployment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Target nginx version; `None` means "assume an nginx older than 1.29.7".
    pub version: Option<(u32, u32, u32)>,
    pub min_read_timeout_ms: u64,
    pub websocket_paths: Vec<String>,
    pub include_map: Vec<IncludeMapping>,
    /// The parent contexts of a fragment checked on its own (`--context http,server`).
    pub context: Option<Vec<Context>>,
    /// Third-party modules the deployment's nginx is built with (`lua`, `headers-more`, …).
    /// `None`: any module wscfg knows may be there, so their directives are all accepted.
    pub modules: Option<Vec<String>>,
    /// Directives of modules wscfg has no table for: not reported as unknown.
    pub extra_directives: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: None,
            min_read_timeout_ms: 120_000,
            websocket_paths: Vec::new(),
            include_map: Vec::new(),
            context: None,
            modules: None,
            extra_directives: Vec::new(),
        }
    }
}

impl Settings {
    /// nginx 1.29.7 made HTTP/1.1 the default for proxied requests and stopped sending
    /// `Connection: close`.
    pub fn proxies_http11_by_default(&self) -> bool {
        self.version.is_some_and(|v| v >= (1, 29, 7))
    }
}

pub fn parse_context(s: &str) -> Result<Vec<Context>, String> {
    s.split(',')
        .map(|c| {
            Context::parse(c).ok_or_else(|| {
                format!("unknown nginx context `{c}` (main, http, server, location)")
            })
        })
        .collect()
}

pub fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.trim().split('.').map(|p| p.parse::<u32>());
    let major = it.next()?.ok()?;
    let minor = it.next().unwrap_or(Ok(0)).ok()?;
    let patch = it.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}
