//! Google Cloud Run service YAML (`gcloud run services describe --format export`, the file
//! `gcloud run services replace` reads): a Knative `serving.knative.dev/v1` `Service`, parsed
//! with the shared located YAML loader, and the questions Cloud Run rules ask of it: the
//! request timeout, the container ports and WebSocket evidence from the containers' commands
//! and the project's dependencies.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::formats::evidence::{self, DepFiles, Evidence};
use crate::formats::head::Head;
use crate::formats::project_deps::ProjectDeps;
use crate::formats::spanned::{Kind, Node};
use crate::formats::start_command::{self, Invocation};
use crate::source::{FileId, SourceDb};

/// Cloud Run's request timeout when `timeoutSeconds` is unset, in seconds.
pub const DEFAULT_TIMEOUT_S: i64 = 300;
/// The largest request timeout Cloud Run accepts for services, in seconds.
pub const MAX_TIMEOUT_S: i64 = 3600;

/// `.yaml` files holding a Knative `Service`: any the user names, and ones found in a walk that
/// mention a `run.googleapis.com/` annotation.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return false;
    }
    let text = head.text();
    looks_like_service(text) && (named || text.contains("run.googleapis.com/"))
}

pub fn looks_like_service(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("apiVersion:") && l.contains("serving.knative.dev/"))
        && text.lines().any(|l| l.trim_end() == "kind: Service")
}

pub struct CloudRunContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    pub root: &'a Node,
    pub deps: &'a ProjectDeps,
    pub dep_files: &'a DepFiles,
}

impl<'a> CloudRunContext<'a> {
    pub fn name(&self) -> &'a str {
        self.root
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("(unnamed)")
    }

    /// `spec.template.spec`.
    pub fn revision_spec(&self) -> Option<&'a Node> {
        self.root.get("spec")?.get("template")?.get("spec")
    }

    /// `timeoutSeconds` as written, and its value in seconds (300 when unset).
    pub fn timeout(&self) -> (Option<&'a Node>, Option<i64>) {
        let node = self.revision_spec().and_then(|s| s.get("timeoutSeconds"));
        let value = match node.map(|n| &n.kind) {
            None => Some(DEFAULT_TIMEOUT_S),
            Some(Kind::Int(i)) => Some(*i),
            Some(Kind::Str(s)) => s.value.trim().parse().ok(),
            Some(_) => None,
        };
        (node, value)
    }

    pub fn containers(&self) -> &'a [Node] {
        self.revision_spec()
            .and_then(|s| s.get("containers"))
            .and_then(Node::as_array)
            .unwrap_or(&[])
    }

    /// Container ports named `h2c` (HTTP/2 end-to-end).
    pub fn h2c_ports(&self) -> Vec<&'a Node> {
        self.containers()
            .iter()
            .filter_map(|c| c.get("ports")?.as_array())
            .flatten()
            .filter_map(|p| p.get("name"))
            .filter(|n| n.as_str() == Some("h2c"))
            .collect()
    }

    /// Why wscfg believes the service serves WebSockets: a container's `command`/`args`, and
    /// the project's dependencies.
    pub fn websocket_evidence(&self) -> Vec<Evidence> {
        let mut out = Vec::new();
        for c in self.containers() {
            let words: Vec<&Node> = ["command", "args"]
                .iter()
                .filter_map(|k| c.get(k))
                .flat_map(|n| n.as_array().map_or_else(|| vec![n], |a| a.iter().collect()))
                .collect();
            if words.is_empty() {
                continue;
            }
            let line = words
                .iter()
                .filter_map(|n| n.as_str())
                .map(shell_quote)
                .collect::<Vec<_>>()
                .join(" ");
            let parsed = start_command::parse(&line);
            for s in &parsed.simple {
                let Some(inv) = Invocation::find(s) else {
                    continue;
                };
                if let Some(why) = inv.websocket_server() {
                    let span = words[0].span.cover(words[words.len() - 1].span);
                    out.push(Evidence {
                        what: format!("the container runs {why}"),
                        file: self.file,
                        span,
                    });
                }
            }
        }
        out.extend(evidence::from_deps(self.deps, self.dep_files));
        out
    }
}

/// One exec-form word as a shell word, so the command parser reads it back as one.
fn shell_quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c))
    {
        w.to_owned()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

pub fn parse(text: &str) -> Result<Node, crate::formats::apprunner::SyntaxError> {
    crate::formats::apprunner::parse(text)
}

pub fn parses(text: &str) -> bool {
    parse(text).is_ok()
}

pub fn lint(db: &mut SourceDb, files: &[FileId], config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for &file in files {
        let (path, parsed) = {
            let f = db.get(file);
            (f.path.clone(), parse(&f.text))
        };
        let root = match parsed {
            Ok(root) => root,
            Err(e) => {
                crate::rules::cloudrun::SYNTAX_ERROR
                    .report(config, file, e.span, e.message, &mut out);
                continue;
            }
        };
        let deps = ProjectDeps::for_manifest(&path, None);
        let dep_files = DepFiles::register(db, &deps, file);
        let cx = CloudRunContext {
            db,
            file,
            root: &root,
            deps: &deps,
            dep_files: &dep_files,
        };
        crate::rules::run(crate::rules::cloudrun::RULES, &cx, config, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVC: &str = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: chat\nspec:\n  template:\n    spec:\n      containers:\n        - image: us-docker.pkg.dev/p/r/chat\n          command: [\"daphne\"]\n          args: [\"-b\", \"0.0.0.0\", \"chat.asgi:application\"]\n          ports:\n            - name: h2c\n              containerPort: 8080\n";

    #[test]
    fn timeout_ports_and_evidence() {
        let root = parse(SVC).unwrap();
        let mut db = SourceDb::default();
        let file = db.add("service.yaml".into(), SVC.into());
        let deps = ProjectDeps::default();
        let cx = CloudRunContext {
            db: &db,
            file,
            root: &root,
            deps: &deps,
            dep_files: &DepFiles::default(),
        };
        assert!(matches!(cx.timeout(), (None, Some(300))));
        assert_eq!(cx.h2c_ports().len(), 1);
        let ev = cx.websocket_evidence();
        assert_eq!(ev.len(), 1);
        assert!(SVC[ev[0].span.range()].starts_with("\"daphne\"]"));
        assert!(looks_like_service(SVC));
        assert!(!looks_like_service("apiVersion: v1\nkind: Service\n"));
    }
}
