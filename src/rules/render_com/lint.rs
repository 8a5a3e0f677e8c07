//! The render_com driver.

use super::context::*;
use crate::diagnostic::Diagnostic;
use crate::formats::render_com::*;
use crate::formats::spanned::Node;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::{self as evidence, DepFiles};
use crate::rules::driver::Run;
use crate::source::SourceDb;

/// The build commands of every service.
fn build_commands(root: &Node) -> Vec<&Node> {
    root.get("services")
        .and_then(Node::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|s| s.get("buildCommand"))
        .collect()
}

pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let (files, config) = (run.files, run.config);
    let mut out = Vec::new();
    for &file in files {
        let (path, parsed) = {
            let f = db.get(file);
            (f.path.clone(), parse(&f.text))
        };
        let root = match parsed {
            Ok(root) => root,
            Err(e) => {
                crate::rules::render_com::SYNTAX_ERROR
                    .report(config, file, e.span, e.message, &mut out);
                continue;
            }
        };
        let mut deps = ProjectDeps::for_manifest(&path, None);
        let installs = evidence::installs_in(build_commands(&root));
        let installs: Vec<_> = installs
            .iter()
            .map(|(p, s, sp)| (*p, s.as_str(), *sp))
            .collect();
        deps.add_manifest_installs(&path, &installs);
        let dep_files = DepFiles::register(db, &deps, file);
        let cx = RenderContext {
            db,
            file,
            root: &root,
            deps: &deps,
            dep_files: &dep_files,
        };
        crate::rules::run(crate::rules::render_com::RULES, &cx, config, &mut out);
    }
    out
}
