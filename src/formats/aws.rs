//! AWS load balancers in infrastructure code: CloudFormation templates (YAML or JSON) that
//! declare Application Load Balancers or Classic Load Balancers, parsed into the shared
//! located tree (YAML with the apprunner loader, JSON with the railway one), and Terraform
//! `aws_lb` / `aws_alb` / `aws_elb` (Classic) resources (`formats::terraform`). The questions
//! the load balancer rule asks: each load balancer's idle timeout, and which load balancers
//! front WebSocket services (listener rules, target groups, dependencies); and the edit that
//! raises the timeout.

use std::path::Path;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::fix::Edit;
use crate::formats::Format;
use crate::formats::SyntaxError;
use crate::formats::head::Head;
use crate::formats::iac::{Iac, Lead, insert_lines};
use crate::formats::spanned::{Kind, Node};
use crate::formats::terraform;
use crate::formats::ws_path::websocket_path_segment;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::{self as evidence, DepFiles};
use crate::source::{FileId, SourceDb, Span};

pub const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
pub const CLASSIC_LOAD_BALANCER: &str = "AWS::ElasticLoadBalancing::LoadBalancer";
pub const APP_RUNNER_SERVICE: &str = "AWS::AppRunner::Service";
pub const IDLE_TIMEOUT_KEY: &str = "idle_timeout.timeout_seconds";
/// The ALB (and Classic Load Balancer) idle timeout when unset, in seconds.
pub const DEFAULT_IDLE_TIMEOUT_S: i64 = 60;
/// The idle timeout the fix writes (the ALB accepts 1 to 4000 seconds).
pub const FIXED_IDLE_TIMEOUT_S: i64 = 3600;

fn is_template_name(name: &str) -> bool {
    [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Templates declaring a load balancer (ALB or Classic: `Format::Aws`) or an App Runner
/// service (`Format::AppRunner`, whose syntax error is then APR000).
/// In a walk, JSON files are read only when their name says CloudFormation: projects hold
/// many JSON files (package.json, lock files) and few templates.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> Option<Format> {
    let name = head.name();
    if !is_template_name(name) {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let json_hint = ["template", "cfn", "cloudformation", "stack"]
        .iter()
        .any(|h| lower.contains(h));
    if !named && lower.ends_with(".json") && !json_hint {
        return None;
    }
    let text = head.text();
    if !looks_like_template(text) {
        return None;
    }
    if text.contains(LOAD_BALANCER) || text.contains(CLASSIC_LOAD_BALANCER) {
        Some(Format::Aws)
    } else {
        Some(Format::AppRunner)
    }
}

pub fn looks_like_template(text: &str) -> bool {
    text.contains("Resources")
        && [LOAD_BALANCER, CLASSIC_LOAD_BALANCER, APP_RUNNER_SERVICE]
            .iter()
            .any(|t| text.contains(t))
}

fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if is_json(text) {
        crate::formats::spanned::parse_json(text)
    } else {
        crate::formats::spanned::parse_yaml(text)
    }
}

pub fn parses(path: &Path, text: &str) -> bool {
    let kind = crate::formats::iac::kind(path, text).unwrap_or(Iac::CloudFormation);
    crate::formats::iac::parse(kind, text).is_ok()
}

/// How a load balancer is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LbForm {
    /// `AWS::ElasticLoadBalancingV2::LoadBalancer`: `LoadBalancerAttributes`.
    CfnV2,
    /// `AWS::ElasticLoadBalancing::LoadBalancer`: `ConnectionSettings.IdleTimeout`.
    CfnClassic,
    /// Terraform `aws_lb` / `aws_alb`: `idle_timeout`.
    Terraform,
    /// Terraform `aws_elb` (Classic Load Balancer): `idle_timeout` (provider default 60,
    /// 1 to 4000).
    TerraformClassic,
}

