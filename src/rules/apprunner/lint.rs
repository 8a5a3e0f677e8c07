//! The apprunner driver.

use super::context::*;
use super::{RULES, SYNTAX_ERROR};
use crate::diagnostic::Diagnostic;
use crate::formats::spanned::Node;
pub use crate::formats::spanned::parse_yaml as parse;
use crate::project::manifest_evidence::{self as evidence, DepFiles};
use crate::rules::driver::Run;
use crate::source::{FileId, SourceDb};

// ---------------------------------------------------------------- lint

/// The build phases' commands and `run.pre-run`.
fn build_commands(root: &Node) -> Vec<&Node> {
    let mut out: Vec<&Node> = root
        .get("build")
        .and_then(|b| b.get("commands"))
        .and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .map(|e| &e.value)
        .collect();
    out.extend(root.get("run").and_then(|r| r.get("pre-run")));
    out
}

/// Lints the apprunner.yaml files of a run; `run.ws` is where the project's code serves
/// WebSockets. Templates and Terraform files among them are linted with every platform's
/// rules (`rules::iac`).
pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let db: &SourceDb = db;
    crate::rules::iac::per_manifest(
        db,
        run,
        &SYNTAX_ERROR,
        |f| parse(&f.text),
        |file, root, out| {
            let path = &db.get(file).path;
            let deps = evidence::manifest_deps(db, path, build_commands(root));
            let dep_files = DepFiles::register(db, &deps, file);
            let project = run.ws.for_manifest(path);
            let cx = AppRunnerContext {
                db,
                file,
                root,
                deps: &deps,
                dep_files: &dep_files,
                declared: None,
                project: &project,
            };
            crate::rules::run(RULES, &cx, run.config, out);
        },
    )
}

/// Runs the App Runner rules over every service `services` declares in `file` (a template
/// or Terraform file whose located tree is `root`).
pub fn lint_declared(
    db: &SourceDb,
    file: FileId,
    root: &Node,
    services: &[Declared<'_>],
    run: &Run<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let path = &db.get(file).path;
    let project = run.ws.for_manifest(path);
    for service in services {
        let deps = evidence::manifest_deps(db, path, service.build_command);
        let dep_files = DepFiles::register(db, &deps, file);
        let cx = AppRunnerContext {
            db,
            file,
            root,
            deps: &deps,
            dep_files: &dep_files,
            declared: Some(service),
            project: &project,
        };
        crate::rules::run(RULES, &cx, run.config, out);
    }
}
