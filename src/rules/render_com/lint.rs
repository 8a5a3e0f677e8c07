//! The render_com driver.

use super::context::*;
use super::{RULES, SYNTAX_ERROR};
use crate::diagnostic::Diagnostic;
use crate::formats::render_com::*;
use crate::formats::spanned::Node;
use crate::project::deps::ProjectDeps;
use crate::project::manifest_evidence::{self as evidence, DepFiles};
use crate::rules::driver::{Run, per_file};
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
    let db: &SourceDb = db;
    per_file(
        db,
        run,
        &SYNTAX_ERROR,
        |f| parse(&f.text),
        |file, root, out| {
            let path = &db.get(file).path;
            let mut deps = ProjectDeps::for_manifest(db, path, None);
            let installs = evidence::installs_in(build_commands(root));
            let installs: Vec<_> = installs
                .iter()
                .map(|(p, s, sp)| (*p, s.as_str(), *sp))
                .collect();
            deps.add_manifest_installs(path, &installs);
            let dep_files = DepFiles::register(db, &deps, file);
            let cx = RenderContext {
                db,
                file,
                root,
                deps: &deps,
                dep_files: &dep_files,
            };
            crate::rules::run(RULES, &cx, run.config, out);
        },
    )
}
