//! Kubernetes manifests read for ingress-nginx: `Ingress` objects (and the `Service`,
//! `Deployment`/`StatefulSet`, `IngressClass` and controller `ConfigMap` objects next to
//! them) in YAML files with one or more `---`-separated documents, such as `helm template`
//! output. Parsed with the same located YAML loader as apprunner.yaml, so every value keeps
//! its span.

use crate::fix::Edit;
use crate::formats::head::Head;
use crate::formats::spanned::{Kind, Node};
use crate::formats::ws_path::websocket_path_segment;
use crate::source::{FileId, SourceDb, SourceFile, Span};

pub const ANN_PREFIX: &str = "nginx.ingress.kubernetes.io/";
pub const READ_TIMEOUT: &str = "nginx.ingress.kubernetes.io/proxy-read-timeout";
pub const SEND_TIMEOUT: &str = "nginx.ingress.kubernetes.io/proxy-send-timeout";
pub const AFFINITY: &str = "nginx.ingress.kubernetes.io/affinity";
pub const NGINX_INC_WEBSOCKET: &str = "nginx.org/websocket-services";
/// ingress-nginx's proxy timeouts when neither an annotation nor the controller's ConfigMap
/// sets them, in seconds.
pub const DEFAULT_TIMEOUT_S: u64 = 60;

/// `.yaml` / `.yml` files holding an `Ingress`. A file found in a walk that still holds Helm
/// template syntax (`{{ … }}`) is left alone: only its rendered output is YAML.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return false;
    }
    let text = head.text();
    looks_like_ingress(text) && (named || !text.contains("{{"))
}

/// A top-level `kind: Ingress` with an `apiVersion:` in the same file.
pub fn looks_like_ingress(text: &str) -> bool {
    let ingress = text.lines().any(|l| {
        l.strip_prefix("kind:").map(|v| {
            v.split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
        }) == Some("Ingress")
    });
    ingress && text.lines().any(|l| l.starts_with("apiVersion:"))
}

// ---------------------------------------------------------------- model

/// The controller an Ingress is meant for, and why wscfg thinks so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Controller {
    /// The community controller (kubernetes/ingress-nginx).
    IngressNginx,
    /// F5 NGINX Inc's controller (nginx/kubernetes-ingress), `nginx.org/*` annotations.
    NginxInc,
    Other,
    Unknown,
}

#[derive(Clone, Debug)]
pub struct ControllerGuess {
    pub controller: Controller,
    /// Whether the file says so (an IngressClass, the controller's own annotations) rather
    /// than only a class name such as `nginx`, which both NGINX controllers use by default.
    pub certain: bool,
    pub why: String,
    pub span: Option<Span>,
}

/// One routed path of an Ingress.
#[derive(Clone, Debug)]
pub struct IngressPath<'a> {
    /// The path as written (`/` for the default backend or a rule without one).
    pub path: String,
    /// The `path:` value, or the backend when there is none.
    pub span: Span,
    pub service: Option<&'a Node>,
}

impl IngressPath<'_> {
    pub fn service_name(&self) -> Option<&str> {
        self.service.and_then(Node::as_str)
    }
}

/// Why wscfg believes a path carries WebSockets.
#[derive(Clone, Debug)]
pub struct WsPath<'a> {
    pub path: IngressPath<'a>,
    pub what: String,
    pub span: Span,
    /// Only Socket.IO is seen on this path (its clients ping every 25 s).
    pub socket_io: bool,
}

#[derive(Clone, Debug)]
pub struct Ingress<'a> {
    pub doc: &'a Node,
    pub name: String,
    pub metadata: Option<&'a Node>,
    pub annotations: Option<&'a Node>,
    pub paths: Vec<IngressPath<'a>>,
}

impl<'a> Ingress<'a> {
    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.annotations?.get(key)
    }
    pub fn annotation_entry(&self, key: &str) -> Option<&'a crate::formats::spanned::Entry> {
        self.annotations?.entry(key)
    }
    /// The class name and its span: `spec.ingressClassName` or the older annotation.
    pub fn class(&self) -> Option<(&'a str, Span)> {
        let n = self
            .doc
            .get("spec")
            .and_then(|s| s.get("ingressClassName"))
            .or_else(|| self.annotation("kubernetes.io/ingress.class"))?;
        Some((n.as_str()?, n.span))
    }
}

pub struct K8sContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    pub docs: &'a [Node],
}

fn kind_of(doc: &Node) -> Option<&str> {
    doc.get("kind")?.as_str()
}

fn name_of(doc: &Node) -> Option<&str> {
    doc.get("metadata")?.get("name")?.as_str()
}

