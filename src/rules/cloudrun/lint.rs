//! The cloudrun driver.

use super::context::*;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::formats::cloudrun::*;
use crate::formats::spanned::Node;
use crate::formats::terraform;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::DepFiles;
use crate::rules::driver::Run;
use crate::source::{FileId, SourceDb};

/// Runs the Cloud Run rules over every Cloud Run service a Terraform file declares.
pub fn lint_terraform(
    db: &mut SourceDb,
    file: FileId,
    root: &Node,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    let services = terraform::resources(
        root,
        &["google_cloud_run_v2_service", "google_cloud_run_service"],
    );
    if services.is_empty() {
        return;
    }
    let path = db.get(file).path.clone();
    let deps = ProjectDeps::for_manifest(&path, None);
    let dep_files = DepFiles::register(db, &deps, file);
    for r in services {
        let cx = CloudRunContext {
            db,
            file,
            root: r.body,
            deps: &deps,
            dep_files: &dep_files,
            flavor: if r.ty == "google_cloud_run_service" {
                Flavor::TerraformV1
            } else {
                Flavor::TerraformV2
            },
            address: Some(r.address()),
        };
        crate::rules::run(crate::rules::cloudrun::RULES, &cx, config, out);
    }
}

pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let (files, config, ws) = (run.files, run.config, run.ws);
    let mut out = Vec::new();
    for &file in files {
        let syntax = &crate::rules::cloudrun::SYNTAX_ERROR;
        if crate::rules::iac::lint_if_declared(db, file, syntax, config, ws, &mut out) {
            continue;
        }
        let (path, parsed) = {
            let f = db.get(file);
            (f.path.clone(), parse(&f.text))
        };
        let root = match parsed {
            Ok(root) => root,
            Err(e) => {
                crate::rules::cloudrun::SYNTAX_ERROR
                    .report(config, file, e.span, e.message, &mut out);
                continue;
            }
        };
        let deps = ProjectDeps::for_manifest(&path, None);
        let dep_files = DepFiles::register(db, &deps, file);
        let cx = CloudRunContext {
            db,
            file,
            root: &root,
            deps: &deps,
            dep_files: &dep_files,
            flavor: Flavor::Knative,
            address: None,
        };
        crate::rules::run(crate::rules::cloudrun::RULES, &cx, config, &mut out);
    }
    out
}
