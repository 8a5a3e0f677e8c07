//! What the apprunner rules see of one manifest: its model with the project view around it.

pub use crate::formats::spanned::parse_yaml as parse;
use crate::formats::spanned::{Kind, Node, StrLit};
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::{self as evidence, DepFiles, Evidence, ProjectWs};
use crate::project::start_command::{self, Invocation, Parsed};
use crate::source::{FileId, SourceDb, Span};
use std::path::Path;

// ---------------------------------------------------------------- model

pub struct AppRunnerContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    pub root: &'a Node,
    pub deps: &'a ProjectDeps,
    pub dep_files: &'a DepFiles,
    /// The service when it is declared in infrastructure code (`root` is then the whole
    /// template or Terraform file); `None` for an apprunner.yaml.
    pub declared: Option<&'a Declared<'a>>,
    /// What the project's code says about WebSockets under the manifest's directory.
    pub project: &'a ProjectWs,
}

/// An App Runner service declared in a CloudFormation template or a Terraform file.
pub struct Declared<'a> {
    /// `AWS::AppRunner::Service Chat` or `aws_apprunner_service.chat`, for messages.
    pub name: String,
    pub name_span: Span,
    /// The start command (`StartCommand` / `start_command`) of the image or code
    /// configuration.
    pub start_command: Option<&'a Node>,
    /// What the start command is called in this file, for messages.
    pub command_key: &'static str,
    /// The build command of a code repository source.
    pub build_command: Option<&'a Node>,
    /// Runtime environment variables: (name, value node).
    pub env: Vec<(&'a str, &'a Node)>,
}

const CFN_SERVICE: &str = "AWS::AppRunner::Service";

/// `AWS::AppRunner::Service` resources of a CloudFormation template.
pub fn cfn_services(root: &Node) -> Vec<Declared<'_>> {
    let resources = root.get("Resources").and_then(Node::as_map).unwrap_or(&[]);
    let mut out = Vec::new();
    for e in resources {
        if e.value.get("Type").and_then(Node::as_str) != Some(CFN_SERVICE) {
            continue;
        }
        let source = e
            .value
            .get("Properties")
            .and_then(|p| p.get("SourceConfiguration"));
        let image = source
            .and_then(|s| s.get("ImageRepository"))
            .and_then(|i| i.get("ImageConfiguration"));
        let code = source
            .and_then(|s| s.get("CodeRepository"))
            .and_then(|c| c.get("CodeConfiguration"))
            .and_then(|c| c.get("CodeConfigurationValues"));
        let config = image.or(code);
        let env = config
            .and_then(|c| c.get("RuntimeEnvironmentVariables"))
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|v| Some((v.get("Name")?.as_str()?, v.get("Value")?)))
            .collect();
        out.push(Declared {
            name: format!("{CFN_SERVICE} {}", e.key),
            name_span: e.key_span,
            start_command: config.and_then(|c| c.get("StartCommand")),
            command_key: "StartCommand",
            build_command: code.and_then(|c| c.get("BuildCommand")),
            env,
        });
    }
    out
}

/// `aws_apprunner_service` resources of a Terraform file.
pub fn terraform_services(root: &Node) -> Vec<Declared<'_>> {
    use crate::formats::terraform::{block, resources};
    let mut out = Vec::new();
    for r in resources(root, &["aws_apprunner_service"]) {
        let source = block(r.body, "source_configuration");
        let image = source
            .and_then(|s| block(s, "image_repository"))
            .and_then(|i| block(i, "image_configuration"));
        let code = source
            .and_then(|s| block(s, "code_repository"))
            .and_then(|c| block(c, "code_configuration"))
            .and_then(|c| block(c, "code_configuration_values"));
        let config = image.or(code);
        let env = config
            .and_then(|c| c.get("runtime_environment_variables"))
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .map(|e| (e.key.as_str(), &e.value))
            .collect();
        out.push(Declared {
            name: r.address(),
            name_span: r.name_span,
            start_command: config.and_then(|c| c.get("start_command")),
            command_key: "start_command",
            build_command: code.and_then(|c| c.get("build_command")),
            env,
        });
    }
    out
}