/// Integer seconds as ingress-nginx reads its timeout annotations (`"3600"`); a number with
/// an nginx unit (`"60s"`) is read as nginx would.
pub fn timeout_seconds(n: &Node) -> Option<u64> {
    match &n.kind {
        Kind::Int(i) => u64::try_from(*i).ok(),
        Kind::Str(s) => {
            let v = s.value.trim();
            v.parse()
                .ok()
                .or_else(|| crate::formats::nginx::values::parse_time_ms(v).map(|ms| ms / 1000))
        }
        _ => None,
    }
}

/// Service name words that name WebSocket backends (`chat-ws`, `realtime`, `websocket-gw`).
fn websocket_service(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    websocket_path_segment(&lower).is_some()
        || lower.contains("websocket")
        || lower.contains("socketio")
        || lower
            .split(['-', '_', '.'])
            .any(|w| w == "ws" || w == "wss")
}

impl<'a> K8sContext<'a> {
    pub fn source(&self) -> &'a SourceFile {
        self.db.get(self.file)
    }

    pub fn objects(&self, kind: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.docs.iter().filter(move |d| kind_of(d) == Some(kind))
    }

    pub fn ingresses(&self) -> Vec<Ingress<'a>> {
        self.objects("Ingress").map(ingress).collect()
    }

    /// A Service of this file by name.
    pub fn service(&self, name: &str) -> Option<&'a Node> {
        self.objects("Service").find(|d| name_of(d) == Some(name))
    }

    /// The controller ConfigMap's value for `key` (`proxy-read-timeout`), when the file holds
    /// a ConfigMap that sets it: it replaces the 60 s default for every Ingress.
    pub fn controller_config(&self, key: &str) -> Option<&'a Node> {
        self.objects("ConfigMap")
            .filter_map(|d| d.get("data")?.get(key))
            .next()
    }

    pub fn controller(&self, ing: &Ingress<'a>) -> ControllerGuess {
        let class = ing.class();
        if let Some((class, _)) = class {
            let declared = self
                .objects("IngressClass")
                .find(|d| name_of(d) == Some(class))
                .and_then(|d| d.get("spec")?.get("controller"));
            if let Some(c) = declared.and_then(|c| c.as_str().map(|s| (s, c.span))) {
                let controller = match c.0 {
                    "k8s.io/ingress-nginx" => Controller::IngressNginx,
                    "nginx.org/ingress-controller" => Controller::NginxInc,
                    _ => Controller::Other,
                };
                return ControllerGuess {
                    controller,
                    certain: true,
                    why: format!("IngressClass `{class}` names the controller `{}`", c.0),
                    span: Some(c.1),
                };
            }
        }
        let keys: Vec<&crate::formats::spanned::Entry> = ing
            .annotations
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .collect();
        if let Some(e) = keys.iter().find(|e| e.key.starts_with(ANN_PREFIX)) {
            return ControllerGuess {
                controller: Controller::IngressNginx,
                certain: true,
                why: format!("`{}` is an ingress-nginx annotation", e.key),
                span: Some(e.key_span),
            };
        }
        if let Some(e) = keys
            .iter()
            .find(|e| e.key.starts_with("nginx.org/") || e.key.starts_with("nginx.com/"))
        {
            return ControllerGuess {
                controller: Controller::NginxInc,
                certain: false,
                why: format!("`{}` is an NGINX Inc controller annotation", e.key),
                span: Some(e.key_span),
            };
        }
        match class {
            Some((c, span)) if c.contains("nginx") => ControllerGuess {
                controller: Controller::IngressNginx,
                certain: false,
                why: format!("the ingress class is `{c}`"),
                span: Some(span),
            },
            Some((c, span)) => ControllerGuess {
                controller: Controller::Other,
                certain: false,
                why: format!("the ingress class is `{c}`"),
                span: Some(span),
            },
            None => ControllerGuess {
                controller: Controller::Unknown,
                certain: false,
                why: "no ingress class".into(),
                span: None,
            },
        }
    }

    /// Services NGINX Inc's `nginx.org/websocket-services` annotation lists.
    fn inc_websocket_services(ing: &Ingress<'a>) -> Vec<String> {
        ing.annotation(NGINX_INC_WEBSOCKET)
            .and_then(Node::as_str)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The paths of `ing` that carry WebSockets, as far as the manifest shows.
    pub fn websocket_paths(&self, ing: &Ingress<'a>) -> Vec<WsPath<'a>> {
        let listed = Self::inc_websocket_services(ing);
        let snippet = [
            "nginx.ingress.kubernetes.io/configuration-snippet",
            "nginx.ingress.kubernetes.io/server-snippet",
        ]
        .iter()
        .filter_map(|k| ing.annotation_entry(k))
        .find(|e| {
            e.value
                .as_str()
                .is_some_and(|v| v.to_ascii_lowercase().contains("upgrade"))
        });
        let mut out = Vec::new();
        for p in &ing.paths {
            let svc = p.service_name();
            let (what, span, socket_io) = if let Some(seg) = websocket_path_segment(&p.path) {
                (
                    format!("the path `{}` names a WebSocket endpoint", p.path),
                    p.span,
                    seg == "socket.io",
                )
            } else if let Some(name) = svc.filter(|s| websocket_service(s)) {
                (
                    format!("the backend service `{name}` is a WebSocket service"),
                    p.service.map_or(p.span, |n| n.span),
                    false,
                )
            } else if let Some(name) = svc.filter(|s| listed.iter().any(|l| l == s)) {
                (
                    format!("`{NGINX_INC_WEBSOCKET}` lists the service `{name}`"),
                    p.service.map_or(p.span, |n| n.span),
                    false,
                )
            } else if let Some(e) = snippet {
                (
                    format!("`{}` sets Upgrade headers", e.key),
                    e.key_span,
                    false,
                )
            } else {
                continue;
            };
            out.push(WsPath {
                path: p.clone(),
                what,
                span,
                socket_io,
            });
        }
        out
    }

    /// The pods behind a Service of this file: (workload, replicas node or `None` for the
    /// default of 1). A HorizontalPodAutoscaler's `maxReplicas` counts when it is larger.
    pub fn replicas_behind(&self, service: &str) -> Option<(&'a Node, u64, Option<Span>)> {
        let selector = self
            .service(service)?
            .get("spec")?
            .get("selector")?
            .as_map()?;
        let workload = self
            .docs
            .iter()
            .filter(|d| {
                matches!(
                    kind_of(d),
                    Some("Deployment" | "StatefulSet" | "ReplicaSet")
                )
            })
            .find(|d| {
                let labels = d
                    .get("spec")
                    .and_then(|s| s.get("template"))
                    .and_then(|t| t.get("metadata"))
                    .and_then(|m| m.get("labels"));
                !selector.is_empty()
                    && selector.iter().all(|sel| {
                        labels.and_then(|l| l.get(&sel.key)).and_then(Node::as_str)
                            == sel.value.as_str()
                    })
            })?;
        let replicas = workload.get("spec").and_then(|s| s.get("replicas"));
        let mut count = replicas
            .and_then(Node::as_int)
            .map_or(1, |i| u64::try_from(i).unwrap_or(0));
        let mut span = replicas.map(|r| r.span);
        let wname = name_of(workload);
        for hpa in self.objects("HorizontalPodAutoscaler") {
            let spec = hpa.get("spec");
            let target = spec
                .and_then(|s| s.get("scaleTargetRef"))
                .and_then(|t| t.get("name"))
                .and_then(Node::as_str);
            let max = spec.and_then(|s| s.get("maxReplicas"));
            if let (true, Some(max)) = (target.is_some() && target == wname, max) {
                let m = max.as_int().map_or(0, |i| u64::try_from(i).unwrap_or(0));
                if m > count {
                    count = m;
                    span = Some(max.span);
                }
            }
        }
        Some((workload, count, span))
    }

    /// Edits that make each `(key, value)` of `pairs` an annotation of `ing` with the quoted
    /// string value: values replaced in place, missing keys added as lines after the last
    /// annotation (or in an `annotations:` block added to `metadata`). `None` when the layout
    /// is not block style.
    pub fn set_annotations(&self, ing: &Ingress<'a>, pairs: &[(&str, &str)]) -> Option<Vec<Edit>> {
        let src = self.source();
        let mut edits = Vec::new();
        let mut missing = Vec::new();
        for (key, value) in pairs {
            match ing.annotation_entry(key) {
                Some(e) => edits.push(Edit::replace(
                    self.file,
                    e.value.span,
                    format!("\"{value}\""),
                )),
                None => missing.push((key, value)),
            }
        }
        if missing.is_empty() {
            return Some(edits);
        }
        let (at, indent, annotations_at) = match ing.annotations {
            Some(ann) => {
                let last = ann.as_map()?.last()?;
                if !starts_line(src, last.key_span.start) {
                    return None; // a flow mapping `{a: b}`
                }
                let indent = src.indentation_at(last.key_span.start).to_owned();
                (
                    src.line_end(last.value.span.end.max(last.key_span.end)),
                    indent,
                    None,
                )
            }
            None => {
                let entries = ing.metadata?.as_map()?;
                let (first, last) = (entries.first()?, entries.last()?);
                if !starts_line(src, first.key_span.start) || !starts_line(src, last.key_span.start)
                {
                    return None;
                }
                let outer = src.indentation_at(first.key_span.start);
                (
                    src.line_end(last.value.span.end.max(last.key_span.end)),
                    format!("{outer}  "),
                    Some(outer),
                )
            }
        };
        let nl = src.newline_at(at);
        let mut text =
            annotations_at.map_or(String::new(), |outer| format!("{nl}{outer}annotations:"));
        for (key, value) in missing {
            text.push_str(&format!("{nl}{indent}{key}: \"{value}\""));
        }
        edits.push(Edit::insert(self.file, at, text));
        Some(edits)
    }
}

/// Whether only indentation comes before `at` on its line (a block-style key).
fn starts_line(src: &SourceFile, at: usize) -> bool {
    src.text[src.line_start(at)..at].trim().is_empty()
}

fn ingress(doc: &Node) -> Ingress<'_> {
    let metadata = doc.get("metadata");
    let annotations = metadata
        .and_then(|m| m.get("annotations"))
        .filter(|a| a.as_map().is_some());
    let mut paths = Vec::new();
    let spec = doc.get("spec");
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = spec.and_then(|s| s.get(key)) {
            paths.push(IngressPath {
                path: "/".into(),
                span: b.span,
                service: service_of(b),
            });
        }
    }
    for rule in spec
        .and_then(|s| s.get("rules"))
        .and_then(Node::as_array)
        .unwrap_or(&[])
    {
        for p in rule
            .get("http")
            .and_then(|h| h.get("paths"))
            .and_then(Node::as_array)
            .unwrap_or(&[])
        {
            let backend = p.get("backend");
            let path_node = p.get("path");
            paths.push(IngressPath {
                path: path_node.and_then(Node::as_str).unwrap_or("/").to_owned(),
                span: path_node.or(backend).map_or(p.span, |n| n.span),
                service: backend.and_then(service_of),
            });
        }
    }
    Ingress {
        doc,
        name: name_of(doc).unwrap_or("(unnamed)").to_owned(),
        metadata,
        annotations,
        paths,
    }
}

