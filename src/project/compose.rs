//! What a docker-compose file says about ports: each service built from a directory of the
//! project (`build: ./api` or `build: { context: ./api }`) with the container ports its
//! `ports` (`"8080:8000"`, `- 8000`, `{ target: 8000 }`) and `expose` entries forward to.

use crate::formats::spanned::{Entry, Kind, Node};
use crate::source::Span;
use std::path::{Path, PathBuf};

/// A container port a compose file forwards to, where it is written.
#[derive(Clone, Debug)]
pub struct ContainerPort {
    pub port: u16,
    /// The container port's own digits (editable), or the whole entry.
    pub span: Span,
    /// The span holds exactly the digits, so a fix may replace them.
    pub exact: bool,
    /// "ports: \"8080:8000\"", for messages.
    pub written: String,
}

#[derive(Clone, Debug)]
pub struct ComposeService {
    pub name: String,
    /// Every name other containers reach it by on the compose network: the service name,
    /// `container_name`, network `aliases`, and aliases other services give it with
    /// `links: ["name:alias"]`.
    pub hosts: Vec<String>,
    /// The build context, relative to the working directory of the run.
    pub context: PathBuf,
    pub ports: Vec<ContainerPort>,
    /// The service replaces the image's start (`command`, `entrypoint`) or sets `PORT` in its
    /// `environment`/`env_file`: the build directory's Dockerfile no longer says where it listens.
    pub overrides_start: bool,
}

/// What a compose file says about ports and names, from one parse.
#[derive(Debug, Default)]
pub struct Compose {
    /// The services built from a directory of the project.
    pub built: Vec<ComposeService>,
    /// Every service, built or not, with the names it is reached by: a name two services
    /// share is ambiguous (Docker's DNS answers with both containers).
    pub hosts: Vec<Vec<String>>,
    /// The host ports published by any service: a loopback address on one of them reaches a
    /// container.
    pub published: Vec<u16>,
}

/// Reads the compose file at `path`; one that does not parse says nothing.
pub fn read(path: &Path, text: &str) -> Compose {
    let Ok(root) = crate::formats::spanned::parse_yaml(text) else {
        return Compose::default();
    };
    let services = root.get("services").and_then(Node::as_map).unwrap_or(&[]);
    Compose {
        built: built(path, text, services),
        hosts: services
            .iter()
            .map(|s| hosts_of(&s.key, &s.value, services))
            .collect(),
        published: published_ports(services),
    }
}

/// The services built from a directory.
fn built(path: &Path, text: &str, services: &[Entry]) -> Vec<ComposeService> {
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for s in services {
        let build = s.value.get("build");
        let context = build.and_then(|b| {
            b.as_str()
                .or_else(|| b.get("context").and_then(Node::as_str))
        });
        let Some(context) = context else { continue };
        let mut ports = Vec::new();
        for (key, list) in [
            ("ports", s.value.get("ports")),
            ("expose", s.value.get("expose")),
        ] {
            for item in list.and_then(Node::as_array).unwrap_or(&[]) {
                if let Some(p) = container_port(key, item, text) {
                    ports.push(p);
                }
            }
        }
        let env_sets_port = s.value.get("environment").is_some_and(|e| {
            let t = &text[e.span.range()];
            t.contains("PORT=") || t.contains("PORT:") || t.contains("PORT\"")
        });
        let overrides_start = s.value.get("command").is_some()
            || s.value.get("entrypoint").is_some()
            || s.value.get("env_file").is_some()
            || env_sets_port;
        out.push(ComposeService {
            hosts: hosts_of(s.key.as_str(), &s.value, services),
            name: s.key.clone(),
            context: normalise(&dir.join(context)),
            ports,
            overrides_start,
        });
    }
    out
}

/// The names of service `name` (its entry `service`) on the compose network.
fn hosts_of(name: &str, service: &Node, all: &[Entry]) -> Vec<String> {
    let mut hosts = vec![name.to_owned()];
    hosts.extend(
        service
            .get("container_name")
            .and_then(Node::as_str)
            .map(str::to_owned),
    );
    // `networks:` is a list of names (no aliases) or a map of network → settings.
    for net in service
        .get("networks")
        .and_then(Node::as_map)
        .unwrap_or(&[])
    {
        let aliases = net
            .value
            .get("aliases")
            .and_then(Node::as_array)
            .unwrap_or(&[]);
        hosts.extend(aliases.iter().filter_map(Node::as_str).map(str::to_owned));
    }
    for other in all {
        let links = other
            .value
            .get("links")
            .and_then(Node::as_array)
            .unwrap_or(&[]);
        for link in links.iter().filter_map(Node::as_str) {
            if let Some((target, alias)) = link.split_once(':')
                && target == name
            {
                hosts.push(alias.to_owned());
            }
        }
    }
    hosts
}

