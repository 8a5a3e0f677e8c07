//! Infrastructure code: CloudFormation templates (YAML or JSON) and Terraform files. One such
//! file can declare services of several platforms (an ALB next to an App Runner service), so
//! the rules of every platform run over it (`rules::iac`).

use std::path::Path;

use crate::formats::SyntaxError;
use crate::formats::spanned::Node;
use crate::formats::{apprunner, aws, terraform};
use crate::source::FileId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Iac {
    CloudFormation,
    Terraform,
    /// `.tf.json`: the same resources in Terraform's JSON syntax.
    TerraformJson,
}

impl Iac {
    pub fn is_terraform(self) -> bool {
        matches!(self, Iac::Terraform | Iac::TerraformJson)
    }
}

/// Whether `path` (with `text`) is infrastructure code rather than a platform's own manifest.
pub fn kind(path: &Path, text: &str) -> Option<Iac> {
    if terraform::is_terraform_name(path) {
        return Some(Iac::Terraform);
    }
    if terraform::is_terraform_json_name(path) {
        return Some(Iac::TerraformJson);
    }
    if apprunner::is_manifest_name(path) {
        return None;
    }
    aws::looks_like_template(text).then_some(Iac::CloudFormation)
}

pub fn parse(kind: Iac, text: &str) -> Result<Node, SyntaxError> {
    match kind {
        Iac::Terraform => terraform::parse(text),
        Iac::TerraformJson => terraform::parse_json(text),
        Iac::CloudFormation => aws::parse(text),
    }
}

/// How the text before an insertion point must look.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    /// A mapping entry on its own line: only indentation before it.
    Entry,
    /// A YAML block sequence item: indentation, then `- `.
    Item,
}

/// An edit that writes `lines` on their own lines just before the line holding `at` (the
/// first entry or item of a block), each indented like that line (plus its own leading
/// spaces). `None` when the line holds something else before `at` (a flow collection, a
/// value on its parent's line): then wscfg cannot be sure of the layout.
pub fn insert_lines(
    file: FileId,
    text: &str,
    at: usize,
    lead: Lead,
    lines: &[String],
) -> Option<crate::fix::Edit> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..at];
    let indent_len = before.len() - before.trim_start_matches([' ', '\t']).len();
    let rest = &before[indent_len..];
    let ok = match lead {
        Lead::Entry => rest.is_empty(),
        Lead::Item => rest.starts_with('-') && rest[1..].chars().all(|c| c == ' '),
    };
    if !ok {
        return None;
    }
    let indent = &before[..indent_len];
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let content: String = lines.iter().map(|l| format!("{indent}{l}{nl}")).collect();
    Some(crate::fix::Edit::insert(file, start, content))
}
