//! Infrastructure code (CloudFormation templates, Terraform files) declares services of
//! several platforms in one file: whichever format a file was detected as, every platform's
//! rules run over the resources it declares (see `formats::iac`).

use crate::diagnostic::Diagnostic;
use crate::formats::SyntaxError;
use crate::formats::iac::{Iac, kind, parse};
use crate::rules::RuleMeta;
use crate::rules::driver::{Run, per_file};
use crate::source::{FileId, SourceDb, SourceFile};

/// Lints one infrastructure file with every platform's rules; a file that does not parse
/// gets `syntax` (the detected format's syntax error).
pub fn lint_file(
    db: &SourceDb,
    file: FileId,
    kind: Iac,
    syntax: &'static RuleMeta,
    run: &Run<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let root = match parse(kind, &db.get(file).text) {
        Ok(root) => root,
        Err(e) => {
            syntax.report(run.config, file, e.span, e.message, out);
            return;
        }
    };
    let services = match kind {
        Iac::CloudFormation => crate::rules::apprunner::cfn_services(&root),
        Iac::Terraform | Iac::TerraformJson => crate::rules::apprunner::terraform_services(&root),
    };
    crate::rules::apprunner::lint_declared(db, file, &root, &services, run, out);
    if kind.is_terraform() {
        crate::rules::cloudrun::lint_terraform(db, file, &root, run.config, out);
    }
    crate::rules::aws::lint_root(db, file, &root, kind, run.config, out);
}

/// A manifest format's driver: the run's CloudFormation templates and Terraform files are
/// linted with [`lint_file`] (every platform they declare), its own manifests with
/// [`per_file`].
pub fn per_manifest<M>(
    db: &SourceDb,
    run: &Run<'_>,
    syntax: &'static RuleMeta,
    parse: impl Fn(&SourceFile) -> Result<M, SyntaxError>,
    check: impl FnMut(FileId, &M, &mut Vec<Diagnostic>),
) -> Vec<Diagnostic> {
    let (manifests, mut out) = lint_declared_files(db, run, syntax);
    let own = Run {
        files: &manifests,
        ..*run
    };
    out.extend(per_file(db, &own, syntax, parse, check));
    out
}

/// Lints the run's files that are CloudFormation templates or Terraform files with
/// [`lint_file`]; gives back the others (the platform's own manifests) and the findings.
fn lint_declared_files(
    db: &SourceDb,
    run: &Run<'_>,
    syntax: &'static RuleMeta,
) -> (Vec<FileId>, Vec<Diagnostic>) {
    let mut manifests = Vec::new();
    let mut out = Vec::new();
    for &file in run.files {
        let f = db.get(file);
        match kind(&f.path, &f.text) {
            Some(found) => lint_file(db, file, found, syntax, run, &mut out),
            None => manifests.push(file),
        }
    }
    (manifests, out)
}
