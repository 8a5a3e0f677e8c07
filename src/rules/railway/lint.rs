//! The railway driver.

use super::context::*;
use crate::diagnostic::Diagnostic;
use crate::formats::railway::*;
use crate::formats::spanned::Node;
use crate::project::manifest_evidence::{self as evidence, DepFiles};
use crate::rules::driver::Run;
use crate::source::SourceDb;
use std::collections::HashSet;

// ---------------------------------------------------------------- lint

/// `build.buildCommand` of the base configuration and of every environment.
fn build_commands(root: &Node) -> Vec<&Node> {
    let mut out: Vec<&Node> = root
        .get("build")
        .and_then(|b| b.get("buildCommand"))
        .into_iter()
        .collect();
    for e in root
        .get("environments")
        .and_then(Node::as_map)
        .unwrap_or(&[])
    {
        out.extend(e.value.get("build").and_then(|b| b.get("buildCommand")));
    }
    out
}

/// Lints the Railway manifests of a run. Dependency files next to a manifest are added to
/// `db` (not to the checked files) so findings can point into them; `ws` is where the
/// project's code serves WebSockets.
pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let (files, config, ws) = (run.files, run.config, run.ws);
    let mut out = Vec::new();
    for &file in files {
        let (path, flavor, parsed) = {
            let f = db.get(file);
            let flavor = Flavor::of(&f.path, &f.text);
            (f.path.clone(), flavor, parse(&f.text, flavor))
        };
        let root = match parsed {
            Ok(root) => root,
            Err(e) => {
                crate::rules::railway::SYNTAX_ERROR
                    .report(config, file, e.span, e.message, &mut out);
                continue;
            }
        };
        let deps = evidence::manifest_deps(&path, build_commands(&root));
        let dep_files = DepFiles::register(db, &deps, file);
        let project = ws.for_manifest(&path);
        let cx = RailwayContext {
            db,
            file,
            flavor,
            root: &root,
            deps: &deps,
            dep_files: &dep_files,
            project: &project,
        };
        let mut found = Vec::new();
        crate::rules::run(crate::rules::railway::RULES, &cx, config, &mut found);
        // Environments repeat the top-level finding with their own wording: report it once.
        let mut seen = HashSet::new();
        out.extend(
            found
                .into_iter()
                .filter(|d| seen.insert((d.file, d.span, d.code))),
        );
    }
    out
}
