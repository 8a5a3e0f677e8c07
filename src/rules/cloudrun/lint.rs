//! The cloudrun driver.

use super::context::*;
use super::{RULES, SYNTAX_ERROR};
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
    db: &SourceDb,
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
    let deps = ProjectDeps::for_manifest(db, &db.get(file).path, None);
    let dep_files = DepFiles::register(db, &deps, file);
    for r in services {
        let cx = CloudRunContext {
            db,
            file,
            root: r.body,
            deps: &deps,
            dep_files: &dep_files,
            flavor: if r.ty == "google_cloud_run_service" {
                ServiceSyntax::TerraformV1
            } else {
                ServiceSyntax::TerraformV2
            },
            address: Some(r.address()),
        };
        crate::rules::run(RULES, &cx, config, out);
    }
}

/// Lints the Cloud Run service files of a run; templates and Terraform files among them are
/// linted with every platform's rules (`rules::iac`).
pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let db: &SourceDb = db;
    crate::rules::iac::per_manifest(
        db,
        run,
        &SYNTAX_ERROR,
        |f| parse(&f.text),
        |file, root, out| {
            let deps = ProjectDeps::for_manifest(db, &db.get(file).path, None);
            let dep_files = DepFiles::register(db, &deps, file);
            let cx = CloudRunContext {
                db,
                file,
                root,
                deps: &deps,
                dep_files: &dep_files,
                flavor: ServiceSyntax::Knative,
                address: None,
            };
            crate::rules::run(RULES, &cx, run.config, out);
        },
    )
}
