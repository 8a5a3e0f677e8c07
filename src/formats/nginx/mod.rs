//! nginx: parser, include resolution, the expanded tree and the model rules query.

pub mod arity;
pub mod ast;
pub mod detect;
pub mod dump;
pub mod edit;
pub mod listen;
pub mod load;
pub mod location;
pub mod model;
pub mod parser;
pub mod regex_sample;
pub mod rewrite;
pub mod template;
pub mod tree;
pub mod unseen;
pub mod upstream;
pub mod values;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceDb};

pub use model::NginxContext;

/// A configuration with at least this many directives has its rules run in parallel (below
/// it, starting threads costs more than it saves).
const PARALLEL_RULES_NODES: usize = 20_000;

/// Lints the nginx files of a run: each root with everything it includes, so a fragment is
/// judged in the context that includes it. Findings reached from two roots are reported once.
pub fn lint(db: &mut SourceDb, files: &[FileId], config: &Config) -> Vec<Diagnostic> {
    let loaded = load::load_limited(db, files, &config.nginx, &config.limits);
    let db: &SourceDb = db;
    let mut out = loaded.problems;
    // Each root is linted on its own (on every core when there are several); the findings
    // are taken in root order, so the output does not depend on the scheduling.
    let per_root = crate::engine::par_map(&loaded.roots, |&(root, context)| {
        let mut found = Vec::new();
        let tree = tree::Tree::build_limited(
            &loaded.parsed,
            &loaded.includes,
            root,
            context,
            config.limits.max_includes,
        );
        if let Some((file, span, message)) = &tree.limit_hit {
            found.push(Diagnostic::new(
                &crate::rules::nginx::SYNTAX_ERROR,
                *file,
                *span,
                message,
            ));
        }
        let mut cx = NginxContext::new(tree, db, &config.nginx);
        let mut per_rule = Vec::new();
        if loaded.roots.len() == 1 && cx.tree.nodes.len() >= PARALLEL_RULES_NODES {
            // One big configuration: its rules run on every core instead, each into a list
            // of its own, joined in rule order (the model's caches are shared and locked).
            let enabled: Vec<_> = crate::rules::nginx::RULES
                .iter()
                .filter(|r| config.enabled(r.meta()))
                .collect();
            per_rule = crate::engine::par_map(&enabled, |rule| {
                let mut out = Vec::new();
                rule.check(&cx, &mut out);
                out
            });
        } else {
            crate::rules::run(crate::rules::nginx::RULES, &cx, config, &mut found);
        }
        if loaded.roots.len() == 1 {
            // One big model: left to the OS at exit, except its biggest single block, the
            // tree's nodes, handed back first: the findings are gathered next, and the
            // run's peak memory is reached there.
            cx.tree.nodes = Vec::new();
            crate::engine::release(cx);
        }
        // Reserved whole: growing by doubling would hold up to twice the findings.
        found.reserve_exact(per_rule.iter().map(Vec::len).sum());
        found.extend(per_rule.into_iter().flatten());
        found
    });
    let mut found: Vec<Diagnostic> = match <[_; 1]>::try_from(per_root) {
        Ok([one]) => one,
        Err(many) => many.into_iter().flatten().collect(),
    };
    unseen::screen(&loaded.parsed, &mut found);
    crate::engine::release(loaded.parsed);
    crate::engine::release(loaded.includes);
    crate::engine::dedupe(&mut found);
    out.append(&mut found);
    out
}

/// Builds the model of one complete configuration text, for unit tests of model questions.
#[cfg(test)]
pub(crate) fn with_context<R>(text: &str, f: impl FnOnce(&NginxContext<'_>) -> R) -> R {
    let settings = crate::config::NginxSettings::default();
    let mut db = SourceDb::default();
    let file = db.add("nginx.conf".into(), text.to_owned());
    let loaded = load::load(&mut db, &[file], &settings);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let (root, context) = loaded.roots[0];
    let tree = tree::Tree::build(&loaded.parsed, &loaded.includes, root, context);
    let cx = NginxContext::new(tree, &db, &settings);
    f(&cx)
}
