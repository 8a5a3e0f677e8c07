//! What the railway rules see of one manifest: its model with the project view around it.

use crate::fix::Edit;
use crate::formats::railway::*;
use crate::formats::spanned::{Kind, Node, StrLit};
use crate::formats::ws_path::websocket_path_segment;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::{self as evidence, DepFiles, Evidence, ProjectWs};
use crate::project::start_command::{self, Invocation, Parsed};
use crate::source::{FileId, SourceDb, Span};
use std::path::Path;

// ---------------------------------------------------------------- model

/// One parsed manifest and everything rules may ask about it.
pub struct RailwayContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    pub flavor: ManifestSyntax,
    pub root: &'a Node,
    pub deps: &'a ProjectDeps,
    /// The dependency files added to the run, so labels can point into them.
    pub dep_files: &'a DepFiles,
    /// What the project's code says about WebSockets under the manifest's directory.
    pub project: &'a ProjectWs,
}

/// A value as an environment sees it, with where it is written.
#[derive(Clone, Copy, Debug)]
pub struct Field<'a> {
    pub node: &'a Node,
    pub key_span: Span,
    /// The environment whose override sets it; `None` for the base configuration.
    pub env: Option<&'a str>,
}

/// The base configuration (`None`) or one `environments.<name>` override.
#[derive(Clone, Copy, Debug)]
pub struct Env<'a> {
    pub name: Option<&'a str>,
    node: Option<&'a Node>,
}

impl Env<'_> {
    /// " in environment `production`", or nothing for the base configuration.
    pub fn suffix(&self) -> String {
        self.name
            .map(|n| format!(" (environment `{n}`)"))
            .unwrap_or_default()
    }
}

/// The effective builder of an environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    Railpack,
    Nixpacks,
    Dockerfile,
    Other,
}

/// A start command as an environment runs it.
pub struct StartCommand<'a> {
    pub field: Field<'a>,
    pub lit: &'a StrLit,
    pub parsed: Parsed,
    /// Railway runs it without a shell (Dockerfile builds use exec form), so `$PORT` is not
    /// expanded unless the command wraps itself in `sh -c`.
    pub exec_form: bool,
}

