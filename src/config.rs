//! `wscfg.toml` (or `--config FILE`): which rules run, at what severity, and the facts about
//! the deployment wscfg cannot see (target nginx version, WebSocket paths, include layout).

use crate::diagnostic::Severity;
use crate::formats::nginx::tree::Context;
use crate::rules::RuleMeta;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONFIG_NAMES: &[&str] = &["wscfg.toml", ".wscfg.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
    #[serde(default)]
    nginx: RawNginx,
    #[serde(default)]
    fly: RawFly,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFly {
    #[serde(default)]
    websocket_ports: Vec<u16>,
    low_hard_limit: Option<u32>,
    target_hard_limit: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawNginx {
    version: Option<String>,
    min_read_timeout: Option<String>,
    #[serde(default)]
    websocket_paths: Vec<String>,
    #[serde(default)]
    include_map: Vec<IncludeMapping>,
    context: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IncludeMapping {
    pub from: String,
    pub to: String,
}

/// What the nginx model needs to know about the deployment.
#[derive(Debug, Clone)]
pub struct NginxSettings {
    /// Target nginx version; `None` means "assume an nginx older than 1.29.7".
    pub version: Option<(u32, u32, u32)>,
    pub min_read_timeout_ms: u64,
    pub websocket_paths: Vec<String>,
    pub include_map: Vec<IncludeMapping>,
    /// The parent contexts of a fragment checked on its own (`--context http,server`).
    pub context: Option<Vec<Context>>,
}

impl Default for NginxSettings {
    fn default() -> Self {
        NginxSettings {
            version: None,
            min_read_timeout_ms: 120_000,
            websocket_paths: Vec::new(),
            include_map: Vec::new(),
            context: None,
        }
    }
}

/// What the fly.toml model needs to know about the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlySettings {
    /// Internal or public ports that carry WebSockets (`[fly] websocket-ports`).
    pub websocket_ports: Vec<u16>,
    /// Concurrency `hard_limit`s at or below this are reported on WebSocket services.
    pub low_hard_limit: u32,
    /// The `hard_limit` FLY002's fix writes; its `soft_limit` is 80% of it.
    pub target_hard_limit: u32,
}

impl Default for FlySettings {
    fn default() -> Self {
        FlySettings {
            websocket_ports: Vec::new(),
            low_hard_limit: 100,
            target_hard_limit: 1000,
        }
    }
}

impl FlySettings {
    /// The `soft_limit` written beside [`FlySettings::target_hard_limit`]: 80% of it, rounded
    /// up, the ratio flyctl itself used when it filled a missing soft limit.
    pub fn target_soft_limit(&self) -> u32 {
        (u64::from(self.target_hard_limit) * 4).div_ceil(5) as u32
    }
}

impl NginxSettings {
    /// nginx 1.29.7 made HTTP/1.1 the default for proxied requests and stopped sending
    /// `Connection: close`.
    pub fn proxies_http11_by_default(&self) -> bool {
        self.version.is_some_and(|v| v >= (1, 29, 7))
    }
}

#[derive(Debug, Default, Clone)]
pub struct Config {
    pub path: Option<PathBuf>,
    select: Vec<String>,
    ignore: Vec<String>,
    severity: BTreeMap<String, Severity>,
    pub nginx: NginxSettings,
    pub fly: FlySettings,
}

pub fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.trim().split('.').map(|p| p.parse::<u32>());
    let major = it.next()?.ok()?;
    let minor = it.next().unwrap_or(Ok(0)).ok()?;
    let patch = it.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
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

impl Config {
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::from_toml(&text)
            .map(|mut c| {
                c.path = Some(path.to_owned());
                c
            })
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_toml(text: &str) -> Result<Config, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        for name in raw
            .select
            .iter()
            .chain(&raw.ignore)
            .chain(raw.severity.keys())
        {
            if crate::rules::find(name).is_none() {
                return Err(format!("unknown rule `{name}`"));
            }
        }
        let mut nginx = NginxSettings::default();
        if let Some(v) = raw.nginx.version {
            nginx.version =
                Some(parse_version(&v).ok_or_else(|| format!("bad nginx version `{v}`"))?);
        }
        if let Some(t) = raw.nginx.min_read_timeout {
            nginx.min_read_timeout_ms = crate::formats::nginx::values::parse_time_ms(&t)
                .ok_or_else(|| format!("bad nginx time `{t}` for min-read-timeout"))?;
        }
        nginx.websocket_paths = raw.nginx.websocket_paths;
        nginx.include_map = raw.nginx.include_map;
        if let Some(c) = raw.nginx.context {
            nginx.context = Some(parse_context(&c)?);
        }
        let mut fly = FlySettings {
            websocket_ports: raw.fly.websocket_ports,
            ..FlySettings::default()
        };
        if let Some(v) = raw.fly.low_hard_limit {
            fly.low_hard_limit = v;
        }
        if let Some(v) = raw.fly.target_hard_limit {
            fly.target_hard_limit = v;
        }
        if fly.target_hard_limit <= fly.low_hard_limit {
            return Err(format!(
                "[fly] target-hard-limit ({}) must be above low-hard-limit ({})",
                fly.target_hard_limit, fly.low_hard_limit
            ));
        }
        Ok(Config {
            path: None,
            select: raw.select,
            ignore: raw.ignore,
            severity: raw.severity,
            nginx,
            fly,
        })
    }

    /// The closest `wscfg.toml` / `.wscfg.toml` in `start` or a directory above it.
    pub fn discover(start: &Path) -> Result<Option<Config>, String> {
        let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_owned());
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            for name in CONFIG_NAMES {
                let candidate = d.join(name);
                if candidate.is_file() {
                    return Config::load(&candidate).map(Some);
                }
            }
            dir = d.parent();
        }
        Ok(None)
    }

    pub fn add_select(&mut self, names: &[String]) {
        self.select.extend(names.iter().cloned());
    }
    pub fn add_ignore(&mut self, names: &[String]) {
        self.ignore.extend(names.iter().cloned());
    }

    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        let named = |list: &[String]| list.iter().any(|n| meta.is_named(n));
        (self.select.is_empty() || named(&self.select)) && !named(&self.ignore)
    }

    pub fn severity(&self, meta: &RuleMeta) -> Severity {
        self.severity
            .iter()
            .find(|(n, _)| meta.is_named(n))
            .map_or(meta.severity, |(_, s)| *s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_setting() {
        let c = Config::from_toml(
            r#"
            ignore = ["read-timeout-short"]
            [severity]
            NGX001 = "warning"
            [nginx]
            version = "1.22"
            min-read-timeout = "5m"
            websocket-paths = ["/live"]
            include-map = [{ from = "sites-enabled", to = "sites-available" }]
            context = "http,server"
            "#,
        )
        .unwrap();
        assert_eq!(c.nginx.version, Some((1, 22, 0)));
        assert_eq!(c.nginx.min_read_timeout_ms, 300_000);
        assert_eq!(c.nginx.context, Some(vec![Context::Http, Context::Server]));
        let ngx006 = crate::rules::find("NGX006").unwrap();
        assert!(!c.enabled(ngx006));
        assert_eq!(
            c.severity(crate::rules::find("NGX001").unwrap()),
            Severity::Warning
        );
    }

    #[test]
    fn reads_fly_settings() {
        let c = Config::from_toml(
            "[fly]\nwebsocket-ports = [8081]\nlow-hard-limit = 50\ntarget-hard-limit = 500\n",
        )
        .unwrap();
        assert_eq!(c.fly.websocket_ports, vec![8081]);
        assert_eq!(c.fly.low_hard_limit, 50);
        assert_eq!(c.fly.target_hard_limit, 500);
        assert_eq!(c.fly.target_soft_limit(), 400);
        assert_eq!(Config::default().fly.target_hard_limit, 1000);
        assert!(Config::from_toml("[fly]\ntarget-hard-limit = 10\n").is_err());
        assert!(Config::from_toml("[fly]\nwebsocket-port = [1]\n").is_err());
    }

    #[test]
    fn rejects_unknown_rules_and_keys() {
        assert!(Config::from_toml("ignore = [\"NGX999\"]").is_err());
        assert!(Config::from_toml("[nginx]\nversoin = \"1\"").is_err());
    }
}