/// One load balancer: an ALB (CloudFormation or Terraform) or a Classic Load Balancer.
pub struct LoadBalancer<'a> {
    /// The logical id, or the Terraform address (`aws_lb.main`).
    pub name: String,
    pub id_span: Span,
    pub form: LbForm,
    /// CloudFormation `Properties`, or the Terraform block's body.
    pub properties: Option<&'a Node>,
    /// `LoadBalancerAttributes` or `ConnectionSettings`, when written.
    pub attributes: Option<&'a Node>,
    /// The idle timeout's value node, when set.
    pub idle_timeout: Option<&'a Node>,
    /// Written in Terraform's JSON syntax (`.tf.json`): help shows JSON.
    pub json: bool,
}

impl LoadBalancer<'_> {
    /// `application` unless `Type` (`load_balancer_type`) says otherwise; a Classic Load
    /// Balancer's idle timeout works the same way.
    pub fn is_application(&self) -> bool {
        let key = match self.form {
            LbForm::CfnV2 => "Type",
            LbForm::CfnClassic | LbForm::TerraformClassic => return true,
            LbForm::Terraform => "load_balancer_type",
        };
        self.properties
            .and_then(|p| p.get(key))
            .and_then(Node::as_str)
            .is_none_or(|t| t == "application")
    }

    /// The setting's name as this file writes it, for messages.
    pub fn key(&self) -> &'static str {
        match self.form {
            LbForm::CfnV2 => IDLE_TIMEOUT_KEY,
            LbForm::CfnClassic => "ConnectionSettings.IdleTimeout",
            LbForm::Terraform | LbForm::TerraformClassic => "idle_timeout",
        }
    }

    /// How to raise the timeout, in this file's syntax, for help text.
    pub fn how_to_fix(&self) -> String {
        let n = FIXED_IDLE_TIMEOUT_S;
        match self.form {
            LbForm::CfnV2 => format!(
                "add `{{Key: {IDLE_TIMEOUT_KEY}, Value: \"{n}\"}}` to the load balancer's \
                 LoadBalancerAttributes"
            ),
            LbForm::CfnClassic => format!("set `ConnectionSettings: {{IdleTimeout: {n}}}`"),
            LbForm::Terraform | LbForm::TerraformClassic if self.json => {
                format!("set `\"idle_timeout\": {n}` on the load balancer")
            }
            LbForm::Terraform | LbForm::TerraformClassic => {
                format!("set `idle_timeout = {n}` on the load balancer")
            }
        }
    }

    /// The edits that set the idle timeout to [`FIXED_IDLE_TIMEOUT_S`], keeping the file's
    /// layout; `None` where the layout is not one wscfg can edit with certainty.
    pub fn raise_timeout(&self, file: FileId, text: &str) -> Option<Vec<Edit>> {
        let n = FIXED_IDLE_TIMEOUT_S;
        let json = text.trim_start().starts_with('{');
        if let Some(v) = self.idle_timeout {
            let raw = text.get(v.span.range())?;
            let new = match (self.form, raw.chars().next()) {
                (_, Some(q @ ('\'' | '"'))) => format!("{q}{n}{q}"),
                (LbForm::CfnV2, _) if json => format!("\"{n}\""),
                _ => n.to_string(),
            };
            return Some(vec![Edit::replace(file, v.span, new)]);
        }
        let props = self.properties?;
        let first_start = |m: &Node| m.as_map()?.first().map(|e| e.key_span.start);
        let edit = match (self.form, json) {
            (LbForm::Terraform | LbForm::TerraformClassic, _) => {
                terraform::insert_attribute(file, text, props, "idle_timeout", &n.to_string())?
            }
            (LbForm::CfnV2, false) => match self.attributes {
                Some(list) => {
                    let first = list.as_array()?.first()?;
                    insert_lines(
                        file,
                        text,
                        first.span.start,
                        Lead::Item,
                        &[
                            format!("- Key: {IDLE_TIMEOUT_KEY}"),
                            format!("  Value: '{n}'"),
                        ],
                    )?
                }
                None => insert_lines(
                    file,
                    text,
                    first_start(props)?,
                    Lead::Entry,
                    &[
                        "LoadBalancerAttributes:".to_owned(),
                        format!("  - Key: {IDLE_TIMEOUT_KEY}"),
                        format!("    Value: '{n}'"),
                    ],
                )?,
            },
            (LbForm::CfnV2, true) => match self.attributes {
                Some(list) => insert_lines(
                    file,
                    text,
                    list.as_array()?.first()?.span.start,
                    Lead::Entry,
                    &[format!(
                        "{{\"Key\": \"{IDLE_TIMEOUT_KEY}\", \"Value\": \"{n}\"}},"
                    )],
                )?,
                None => insert_lines(
                    file,
                    text,
                    first_start(props)?,
                    Lead::Entry,
                    &[format!(
                        "\"LoadBalancerAttributes\": [{{\"Key\": \"{IDLE_TIMEOUT_KEY}\", \"Value\": \"{n}\"}}],"
                    )],
                )?,
            },
            (LbForm::CfnClassic, false) => match self.attributes {
                Some(settings) => insert_lines(
                    file,
                    text,
                    first_start(settings)?,
                    Lead::Entry,
                    &[format!("IdleTimeout: {n}")],
                )?,
                None => insert_lines(
                    file,
                    text,
                    first_start(props)?,
                    Lead::Entry,
                    &[
                        "ConnectionSettings:".to_owned(),
                        format!("  IdleTimeout: {n}"),
                    ],
                )?,
            },
            (LbForm::CfnClassic, true) => match self.attributes {
                Some(settings) => insert_lines(
                    file,
                    text,
                    first_start(settings)?,
                    Lead::Entry,
                    &[format!("\"IdleTimeout\": {n},")],
                )?,
                None => insert_lines(
                    file,
                    text,
                    first_start(props)?,
                    Lead::Entry,
                    &[format!("\"ConnectionSettings\": {{\"IdleTimeout\": {n}}},")],
                )?,
            },
        };
        Some(vec![edit])
    }
    /// Seconds, 60 when unset; `None` when the value is an intrinsic (`!Ref`).
    pub fn idle_timeout_seconds(&self) -> Option<i64> {
        match self.idle_timeout.map(|n| &n.kind) {
            None => Some(DEFAULT_IDLE_TIMEOUT_S),
            Some(Kind::Int(i)) => Some(*i),
            Some(Kind::Str(s)) => s.value.trim().parse().ok(),
            Some(_) => None,
        }
    }
}

