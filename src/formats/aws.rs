//! AWS CloudFormation templates (YAML or JSON) that declare Application Load Balancers,
//! parsed into the shared located tree (YAML with the apprunner loader, JSON with the railway
//! one), and the questions the ALB rule asks: each load balancer's `idle_timeout`, and which
//! load balancers front WebSocket services (listener rules, target groups, dependencies).

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::formats::evidence::{self, DepFiles};
use crate::formats::head::Head;
use crate::formats::project_deps::ProjectDeps;
use crate::formats::railway::websocket_path_segment;
use crate::formats::spanned::{Kind, Node};
use crate::source::{FileId, SourceDb, Span};

pub const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
pub const IDLE_TIMEOUT_KEY: &str = "idle_timeout.timeout_seconds";
/// The ALB idle timeout when the attribute is unset, in seconds.
pub const DEFAULT_IDLE_TIMEOUT_S: i64 = 60;

fn is_template_name(name: &str) -> bool {
    [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Templates declaring an ALB (`AWS::ElasticLoadBalancingV2::LoadBalancer`).
/// In a walk, JSON files are read only when their name says CloudFormation: projects hold
/// many JSON files (package.json, lock files) and few templates.
pub fn detect_by_content(head: &Head<'_>, named: bool) -> bool {
    let name = head.name();
    if !is_template_name(name) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    let json_hint = ["template", "cfn", "cloudformation", "stack"]
        .iter()
        .any(|h| lower.contains(h));
    if !named && lower.ends_with(".json") && !json_hint {
        return false;
    }
    looks_like_template(head.text())
}

pub fn looks_like_template(text: &str) -> bool {
    text.contains(LOAD_BALANCER) && text.contains("Resources")
}

fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if is_json(text) {
        crate::formats::railway::parse_json(text).map_err(|e| SyntaxError {
            message: e.message,
            span: e.span,
        })
    } else {
        crate::formats::apprunner::parse(text).map_err(|e| SyntaxError {
            message: e.message,
            span: e.span,
        })
    }
}

pub fn parses(text: &str) -> bool {
    parse(text).is_ok()
}

/// One `AWS::ElasticLoadBalancingV2::LoadBalancer` resource.
pub struct LoadBalancer<'a> {
    pub logical_id: &'a str,
    pub id_span: Span,
    pub resource: &'a Node,
    /// `Properties.LoadBalancerAttributes`, when written.
    pub attributes: Option<&'a Node>,
    /// The `Value` of `idle_timeout.timeout_seconds`, when set.
    pub idle_timeout: Option<&'a Node>,
}

impl LoadBalancer<'_> {
    /// `application` unless `Type` says otherwise.
    pub fn is_application(&self) -> bool {
        self.resource
            .get("Properties")
            .and_then(|p| p.get("Type"))
            .and_then(Node::as_str)
            .is_none_or(|t| t == "application")
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
        self.of_type(LOAD_BALANCER)
            .map(|e| {
                let attributes = e
                    .value
                    .get("Properties")
                    .and_then(|p| p.get("LoadBalancerAttributes"));
                let idle_timeout = attributes
                    .and_then(Node::as_array)
                    .unwrap_or(&[])
                    .iter()
                    .find(|a| a.get("Key").and_then(Node::as_str) == Some(IDLE_TIMEOUT_KEY))
                    .and_then(|a| a.get("Value"));
                LoadBalancer {
                    logical_id: &e.key,
                    id_span: e.key_span,
                    resource: &e.value,
                    attributes,
                    idle_timeout,
                }
            })
            .collect()
    }

    /// WebSocket evidence in the template (listener-rule path patterns, target groups named
    /// for WebSockets) and in the project's dependencies.
    pub fn websocket_evidence(&self) -> Vec<WsEvidence> {
        let mut out = Vec::new();
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
            let lower = name.0.to_ascii_lowercase();
            if lower.contains("websocket")
                || lower.contains("socketio")
                || lower.split(['-', '_']).any(|w| w == "ws" || w == "wss")
            {
                out.push(WsEvidence {
                    what: format!("target group `{}` is a WebSocket service", name.0),
                    file: self.file,
                    span: name.1,
                    socket_io: false,
                });
            }
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
                crate::rules::aws::SYNTAX_ERROR.report(config, file, e.span, e.message, &mut out);
                continue;
            }
        };
        let deps = ProjectDeps::for_manifest(&path, None);
        let dep_files = DepFiles::register(db, &deps, file);
        let cx = AwsContext {
            db,
            file,
            root: &root,
            deps: &deps,
            dep_files: &dep_files,
        };
        crate::rules::run(crate::rules::aws::RULES, &cx, config, &mut out);
    }
    out
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
