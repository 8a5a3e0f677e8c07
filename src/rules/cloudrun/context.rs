//! What the cloudrun rules see of one manifest: its model with the project view around it.

use crate::fix::Edit;
use crate::formats::cloudrun::*;
use crate::formats::iac::{Lead, insert_lines};
use crate::formats::spanned::{Kind, Node};
use crate::formats::terraform;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::{self as evidence, DepFiles, Evidence};
use crate::project::start_command::{self, Invocation};
use crate::source::{FileId, SourceDb};

pub struct CloudRunContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    /// The service: the Knative document, or the Terraform resource's body.
    pub root: &'a Node,
    pub deps: &'a ProjectDeps,
    pub dep_files: &'a DepFiles,
    pub flavor: ServiceSyntax,
    /// The Terraform resource's address (`google_cloud_run_v2_service.chat`).
    pub address: Option<String>,
}

/// A Terraform duration (`"300s"`, `"3600s"`, `"1.5s"`) in whole seconds.
fn duration_seconds(s: &str) -> Option<i64> {
    let n: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some(n as i64)
}

impl<'a> CloudRunContext<'a> {
    pub fn name(&self) -> &str {
        let name = match self.flavor {
            ServiceSyntax::Knative => self.root.get("metadata").and_then(|m| m.get("name")),
            ServiceSyntax::TerraformV2 | ServiceSyntax::TerraformV1 => self.root.get("name"),
        };
        name.and_then(Node::as_str)
            .or(self.address.as_deref())
            .unwrap_or("(unnamed)")
    }

    /// The revision template: Knative/v1 `spec.template.spec` (`template.spec`), v2
    /// `template`.
    pub fn revision_spec(&self) -> Option<&'a Node> {
        match self.flavor {
            ServiceSyntax::Knative => self.root.get("spec")?.get("template")?.get("spec"),
            ServiceSyntax::TerraformV2 => terraform::block(self.root, "template"),
            ServiceSyntax::TerraformV1 => {
                terraform::block(terraform::block(self.root, "template")?, "spec")
            }
        }
    }

    /// The request timeout's name in this file: `timeoutSeconds`, `timeout`, …
    pub fn timeout_key(&self) -> &'static str {
        match self.flavor {
            ServiceSyntax::Knative => "timeoutSeconds",
            ServiceSyntax::TerraformV2 => "timeout",
            ServiceSyntax::TerraformV1 => "timeout_seconds",
        }
    }

    /// The request timeout as written, and its value in seconds (300 when unset).
    pub fn timeout(&self) -> (Option<&'a Node>, Option<i64>) {
        let node = self.revision_spec().and_then(|s| s.get(self.timeout_key()));
        let value = match (node.map(|n| &n.kind), self.flavor) {
            (None, _) => Some(DEFAULT_TIMEOUT_S),
            (Some(Kind::Str(s)), ServiceSyntax::TerraformV2) => duration_seconds(&s.value),
            (Some(Kind::Int(i)), _) => Some(*i),
            (Some(Kind::Str(s)), _) => s.value.trim().parse().ok(),
            (Some(_), _) => None,
        };
        (node, value)
    }

    /// The edit that sets the request timeout to the maximum, keeping the file's layout;
    /// `None` where the layout is not one wscfg can edit with certainty.
    pub fn raise_timeout(&self) -> Option<Edit> {
        let text = &self.db.get(self.file).text;
        let value = match self.flavor {
            ServiceSyntax::TerraformV2 => format!("\"{MAX_TIMEOUT_S}s\""),
            ServiceSyntax::Knative | ServiceSyntax::TerraformV1 => MAX_TIMEOUT_S.to_string(),
        };
        let spec = self.revision_spec()?;
        if let (Some(node), _) = self.timeout() {
            let raw = text.get(node.span.range())?;
            let value = match raw.chars().next() {
                Some(q @ ('\'' | '"')) if self.flavor == ServiceSyntax::Knative => {
                    format!("{q}{MAX_TIMEOUT_S}{q}")
                }
                _ => value,
            };
            return Some(Edit::replace(self.file, node.span, value));
        }
        match self.flavor {
            ServiceSyntax::Knative => {
                let first = spec.as_map()?.first()?;
                insert_lines(
                    self.file,
                    text,
                    first.key_span.start,
                    Lead::Entry,
                    &[format!("timeoutSeconds: {value}")],
                )
            }
            ServiceSyntax::TerraformV2 | ServiceSyntax::TerraformV1 => {
                terraform::insert_attribute(self.file, text, spec, self.timeout_key(), &value)
            }
        }
    }

    pub fn containers(&self) -> Vec<&'a Node> {
        match self.flavor {
            ServiceSyntax::Knative => self
                .revision_spec()
                .and_then(|s| s.get("containers"))
                .and_then(Node::as_array)
                .unwrap_or(&[])
                .iter()
                .collect(),
            ServiceSyntax::TerraformV2 | ServiceSyntax::TerraformV1 => self
                .revision_spec()
                .map(|s| terraform::blocks(s, "containers").collect())
                .unwrap_or_default(),
        }
    }

    /// Container ports named `h2c` (HTTP/2 end-to-end).
    pub fn h2c_ports(&self) -> Vec<&'a Node> {
        self.containers()
            .into_iter()
            .flat_map(|c| terraform::blocks(c, "ports"))
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
            flavor: ServiceSyntax::Knative,
            address: None,
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
