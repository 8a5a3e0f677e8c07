//! Infrastructure code (CloudFormation templates, Terraform files) declares services of
//! several platforms in one file: whichever format a file was detected as, every platform's
//! rules run over the resources it declares (see `formats::iac`).

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::formats::iac::{Iac, kind, parse};
use crate::rules::RuleMeta;
use crate::source::{FileId, SourceDb};

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
        Err(e) => {
            syntax.report(config, file, e.span, e.message, out);
            return;
        }
    };
    let services = match kind {
        Iac::CloudFormation => crate::rules::apprunner::cfn_services(&root),
        Iac::Terraform | Iac::TerraformJson => crate::rules::apprunner::terraform_services(&root),
    };
    crate::rules::apprunner::lint_declared(db, file, &root, &services, config, ws, out);
    if kind.is_terraform() {
        crate::rules::cloudrun::lint_terraform(db, file, &root, config, out);
    }
    crate::rules::aws::lint_root(db, file, &root, kind, config, out);
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
