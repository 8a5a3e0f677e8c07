//! What the aws rules see of one manifest: its model with the project view around it.

use crate::formats::aws::*;
use crate::formats::iac::Iac;
use crate::formats::spanned::Node;
use crate::formats::terraform;
use crate::formats::ws_path::websocket_path_segment;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::{self as evidence, DepFiles};
use crate::source::{FileId, SourceDb, Span};

#[derive(Clone, Debug)]
pub struct WsLoadBalancerEvidence {
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
    pub fn websocket_evidence(&self) -> Vec<WsLoadBalancerEvidence> {
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
                        out.push(WsLoadBalancerEvidence {
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
            out.push(WsLoadBalancerEvidence {
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
    fn target_group(&self, (name, span): (&str, Span), out: &mut Vec<WsLoadBalancerEvidence>) {
        let lower = name.to_ascii_lowercase();
        if lower.contains("websocket")
            || lower.contains("socketio")
            || lower.split(['-', '_']).any(|w| w == "ws" || w == "wss")
        {
            out.push(WsLoadBalancerEvidence {
                what: format!("target group `{name}` is a WebSocket service"),
                file: self.file,
                span,
                socket_io: false,
            });
        }
    }

    /// Terraform listener rules (`condition { path_pattern { values = [...] } }`) and target
    /// groups.
    fn terraform_evidence(&self, out: &mut Vec<WsLoadBalancerEvidence>) {
        let rules = ["aws_lb_listener_rule", "aws_alb_listener_rule"];
        for r in terraform::resources(self.root, &rules) {
            for c in terraform::blocks(r.body, "condition") {
                for pp in terraform::blocks(c, "path_pattern") {
                    let values = pp.get("values").and_then(Node::as_array).unwrap_or(&[]);
                    for v in values {
                        let Some(p) = v.as_str() else { continue };
                        if let Some(seg) = websocket_path_segment(&p.replace('*', "")) {
                            out.push(WsLoadBalancerEvidence {
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