/// The host ports the services publish (`"8080:8000"` → 8080, `{ published: 8080 }`).
fn published_ports(services: &[Entry]) -> Vec<u16> {
    let mut out = Vec::new();
    for s in services {
        for item in s.value.get("ports").and_then(Node::as_array).unwrap_or(&[]) {
            let published = match &item.kind {
                Kind::Str(s) => {
                    // [IP:]HOST:CONTAINER[/proto]; a range publishes each of its ports.
                    let value = s.value.split('/').next().unwrap_or("");
                    let parts: Vec<&str> = value.rsplit(':').collect();
                    parts.get(1).map(|h| h.to_string())
                }
                Kind::Map(_) => item.get("published").and_then(|p| match &p.kind {
                    Kind::Int(i) => Some(i.to_string()),
                    Kind::Str(s) => Some(s.value.clone()),
                    _ => None,
                }),
                _ => None,
            };
            let Some(published) = published else { continue };
            match published.split_once('-') {
                Some((a, b)) => {
                    if let (Ok(a), Ok(b)) = (a.parse::<u16>(), b.parse::<u16>()) {
                        out.extend(a..=b.min(a.saturating_add(1000)));
                    }
                }
                None => out.extend(published.parse::<u16>().ok()),
            }
        }
    }
    out
}

/// `a/./b/../c` → `a/c`, so a context compares with the paths of the run's files.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            // A leading `./` stays: the run's own paths keep it (`wscfg check .`).
            std::path::Component::CurDir if out.as_os_str().is_empty() => out.push("."),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn container_port(key: &str, item: &Node, text: &str) -> Option<ContainerPort> {
    let written = format!("{key}: {}", &text[item.span.range()]);
    match &item.kind {
        Kind::Int(i) => Some(ContainerPort {
            port: u16::try_from(*i).ok()?,
            span: item.span,
            exact: true,
            written,
        }),
        Kind::Str(s) => {
            // HOST:CONTAINER, IP:HOST:CONTAINER, CONTAINER, each maybe with /proto.
            let value = s.value.split('/').next()?;
            let last = value.rsplit(':').next()?;
            let port: u16 = last.parse().ok()?;
            let at = value.len() - last.len();
            let (span, exact) = match s.content {
                Some(c) => (Span::new(c.start + at, c.start + at + last.len()), true),
                None => (item.span, false),
            };
            Some(ContainerPort {
                port,
                span,
                exact,
                written,
            })
        }
        Kind::Map(_) => {
            let target = item.get("target")?;
            let port = match &target.kind {
                Kind::Int(i) => u16::try_from(*i).ok()?,
                Kind::Str(s) => s.value.parse().ok()?,
                _ => return None,
            };
            Some(ContainerPort {
                port,
                span: target.span,
                exact: matches!(target.kind, Kind::Int(_)),
                written,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_a_service_is_reached_by() {
        let text = "services:\n  api:\n    build: ./api\n    container_name: chat-api\n    networks:\n      back:\n        aliases: [realtime, ws]\n      front: {}\n  worker:\n    build: ./worker\n    networks: [back]\n  proxy:\n    image: nginx\n    links:\n      - \"api:legacy-api\"\n      - worker\n";
        let s = read(Path::new("docker-compose.yml"), text).built;
        assert_eq!(
            s[0].hosts,
            ["api", "chat-api", "realtime", "ws", "legacy-api"]
        );
        assert_eq!(s[1].hosts, ["worker"]);
    }

    #[test]
    fn services_with_their_container_ports() {
        let text = "services:\n  api:\n    build: ./backend\n    ports:\n      - \"8080:8000\"\n      - 9000\n  web:\n    build:\n      context: frontend\n    expose:\n      - \"3000\"\n    ports:\n      - target: 3000\n        published: 80\n  db:\n    image: postgres:16\n";
        let s = read(Path::new("deploy/docker-compose.yml"), text).built;
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].context, PathBuf::from("deploy/backend"));
        let p: Vec<(u16, &str)> = s[0]
            .ports
            .iter()
            .map(|p| (p.port, &text[p.span.range()]))
            .collect();
        assert_eq!(p, [(8000, "8000"), (9000, "9000")]);
        assert_eq!(s[1].ports.len(), 2);
        assert!(s[1].ports.iter().all(|p| p.port == 3000));
        let s = read(
            Path::new("docker-compose.yml"),
            "services:\n  api:\n    build: ../api\n",
        )
        .built;
        assert_eq!(s[0].context, PathBuf::from("../api"));
        let s = read(
            Path::new("./docker-compose.yml"),
            "services:\n  api:\n    build: ./api\n",
        )
        .built;
        assert_eq!(s[0].context, PathBuf::from("./api"));
        assert!(Path::new("./api/Dockerfile").starts_with(&s[0].context));
    }

    #[test]
    fn published_host_ports() {
        let text = "services:\n  api:\n    build: ./api\n    ports:\n      - \"127.0.0.1:8080:8000\"\n      - \"9000\"\n  web:\n    image: nginx\n    ports:\n      - target: 80\n        published: 8081\n      - \"7000-7001:7000-7001/udp\"\n";
        assert_eq!(
            read(Path::new("c.yml"), text).published,
            [8080, 8081, 7000, 7001]
        );
    }
}
