//! The nginx driver: the run's files loaded with their includes, each root built into its
//! tree and model, then the rules; the loader's problems become findings here.

use super::{
    INCLUDE_CYCLE, INCLUDE_NOT_FOUND, INCLUDE_OUTSIDE_ROOT, NOT_UTF8, RULES, SYNTAX_ERROR,
};
use crate::diagnostic::Diagnostic;
use crate::formats::nginx::problem::{LoadProblem, Problem};
use crate::formats::nginx::tree::IncludeMap;
use crate::formats::nginx::tree::Tree;
use crate::formats::nginx::{NginxContext, load};
use crate::rules::driver::Run;
use crate::source::{FileId, SourceDb};
use rustc_hash::{FxHashMap, FxHashSet};

/// A configuration with at least this many directives has its rules run in parallel (below
/// it, starting threads costs more than it saves).
const PARALLEL_RULES_NODES: usize = 20_000;

/// Lints the nginx files of a run: each root with everything it includes, so a fragment is
/// judged in the context that includes it. Findings reached from two roots are reported once.
pub fn lint(db: &mut SourceDb, run: &Run<'_>) -> Vec<Diagnostic> {
    let config = run.config;
    let loaded = load::load_limited(db, run.files, &config.nginx, &config.limits);
    let db: &SourceDb = db;
    if !run.context.is_empty() {
        let reached = reached_from_named(&loaded.roots, &loaded.includes, run.context);
        run.reached
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(reached);
    }
    let mut out: Vec<Diagnostic> = loaded.problems.into_iter().map(finding).collect();
    // Each root is linted on its own (on every core when there are several); the findings
    // are taken in root order, so the output does not depend on the scheduling.
    let per_root = crate::exec::par_map(&loaded.roots, |&(root, context)| {
        let mut found = Vec::new();
        let tree = Tree::build_limited(
            &loaded.parsed,
            &loaded.includes,
            root,
            context,
            config.limits.max_includes,
        );
        if let Some((file, span, message)) = &tree.limit_hit {
            found.push(Diagnostic::new(&SYNTAX_ERROR, *file, *span, message));
        }
        let mut cx = NginxContext::new(tree, db, &config.nginx);
        let mut per_rule = Vec::new();
        if loaded.roots.len() == 1 && cx.tree.nodes.len() >= PARALLEL_RULES_NODES {
            // One big configuration: its rules run on every core instead, each into a list
            // of its own, joined in rule order (the model's caches are shared and locked).
            let enabled: Vec<_> = RULES.iter().filter(|r| config.enabled(r.meta())).collect();
            per_rule = crate::exec::par_map(&enabled, |rule| {
                let mut out = Vec::new();
                rule.check(&cx, &mut out);
                out
            });
        } else {
            crate::rules::run(RULES, &cx, config, &mut found);
        }
        if loaded.roots.len() == 1 {
            // One big model: left to the OS at exit, except its biggest single block, the
            // tree's nodes, handed back first: the findings are gathered next, and the
            // run's peak memory is reached there.
            cx.tree.nodes = Vec::new();
            crate::exec::release(cx);
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
    super::screen::screen(&loaded.parsed, &mut found);
    crate::exec::release(loaded.parsed);
    crate::exec::release(loaded.includes);
    crate::diagnostic::dedupe(&mut found);
    out.append(&mut found);
    out
}

/// The files the named roots include, directly or through other includes: a named
/// nginx.conf's findings in its includes are its own.
fn reached_from_named<C>(
    roots: &[(FileId, C)],
    includes: &IncludeMap,
    context: &FxHashSet<FileId>,
) -> FxHashSet<FileId> {
    let mut from: FxHashMap<FileId, Vec<FileId>> = FxHashMap::default();
    for (&(file, _), targets) in includes {
        from.entry(file).or_default().extend(targets);
    }
    let mut todo: Vec<FileId> = roots
        .iter()
        .map(|&(f, _)| f)
        .filter(|f| !context.contains(f))
        .collect();
    let mut reached: FxHashSet<FileId> = todo.iter().copied().collect();
    while let Some(f) = todo.pop() {
        for &next in from.get(&f).into_iter().flatten() {
            if reached.insert(next) {
                todo.push(next);
            }
        }
    }
    reached
}

/// The finding of a problem the loader met.
pub fn finding(p: LoadProblem) -> Diagnostic {
    let meta = match p.kind {
        Problem::Syntax => &SYNTAX_ERROR,
        Problem::IncludeNotFound => &INCLUDE_NOT_FOUND,
        Problem::IncludeOutsideRoot => &INCLUDE_OUTSIDE_ROOT,
        Problem::IncludeCycle => &INCLUDE_CYCLE,
        Problem::NotUtf8 => {
            return NOT_UTF8.diag(
                p.file,
                p.span,
                format!(
                    "{}: nginx reads the bytes as they are, so wscfg checked the file with each \
                     invalid byte read as U+FFFD and writes no fix to it",
                    p.message
                ),
            );
        }
    };
    let d = Diagnostic::new(meta, p.file, p.span, p.message);
    match p.help {
        Some(help) => d.help(help),
        None => d,
    }
}