/// `backend.service.name` (networking.k8s.io/v1) or `backend.serviceName` (v1beta1).
fn service_of(backend: &Node) -> Option<&Node> {
    backend
        .get("service")
        .and_then(|s| s.get("name"))
        .or_else(|| backend.get("serviceName"))
}

// ---------------------------------------------------------------- lint

pub fn parse(text: &str) -> Result<Vec<Node>, crate::formats::SyntaxError> {
    crate::formats::spanned::parse_yaml_documents(text)
}

pub fn parses(text: &str) -> bool {
    parse(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELM: &str = "---\n# Source: chat/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: chat\nspec:\n  selector:\n    app: chat\n---\n# Source: chat/templates/ingress.yaml\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: chat\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-read-timeout: \"60\"\nspec:\n  ingressClassName: nginx\n  rules:\n    - http:\n        paths:\n          - path: /ws\n            pathType: Prefix\n            backend:\n              service:\n                name: chat\n                port:\n                  number: 80\n";

    #[test]
    fn multi_document_helm_output() {
        let docs = parse(HELM).unwrap();
        assert_eq!(docs.len(), 2);
        let mut db = SourceDb::default();
        let file = db.add("chat.yaml".into(), HELM.into());
        let cx = K8sContext {
            db: &db,
            file,
            docs: &docs,
        };
        let ings = cx.ingresses();
        assert_eq!(ings.len(), 1);
        assert_eq!(ings[0].paths[0].path, "/ws");
        assert_eq!(&HELM[ings[0].paths[0].span.range()], "/ws");
        let t = ings[0].annotation(READ_TIMEOUT).unwrap();
        assert_eq!(&HELM[t.span.range()], "\"60\"");
        assert_eq!(timeout_seconds(t), Some(60));
        let g = cx.controller(&ings[0]);
        assert_eq!(g.controller, Controller::IngressNginx);
        assert!(g.certain);
        assert_eq!(cx.websocket_paths(&ings[0]).len(), 1);
        let e = cx
            .set_annotations(&ings[0], &[(READ_TIMEOUT, "3600"), (SEND_TIMEOUT, "3600")])
            .unwrap();
        let fixed = crate::fix::apply_edits(HELM, &e);
        assert!(fixed.contains("proxy-read-timeout: \"3600\"\n"));
        assert!(fixed.contains(
            "\"3600\"\n    nginx.ingress.kubernetes.io/proxy-send-timeout: \"3600\"\nspec:"
        ));
        assert!(parse(&fixed).is_ok());
    }

    #[test]
    fn detection_and_errors() {
        assert!(looks_like_ingress(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\n"
        ));
        assert!(!looks_like_ingress(
            "apiVersion: apps/v1\nkind: Deployment\n"
        ));
        assert!(!looks_like_ingress("kind: Ingress\n"));
        assert!(parse("kind: Ingress\nmetadata: {name: [x}\n").is_err());
        assert_eq!(
            timeout_seconds(&parse("a: 2m").unwrap()[0].get("a").unwrap().clone()),
            Some(120)
        );
    }
}
