//! Infrastructure code: CloudFormation templates (YAML or JSON) and Terraform files. One such
//! file can declare services of several platforms (an ALB next to an App Runner service), so
//! whichever format a file was detected as, every platform's rules run over the resources
//! it declares: App Runner services (APR rules), Cloud Run services (GCR rules) and load
//! balancers (AWS rules). The detected format only names the file's syntax error
//! (`APR000`, `GCR000` or `AWS000`, after the first resource wscfg reads in it).

use std::path::Path;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::formats::spanned::Node;
use crate::formats::{apprunner, aws, cloudrun, terraform};
use crate::rules::RuleMeta;
use crate::source::{FileId, SourceDb, Span};

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

pub fn parse(kind: Iac, text: &str) -> Result<Node, (String, Span)> {
    match kind {
        Iac::Terraform => terraform::parse(text).map_err(|e| (e.message, e.span)),
        Iac::TerraformJson => terraform::parse_json(text).map_err(|e| (e.message, e.span)),
        Iac::CloudFormation => aws::parse(text).map_err(|e| (e.message, e.span)),
    }
}

/// Lints one infrastructure file with every platform's rules; a file that does not parse
/// gets `syntax` (the detected format's syntax error).
pub fn lint_file(
    db: &mut SourceDb,
    file: FileId,
    kind: Iac,
    syntax: &'static RuleMeta,
    config: &Config,
    ws: &crate::project::evidence::WsEvidence,
    out: &mut Vec<Diagnostic>,
) {
    let root = match parse(kind, &db.get(file).text) {
        Ok(root) => root,
        Err((message, span)) => {
            syntax.report(config, file, span, message, out);
            return;
        }
    };
    let services = match kind {
        Iac::CloudFormation => apprunner::cfn_services(&root),
        Iac::Terraform | Iac::TerraformJson => apprunner::terraform_services(&root),
    };
    apprunner::lint_declared(db, file, &root, &services, config, ws, out);
    if kind.is_terraform() {
        cloudrun::lint_terraform(db, file, &root, config, out);
    }
    aws::lint_root(db, file, &root, kind, config, out);
}

/// Lints `file` with [`lint_file`] when it is a CloudFormation template or a Terraform file;
/// `false` (nothing done) when it is a platform's own manifest.
pub fn lint_if_declared(
    db: &mut SourceDb,
    file: FileId,
    syntax: &'static RuleMeta,
    config: &Config,
    ws: &crate::project::evidence::WsEvidence,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let found = {
        let f = db.get(file);
        kind(&f.path, &f.text)
    };
    if let Some(found) = found {
        lint_file(db, file, found, syntax, config, ws, out);
    }
    found.is_some()
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