impl<'a> RailwayContext<'a> {
    pub fn text(&self) -> &'a str {
        &self.db.get(self.file).text
    }

    pub fn path(&self) -> &'a Path {
        &self.db.get(self.file).path
    }

    /// The base configuration first, then every environment override.
    pub fn environments(&self) -> Vec<Env<'a>> {
        let mut out = vec![Env {
            name: None,
            node: Some(self.root),
        }];
        if let Some(envs) = self.root.get("environments").and_then(Node::as_map) {
            for e in envs {
                out.push(Env {
                    name: Some(&e.key),
                    node: Some(&e.value),
                });
            }
        }
        out
    }

    /// The value of `section.key` in `env`: its own override, else the base configuration.
    pub fn field(&self, env: &Env<'a>, section: Section, key: &str) -> Option<Field<'a>> {
        let own = |node: &'a Node, name: Option<&'a str>| {
            node.get(section.key())
                .and_then(|s| s.entry(key))
                .map(|e| Field {
                    node: &e.value,
                    key_span: e.key_span,
                    env: name,
                })
        };
        env.node
            .filter(|_| env.name.is_some())
            .and_then(|n| own(n, env.name))
            .or_else(|| own(self.root, None))
    }

    /// Whether `env` decides this question itself (it overrides one of `keys`), so a finding
    /// is reported for it and not only for the base configuration.
    pub fn overrides(&self, env: &Env<'a>, keys: &[(Section, &str)]) -> bool {
        env.name.is_none()
            || keys
                .iter()
                .any(|(s, k)| self.field(env, *s, k).is_some_and(|f| f.env.is_some()))
    }

    /// `deploy.healthcheckPath`.
    pub fn healthcheck_path(&self, env: &Env<'a>) -> Option<(&'a str, Field<'a>)> {
        let f = self.field(env, Section::Deploy, "healthcheckPath")?;
        Some((f.node.as_str()?, f))
    }

    /// `deploy.healthcheckTimeout` in seconds (Railway's default is 300).
    pub fn healthcheck_timeout(&self, env: &Env<'a>) -> Option<(i64, Field<'a>)> {
        let f = self.field(env, Section::Deploy, "healthcheckTimeout")?;
        Some((int_value(f.node)?, f))
    }

    /// `deploy.sleepApplication`, accepting the string forms real files use.
    pub fn sleep_application(&self, env: &Env<'a>) -> Option<(bool, Field<'a>)> {
        let f = self.field(env, Section::Deploy, "sleepApplication")?;
        let on = match &f.node.kind {
            Kind::Bool(b) => *b,
            Kind::Str(s) if s.value.eq_ignore_ascii_case("true") => true,
            Kind::Str(s) if s.value.eq_ignore_ascii_case("false") => false,
            _ => return None,
        };
        Some((on, f))
    }

    /// `deploy.restartPolicyType`, upper-cased (`on_failure` → `ON_FAILURE`).
    pub fn restart_policy(&self, env: &Env<'a>) -> Option<(String, Field<'a>)> {
        let f = self.field(env, Section::Deploy, "restartPolicyType")?;
        Some((f.node.as_str()?.to_ascii_uppercase(), f))
    }

    /// How many replicas run: `deploy.numReplicas`, or the sum of
    /// `deploy.multiRegionConfig.<region>.numReplicas` when that is set.
    pub fn replicas(&self, env: &Env<'a>) -> Option<(i64, Field<'a>)> {
        if let Some(f) = self.field(env, Section::Deploy, "multiRegionConfig") {
            let total: i64 = f
                .node
                .as_map()?
                .iter()
                .filter_map(|r| r.value.get("numReplicas").and_then(int_value))
                .sum();
            return Some((total, f));
        }
        let f = self.field(env, Section::Deploy, "numReplicas")?;
        Some((int_value(f.node)?, f))
    }

    pub fn builder(&self, env: &Env<'a>) -> Option<(Builder, Field<'a>)> {
        let f = self.field(env, Section::Build, "builder")?;
        let b = match f.node.as_str()?.to_ascii_uppercase().as_str() {
            "RAILPACK" => Builder::Railpack,
            "NIXPACKS" => Builder::Nixpacks,
            "DOCKERFILE" => Builder::Dockerfile,
            _ => Builder::Other,
        };
        Some((b, f))
    }

    /// Railway builds with a Dockerfile when told to, when a Dockerfile path is set, or when it
    /// finds a `Dockerfile` next to the manifest and no builder is named.
    pub fn builds_dockerfile(&self, env: &Env<'a>) -> bool {
        match self.builder(env) {
            Some((Builder::Dockerfile, _)) => true,
            Some((Builder::Railpack | Builder::Nixpacks, _)) => false,
            _ => {
                self.field(env, Section::Build, "dockerfilePath")
                    .is_some_and(|f| f.node.as_str().is_some_and(|s| !s.is_empty()))
                    || self.dockerfile_beside()
            }
        }
    }

    fn dockerfile_beside(&self) -> bool {
        let dir = self
            .path()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        dir.join("Dockerfile").is_file()
    }

    pub fn start_command(&self, env: &Env<'a>) -> Option<StartCommand<'a>> {
        let field = self.field(env, Section::Deploy, "startCommand")?;
        let lit = field.node.as_lit()?;
        Some(StartCommand {
            field,
            lit,
            parsed: start_command::parse(&lit.value),
            exec_form: self.builds_dockerfile(env),
        })
    }

    /// The file span of a byte range of the start command's value (the whole literal when the
    /// literal does not spell its value verbatim).
    pub fn command_span(&self, cmd: &StartCommand<'_>, r: std::ops::Range<usize>) -> Span {
        match cmd.lit.content {
            Some(c) => Span::new(c.start + r.start, c.start + r.end),
            None => cmd.field.node.span,
        }
    }

    /// Edits that apply `changes` (ranges of the command's value) to the file.
    pub fn command_edits(
        &self,
        cmd: &StartCommand<'_>,
        changes: &[(std::ops::Range<usize>, String)],
    ) -> Option<Vec<Edit>> {
        cmd.lit.edits(self.file, cmd.field.node.span, changes)
    }

    /// A dependency file's id in this run, for labels.
    pub fn dep_file(&self, path: &Path) -> Option<FileId> {
        self.dep_files.id(path)
    }

    /// Why the service in `env` serves WebSockets: a WebSocket server in the code it deploys,
    /// its start command, its dependencies, its health check path, or a comment in the
    /// manifest that says so.
    pub fn websocket_evidence(&self, env: &Env<'a>) -> Vec<Evidence> {
        let mut out = self.project.servers.clone();
        if let Some(cmd) = self.start_command(env) {
            for s in &cmd.parsed.simple {
                if let Some(inv) = Invocation::find(s)
                    && let Some(why) = inv.websocket_server()
                {
                    let w = &inv.words[inv.program];
                    out.push(Evidence {
                        what: format!("the start command runs {why}"),
                        file: self.file,
                        span: self.command_span(&cmd, w.span.clone()),
                    });
                }
            }
        }
        out.extend(evidence::from_deps(self.deps, self.dep_files));
        if let Some((path, f)) = self.healthcheck_path(env)
            && let Some(seg) = websocket_path_segment(path)
        {
            out.push(Evidence {
                what: format!("the health check path names a WebSocket endpoint (`{seg}`)"),
                file: self.file,
                span: f.node.span,
            });
        }
        for span in websocket_comments(self.text(), self.flavor) {
            out.push(Evidence {
                what: "a comment in this file says it serves WebSockets".into(),
                file: self.file,
                span,
            });
        }
        out
    }

    /// Every map that holds keys, with the schema it should follow, for unknown-key checks:
    /// (dotted path for messages, node, known keys).
    pub fn schema_maps(&self) -> Vec<(String, &'a Node, &'static [&'static str])> {
        let mut out = vec![(String::new(), self.root, TOP_KEYS)];
        let sections = |prefix: &str, node: &'a Node, out: &mut Vec<_>| {
            for (key, known) in [("build", BUILD_KEYS), ("deploy", DEPLOY_KEYS)] {
                if let Some(n) = node.get(key).filter(|n| n.as_map().is_some()) {
                    out.push((format!("{prefix}{key}"), n, known));
                    if key == "deploy"
                        && let Some(regions) = n.get("multiRegionConfig").and_then(Node::as_map)
                    {
                        for r in regions {
                            if r.value.as_map().is_some() {
                                out.push((
                                    format!("{prefix}deploy.multiRegionConfig.{}", r.key),
                                    &r.value,
                                    REGION_KEYS,
                                ));
                            }
                        }
                    }
                }
            }
        };
        sections("", self.root, &mut out);
        if let Some(envs) = self.root.get("environments").and_then(Node::as_map) {
            for e in envs {
                if e.value.as_map().is_some() {
                    let prefix = format!("environments.{}", e.key);
                    out.push((prefix.clone(), &e.value, ENVIRONMENT_KEYS));
                    sections(&format!("{prefix}."), &e.value, &mut out);
                }
            }
        }
        out
    }
}

/// An integer written as a number or as a string of digits.
fn int_value(node: &Node) -> Option<i64> {
    match &node.kind {
        Kind::Int(i) => Some(*i),
        Kind::Str(s) => s.value.trim().parse().ok(),
        _ => None,
    }
}

/// Comment lines (`#` in TOML, `//` in JSON) that mention WebSockets.
fn websocket_comments(text: &str, flavor: ManifestSyntax) -> Vec<Span> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let marker = match flavor {
            ManifestSyntax::Toml => "#",
            ManifestSyntax::Json => "//",
        };
        let Some(at) = line.find(marker) else {
            continue;
        };
        if !line[..at].trim().is_empty() && flavor == ManifestSyntax::Json {
            continue;
        }
        let comment = line[at..].to_ascii_lowercase();
        let says = comment.contains("websocket")
            || comment.contains("web socket")
            || comment.contains("socket.io")
            || comment.contains("wss://")
            || comment.contains("ws://");
        if says {
            let end = start + line.trim_end().len();
            out.push(Span::new(start + at, end.max(start + at)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::spanned::parse_toml;

    #[test]
    fn effective_values_per_environment() {
        let text = "[build]\nbuilder = \"dockerfile\"\n[deploy]\nnumReplicas = 2\nsleepApplication = \"true\"\nrestartPolicyType = \"on_failure\"\nhealthcheckTimeout = \"120\"\n[environments.production.deploy]\nmultiRegionConfig = { us-west2 = { numReplicas = 2 }, europe-west4-drams3a = { numReplicas = 3 } }\n[environments.staging.build]\nbuilder = \"RAILPACK\"\n";
        let mut db = SourceDb::default();
        let file = db.add("railway.toml".into(), text.to_owned());
        let root = parse_toml(text).unwrap();
        let deps = ProjectDeps::default();
        let dep_files = DepFiles::default();
        let cx = RailwayContext {
            db: &db,
            file,
            flavor: ManifestSyntax::Toml,
            root: &root,
            deps: &deps,
            dep_files: &dep_files,
            project: &ProjectWs::default(),
        };
        let envs = cx.environments();
        let names: Vec<_> = envs.iter().map(|e| e.name).collect();
        assert_eq!(names, [None, Some("production"), Some("staging")]);
        assert_eq!(cx.replicas(&envs[0]).unwrap().0, 2);
        let (n, f) = cx.replicas(&envs[1]).unwrap();
        assert_eq!((n, f.env), (5, Some("production")));
        assert_eq!(cx.replicas(&envs[2]).unwrap().0, 2);
        assert!(cx.sleep_application(&envs[1]).unwrap().0);
        assert_eq!(cx.restart_policy(&envs[0]).unwrap().0, "ON_FAILURE");
        assert_eq!(cx.healthcheck_timeout(&envs[0]).unwrap().0, 120);
        assert!(cx.builds_dockerfile(&envs[0]));
        assert!(!cx.builds_dockerfile(&envs[2]));
        assert!(cx.overrides(&envs[2], &[(Section::Build, "builder")]));
        assert!(!cx.overrides(&envs[2], &[(Section::Deploy, "startCommand")]));
    }
}
