//! The railway driver.

use super::context::*;
use super::{RULES, SYNTAX_ERROR};
use crate::diagnostic::Diagnostic;
use crate::formats::railway::*;
use crate::formats::spanned::Node;
use crate::project::manifest_evidence::{self as evidence, DepFiles};
use crate::rules::driver::{Run, per_file};
use crate::source::SourceDb;
use std::collections::HashSet;

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

/// Lints the Railway manifests of a run. Findings can point into the dependency files next
/// to a manifest (read into `db` before linting); `run.ws` is where the project's code
/// serves WebSockets.
pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let db: &SourceDb = db;
    per_file(
        db,
        run,
        &SYNTAX_ERROR,
        |f| {
            let flavor = ManifestSyntax::of(&f.path, &f.text);
            Ok((flavor, parse(&f.text, flavor)?))
        },
        |file, (flavor, root), out| {
            let path = &db.get(file).path;
            let deps = evidence::manifest_deps(db, path, build_commands(root));
            let dep_files = DepFiles::register(db, &deps, file);
            let project = run.ws.for_manifest(path);
            let cx = RailwayContext {
                db,
                file,
                flavor: *flavor,
                root,
                deps: &deps,
                dep_files: &dep_files,
                project: &project,
            };
            let mut found = Vec::new();
            crate::rules::run(RULES, &cx, run.config, &mut found);
            // Environments repeat the top-level finding with their own wording: report it once.
            let mut seen = HashSet::new();
            out.extend(
                found
                    .into_iter()
                    .filter(|d| seen.insert((d.file, d.span, d.code))),
            );
        },
    )
}