/// Why wscfg believes the template's load balancers carry WebSockets.
#[derive(Clone, Debug)]
pub struct WsEvidence {
    pub what: String,
    pub file: FileId,
    pub span: Span,
    pub socket_io: bool,
}

pub struct AwsContext<'a> {
    pub db: &'a SourceDb,
    pub file: FileId,
    pub root: &'a Node,
    pub deps: &'a ProjectDeps,
    pub dep_files: &'a DepFiles,
    /// A CloudFormation template or a Terraform file.
    pub kind: Iac,
}

impl<'a> AwsContext<'a> {
    pub fn resources(&self) -> &'a [crate::formats::spanned::Entry] {
        self.root
            .get("Resources")
            .and_then(Node::as_map)
            .unwrap_or(&[])
    }

    fn of_type(&self, ty: &'a str) -> impl Iterator<Item = &'a crate::formats::spanned::Entry> {
        self.resources()
            .iter()
            .filter(move |e| e.value.get("Type").and_then(Node::as_str) == Some(ty))
    }

    pub fn load_balancers(&self) -> Vec<LoadBalancer<'a>> {
        if self.kind.is_terraform() {
            return terraform::resources(self.root, &["aws_lb", "aws_alb", "aws_elb"])
                .into_iter()
                .map(|r| LoadBalancer {
                    name: r.address(),
                    id_span: r.name_span,
                    form: if r.ty == "aws_elb" {
                        LbForm::TerraformClassic
                    } else {
                        LbForm::Terraform
                    },
                    properties: Some(r.body),
                    attributes: None,
                    idle_timeout: r.body.get("idle_timeout"),
                    json: self.kind == Iac::TerraformJson,
                })
                .collect();
        }
        let mut out: Vec<LoadBalancer<'a>> = self
            .of_type(LOAD_BALANCER)
            .map(|e| {
                let properties = e.value.get("Properties");
                let attributes = properties.and_then(|p| p.get("LoadBalancerAttributes"));
                let idle_timeout = attributes
                    .and_then(Node::as_array)
                    .unwrap_or(&[])
                    .iter()
                    .find(|a| a.get("Key").and_then(Node::as_str) == Some(IDLE_TIMEOUT_KEY))
                    .and_then(|a| a.get("Value"));
                LoadBalancer {
                    name: e.key.clone(),
                    id_span: e.key_span,
                    form: LbForm::CfnV2,
                    properties,
                    attributes,
                    idle_timeout,
                    json: false,
                }
            })
            .collect();
        out.extend(self.of_type(CLASSIC_LOAD_BALANCER).map(|e| {
            let properties = e.value.get("Properties");
            let attributes = properties.and_then(|p| p.get("ConnectionSettings"));
            LoadBalancer {
                name: e.key.clone(),
                id_span: e.key_span,
                form: LbForm::CfnClassic,
                properties,
                attributes,
                idle_timeout: attributes.and_then(|a| a.get("IdleTimeout")),
                json: false,
            }
        }));
        out.sort_by_key(|lb| lb.id_span.start);
        out
    }

    /// WebSocket evidence in the template (listener-rule path patterns, target groups named
    /// for WebSockets) and in the project's dependencies.
    pub fn websocket_evidence(&self) -> Vec<WsEvidence> {
        let mut out = Vec::new();
        if self.kind.is_terraform() {
            self.terraform_evidence(&mut out);
        }
        for rule in self.of_type("AWS::ElasticLoadBalancingV2::ListenerRule") {
            let conditions = rule
                .value
                .get("Properties")
                .and_then(|p| p.get("Conditions"))
                .and_then(Node::as_array)
                .unwrap_or(&[]);
            for c in conditions {
                if c.get("Field").and_then(Node::as_str) != Some("path-pattern") {
                    continue;
                }
                let values = c
                    .get("PathPatternConfig")
                    .and_then(|p| p.get("Values"))
                    .or_else(|| c.get("Values"))
                    .and_then(Node::as_array)
                    .unwrap_or(&[]);
                for v in values {
                    let Some(p) = v.as_str() else { continue };
                    if let Some(seg) = websocket_path_segment(&p.replace('*', "")) {
                        out.push(WsEvidence {
                            what: format!(
                                "listener rule `{}` routes the WebSocket path `{p}`",
                                rule.key
                            ),
                            file: self.file,
                            span: v.span,
                            socket_io: seg == "socket.io",
                        });
                    }
                }
            }
        }
        for tg in self.of_type("AWS::ElasticLoadBalancingV2::TargetGroup") {
            let name = tg
                .value
                .get("Properties")
                .and_then(|p| p.get("Name"))
                .and_then(|n| n.as_str().map(|s| (s, n.span)))
                .unwrap_or((&tg.key, tg.key_span));
            self.target_group(name, &mut out);
        }
        for e in evidence::from_deps(self.deps, self.dep_files) {
            out.push(WsEvidence {
                socket_io: e.what.contains("Socket.IO"),
                what: e.what,
                file: e.file,
                span: e.span,
            });
        }
        out
    }
}

