//! The apprunner driver.

use super::context::*;
use crate::config::Config;
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

/// Lints the apprunner.yaml files of a run; `ws` is where the project's code serves
/// WebSockets.
pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let (files, config, ws) = (run.files, run.config, run.ws);
    let mut out = Vec::new();
    for &file in files {
        let syntax = &crate::rules::apprunner::SYNTAX_ERROR;
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
                crate::rules::apprunner::SYNTAX_ERROR
                    .report(config, file, e.span, e.message, &mut out);
                continue;
            }
        };
        let deps = evidence::manifest_deps(&path, build_commands(&root));
        let dep_files = DepFiles::register(db, &deps, file);
        let project = ws.for_manifest(&path);
        let cx = AppRunnerContext {
            db,
            file,
            root: &root,
            deps: &deps,
            dep_files: &dep_files,
            declared: None,
            project: &project,
        };
        crate::rules::run(crate::rules::apprunner::RULES, &cx, config, &mut out);
    }
    out
}

/// Runs the App Runner rules over every service `services` declares in `file` (a template
/// or Terraform file whose located tree is `root`).
pub fn lint_declared(
    db: &mut SourceDb,
    file: FileId,
    root: &Node,
    services: &[Declared<'_>],
    config: &Config,
    ws: &crate::project::evidence::WsEvidence,
    out: &mut Vec<Diagnostic>,
) {
    let path = db.get(file).path.clone();
    let project = ws.for_manifest(&path);
    for service in services {
        let deps = evidence::manifest_deps(&path, service.build_command);
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
        crate::rules::run(crate::rules::apprunner::RULES, &cx, config, out);
    }
}
