//! AWS load balancers in infrastructure code: CloudFormation templates (YAML or JSON) that
//! declare Application Load Balancers or Classic Load Balancers, parsed into the shared
//! located tree (YAML with the apprunner loader, JSON with the railway one), and Terraform
//! `aws_lb` / `aws_alb` / `aws_elb` (Classic) resources (`formats::terraform`). The questions
//! the load balancer rule asks: each load balancer's idle timeout, and which load balancers
//! front WebSocket services (listener rules, target groups, dependencies); and the edit that
//! raises the timeout.

use std::path::Path;

use crate::fix::Edit;
use crate::formats::Format;
use crate::formats::SyntaxError;
use crate::formats::head::Head;
use crate::formats::iac::{Iac, Lead, insert_lines};
use crate::formats::spanned::{Kind, Node};
use crate::formats::terraform;
use crate::source::{FileId, Span};

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
/// JSON templates have no comments.
pub fn has_comments(text: &str) -> bool {
    !is_json(text)
}