impl AwsContext<'_> {
    /// A target group named for WebSockets.
    fn target_group(&self, (name, span): (&str, Span), out: &mut Vec<WsEvidence>) {
        let lower = name.to_ascii_lowercase();
        if lower.contains("websocket")
            || lower.contains("socketio")
            || lower.split(['-', '_']).any(|w| w == "ws" || w == "wss")
        {
            out.push(WsEvidence {
                what: format!("target group `{name}` is a WebSocket service"),
                file: self.file,
                span,
                socket_io: false,
            });
        }
    }

    /// Terraform listener rules (`condition { path_pattern { values = [...] } }`) and target
    /// groups.
    fn terraform_evidence(&self, out: &mut Vec<WsEvidence>) {
        let rules = ["aws_lb_listener_rule", "aws_alb_listener_rule"];
        for r in terraform::resources(self.root, &rules) {
            for c in terraform::blocks(r.body, "condition") {
                for pp in terraform::blocks(c, "path_pattern") {
                    let values = pp.get("values").and_then(Node::as_array).unwrap_or(&[]);
                    for v in values {
                        let Some(p) = v.as_str() else { continue };
                        if let Some(seg) = websocket_path_segment(&p.replace('*', "")) {
                            out.push(WsEvidence {
                                what: format!(
                                    "listener rule `{}` routes the WebSocket path `{p}`",
                                    r.address()
                                ),
                                file: self.file,
                                span: v.span,
                                socket_io: seg == "socket.io",
                            });
                        }
                    }
                }
            }
        }
        let groups = ["aws_lb_target_group", "aws_alb_target_group"];
        for r in terraform::resources(self.root, &groups) {
            let name = r
                .body
                .get("name")
                .and_then(|n| n.as_str().map(|s| (s, n.span)))
                .unwrap_or((r.name, r.name_span));
            self.target_group(name, out);
        }
    }
}