/// `run.command` with its parsed words.
pub struct RunCommand<'a> {
    pub node: &'a Node,
    pub lit: &'a StrLit,
    pub parsed: Parsed,
}

impl<'a> AppRunnerContext<'a> {
    /// `run` of an apprunner.yaml (`None` for a declared service).
    pub fn run(&self) -> Option<&'a Node> {
        match self.declared {
            Some(_) => None,
            None => self.root.get("run"),
        }
    }

    /// What the start command is called in this file: `run.command`, `StartCommand`, …
    pub fn command_key(&self) -> &'static str {
        self.declared.map_or("run.command", |d| d.command_key)
    }

    /// Where a finding about the whole service points when nothing closer does: the run
    /// command, the `run` key, the declared service's name, or the file's start.
    pub fn anchor(&self) -> Span {
        match self.declared {
            Some(d) => d.start_command.map_or(d.name_span, |c| c.span),
            None => self
                .run()
                .and_then(|r| r.get("command"))
                .map(|c| c.span)
                .or_else(|| self.root.entry("run").map(|e| e.key_span))
                .unwrap_or(Span::new(0, 0)),
        }
    }

    pub fn run_command(&self) -> Option<RunCommand<'a>> {
        let node = match self.declared {
            Some(d) => d.start_command?,
            None => self.run()?.get("command")?,
        };
        let lit = node.as_lit()?;
        Some(RunCommand {
            node,
            lit,
            parsed: start_command::parse(&lit.value),
        })
    }

    /// File span of a byte range of the command's value (the whole scalar when it is not
    /// written verbatim, e.g. a folded block).
    pub fn command_span(&self, cmd: &RunCommand<'_>, r: std::ops::Range<usize>) -> Span {
        match cmd.lit.content {
            Some(c) if c.start + r.end <= c.end => Span::new(c.start + r.start, c.start + r.end),
            _ => cmd.node.span,
        }
    }

    /// `run.network.port` as App Runner uses it: a number, or a string of digits; 8080 when
    /// unset (`None` node).
    pub fn port(&self) -> (Option<u16>, Option<&'a Node>) {
        let node = self
            .run()
            .and_then(|r| r.get("network"))
            .and_then(|n| n.get("port"));
        let port = match node.map(|n| &n.kind) {
            None => Some(8080),
            Some(Kind::Int(i)) => u16::try_from(*i).ok().filter(|p| *p > 0),
            Some(Kind::Str(s)) => s.value.trim().parse().ok().filter(|p| *p > 0),
            Some(_) => None,
        };
        (port, node)
    }

    /// `run.env` entries (or a declared service's runtime environment variables) as (name,
    /// value node).
    pub fn run_env(&self) -> Vec<(&'a str, &'a Node)> {
        if let Some(d) = self.declared {
            return d.env.clone();
        }
        self.run()
            .and_then(|r| r.get("env"))
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| Some((e.get("name")?.as_str()?, e.get("value")?)))
            .collect()
    }

    pub fn dep_file(&self, path: &Path) -> Option<FileId> {
        self.dep_files.id(path)
    }

    /// Why wscfg believes this service serves WebSockets: a WebSocket server in the code it
    /// deploys, its run command, its dependencies.
    pub fn websocket_evidence(&self) -> Vec<Evidence> {
        let mut out = self.project.servers.clone();
        if let Some(cmd) = self.run_command() {
            for s in &cmd.parsed.simple {
                let Some(inv) = Invocation::find(s) else {
                    continue;
                };
                if let Some(why) = inv.websocket_server() {
                    out.push(Evidence {
                        what: format!("{} starts {why}", self.command_key()),
                        file: self.file,
                        span: self.command_span(&cmd, inv.words[inv.program].span.clone()),
                    });
                }
            }
        }
        out.extend(evidence::from_deps(self.deps, self.dep_files));
        out
    }
}
