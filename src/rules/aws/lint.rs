//! The aws driver.

use super::context::*;
use super::{RULES, SYNTAX_ERROR};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::formats::iac::Iac;
use crate::formats::spanned::Node;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::DepFiles;
use crate::rules::driver::Run;
use crate::source::{FileId, SourceDb};

pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let db: &SourceDb = db;
    let mut out = Vec::new();
    for &file in run.files {
        let kind = {
            let f = db.get(file);
            crate::formats::iac::kind(&f.path, &f.text).unwrap_or(Iac::CloudFormation)
        };
        crate::rules::iac::lint_file(db, file, kind, &SYNTAX_ERROR, run, &mut out);
    }
    out
}

/// Runs the load balancer rules over a parsed template or Terraform file.
pub fn lint_root(
    db: &SourceDb,
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
    let path = &db.get(file).path;
    let deps = ProjectDeps::for_manifest(db, path, None);
    let dep_files = DepFiles::register(db, &deps, file);
    let cx = AwsContext {
        db,
        file,
        root,
        deps: &deps,
        dep_files: &dep_files,
        kind,
    };
    crate::rules::run(RULES, &cx, config, out);
}