pub fn lint(
    db: &mut SourceDb,
    files: &[FileId],
    config: &Config,
    ws: &crate::project::evidence::WsEvidence,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for &file in files {
        let kind = {
            let f = db.get(file);
            crate::formats::iac::kind(&f.path, &f.text).unwrap_or(Iac::CloudFormation)
        };
        let syntax = &crate::rules::aws::SYNTAX_ERROR;
        crate::formats::iac::lint_file(db, file, kind, syntax, config, ws, &mut out);
    }
    out
}

/// Runs the load balancer rules over a parsed template or Terraform file.
pub fn lint_root(
    db: &mut SourceDb,
    file: FileId,
    root: &Node,
    kind: Iac,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    let none = AwsContext {
        db,
        file,
        root,
        deps: &ProjectDeps::default(),
        dep_files: &DepFiles::default(),
        kind,
    };
    if none.load_balancers().is_empty() {
        return; // e.g. a template that declares only an App Runner service
    }
    let path = db.get(file).path.clone();
    let deps = ProjectDeps::for_manifest(&path, None);
    let dep_files = DepFiles::register(db, &deps, file);
    let cx = AwsContext {
        db,
        file,
        root,
        deps: &deps,
        dep_files: &dep_files,
        kind,
    };
    crate::rules::run(crate::rules::aws::RULES, &cx, config, out);
}

/// JSON templates have no comments.
pub fn has_comments(text: &str) -> bool {
    !is_json(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFN: &str = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  PublicAlb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      Subnets: !Ref Subnets\n      LoadBalancerAttributes:\n        - Key: idle_timeout.timeout_seconds\n          Value: '60'\n  WsRule:\n    Type: AWS::ElasticLoadBalancingV2::ListenerRule\n    Properties:\n      Priority: 10\n      Conditions:\n        - Field: path-pattern\n          PathPatternConfig:\n            Values:\n              - /ws/*\n";

    #[test]
    fn yaml_with_tags_and_json() {
        let root = parse(CFN).unwrap();
        let mut db = SourceDb::default();
        let file = db.add("template.yaml".into(), CFN.into());
        let deps = ProjectDeps::default();
        let cx = AwsContext {
            db: &db,
            file,
            root: &root,
            deps: &deps,
            dep_files: &DepFiles::default(),
            kind: Iac::CloudFormation,
        };
        let lbs = cx.load_balancers();
        assert_eq!(lbs.len(), 1);
        assert_eq!(lbs[0].idle_timeout_seconds(), Some(60));
        assert_eq!(&CFN[lbs[0].idle_timeout.unwrap().span.range()], "'60'");
        let ev = cx.websocket_evidence();
        assert_eq!(ev.len(), 1);
        assert_eq!(&CFN[ev[0].span.range()], "/ws/*");
        let json =
            "{\"Resources\": {\"Alb\": {\"Type\": \"AWS::ElasticLoadBalancingV2::LoadBalancer\"}}}";
        assert!(parse(json).is_ok());
        assert!(looks_like_template(json));
    }
}
