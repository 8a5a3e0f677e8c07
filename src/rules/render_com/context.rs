//! What the render_com rules see of one manifest: its model with the project view around it.

use crate::fix::Edit;
use crate::formats::spanned::Node;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::{self as evidence, DepFiles, Evidence};
use crate::project::start_command::{self, Invocation};
use crate::source::{FileId, SourceDb, Span};

pub const RENDER_HOST: &str = ".onrender.com";

pub struct RenderContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    pub root: &'a Node,
    pub deps: &'a ProjectDeps,
    pub dep_files: &'a DepFiles,
}

/// A `ws://…onrender.com` URL in an environment value: the value node and the byte range of
/// `ws://` in the file (when the value is written verbatim).
pub struct InsecureUrl<'a> {
    pub key: String,
    pub node: &'a Node,
    pub url: String,
    pub scheme: Option<Span>,
}

impl<'a> RenderContext<'a> {
    pub fn services(&self) -> &'a [Node] {
        self.root
            .get("services")
            .and_then(Node::as_array)
            .unwrap_or(&[])
    }

    pub fn name(service: &Node) -> &str {
        service
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("(unnamed)")
    }

    /// Why wscfg believes `service` serves WebSockets: its start command, and (for the only
    /// web service of the Blueprint) the project's dependencies.
    pub fn websocket_evidence(&self, service: &'a Node) -> Vec<Evidence> {
        let mut out = Vec::new();
        if let Some(cmd) = service.get("startCommand")
            && let Some(lit) = cmd.as_lit()
        {
            let parsed = start_command::parse(&lit.value);
            for s in &parsed.simple {
                let Some(inv) = Invocation::find(s) else {
                    continue;
                };
                if let Some(why) = inv.websocket_server() {
                    let r = inv.words[inv.program].span.clone();
                    let span = match lit.content {
                        Some(c) if c.start + r.end <= c.end => {
                            Span::new(c.start + r.start, c.start + r.end)
                        }
                        _ => cmd.span,
                    };
                    out.push(Evidence {
                        what: format!("startCommand starts {why}"),
                        file: self.file,
                        span,
                    });
                }
            }
        }
        let web: Vec<&Node> = self
            .services()
            .iter()
            .filter(|s| s.get("type").and_then(Node::as_str) == Some("web"))
            .collect();
        if web.len() == 1 && std::ptr::eq(web[0], service) {
            out.extend(evidence::from_deps(self.deps, self.dep_files));
        }
        out
    }

    /// Environment values (`envVars` of services and `envVarGroups`) that hold a `ws://` URL
    /// for a Render host.
    pub fn insecure_urls(&self) -> Vec<InsecureUrl<'a>> {
        let mut lists: Vec<&'a Node> = self
            .services()
            .iter()
            .filter_map(|s| s.get("envVars"))
            .collect();
        lists.extend(
            self.root
                .get("envVarGroups")
                .and_then(Node::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(|g| g.get("envVars")),
        );
        let mut out = Vec::new();
        for list in lists {
            for var in list.as_array().unwrap_or(&[]) {
                let (Some(key), Some(value)) =
                    (var.get("key").and_then(Node::as_str), var.get("value"))
                else {
                    continue;
                };
                let Some(lit) = value.as_lit() else { continue };
                let lower = lit.value.to_ascii_lowercase();
                let mut from = 0;
                while let Some(i) = lower[from..].find("ws://").map(|i| i + from) {
                    from = i + 5;
                    let url: String = lit.value[i..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != ',' && *c != '"')
                        .collect();
                    let host = url[5..].split(['/', ':', '?']).next().unwrap_or("");
                    if !host.to_ascii_lowercase().ends_with(RENDER_HOST) {
                        continue;
                    }
                    let at_boundary = i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric();
                    if !at_boundary {
                        continue; // `wss://` is not `ws://`
                    }
                    out.push(InsecureUrl {
                        key: key.to_owned(),
                        node: value,
                        url,
                        scheme: lit.content.map(|c| Span::new(c.start + i, c.start + i + 5)),
                    });
                }
            }
        }
        out
    }

    /// `wss://` in place of `ws://`.
    pub fn secure_edit(&self, url: &InsecureUrl<'_>) -> Option<Edit> {
        url.scheme.map(|s| Edit::replace(self.file, s, "wss://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::render_com::{looks_like_blueprint, parse};

    const BP: &str = "services:\n  - type: web\n    name: chat\n    runtime: node\n    plan: free\n    startCommand: node server.js\n    envVars:\n      - key: PUBLIC_WS_URL\n        value: ws://chat.onrender.com/ws\n      - key: OTHER\n        value: \"wss://chat.onrender.com, ws://localhost:3000\"\n";

    #[test]
    fn insecure_urls_are_located() {
        let root = parse(BP).unwrap();
        let mut db = SourceDb::default();
        let file = db.add("render.yaml".into(), BP.into());
        let deps = ProjectDeps::default();
        let cx = RenderContext {
            db: &db,
            file,
            root: &root,
            deps: &deps,
            dep_files: &DepFiles::default(),
        };
        let urls = cx.insecure_urls();
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].url, "ws://chat.onrender.com/ws");
        assert_eq!(&BP[urls[0].scheme.unwrap().range()], "ws://");
        assert!(looks_like_blueprint(BP));
        assert!(!looks_like_blueprint(
            "services:\n  web:\n    image: nginx\n"
        ));
    }
}
